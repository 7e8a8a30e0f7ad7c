// The UTF-8 bytes of canon(v) (canon.ts), written straight into a reusable buffer: hashing an object's canonical
// form this way builds no strings (the fingerprint hashes one new object per successor or so, and the strings were
// most of its garbage). Same rules as canon: keys sorted, undefined fields dropped, non-finite numbers as null.
import { NEEDS_ESCAPE, sortedKeys } from './canon.ts'

let buf = new Uint8Array(4096)
let pos = 0
const encoder = new TextEncoder()
/** Keys as written (quoted, with the colon), as bytes; a handful of distinct field and object names. */
const quoted = new Map<string, Uint8Array>()

function room(n: number): void {
  if (pos + n <= buf.length) return
  const b = new Uint8Array(Math.max(pos + n, buf.length * 2))
  b.set(buf.subarray(0, pos))
  buf = b
}

function ascii(s: string): void {
  room(s.length)
  for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i)
}

/** Any text: ASCII byte by byte, anything else through the encoder. */
function text(s: string): void {
  room(s.length * 3)
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x80) {
      pos += encoder.encodeInto(s.slice(i), buf.subarray(pos)).written
      return
    }
    buf[pos++] = c
  }
}

/** A string as canon quotes it: plain ASCII copied in one pass; anything to escape or encode by the slow path. */
function str(s: string): void {
  room(s.length + 2)
  const start = pos
  buf[pos++] = 0x22
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) {
      pos = start
      text(NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`)
      return
    }
    buf[pos++] = c
  }
  buf[pos++] = 0x22
}

function num(n: number): void {
  if (!Number.isFinite(n)) ascii('null')
  else if (Number.isInteger(n) && n >= 0 && n < 1e15) {
    // Digits of a non-negative integer, most significant first.
    let d = 1
    while (d * 10 <= n) d *= 10
    room(16)
    for (; d >= 1; d /= 10) {
      const q = Math.floor(n / d)
      buf[pos++] = 0x30 + q
      n -= q * d
    }
  } else ascii(String(n))
}

function key(k: string): void {
  let q = quoted.get(k)
  if (q === undefined) {
    q = encoder.encode(JSON.stringify(k) + ':')
    if (quoted.size > 50_000) quoted.clear()
    quoted.set(k, q)
  }
  room(q.length)
  for (let i = 0; i < q.length; i++) buf[pos++] = q[i]
}

function write(v: unknown): void {
  switch (typeof v) {
    case 'number':
      return num(v)
    case 'boolean':
      return ascii(v ? 'true' : 'false')
    case 'string':
      return str(v)
  }
  if (v === null || typeof v !== 'object') {
    // As canon: JSON.stringify's text (undefined → "undefined"; a bigint throws).
    text(String(JSON.stringify(v)))
    return
  }
  room(1)
  if (Array.isArray(v)) {
    buf[pos++] = 0x5b
    for (let i = 0; i < v.length; i++) {
      if (i > 0) {
        room(1)
        buf[pos++] = 0x2c
      }
      write(v[i])
    }
    room(1)
    buf[pos++] = 0x5d
    return
  }
  buf[pos++] = 0x7b
  const o = v as Record<string, unknown>
  // Keys are nearly always in order already (see sortedKeys): write them as they come, without a key array, and
  // start the object again in sorted order on the first one out of order.
  const start = pos
  let prev: string | undefined
  let first = true
  for (const k in o) {
    if (prev !== undefined && prev > k) {
      pos = start
      first = true
      for (const s of sortedKeys(o)) first = field(o, s, first)
      break
    }
    prev = k
    first = field(o, k, first)
  }
  room(1)
  buf[pos++] = 0x7d
}

/** One "key":value of an object (none for undefined); returns whether the object is still empty. */
function field(o: Record<string, unknown>, k: string, first: boolean): boolean {
  const x = o[k]
  if (x === undefined) return first
  if (!first) {
    room(1)
    buf[pos++] = 0x2c
  }
  key(k)
  write(x)
  return false
}

/**
 * Writes the bytes of canon(v) and returns them: a view of a shared buffer, valid until the next call.
 */
export function canonBytes(v: unknown): Uint8Array {
  pos = 0
  write(v)
  return buf.subarray(0, pos)
}
