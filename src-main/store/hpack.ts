// HPACK (RFC 7541), the header compression of HTTP/2: a full decoder (static and dynamic tables, integers,
// Huffman strings) for the requests clients send, and a table-free encoder for our answers (indexed static
// entries and literals that are never added to the peer's table, so there is no encoder state to keep).

/** A decoding failure: the connection must end with COMPRESSION_ERROR. */
export class HpackError extends Error {}

// Appendix A: the static table, index 1..61.
const STATIC: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''],
  ['etag', ''], ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''],
  ['if-modified-since', ''], ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''],
  ['last-modified', ''], ['link', ''], ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''],
  ['proxy-authorization', ''], ['range', ''], ['referer', ''], ['refresh', ''], ['retry-after', ''],
  ['server', ''], ['set-cookie', ''], ['strict-transport-security', ''], ['transfer-encoding', ''],
  ['user-agent', ''], ['vary', ''], ['via', ''], ['www-authenticate', ''],
]

// Appendix B: the Huffman code's length in bits for symbols 0..255 and EOS (256). The code is canonical —
// codes of one length are consecutive in symbol order and follow the last shorter code, shifted — so the
// lengths determine every code (the test checks codes against the RFC's table).
const LENGTHS = (
  '13,23,28,28,28,28,28,28,28,24,30,28,28,30,28,28,28,28,28,28,28,28,30,28,28,28,28,28,28,28,28,28,' +
  '6,10,10,12,13,6,8,11,10,10,8,11,8,6,6,6,5,5,5,6,6,6,6,6,6,6,7,8,15,6,12,10,' +
  '13,6,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,8,7,8,13,19,13,14,6,' +
  '15,5,6,5,6,5,6,6,6,5,7,7,6,6,6,5,6,7,6,5,5,6,7,7,7,7,7,15,11,14,13,28,' +
  '20,22,20,20,22,22,22,23,22,23,23,23,23,23,24,23,24,24,22,23,24,23,23,23,23,21,22,23,22,23,23,24,' +
  '22,21,20,22,22,23,23,21,23,22,22,24,21,22,23,23,21,21,22,21,23,22,23,23,20,22,22,22,23,22,22,23,' +
  '26,26,20,19,22,23,22,25,26,26,26,27,27,26,24,25,19,21,26,27,27,26,27,24,21,21,26,26,28,27,27,27,' +
  '20,24,20,21,22,21,21,23,22,22,25,25,24,24,26,23,26,27,26,26,27,27,27,27,27,28,27,27,27,27,27,26,30'
).split(',').map(Number)

const EOS = 256

/** The canonical codes: [code, length] per symbol. Exported for the test against the RFC. */
export function huffmanCodes(): [number, number][] {
  const order = LENGTHS.map((len, sym) => ({ len, sym })).sort((a, b) => a.len - b.len || a.sym - b.sym)
  const codes: [number, number][] = new Array(LENGTHS.length)
  let code = 0
  let len = order[0].len
  for (const s of order) {
    code *= 2 ** (s.len - len)
    len = s.len
    codes[s.sym] = [code, len]
    code++
  }
  return codes
}

// A binary trie in flat arrays: node n's children are child[2n] and child[2n+1]; a leaf holds sym + 1.
const { child, leaf } = (() => {
  // 257 leaves and 256 inner nodes.
  const child = new Int32Array(2 * 513).fill(-1)
  const leaf = new Int32Array(513)
  let nodes = 1
  for (const [sym, [code, len]] of huffmanCodes().entries()) {
    let n = 0
    for (let b = len - 1; b >= 0; b--) {
      const bit = Math.floor(code / 2 ** b) % 2
      if (child[2 * n + bit] < 0) child[2 * n + bit] = nodes++
      n = child[2 * n + bit]
    }
    leaf[n] = sym + 1
  }
  if (nodes !== 513) throw new Error(`Huffman trie has ${nodes} nodes, expected 513`)
  return { child, leaf }
})()

export function huffmanDecode(bytes: Buffer): string {
  let out = ''
  let n = 0
  let depth = 0
  let ones = true
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]
    for (let b = 7; b >= 0; b--) {
      const bit = (byte >> b) & 1
      n = child[2 * n + bit]
      depth++
      ones = ones && bit === 1
      if (n < 0) throw new HpackError('invalid Huffman code')
      const sym = leaf[n] - 1
      if (sym >= 0) {
        if (sym === EOS) throw new HpackError('EOS inside a Huffman string')
        out += String.fromCharCode(sym)
        n = 0
        depth = 0
        ones = true
      }
    }
  }
  // Padding: the most significant bits of EOS (all ones), fewer than 8.
  if (depth > 7 || !ones) throw new HpackError('invalid Huffman padding')
  return out
}

