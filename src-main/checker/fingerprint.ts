// 64-bit fingerprints of canonical state bytes: XXH64 (Yann Collet's xxHash, 64-bit variant, seed 0), tested
// against xxHash's own sanity vectors (test/unit/checker/fingerprint.test.ts). A published hash with a known
// distribution is what the lab's collision figure (n²/2^65, birthday bound for a uniform 64-bit hash) assumes.
// Written over 32-bit limbs: JS multiplies 32-bit integers fast (Math.imul) and BigInt slowly (~20× per call).
// The result comes out as two Int32 lanes: out[0] the low 32 bits, out[1] the high 32 bits.

// The five XXH64 primes as (high, low) 32-bit halves.
const P1H = 0x9e3779b1 | 0, P1L = 0x85ebca87 | 0
const P2H = 0xc2b2ae3d | 0, P2L = 0x27d4eb4f | 0
const P3H = 0x165667b1 | 0, P3L = 0x9e3779f9 | 0
const P4H = 0x85ebca77 | 0, P4L = 0xc2b2ae63 | 0
const P5H = 0x27d4eb2f | 0, P5L = 0x165667c5 | 0

// Result registers of the 64-bit helpers below (two numbers cannot be returned without allocating).
let rH = 0
let rL = 0

/** (ah:al) · (bh:bl) mod 2^64 → rH:rL. The high half of al·bl is built from 16-bit pieces (exact in doubles). */
function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16
  const m1 = a1 * b0, m2 = a0 * b1
  const t = ((a0 * b0) >>> 16) + (m1 & 0xffff) + (m2 & 0xffff)
  const carry = a1 * b1 + (m1 >>> 16) + (m2 >>> 16) + (t >>> 16)
  rL = Math.imul(al, bl)
  rH = (carry + Math.imul(al, bh) + Math.imul(ah, bl)) | 0
}

/** (ah:al) + (bh:bl) mod 2^64 → rH:rL. */
function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = (al >>> 0) + (bl >>> 0)
  rL = lo | 0
  rH = (ah + bh + (lo > 0xffffffff ? 1 : 0)) | 0
}

/** (h:l) rotated left by r, 0 < r < 32 → rH:rL. */
function rotl(h: number, l: number, r: number): void {
  rH = (h << r) | (l >>> (32 - r))
  rL = (l << r) | (h >>> (32 - r))
}

/** XXH64_round: acc += input·P2; acc = rotl(acc, 31); acc ·= P1. */
function round(accH: number, accL: number, inH: number, inL: number): void {
  mul(inH, inL, P2H, P2L)
  add(accH, accL, rH, rL)
  rotl(rH, rL, 31)
  mul(rH, rL, P1H, P1L)
}

/** XXH64_mergeRound: acc ^= round(0, v); acc = acc·P1 + P4. */
function mergeRound(accH: number, accL: number, vH: number, vL: number): void {
  round(0, 0, vH, vL)
  mul(accH ^ rH, accL ^ rL, P1H, P1L)
  add(rH, rL, P4H, P4L)
}

// The four stripe accumulators, shared by the byte and word loops.
let v1H = 0, v1L = 0, v2H = 0, v2L = 0, v3H = 0, v3L = 0, v4H = 0, v4L = 0

function initLanes(seedH: number, seedL: number): void {
  add(seedH, seedL, P1H, P1L)
  add(rH, rL, P2H, P2L)
  v1H = rH; v1L = rL
  add(seedH, seedL, P2H, P2L)
  v2H = rH; v2L = rL
  v3H = seedH; v3L = seedL
  // seed − P1 = seed + (2^64 − P1)
  add(seedH, seedL, ~P1H + (P1L === 0 ? 1 : 0), -P1L | 0)
  v4H = rH; v4L = rL
}

/** The accumulators folded into one 64-bit value (the long-input start of h) → rH:rL. */
function convergeLanes(): void {
  rotl(v1H, v1L, 1)
  let hH = rH, hL = rL
  rotl(v2H, v2L, 7)
  add(hH, hL, rH, rL); hH = rH; hL = rL
  rotl(v3H, v3L, 12)
  add(hH, hL, rH, rL); hH = rH; hL = rL
  rotl(v4H, v4L, 18)
  add(hH, hL, rH, rL); hH = rH; hL = rL
  mergeRound(hH, hL, v1H, v1L); hH = rH; hL = rL
  mergeRound(hH, hL, v2H, v2L); hH = rH; hL = rL
  mergeRound(hH, hL, v3H, v3L); hH = rH; hL = rL
  mergeRound(hH, hL, v4H, v4L)
}

/** h after the stripes (or seed + P5 for inputs under 32 bytes), plus the length → rH:rL. */
function start(len: number, seedH: number, seedL: number): void {
  if (len >= 32) convergeLanes()
  else add(seedH, seedL, P5H, P5L)
  // lengths here are < 2^32 bytes
  add(rH, rL, 0, len | 0)
}

