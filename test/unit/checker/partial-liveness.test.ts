// Liveness on a search cut short (liveness.ts, Graph.partial): the graph of the states the search expanded still
// holds real counterexamples — a fair cycle, a stuck state, a dead end — while "holds" needs the whole space.
import { describe, expect, it } from 'vitest'
import { haltBuffer } from '../../../src-main/checker/pool.ts'
import { H_STOP } from '../../../src-main/checker/protocol.ts'
import type { PropertyResult } from '../../../src-shared/types.ts'
import { check, fixture } from './helpers.ts'

const tail = fixture('tail.ts')
const run = (params: Record<string, number | boolean>, more: { maxDepth?: number; workers?: number; strategy?: 'bfs' | 'auto'; halt?: SharedArrayBuffer; onProgress?: () => void; progressEveryMs?: number } = {}) =>
  check('tail', { length: 500, detour: false, deadEnd: false, ...params }, { modelModule: tail, ...more })
const byName = (ps: PropertyResult[]) => Object.fromEntries(ps.map((p) => [p.name, p]))

describe('liveness on a search cut short', () => {
  it('a fair cycle among the expanded states is a real oscillation and lasso; the figures of the whole space are not given', async () => {
    const cut = await run({ detour: true }, { maxDepth: 5 })
    expect([cut.complete, cut.stopReason]).toEqual([false, 'depth'])
    const p = byName(cut.properties)
    expect([p.settles.status, p.settles.counterexample, p.settles.loopStart]).toEqual(['violated', 'oscillation', 0])
    // 0 → S → 0 …: toggles only, back where it began.
    expect(new Set(p.settles.trace!.slice(1).map((s) => s.action))).toEqual(new Set(['toggle']))
    expect([p.settles.trace![0].state, p.settles.trace!.at(-1)!.state]).toEqual([{ at: 0 }, { at: 0 }])
    expect(p.settles.convergence).toBeUndefined()
    expect([p.ends.status, p.ends.counterexample]).toEqual(['violated', 'lasso'])
    // The whole space gives the same counterexample, and its figures.
    const whole = byName((await run({ detour: true })).properties)
    expect(whole.settles.trace).toEqual(p.settles.trace)
    expect(whole.settles.convergence!.oscillations).toBe(1)
  })

  it('nothing wrong in the part searched is "unknown", never "holds"; the whole space holds', async () => {
    const cut = byName((await run({}, { maxDepth: 5 })).properties)
    expect([cut.settles.status, cut.ends.status]).toEqual(['unknown', 'unknown'])
    const whole = byName((await run({})).properties)
    expect([whole.settles.status, whole.ends.status]).toEqual(['holds', 'holds'])
    expect(whole.settles.convergence!.worstSteps).toBe(500)
  })

  it('a dead end among the expanded states is stuck and a deadlock; the unexpanded states at the cut are not', async () => {
    const cut = byName((await run({ deadEnd: true }, { maxDepth: 5 })).properties)
    expect([cut.settles.status, cut.settles.counterexample]).toEqual(['violated', 'stuck'])
    expect([cut.ends.status, cut.ends.counterexample]).toEqual(['violated', 'deadlock'])
    expect(cut.settles.trace!.map((s) => s.action)).toEqual([null, 'toggle'])
  })

  it('a search the user stops ends there: no liveness pass, whatever it expanded', async () => {
    const halt = haltBuffer()
    const stop = () => Atomics.store(new Int32Array(halt), H_STOP, 1)
    const r = await run({ detour: true, length: 100_000_000 }, { halt, onProgress: stop, progressEveryMs: 20 })
    expect(r.stopReason).toBe('stopped')
    expect(r.unique).toBeGreaterThan(3)
    const p = byName(r.properties)
    expect([p.settles.status, p.ends.status]).toEqual(['unknown', 'unknown'])
  })

  it('the same answers with two explorers and with the portfolio', async () => {
    for (const more of [{ workers: 2 }, { strategy: 'auto' as const }]) {
      const cut = byName((await run({ detour: true }, { maxDepth: 5, ...more })).properties)
      expect([cut.settles.status, cut.settles.counterexample, cut.ends.status]).toEqual(['violated', 'oscillation', 'violated'])
      const none = byName((await run({}, { maxDepth: 5, ...more })).properties)
      expect([none.settles.status, none.ends.status]).toEqual(['unknown', 'unknown'])
    }
  })
})
