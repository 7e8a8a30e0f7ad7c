import { describe, expect, it } from 'vitest'
import { haltBuffer } from '../../../src-main/checker/pool.ts'
import { H_STOP } from '../../../src-main/checker/protocol.ts'
import { check } from './helpers.ts'

// Closed forms from DESIGN.md for two-phase commit with n resource managers.
const uniqueOf = (n: number): number => 2 ** n + 4 ** n + 6 ** n
const generatedOf = (n: number): number => Math.round(n * 2 ** n + (n + 1) * 4 ** n + (4 * n * 6 ** n) / 3 + 2)

describe('parallel BFS and DFS: exact, identical counts for every worker count', () => {
  for (let n = 1; n <= 6; n++) {
    it(`twophase rms=${n}: BFS with 1 and 2 workers, DFS with 2, equal the closed forms`, async () => {
      const runs = await Promise.all([
        check('twophase', { rms: n, bug: false }, { workers: 1 }),
        check('twophase', { rms: n, bug: false }, { workers: 2 }),
        check('twophase', { rms: n, bug: false }, { workers: 2, strategy: 'dfs' }),
      ])
      for (const r of runs) {
        expect([r.unique, r.generated, r.complete, r.stopReason]).toEqual([uniqueOf(n), generatedOf(n), true, 'complete'])
        expect(r.depthHistogram.reduce((a, b) => a + b, 0)).toBe(uniqueOf(n))
        expect(r.properties.map((p) => [p.name, p.status])).toEqual([
          ['consistent', 'holds'],
          ['all-committed', 'holds'],
        ])
        expect(r.collisionProbability).toBeCloseTo(uniqueOf(n) ** 2 / 2 ** 65, 20)
      }
      // BFS: depth and the per-level histogram are the same for every worker count.
      expect(runs[0].maxDepth).toBe(3 * n + 2)
      expect(runs[1].maxDepth).toBe(3 * n + 2)
      expect(runs[1].depthHistogram).toEqual(runs[0].depthHistogram)
    })
  }

  it('an orchestration model (states held as objects by the explorer that made them, released as bytes to one that runs out): 1, 2 and 3 workers, BFS and the portfolio, the same counts', async () => {
    const params = { consistency: 'monotonic-session', instances: 2, idleReads: true, sameViews: true, oldRevisions: true }
    const runs = await Promise.all([
      check('statefulset-scale', params, { workers: 1 }),
      check('statefulset-scale', params, { workers: 2 }),
      check('statefulset-scale', params, { workers: 3 }),
      check('statefulset-scale', params, { workers: 2, strategy: 'auto' }),
    ])
    const figures = (r: (typeof runs)[number]) => [r.unique, r.generated, r.complete, r.depthHistogram, r.properties.map((p) => [p.name, p.status])]
    expect(runs[0].unique).toBeGreaterThan(10_000)
    expect(runs[0].depthHistogram.length).toBeGreaterThan(10)
    for (const r of runs.slice(1)) expect(figures(r)).toEqual(figures(runs[0]))
  })

  it('grows the shared visited set from a tiny table without losing or duplicating states', async () => {
    const r = await check('twophase', { rms: 6, bug: false }, { workers: 2, initialLog2: 4 })
    expect([r.unique, r.generated, r.maxDepth]).toEqual([uniqueOf(6), generatedOf(6), 20])
    expect(r.visitedBytes! / r.unique).toBeLessThanOrEqual(24)
  })
})

describe('counterexamples with several workers', () => {
  it('BFS with 2 workers still finds a shortest (3-step) violation of consistency, which replays', async () => {
    const r = await check('twophase', { rms: 3, bug: true }, { workers: 2 })
    const c = r.properties.find((p) => p.name === 'consistent')!
    expect(c.status).toBe('violated')
    const trace = c.trace!
    expect(trace.length).toBe(4)
    expect(trace[1].action).toBe('TMCommit')
    const rms = Object.values((trace.at(-1)!.state as { rmState: Record<string, string> }).rmState)
    expect(rms).toContain('committed')
    expect(rms).toContain('aborted')
    expect(r.unique).toBe(623)
  })

  it('stops at the first violation when asked', async () => {
    const r = await check('twophase', { rms: 4, bug: true }, { workers: 2, stopOnViolation: true })
    expect(r.stopReason).toBe('violation')
    expect(r.complete).toBe(false)
    expect(r.properties.find((p) => p.name === 'consistent')!.trace!.length).toBe(4)
  })

  it('DFS finds the violation too (not necessarily shortest) with a replayable trace', async () => {
    const r = await check('twophase', { rms: 3, bug: true }, { workers: 2, strategy: 'dfs' })
    const c = r.properties.find((p) => p.name === 'consistent')!
    expect(c.status).toBe('violated')
    expect(c.trace!.length).toBeGreaterThanOrEqual(4)
    expect(r.unique).toBe(623)
  })
})

