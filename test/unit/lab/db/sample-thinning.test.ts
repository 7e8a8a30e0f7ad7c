// A long run's stored samples are thinned as it goes (lab/db/sample-thinning.ts): two and a half hours of 250 ms
// samples, flushed four at a time as the lab does, through the real repository on a real SQLite file.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RunRepository } from '../../../../src-main/lab/db/run-repository.ts'
import { bucketMs, MAX_SAMPLES } from '../../../../src-main/lab/db/sample-thinning.ts'
import type { ProgressSample, RunConfig } from '../../../../src-shared/types.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const config: RunConfig = { model: 'twophase', params: { rms: 3, bug: false }, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false }
/** Memory peaks once, at 3,333.25 s, between two bucket starts. */
const PEAK_MS = 3_333_250
const memoryAt = (t: number): number => (t === PEAK_MS ? 1e9 : 4096 + t)
const sample = (t: number): ProgressSample => ({ elapsedMs: t, generated: t * 10, unique: t * 2, queue: 5, maxDepth: 3, generatedPerSec: 100, uniquePerSec: 20, memoryBytes: memoryAt(t) })

/** Appends 250 ms samples over (fromMs, toMs], four per transaction. */
function feed(repo: RunRepository, runId: number, fromMs: number, toMs: number, check?: (t: number) => void): void {
  for (let t = fromMs + 250; t <= toMs; t += 1000) {
    repo.appendSamples(runId, [t, t + 250, t + 500, t + 750].filter((x) => x <= toMs).map(sample))
    check?.(Math.min(t + 750, toMs))
  }
}

/** Every bucket of the current width holds at most one sample, the newest and the peak of memory aside. */
function onePerBucket(samples: ProgressSample[], width: number): void {
  const newest = samples.reduce((a, b) => (b.elapsedMs > a.elapsedMs ? b : a))
  const buckets = new Map<number, number>()
  for (const s of samples) if (s !== newest && s.elapsedMs !== PEAK_MS) buckets.set(Math.floor(s.elapsedMs / width), (buckets.get(Math.floor(s.elapsedMs / width)) ?? 0) + 1)
  expect([...buckets.values()].filter((n) => n > 1)).toEqual([])
}

describe('sample thinning', () => {
  it('keeps every sample for 500 s, then halves the density as the run grows: never more than about 2,000', () => {
    const file = join(tempDir(), 'thin.db')
    let repo = RunRepository.open(file)
    const id = repo.createRun(config, 't0')
    const short = repo.createRun(config, 't0')
    feed(repo, short, 0, 60_000)
    feed(repo, id, 0, 500_000)
    // The first 500 s: nothing is dropped.
    expect(repo.getRun(id).samples.map((s) => s.elapsedMs)).toEqual(Array.from({ length: 2000 }, (_, i) => (i + 1) * 250))
    let most = 0
    feed(repo, id, 500_000, 7_200_000, (t) => {
      if (t % 60_000 === 0) most = Math.max(most, repo.getRun(id).samples.length)
    })
    expect(most).toBeLessThanOrEqual(MAX_SAMPLES + 3)
    expect(most).toBeGreaterThan(MAX_SAMPLES / 2)

    const width = bucketMs(7_200_000)
    expect(width).toBe(4000)
    const after = repo.getRun(id).samples
    expect(after.length).toBeGreaterThanOrEqual(MAX_SAMPLES / 2)
    expect(after.length).toBeLessThanOrEqual(MAX_SAMPLES + 3)
    // Evenly spread, from the first sample to the newest, each one as it was saved.
    expect(after[0].elapsedMs).toBe(250)
    expect(after.at(-1)!.elapsedMs).toBe(7_200_000)
    const gaps = after.slice(1).map((s, i) => s.elapsedMs - after[i].elapsedMs)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(width)
    expect(after.every((s) => s.generated === s.elapsedMs * 10 && s.unique === s.elapsedMs * 2 && s.memoryBytes === memoryAt(s.elapsedMs))).toBe(true)
    // The peak of memory survives (the compare view's "Peak memory").
    expect(Math.max(...after.map((s) => s.memoryBytes))).toBe(1e9)
    onePerBucket(after, width)
    // Another run's samples are not touched.
    expect(repo.getRun(short).samples).toHaveLength(240)

    // Reopened, the file holds the thinned series.
    repo.close()
    repo = RunRepository.open(file)
    expect(repo.getRun(id).samples).toEqual(after)

    // A resume restarts from its checkpoint's time (here 6,000 s) and goes on to 2.5 h: still one sample per bucket,
    // before the width doubles again (at 8,000 s) and after.
    feed(repo, id, 6_000_000, 7_900_000)
    onePerBucket(repo.getRun(id).samples, 4000)
    feed(repo, id, 7_900_000, 9_000_000)
    const resumed = repo.getRun(id).samples
    expect(resumed.length).toBeLessThanOrEqual(MAX_SAMPLES + 3)
    onePerBucket(resumed, bucketMs(9_000_000))
    expect(resumed.at(-1)!.elapsedMs).toBe(9_000_000)
    expect(resumed.filter((s) => s.memoryBytes === 1e9)).toHaveLength(1)
    repo.close()
  })
})
