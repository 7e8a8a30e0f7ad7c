// Progress rates are worked out once, in the pool (rates.ts): each report's generated/s and unique/s are over the
// interval since the previous report, and the last report, marked closing, carries the result's own figures.
import { describe, expect, it } from 'vitest'
import type { ExploreProgress } from '../../../src-main/checker/run-types.ts'
import { check } from './helpers.ts'

describe('progress rates', () => {
  it('each report is rated against the one before it; the closing report is the result with an empty queue', async () => {
    const seen: { p: ExploreProgress; closing: boolean }[] = []
    const r = await check('twophase', { rms: 7, bug: false }, { workers: 2, progressEveryMs: 20, onProgress: (p, closing) => seen.push({ p, closing: closing === true }) })
    expect(seen.length).toBeGreaterThan(2)
    expect(seen.filter((s) => s.closing)).toHaveLength(1)
    const last = seen.at(-1)!
    expect(last.closing).toBe(true)
    expect(last.p).toMatchObject({ unique: r.unique, generated: r.generated, maxDepth: r.maxDepth, elapsedMs: r.elapsedMs, queue: 0 })
    seen.forEach(({ p }, i) => {
      const prev = i > 0 ? seen[i - 1].p : { elapsedMs: 0, generated: 0, unique: 0 }
      const dt = (p.elapsedMs - prev.elapsedMs) / 1000
      expect(p.generatedPerSec).toBeCloseTo(dt > 0 ? (p.generated - prev.generated) / dt : 0, 6)
      expect(p.uniquePerSec).toBeCloseTo(dt > 0 ? (p.unique - prev.unique) / dt : 0, 6)
    })
    expect(seen.some(({ p }) => p.generatedPerSec > 0)).toBe(true)
  })
})
