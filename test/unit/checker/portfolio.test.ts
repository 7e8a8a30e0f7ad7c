import { describe, expect, it } from 'vitest'
import type { ExploreResult } from '../../../src-main/checker/run-types.ts'
import { check, fixture } from './helpers.ts'
import { EVEN_CALLS, walkBudget } from '../../../src-main/checker/strategies/portfolio.ts'

const deep = fixture('deep.ts')
const low = (r: ExploreResult) => r.properties.find((p) => p.name === 'low')!
const actions = (r: ExploreResult) => low(r).trace?.map((s) => s.action)

describe('the portfolio (auto): swarm walks beside an exhaustive BFS', () => {
  it('a deep violation is found by a walk and shrunk to the shortest counterexample, which replays', async () => {
    const r = await check('deep', { counters: 6, max: 40, goal: 25 }, { modelModule: deep, strategy: 'auto', seed: 5 })
    expect(low(r).status).toBe('violated')
    expect(r.stopReason).toBe('violation')
    expect(r.complete).toBe(false)
    // The walk wandered over every counter; the shrunk trace takes counter 0 straight to the goal.
    expect(actions(r)).toEqual([null, ...new Array(25).fill('inc 0')])
    expect((low(r).trace!.at(-1)!.state as { counters: number[] }).counters).toEqual([25, 0, 0, 0, 0, 0])
    expect(low(r).walk).toBeGreaterThanOrEqual(0)
    expect(r.firstViolationMs).toBeGreaterThan(0)
    expect(r.coverage!.walks).toBeGreaterThan(0)
    // The BFS beside the walks did not get anywhere near depth 26.
    expect(r.maxDepth).toBeLessThan(26)
  })

  it('same seed, same answer: identical walk and trace on every run and for 1 and 2 workers', async () => {
    const opts = { modelModule: deep, strategy: 'auto' as const, seed: 11 }
    const params = { counters: 5, max: 60, goal: 30 }
    const [a, b, c] = await Promise.all([check('deep', params, opts), check('deep', params, opts), check('deep', params, { ...opts, workers: 2 })])
    expect(low(a).status).toBe('violated')
    for (const r of [b, c]) {
      expect(low(r).walk).toBe(low(a).walk)
      expect(low(r).trace).toEqual(low(a).trace)
    }
    // With one worker the figures are the same too; with two, which states of the BFS's last level were expanded,
    // and which walks after the violating one had started, when the run stopped may differ.
    expect([b.unique, b.generated, b.maxDepth, b.coverage]).toEqual([a.unique, a.generated, a.maxDepth, a.coverage])
    const other = await check('deep', params, { ...opts, seed: 12 })
    expect(low(other).status).toBe('violated')
  })

  it('"holds" only from a BFS that completes: twophase without the bug, exact counts', async () => {
    const r = await check('twophase', { rms: 4, bug: false }, { strategy: 'auto', workers: 2 })
    expect([r.unique, r.complete, r.stopReason]).toEqual([1568, true, 'complete'])
    expect(r.properties.map((p) => p.status)).toEqual(['holds', 'holds'])
    expect(r.firstViolationMs).toBeUndefined()
  })

  it('a shallow violation is found by the BFS (shortest) even when walks run beside it', async () => {
    const r = await check('twophase', { rms: 5, bug: true }, { strategy: 'auto' })
    const c = r.properties.find((p) => p.name === 'consistent')!
    expect(c.status).toBe('violated')
    expect(c.trace!.length).toBe(4)
  })

  it('cut short, it says "unknown" and what it covered', async () => {
    const r = await check('deep', { counters: 8, max: 50, goal: 1000 }, { modelModule: deep, strategy: 'auto', timeout: 1.5 })
    expect(low(r).status).toBe('unknown')
    expect([r.complete, r.stopReason]).toEqual([false, 'timeout'])
    expect(r.coverage!.walks).toBeGreaterThan(0)
    expect(r.coverage!.walkDepth).toBeGreaterThan(r.maxDepth)
    expect(r.coverage!.bfsDepth).toBeGreaterThan(1)
    expect(r.unique).toBeGreaterThan(100)
  })

  it('liveness verdicts only from a complete exploration: the same as BFS when it completes, unknown when cut', async () => {
    const ring = { n: 4, k: 2, fair: false }
    const sts = { consistency: 'synchronous', instances: 1 }
    const [bfs, auto, stsBfs, stsAuto, cut] = await Promise.all([
      check('ring', ring),
      check('ring', ring, { strategy: 'auto' }),
      check('statefulset-stale-reads', sts),
      check('statefulset-stale-reads', sts, { strategy: 'auto' }),
      check('statefulset-stale-reads', sts, { strategy: 'auto', maxStates: 50 }),
    ])
    const live = (r: ExploreResult) => r.properties.filter((p) => p.kind === 'converges' || p.kind === 'eventually')
    expect(auto.complete).toBe(true)
    expect(live(auto).map((p) => [p.status, p.counterexample])).toEqual([['violated', 'oscillation']])
    expect(live(auto)).toEqual(live(bfs))
    expect(stsAuto.complete).toBe(true)
    expect(live(stsAuto).length).toBeGreaterThan(0)
    expect(live(stsAuto)).toEqual(live(stsBfs))
    expect([stsAuto.unique, stsAuto.generated]).toEqual([stsBfs.unique, stsBfs.generated])
    expect([cut.complete, cut.stopReason]).toEqual([false, 'states'])
    expect(live(cut).map((p) => p.status)).toEqual(live(stsBfs).map(() => 'unknown'))
  })

  it('walks keep pace with the BFS call for call, then get a quarter of its further calls', () => {
    expect(walkBudget(0)).toBe(0)
    expect(walkBudget(EVEN_CALLS - 1)).toBe(EVEN_CALLS - 1)
    expect(walkBudget(EVEN_CALLS)).toBe(EVEN_CALLS)
    expect(walkBudget(EVEN_CALLS + 4_000)).toBe(EVEN_CALLS + 1_000)
    // Over a long run the walks' share of the calls tends to a fifth of all calls (10.75 of 50.75 here).
    const bfs = 40 * EVEN_CALLS
    expect(walkBudget(bfs) / (bfs + walkBudget(bfs))).toBeCloseTo(0.21, 2)
  })

  it('a limit that cuts the level in progress keeps the violations it found there, with a shortest trace', async () => {
    // Two counters: depth d holds d + 1 states, the violation (counter 0 at 20) is the first state of depth 21, and
    // the state limit stops the run at the end of the level that found it, before the level counts as complete.
    // No walks, so only the BFS can find it.
    const opts = { modelModule: deep, strategy: 'auto' as const, walks: 0, maxStates: 220 }
    const r = await check('deep', { counters: 2, max: 40, goal: 20 }, opts)
    expect([r.stopReason, r.complete]).toEqual(['states', false])
    expect(low(r).status).toBe('violated')
    expect(actions(r)).toEqual([null, ...new Array(20).fill('inc 0')])
    expect(low(r).walk).toBeUndefined()
    // The level before it is all the limit allows without it: unknown.
    const before = await check('deep', { counters: 2, max: 40, goal: 20 }, { ...opts, maxStates: 180 })
    expect([before.stopReason, low(before).status]).toEqual(['states', 'unknown'])
  })
})
