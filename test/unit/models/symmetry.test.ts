// The symmetry reduction between instances of one controller kind (models/orchestration/transitions.ts, interchangeable)
// is sound: swapping two instances is an automorphism of the unreduced model — on every state of bounded
// explorations, the swapped state enables the swapped actions, which lead to the swapped successors, and every
// property judges it the same. Then whole checks with and without the reduction give the same verdicts and the same
// worst case to converge, the reduced one in fewer states. (How fairness is judged on the reduced graph:
// liveness.test.ts, "weak fairness per class".)
import { describe, expect, it } from 'vitest'
import { canon } from '../../../src-main/models/orchestration/canon.ts'
import type { OAction, OState } from '../../../src-main/models/orchestration/model.ts'
import { createScenario } from '../../../src-main/models/orchestration/scenarios.ts'
import { check } from '../checker/helpers.ts'
import { reachable } from './reachable.ts'

const CASES: [string, string, number][] = [
  ['replicaset-scale', 'optimistic', 5],
  ['deployment-create', 'resettable-session', 4],
  ['job-single', 'causal', 5],
  ['statefulset-available', 'monotonic-session', 9],
]

/** Controller indices grouped by kind, as the trace names them ("replicaset-1", "replicaset-2"; not kubelets). */
function pairs(names: string[]): [number, number][] {
  const byKind = new Map<string, number[]>()
  names.forEach((n, i) => {
    if (n.startsWith('kubelet-')) return
    const kind = n.replace(/-[0-9]+$/, '')
    byKind.set(kind, [...(byKind.get(kind) ?? []), i])
  })
  return [...byKind.values()].filter((g) => g.length === 2).map(([a, b]) => [a, b])
}

const swapIndex = (i: number, [a, b]: [number, number]): number => (i === a ? b : i === b ? a : i)

function swapState(s: OState, p: [number, number]): OState {
  const c = s.c.slice()
  c[p[0]] = s.c[p[1]]
  c[p[1]] = s.c[p[0]]
  return { ...s, c }
}

function swapAction(a: OAction, p: [number, number]): OAction {
  return a.t === 'step' || a.t === 'ctl-restart' ? { ...a, i: swapIndex(a.i, p) } : a
}

describe('swapping two instances of a controller is an automorphism of the model', () => {
  for (const [id, level, depth] of CASES) {
    it(`${id} × ${level} × 2 instances, every state to depth ${depth}: swapped steps, swapped successors, same property values`, () => {
      const m = createScenario(id, { consistency: level, instances: 2, controllerRestarts: 1, symmetry: false })
      const names = Object.keys((m.describe(m.init()[0]) as { controllers: Record<string, unknown> }).controllers)
      const ps = pairs(names)
      expect(ps.length).toBeGreaterThanOrEqual(2)
      const states = reachable(m, depth)
      expect(states.length).toBeGreaterThan(100)
      let differ = 0
      for (const s of states) {
        for (const p of ps) {
          const t = swapState(s, p)
          if (canon(t) !== canon(s)) differ++
          const as = m.actions(s)
          expect(m.actions(t).map((a) => canon(a)).sort()).toEqual(as.map((a) => canon(swapAction(a, p))).sort())
          for (const a of as) {
            const x = m.next(s, a)
            const y = m.next(t, swapAction(a, p))
            expect(y === undefined).toBe(x === undefined)
            if (x !== undefined) expect(canon(y)).toBe(canon(swapState(x, p)))
          }
          m.properties.forEach((q) => expect([q.name, q.check(t)]).toEqual([q.name, q.check(s)]))
        }
      }
      // The check saw states whose instances hold different sessions, where the swap is a different state.
      expect(differ).toBeGreaterThan(states.length / 4)
    })
  }
})

describe('whole checks with and without the reduction', () => {
  const cells: [string, string][] = [
    ['statefulset-available', 'monotonic-session'],
    ['statefulset-available', 'resettable-session'],
    ['job-single', 'monotonic-session'],
  ]
  for (const [id, level] of cells) {
    it(`${id} × ${level} × 2: the same verdicts and worst case to converge, in fewer states`, async () => {
      const full = await check(id, { consistency: level, instances: 2, symmetry: false })
      const reduced = await check(id, { consistency: level, instances: 2, symmetry: true })
      expect(full.complete && reduced.complete).toBe(true)
      expect(reduced.properties.map((p) => [p.name, p.status])).toEqual(full.properties.map((p) => [p.name, p.status]))
      const worst = (r: typeof full) => r.properties.find((p) => p.kind === 'converges')?.convergence?.worstSteps
      expect(worst(reduced)).toBe(worst(full))
      expect(reduced.unique).toBeLessThan(full.unique)
    })
  }
})

describe('an oscillation found under the reduction is lifted to a concrete one (checker/lift.ts)', () => {
  it('replicaset-scale × monotonic-session × 2 (two nodes, window 2): two ReplicaSet controllers fight, with the reduction and without it', async () => {
    const params = { consistency: 'monotonic-session', instances: 2, replicas: 2, userActions: 0, history: 2 }
    const reduced = await check('replicaset-scale', { ...params, symmetry: true })
    const full = await check('replicaset-scale', { ...params, symmetry: false })
    expect(reduced.complete && full.complete).toBe(true)
    expect(reduced.unique).toBeLessThan(full.unique)
    const osc = (r: typeof full) => r.properties.find((p) => p.name === 'converges')!
    for (const r of [reduced, full]) expect([osc(r).status, osc(r).counterexample]).toEqual(['violated', 'oscillation'])
    // The lifted cycle, in the reduced model's terms, takes steps of ReplicaSet controllers that create and delete.
    const cycle = osc(reduced).trace!.slice(osc(reduced).loopStart! + 1)
    const effects = cycle.filter((s) => s.action!.startsWith('replicaset-')).map((s) => s.effect!.split(' ')[0])
    expect(new Set(effects)).toEqual(new Set(['create', 'delete']))
  })
})