/** One remaining 8-byte lane: h ^= round(0, k); h = rotl(h, 27)·P1 + P4. */
function tail8(hH: number, hL: number, kH: number, kL: number): void {
  round(0, 0, kH, kL)
  rotl(hH ^ rH, hL ^ rL, 27)
  mul(rH, rL, P1H, P1L)
  add(rH, rL, P4H, P4L)
}

/** One remaining 4-byte word: h ^= w·P1; h = rotl(h, 23)·P2 + P3. */
function tail4(hH: number, hL: number, w: number): void {
  mul(0, w, P1H, P1L)
  rotl(hH ^ rH, hL ^ rL, 23)
  mul(rH, rL, P2H, P2L)
  add(rH, rL, P3H, P3L)
}

/** One remaining byte: h ^= b·P5; h = rotl(h, 11)·P1. */
function tail1(hH: number, hL: number, b: number): void {
  mul(0, b, P5H, P5L)
  rotl(hH ^ rH, hL ^ rL, 11)
  mul(rH, rL, P1H, P1L)
}

/** XXH64_avalanche, written to out as (low, high) lanes. */
function avalanche(hH: number, hL: number, out: Int32Array): void {
  mul(hH, hL ^ (hH >>> 1), P2H, P2L) // h ^= h >>> 33
  hH = rH; hL = rL
  mul(hH ^ (hH >>> 29), hL ^ ((hL >>> 29) | (hH << 3)), P3H, P3L) // h ^= h >>> 29
  out[0] = rL ^ rH // h ^= h >>> 32
  out[1] = rH
}

const word = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)

/** XXH64 of bytes with a 64-bit seed given as (high, low) halves; out[0] = low 32 bits, out[1] = high 32 bits. */
export function xxh64(bytes: Uint8Array, seedH: number, seedL: number, out: Int32Array): void {
  const len = bytes.length
  let i = 0
  if (len >= 32) {
    initLanes(seedH, seedL)
    for (; i + 32 <= len; i += 32) {
      round(v1H, v1L, word(bytes, i + 4), word(bytes, i)); v1H = rH; v1L = rL
      round(v2H, v2L, word(bytes, i + 12), word(bytes, i + 8)); v2H = rH; v2L = rL
      round(v3H, v3L, word(bytes, i + 20), word(bytes, i + 16)); v3H = rH; v3L = rL
      round(v4H, v4L, word(bytes, i + 28), word(bytes, i + 24)); v4H = rH; v4L = rL
    }
  }
  start(len, seedH, seedL)
  let hH = rH, hL = rL
  for (; i + 8 <= len; i += 8) {
    tail8(hH, hL, word(bytes, i + 4), word(bytes, i)); hH = rH; hL = rL
  }
  if (i + 4 <= len) {
    tail4(hH, hL, word(bytes, i)); hH = rH; hL = rL
    i += 4
  }
  for (; i < len; i++) {
    tail1(hH, hL, bytes[i]); hH = rH; hL = rL
  }
  avalanche(hH, hL, out)
}

/** XXH64 of the little-endian bytes of n 32-bit words, read as words (no byte assembly); seed as in xxh64. */
export function xxh64Words(words: Int32Array, n: number, seedH: number, seedL: number, out: Int32Array): void {
  const len = n * 4
  let j = 0
  if (len >= 32) {
    initLanes(seedH, seedL)
    for (; j + 8 <= n; j += 8) {
      round(v1H, v1L, words[j + 1], words[j]); v1H = rH; v1L = rL
      round(v2H, v2L, words[j + 3], words[j + 2]); v2H = rH; v2L = rL
      round(v3H, v3L, words[j + 5], words[j + 4]); v3H = rH; v3L = rL
      round(v4H, v4L, words[j + 7], words[j + 6]); v4H = rH; v4L = rL
    }
  }
  start(len, seedH, seedL)
  let hH = rH, hL = rL
  for (; j + 2 <= n; j += 2) {
    tail8(hH, hL, words[j + 1], words[j]); hH = rH; hL = rL
  }
  if (j < n) {
    tail4(hH, hL, words[j]); hH = rH; hL = rL
  }
  avalanche(hH, hL, out)
}

// 0 marks an empty slot (low lane) and an unpublished high lane in the shared visited set, so neither lane is 0
// (moving 2 of 2^64 values onto neighbours: no measurable change to the distribution).
function nonZero(out: Int32Array): void {
  if (out[0] === 0) out[0] = 1
  if (out[1] === 0) out[1] = 1
}

/** Writes the fingerprint of bytes into out[0] (low lane) and out[1] (high lane). Never returns 0 in either lane. */
export function fingerprint(bytes: Uint8Array, out: Int32Array): void {
  xxh64(bytes, 0, 0, out)
  nonZero(out)
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

/** The fingerprint of n 32-bit words: fingerprint() of their little-endian bytes, on any platform. */
export function fingerprintWords(words: Int32Array, n: number, out: Int32Array): void {
  xxh64Words(words, n, 0, 0, out)
  nonZero(out)
}
