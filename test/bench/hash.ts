// npm run bench:hash — the cost of one fingerprint on the small inputs the checker hashes: XXH64 over 32-bit
// limbs (checker/fingerprint.ts) against the two-lane Murmur3_x86_32 variant it replaced (kept below as the
// baseline only). Inputs: 8–64 words (orchestration state keys go through fingerprintWords), synthetic byte arrays,
// and the real encodings of the first states of twophase (rms 6) and of replicaset-scale (canonical bytes).
// Figures: ns per call, best of --repeat runs (default 5) of enough calls to take ~100 ms; and the ratio
// new / old. Writes bench-results/hash.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fingerprint, fingerprintWords } from '../../src-main/checker/fingerprint.ts'
import { getModelDefinition } from '../../src-main/models/registry.ts'

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : def
}
const repeat = arg('repeat', 5)

/** The previous fingerprint, verbatim: the baseline of this benchmark. */
function oldFingerprint(bytes: Uint8Array, out: Int32Array): void {
  const C1 = 0xcc9e2d51
  const C2 = 0x1b873593
  const fmix = (h: number): number => {
    h ^= h >>> 16
    h = Math.imul(h, 0x85ebca6b)
    h ^= h >>> 13
    h = Math.imul(h, 0xc2b2ae35)
    h ^= h >>> 16
    return h
  }
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
  out[0] = h1 === 0 ? 1 : h1
  out[1] = h2 === 0 ? 1 : h2
}

/** The old words entry point: a byte view of the words. */
function oldFingerprintWords(words: Int32Array, n: number, out: Int32Array): void {
  oldFingerprint(new Uint8Array(words.buffer, words.byteOffset, n * 4), out)
}

/** The first `count` states' encodings of a built-in model, breadth first. */
function encodings(id: string, params: Record<string, number | string | boolean>, count: number): Uint8Array[] {
  const model = getModelDefinition(id).create(params)
  const seen = new Set<string>()
  const out: Uint8Array[] = []
  const queue = [...model.init()]
  while (queue.length > 0 && out.length < count) {
    const s = queue.shift()
    const enc = model.encode(s)
    const key = Buffer.from(enc).toString('latin1')
    if (seen.has(key)) continue
    seen.add(key)
    out.push(enc)
    for (const a of model.actions(s)) {
      const t = model.next(s, a)
      if (t !== undefined) queue.push(t)
    }
  }
  return out
}

/** ns per call of hashing every input of the set in turn; best of `repeat`. */
function time(inputs: readonly unknown[], hash: (x: unknown, out: Int32Array) => void): number {
  const out = new Int32Array(2)
  let calls = 0
  const t0 = process.hrtime.bigint()
  while (process.hrtime.bigint() - t0 < 20_000_000n) for (const x of inputs) (hash(x, out), calls++) // warm up
  const perRun = Math.max(inputs.length, calls * 5)
  let best = Infinity
  for (let r = 0; r < repeat; r++) {
    const start = process.hrtime.bigint()
    for (let c = 0; c < perRun; c += inputs.length) for (const x of inputs) hash(x, out)
    best = Math.min(best, Number(process.hrtime.bigint() - start) / perRun)
  }
  return best
}

function randomWords(n: number, count: number): Int32Array[] {
  return Array.from({ length: count }, () => Int32Array.from({ length: n }, () => (Math.random() * 2 ** 32) | 0))
}
function randomBytes(n: number, count: number): Uint8Array[] {
  return Array.from({ length: count }, () => Uint8Array.from({ length: n }, () => (Math.random() * 256) | 0))
}

interface Case { name: string; meanBytes: number; oldNs: number; newNs: number; ratio: number }
const cases: Case[] = []
function bench(name: string, inputs: readonly unknown[], oldHash: (x: any, o: Int32Array) => void, newHash: (x: any, o: Int32Array) => void, bytesOf: (x: any) => number): void {
  const oldNs = time(inputs, oldHash)
  const newNs = time(inputs, newHash)
  const meanBytes = Math.round(inputs.reduce((s: number, x) => s + bytesOf(x), 0) / inputs.length)
  const c = { name, meanBytes, oldNs: Number(oldNs.toFixed(1)), newNs: Number(newNs.toFixed(1)), ratio: Number((newNs / oldNs).toFixed(2)) }
  cases.push(c)
  process.stderr.write(`  ${name.padEnd(34)} ${String(meanBytes).padStart(5)} B  old ${c.oldNs} ns  new ${c.newNs} ns  ×${c.ratio}\n`)
}

for (const n of [8, 16, 32, 64]) {
  bench(`words ${n}`, randomWords(n, 256), (w: Int32Array, o) => oldFingerprintWords(w, w.length, o), (w: Int32Array, o) => fingerprintWords(w, w.length, o), (w: Int32Array) => w.length * 4)
}
for (const n of [12, 40, 100, 256]) bench(`bytes ${n}`, randomBytes(n, 256), oldFingerprint, fingerprint, (b: Uint8Array) => b.length)
bench('twophase rms 6 states', encodings('twophase', { rms: 6, bug: false }, 2000), oldFingerprint, fingerprint, (b: Uint8Array) => b.length)
bench('replicaset-scale states', encodings('replicaset-scale', {}, 300), oldFingerprint, fingerprint, (b: Uint8Array) => b.length)

const result = {
  date: new Date().toISOString(),
  machine: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores), Node ${process.version}`,
  note: 'ns per fingerprint, best of repeated runs; ratio = XXH64 (32-bit limbs) / previous Murmur3 variant',
  cases,
}
const dir = join(import.meta.dirname, '..', '..', 'bench-results')
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, 'hash.json'), JSON.stringify(result, null, 2) + '\n')
process.stdout.write(JSON.stringify(result, null, 2) + '\n')