describe('limits', () => {
  it('a depth limit below the diameter leaves the run incomplete; at the diameter it completes', async () => {
    const cut = await check('twophase', { rms: 3, bug: false }, { workers: 2, maxDepth: 5 })
    expect([cut.maxDepth, cut.complete, cut.stopReason]).toEqual([5, false, 'depth'])
    expect(cut.properties.find((p) => p.name === 'consistent')!.status).toBe('unknown')
    const full = await check('twophase', { rms: 3, bug: false }, { workers: 2, maxDepth: 11 })
    // The last level is not expanded at the limit (only probed), so its successors are not counted as generated.
    expect([full.unique, full.complete, full.stopReason]).toEqual([288, true, 'complete'])
  })

  it('the stop word ends a run as stopped with the figures reached', async () => {
    const halt = haltBuffer()
    setTimeout(() => Atomics.store(new Int32Array(halt), H_STOP, 1), 300)
    const r = await check('twophase', { rms: 9, bug: false }, { workers: 2, halt })
    expect(r.stopReason).toBe('stopped')
    expect(r.complete).toBe(false)
    expect(r.unique).toBeGreaterThan(0)
    expect(r.unique).toBeLessThan(uniqueOf(9))
  })

  it('a timeout ends the run as timeout', async () => {
    const r = await check('twophase', { rms: 9, bug: false }, { workers: 2, timeout: 0.3 })
    expect(r.stopReason).toBe('timeout')
    expect(r.complete).toBe(false)
  })

  it('reports progress: generated, unique, queue, depth histogram, bytes per state', async () => {
    const seen: { unique: number; generated: number; bytesPerState?: number; depthHistogram: number[] }[] = []
    await check('twophase', { rms: 7, bug: false }, { workers: 2, progressEveryMs: 20, onProgress: (p) => seen.push(p) })
    expect(seen.length).toBeGreaterThan(1)
    const u = seen.map((p) => p.unique)
    expect(u).toEqual([...u].sort((a, b) => a - b))
    expect(seen.at(-1)!.bytesPerState).toBeGreaterThan(0)
    expect(seen.at(-1)!.depthHistogram.reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
  })
})

describe('simulation', () => {
  it('seeded random walks reproduce the same counterexample for a seed, for 1 and 2 workers', async () => {
    const opts = { strategy: 'sim' as const, stopOnViolation: true, walks: 200, walkLength: 30 }
    const a = await check('twophase', { rms: 3, bug: true }, { ...opts, workers: 1, seed: 7 })
    const b = await check('twophase', { rms: 3, bug: true }, { ...opts, workers: 1, seed: 7 })
    const c = await check('twophase', { rms: 3, bug: true }, { ...opts, workers: 2, seed: 7 })
    const trace = (r: typeof a): (string | null)[] => r.properties.find((p) => p.name === 'consistent')!.trace!.map((s) => s.action)
    expect(a.properties.find((p) => p.name === 'consistent')!.status).toBe('violated')
    expect(a.stopReason).toBe('violation')
    expect(trace(b)).toEqual(trace(a))
    expect(trace(c)).toEqual(trace(a))
    expect(a.complete).toBe(false)
  })

  it('without a violation, a fixed number of walks gives identical figures on every run', async () => {
    const opts = { strategy: 'sim' as const, walks: 50, walkLength: 40, seed: 3 }
    const a = await check('twophase', { rms: 4, bug: false }, { ...opts, workers: 2 })
    const b = await check('twophase', { rms: 4, bug: false }, { ...opts, workers: 1 })
    expect([a.unique, a.generated]).toEqual([b.unique, b.generated])
    expect(a.properties.map((p) => p.status)).toEqual(['unknown', b.properties[1].status])
  })
})