export type HeaderList = [string, string][]

/** Largest decoded header list (RFC 9113 size: name + value + 32 per field) accepted from one block. */
const MAX_HEADER_LIST = 256 * 1024

/** Decodes the header blocks of one connection, in order (the dynamic table is connection state). */
export class HpackDecoder {
  private table: [string, string][] = []
  private size = 0
  private maxSize: number
  private readonly limit: number

  /** `maxTableSize`: our SETTINGS_HEADER_TABLE_SIZE; the encoder may lower it, never raise it above. */
  constructor(maxTableSize = 4096) {
    this.maxSize = maxTableSize
    this.limit = maxTableSize
  }

  decode(block: Buffer): HeaderList {
    const out: HeaderList = []
    let listSize = 0
    // Indexed entries make a small block expand: bound what one block may decode to.
    const emit = (name: string, value: string): void => {
      listSize += name.length + value.length + 32
      if (listSize > MAX_HEADER_LIST) throw new HpackError(`header list larger than ${MAX_HEADER_LIST} bytes`)
      out.push([name, value])
    }
    let p = 0
    const int = (prefixBits: number): number => {
      const max = (1 << prefixBits) - 1
      let v = block[p++] & max
      if (v < max) return v
      let shift = 0
      for (;;) {
        if (p >= block.length) throw new HpackError('truncated integer')
        const b = block[p++]
        v += (b & 0x7f) * 2 ** shift
        shift += 7
        if ((b & 0x80) === 0) return v
        if (shift > 28) throw new HpackError('integer too large')
      }
    }
    const str = (): string => {
      if (p >= block.length) throw new HpackError('truncated string')
      const huffman = (block[p] & 0x80) !== 0
      const len = int(7)
      if (p + len > block.length) throw new HpackError('truncated string')
      const bytes = block.subarray(p, p + len)
      p += len
      return huffman ? huffmanDecode(bytes) : bytes.toString('latin1')
    }
    const entry = (index: number): readonly [string, string] => {
      if (index >= 1 && index <= STATIC.length) return STATIC[index - 1]
      const e = this.table[index - STATIC.length - 1]
      if (index === 0 || !e) throw new HpackError(`header index ${index} is not in the table`)
      return e
    }
    while (p < block.length) {
      const b = block[p]
      if (b & 0x80) {
        const [name, value] = entry(int(7))
        emit(name, value)
      } else if (b & 0x40) {
        const index = int(6)
        const name = index === 0 ? str() : entry(index)[0]
        const value = str()
        emit(name, value)
        this.add(name, value)
      } else if (b & 0x20) {
        if (out.length > 0) throw new HpackError('table size update after a header')
        const size = int(5)
        if (size > this.limit) throw new HpackError(`table size ${size} above the ${this.limit} allowed`)
        this.maxSize = size
        this.evict()
      } else {
        // Literal without indexing (0000) or never indexed (0001): same layout, 4-bit index.
        const index = int(4)
        const name = index === 0 ? str() : entry(index)[0]
        emit(name, str())
      }
    }
    return out
  }

  private add(name: string, value: string): void {
    this.table.unshift([name, value])
    this.size += name.length + value.length + 32
    this.evict()
  }

  private evict(): void {
    while (this.size > this.maxSize && this.table.length > 0) {
      const [n, v] = this.table.pop()!
      this.size -= n.length + v.length + 32
    }
  }
}

function encodeInt(out: number[], first: number, prefixBits: number, v: number): void {
  const max = (1 << prefixBits) - 1
  if (v < max) {
    out.push(first | v)
    return
  }
  out.push(first | max)
  v -= max
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
}

/** A header block: static matches as indexes, the rest as literals never added to a table (names lowercase). */
export function encodeHeaders(headers: HeaderList): Buffer {
  const out: number[] = []
  for (const [name, value] of headers) {
    const exact = STATIC.findIndex(([n, v]) => n === name && v === value)
    if (exact >= 0) {
      encodeInt(out, 0x80, 7, exact + 1)
      continue
    }
    const byName = STATIC.findIndex(([n]) => n === name)
    encodeInt(out, 0x00, 4, byName + 1)
    if (byName < 0) {
      const n = Buffer.from(name, 'latin1')
      encodeInt(out, 0x00, 7, n.length)
      out.push(...n)
    }
    const v = Buffer.from(value, 'latin1')
    encodeInt(out, 0x00, 7, v.length)
    for (const x of v) out.push(x)
  }
  return Buffer.from(out)
}
