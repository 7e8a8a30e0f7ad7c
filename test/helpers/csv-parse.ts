// A plain RFC 4180 parser for tests: proves exports load with an ordinary CSV reader, not with our own writer's rules.
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"' && field === '') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i++
    } else if (c === '\n') throw new Error(`bare LF at offset ${i}: rows must end with CRLF`)
    else field += c
  }
  if (quoted) throw new Error('unterminated quoted field')
  if (field !== '' || row.length) throw new Error('last row lacks CRLF')
  return rows
}

/** Rows as objects keyed by the header. */
export function parseCsvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text)
  for (const r of rows) if (r.length !== header.length) throw new Error(`row has ${r.length} fields, header ${header.length}`)
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])))
}
