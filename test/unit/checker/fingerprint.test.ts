// XXH64 over 32-bit limbs against xxHash's published sanity vectors (cli/xsum_sanity_check.c: a pseudorandom
// buffer of PRIME32/PRIME64 bytes, seeds 0 and PRIME32) and well-known strings; the word and byte entry points
// agree; and a plain BigInt transcription of the XXH64 specification agrees on random inputs and seeds.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fingerprint, fingerprintString, fingerprintWords, xxh64, xxh64Words } from '../../../src-main/checker/fingerprint.ts'

const PRIME32 = 2654435761n
const PRIME64 = 11400714785074694797n
const M = (1n << 64n) - 1n

/** xxHash's sanity buffer: byte i is the top byte of PRIME32·PRIME64^i mod 2^64. */
function sanityBuffer(len: number): Uint8Array {
  const b = new Uint8Array(len)
  let g = PRIME32
  for (let i = 0; i < len; i++) {
    b[i] = Number(g >> 56n)
    g = (g * PRIME64) & M
  }
  return b
}

const asBig = (o: Int32Array): bigint => (BigInt(o[1] >>> 0) << 32n) | BigInt(o[0] >>> 0)

function hash(bytes: Uint8Array, seed = 0n): bigint {
  const out = new Int32Array(2)
  xxh64(bytes, Number(seed >> 32n) | 0, Number(seed & 0xffffffffn) | 0, out)
  return asBig(out)
}

// The specification in BigInt, read from the XXH64 algorithm description: slow, obviously 64-bit.
const P = [0x9e3779b185ebca87n, 0xc2b2ae3d27d4eb4fn, 0x165667b19e3779f9n, 0x85ebca77c2b2ae63n, 0x27d4eb2f165667c5n]
const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M
const rd = (b: Uint8Array, i: number, n: number): bigint => {
  let v = 0n
  for (let k = n - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[i + k])
  return v
}
const rnd = (acc: bigint, input: bigint): bigint => (rotl((acc + input * P[1]) & M, 31n) * P[0]) & M
function specXxh64(b: Uint8Array, seed: bigint): bigint {
  let i = 0
  let h: bigint
  if (b.length >= 32) {
    const v = [(seed + P[0] + P[1]) & M, (seed + P[1]) & M, seed, (seed - P[0]) & M]
    for (; i + 32 <= b.length; i += 32) for (let k = 0; k < 4; k++) v[k] = rnd(v[k], rd(b, i + 8 * k, 8))
    h = (rotl(v[0], 1n) + rotl(v[1], 7n) + rotl(v[2], 12n) + rotl(v[3], 18n)) & M
    for (const x of v) h = (((h ^ rnd(0n, x)) * P[0]) + P[3]) & M
  } else h = (seed + P[4]) & M
  h = (h + BigInt(b.length)) & M
  for (; i + 8 <= b.length; i += 8) h = ((rotl(h ^ rnd(0n, rd(b, i, 8)), 27n) * P[0]) + P[3]) & M
  if (i + 4 <= b.length) {
    h = ((rotl(h ^ ((rd(b, i, 4) * P[0]) & M), 23n) * P[1]) + P[2]) & M
    i += 4
  }
  for (; i < b.length; i++) h = (rotl(h ^ ((BigInt(b[i]) * P[4]) & M), 11n) * P[0]) & M
  h = ((h ^ (h >> 33n)) * P[1]) & M
  h = ((h ^ (h >> 29n)) * P[2]) & M
  return h ^ (h >> 32n)
}

describe('XXH64 fingerprint', () => {
  it('matches xxHash’s sanity vectors (seed 0 and seed PRIME32)', () => {
    const buf = sanityBuffer(4096 + 64 + 1)
    const vectors: [number, bigint, bigint][] = [
      [0, 0n, 0xef46db3751d8e999n],
      [0, PRIME32, 0xac75fda2929b17efn],
      [1, 0n, 0xe934a84adb052768n],
      [1, PRIME32, 0x5014607643a9b4c3n],
      [4, 0n, 0x9136a0dca57457een],
      [14, 0n, 0x8282dcc4994e35c8n],
      [14, PRIME32, 0xc3bd6bf63deb6df0n],
      [222, 0n, 0xb641ae8cb691c174n],
      [222, PRIME32, 0x20cb8ab7ae10c14an],
    ]
    for (const [len, seed, want] of vectors) expect(hash(buf.subarray(0, len), seed), `len ${len} seed ${seed}`).toBe(want)
  })

  it('matches the well-known values for "", "a" and "abc", through fingerprintString too', () => {
    const enc = new TextEncoder()
    const want: [string, bigint][] = [['', 0xef46db3751d8e999n], ['a', 0xd24ec4f1a98c6e5bn], ['abc', 0x44bc2cf5ad770999n]]
    const out = new Int32Array(2)
    for (const [s, h] of want) {
      expect(hash(enc.encode(s))).toBe(h)
      fingerprintString(s, out)
      expect(asBig(out)).toBe(h)
    }
  })

  it('agrees with a BigInt transcription of the specification on random bytes and seeds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.bigInt({ min: 0n, max: M }), (bytes, seed) => {
        expect(hash(bytes, seed)).toBe(specXxh64(bytes, seed))
      }),
      { numRuns: 400 },
    )
  })

  it('hashes words as their little-endian bytes, for every word count and seed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 80 }), fc.nat(), fc.integer(), (ws, extra, seedL) => {
        const words = new Int32Array(ws.length + (extra % 3)) // slack after n words must not be read
        words.set(ws)
        words.fill(-1, ws.length)
        const bytes = new Uint8Array(ws.length * 4)
        const view = new DataView(bytes.buffer)
        for (let i = 0; i < ws.length; i++) view.setInt32(i * 4, ws[i], true)
        const a = new Int32Array(2)
        const b = new Int32Array(2)
        xxh64Words(words, ws.length, 7, seedL, a)
        xxh64(bytes, 7, seedL, b)
        expect([...a]).toEqual([...b])
        fingerprintWords(words, ws.length, a)
        fingerprint(bytes, b)
        expect([...a]).toEqual([...b])
        expect(a[0]).not.toBe(0)
        expect(a[1]).not.toBe(0)
      }),
      { numRuns: 400 },
    )
  })
})
