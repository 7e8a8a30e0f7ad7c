// The portfolio's cycle hunter (hunter.ts): a depth-first search beside the BFS whose graph the liveness pass of a
// search cut short also reads. On a line fanned out at every level, with a fair cycle at its end, a BFS cut at
// 8,000 states has not reached the end; the hunter, stepping down the line first, has.
import { describe, expect, it } from 'vitest'
import { replayActions } from '../../../src-main/checker/replay.ts'
import { CycleHunter } from '../../../src-main/checker/hunter.ts'
import { assembleGraph } from '../../../src-main/checker/state-graph.ts'
import { livenessProperties } from '../../../src-main/checker/model.ts'
import type { PropertyResult } from '../../../src-shared/types.ts'
import { check, fixture } from './helpers.ts'
import fanDef from './fixtures/fan.ts'

const fan = fixture('fan.ts')
const LENGTH = 200
const run = (flip: boolean, more: { strategy?: 'bfs' | 'auto'; workers?: number } = {}) =>
  check('fan', { length: LENGTH, width: 50, flip }, { modelModule: fan, strategy: 'auto', maxStates: 8000, ...more })
const settles = (ps: PropertyResult[]) => ps.find((p) => p.name === 'settles')!

describe('the cycle hunter', () => {
  it('finds the oscillation a BFS cut short has not reached; the trace replays and ends in flips', async () => {
    const r = await run(true)
    expect([r.complete, r.stopReason]).toEqual([false, 'states'])
    expect(r.coverage!.huntStates).toBeGreaterThan(LENGTH)
    const p = settles(r.properties)
    expect([p.status, p.counterexample]).toEqual(['violated', 'oscillation'])
    const trace = p.trace!
    expect(trace.at(-1)!.state).toMatchObject({ x: LENGTH - 1 })
    expect(trace.slice(p.loopStart! + 1).every((s) => s.action === 'flip')).toBe(true)
    expect(p.convergence).toBeUndefined()
    // The same run gives the same counterexample.
    expect(settles((await run(true)).properties).trace).toEqual(trace)
  })

  it('without it, the same BFS says unknown; with no cycle, the hunter does not make it "holds"', async () => {
    const bfs = await run(true, { strategy: 'bfs' })
    expect([bfs.stopReason, settles(bfs.properties).status]).toEqual(['states', 'unknown'])
    expect(bfs.coverage?.huntStates).toBeUndefined()
    const none = await run(false)
    expect([none.stopReason, settles(none.properties).status]).toEqual(['states', 'unknown'])
    // The whole space, searched to the end, holds without the flip.
    const whole = await check('fan', { length: 20, width: 5, flip: false }, { modelModule: fan, strategy: 'auto' })
    expect([whole.complete, settles(whole.properties).status]).toEqual([true, 'holds'])
  })

  it('with two explorers, each hunts its own part and the oscillation is found', async () => {
    const r = await run(true, { workers: 2 })
    expect(r.stopReason).toBe('states')
    expect(settles(r.properties).status).toBe('violated')
  })

  it('records a graph the liveness pass can assemble: every expanded state with all its edges', () => {
    const model = fanDef.create({ length: 30, width: 4, flip: true })
    const props = livenessProperties(model)
    const h = new CycleHunter(model, props, 0, 1, 0)
    h.run(1_000_000)
    expect(h.done).toBe(true)
    // The hunter ran to the end: its graph is the whole space, 31 × 4 states with z = 0 and 4 with z = 1 (at x = 29).
    const g = assembleGraph(model, props, [h.take()], true)!
    expect(g.n).toBe(31 * 4 + 4)
    expect(g.boundary.every((b) => b === 0)).toBe(true)
    // Its BFS tree replays: the parent links lead from the initial state to each state.
    const path: number[] = []
    for (let v = g.n - 1; g.parent.data[v] >= 0; v = g.parent.data[v]) path.unshift(g.via.data[v])
    const trace = replayActions(model, 'fan', 0, path, null)
    expect(trace).toHaveLength(path.length + 1)
    expect((trace.at(-1)!.state as { x: number }).x).toBeGreaterThanOrEqual(29)
  })
})
