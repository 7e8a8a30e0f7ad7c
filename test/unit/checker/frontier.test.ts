// Frontier batches (checker/frontier.ts, search.ts): packing, slicing and merging keep every state's id, depth and
// bytes, in order, in buffers of their own (a batch's buffers are transferred to another thread).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ChunkWriter, packChunk, type Chunk } from '../../../src-main/checker/frontier.ts'
import { mergeChunks, sliceChunk, splitChunk } from '../../../src-main/checker/search.ts'

type State = { id: number; depth: number; bytes: number[] }

const statesOf = (c: Chunk): State[] =>
  Array.from({ length: c.n }, (_, k) => ({ id: c.ids[k], depth: c.depths[k], bytes: [...c.data.subarray(c.offs[k], c.offs[k + 1])] }))

const state = fc.record({ id: fc.integer({ min: -5, max: 1e9 }), depth: fc.nat(1000), bytes: fc.array(fc.nat(255), { maxLength: 40 }) })

const pack = (xs: State[]): Chunk => packChunk(xs.map((x) => x.id), xs.map((x) => x.depth), xs.map((x) => Uint8Array.from(x.bytes)))

describe('frontier batches', () => {
  it('packChunk holds exactly its states, like a ChunkWriter fed the same', () => {
    fc.assert(
      fc.property(fc.array(state, { maxLength: 60 }), (xs) => {
        const c = pack(xs)
        expect(statesOf(c)).toEqual(xs)
        expect(c.offs.length).toBe(xs.length + 1)
        expect(c.data.length).toBe(xs.reduce((a, x) => a + x.bytes.length, 0))
        const w = new ChunkWriter(Math.max(1, xs.length), 2)
        for (const x of xs) w.push(x.id, x.depth, Uint8Array.from(x.bytes))
        expect(statesOf(w.take())).toEqual(xs)
      }),
    )
  })

  it('slices and splits cover the batch in order; merging them gives it back; slices share no buffer with it', () => {
    fc.assert(
      fc.property(fc.array(state, { minLength: 1, maxLength: 60 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 20 }), (xs, a, b, size) => {
        const c = pack(xs)
        const [from, to] = [a % (xs.length + 1), b % (xs.length + 1)].sort((p, q) => p - q)
        const s = sliceChunk(c, from, to)
        expect(statesOf(s)).toEqual(xs.slice(from, to))
        expect(s.data.buffer).not.toBe(c.data.buffer)
        expect(s.ids.buffer).not.toBe(c.ids.buffer)
        const parts = splitChunk(c, size)
        expect(parts.every((p) => p.n <= size)).toBe(true)
        expect(statesOf(mergeChunks(parts))).toEqual(xs)
        expect(statesOf(mergeChunks([sliceChunk(c, 0, from), s, sliceChunk(c, to, xs.length)]))).toEqual(xs)
      }),
    )
  })
})
