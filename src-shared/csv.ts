// CSV primitives shared by the lab's reports and the renderer's matrix export (docs/csv.md): RFC 4180 quoting,
// one rounding rule for every report, lower_snake_case names, and no field a spreadsheet would run as a formula.
export type CsvCell = string | number | boolean | null | undefined

/**
 * One rounding rule for every report, so the same figure reads the same everywhere: whole numbers as they are,
 * others to 3 decimal places (3 significant digits below 0.001, so a tiny probability does not become 0).
 */
export function csvNumber(n: number): string {
  if (!Number.isFinite(n)) return ''
  if (Number.isInteger(n)) return String(n)
  const abs = Math.abs(n)
  const rounded = abs >= 0.001 ? Math.round(n * 1000) / 1000 : Number(n.toPrecision(3))
  return String(rounded)
}

/**
 * A text cell starting with =, +, -, @, tab or CR is run as a formula by Excel, LibreOffice and Google Sheets
 * (OWASP "CSV injection"); a leading apostrophe makes them show it as text. Numbers are never text here.
 */
export function csvText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
}

export function csvField(v: CsvCell): string {
  if (v === null || v === undefined) return ''
  const s = typeof v === 'number' ? csvNumber(v) : typeof v === 'boolean' ? String(v) : csvText(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function csvTable(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n'
}

/** "sts-one-pod-per-ordinal" → "sts_one_pod_per_ordinal", "controllerRestarts" → "controller_restarts". */
export function snakeName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
}
