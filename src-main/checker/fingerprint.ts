// 64-bit fingerprints of canonical state bytes, as two 32-bit lanes (JS has fast 32-bit multiply, slow BigInt).
// Lane mixing follows MurmurHash3's block and finaliser steps with different seeds, cross-fed so the lanes differ.

const C1 = 0xcc9e2d51
const C2 = 0x1b873593

function fmix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h
}

/** Writes the fingerprint of bytes into out[0] (low lane) and out[1] (high lane). Never returns 0 in either lane. */
export function fingerprint(bytes: Uint8Array, out: Int32Array): void {
  const len = bytes.length
  let h1 = 0x2545f491 ^ len
  let h2 = 0x9e3779b9 ^ Math.imul(len, 0x27d4eb2f)
  let i = 0
  for (; i + 4 <= len; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)
    k = Math.imul(k, C1)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, C2)
    h1 ^= k
    h1 = (h1 << 13) | (h1 >>> 19)
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0
    h2 ^= Math.imul(k ^ (h1 >>> 7), 0x85ebca77)
    h2 = (h2 << 17) | (h2 >>> 15)
    h2 = (Math.imul(h2, 9) + 0x165667b1) | 0
  }
  const rest = len & 3
  if (rest > 0) {
    let k = bytes[i]
    if (rest > 1) k |= bytes[i + 1] << 8
    if (rest > 2) k |= bytes[i + 2] << 16
    k = Math.imul(k, C1)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, C2)
    h1 ^= k
    h2 ^= Math.imul(k, 0x27d4eb2f)
  }
  h1 = fmix(h1 ^ h2)
  h2 = fmix(h2 ^ Math.imul(h1, 0x165667b1))
  // 0 marks an empty slot (low lane) and an unpublished high lane in the shared visited set, so neither lane is 0.
  out[0] = h1 === 0 ? 1 : h1
  out[1] = h2 === 0 ? 1 : h2
}

/** Probability that two of n distinct states share a 64-bit fingerprint (birthday bound, n²/2^65). */
export function collisionProbability(n: number): number {
  return (n * n) / 2 ** 65
}

const textEncoder = new TextEncoder()
let scratch = new Uint8Array(4096)

/** The fingerprint of a string's UTF-8 bytes (what fingerprint(encode(s)) gives for a string-encoded state). */
export function fingerprintString(s: string, out: Int32Array): void {
  if (scratch.length < s.length * 3) scratch = new Uint8Array(s.length * 3 + 1024)
  const { written } = textEncoder.encodeInto(s, scratch)
  fingerprint(scratch.subarray(0, written), out)
}

/** The fingerprint of n 32-bit words (a model's compact canonical key; little-endian bytes of the words). */
export function fingerprintWords(words: Int32Array, n: number, out: Int32Array): void {
  fingerprint(new Uint8Array(words.buffer, words.byteOffset, n * 4), out)
}
