// Revision renumbering (models/orchestration/renumber.ts) is sound: on every state reachable without it, the
// renumbered state has the same enabled steps leading to the renumbered successors, and every property judges it
// the same. Checked exhaustively over bounded explorations of several scenarios under every consistency level;
// then whole explorations with and without it reach the same verdicts, the renumbered one in fewer states.
// (The built-in scenarios keep raw revisions in their states and fingerprint them up to renaming, state-key.ts;
// state-key.test.ts checks that this is the same quotient.)
import { describe, expect, it } from 'vitest'
import { explore, type ExploreLimits } from '../../../src-main/checker/reference-bfs.ts'
import type { Model } from '../../../src-main/checker/model.ts'
import { canon } from '../../../src-main/models/orchestration/canon.ts'
import type { OAction, OState } from '../../../src-main/models/orchestration/model.ts'
import { renumber } from '../../../src-main/models/orchestration/renumber.ts'
import { createScenario } from '../../../src-main/models/orchestration/scenarios.ts'
import { classic, reachable } from './reachable.ts'
import { sameVerdicts } from './reduction.ts'


const CASES: [string, string, number][] = [
  ['statefulset-stale-reads', 'resettable-session', 8],
  ['statefulset-stale-reads', 'causal', 6],
  ['statefulset-stale-reads', 'optimistic', 7],
  ['job-parallel', 'monotonic-session', 8],
  ['job-single', 'causal', 8],
  ['deployment-rolling-update', 'synchronous', 8],
  ['deployment-paused', 'resettable-session', 6],
  ['replicaset-overlapping', 'optimistic', 8],
]

/**
 * One step of a bisimulation check: state r (of model mr) has as many actions as s (of ms), the i-th enabled exactly
 * when the other is, leading to successors equal once normalised, and every property judges r as it judges s.
 */
function expectSameFutures(ms: Model<OState, OAction>, s: OState, mr: Model<OState, OAction>, r: OState, normal: (x: OState) => OState): void {
  const a = ms.actions(s)
  const b = mr.actions(r)
  expect(b.length).toBe(a.length)
  for (let i = 0; i < a.length; i++) {
    const x = ms.next(s, a[i])
    const y = mr.next(r, b[i])
    expect(y === undefined).toBe(x === undefined)
    if (x !== undefined) expect(canon(normal(y!))).toBe(canon(normal(x)))
  }
  ms.properties.forEach((p, i) => expect([p.name, mr.properties[i].check(r)]).toEqual([p.name, p.check(s)]))
}

describe('revision renumbering is a bisimulation', () => {
  for (const [id, level, depth] of CASES) {
    it(`${id} under ${level}, every state to depth ${depth}: same steps, same successors, same property values`, () => {
      const raw = createScenario(id, { consistency: level, ...classic(id) }, { renumber: false })
      const ren = createScenario(id, { consistency: level, ...classic(id) })
      const states = reachable(raw, depth)
      expect(states.length).toBeGreaterThan(50)
      let renamed = 0
      for (const s of states) {
        const r = renumber(s)
        if (r !== s) renamed++
        expect(canon(renumber(r))).toBe(canon(r)) // idempotent
        expectSameFutures(raw, s, ren, r, renumber)
      }
      expect(renamed).toBeGreaterThan(0) // the check exercised real rewriting
    })
  }
})

// Forgetting (renumber's `forget`, the default fingerprint on the linear levels): resourceVersions, deletion marks
// and observed revisions older than every retained entry become 0 — and the state still has the same steps to the
// same (forgetting) successors and the same property values.
describe('forgetting old revisions is a bisimulation (linear levels)', () => {
  for (const [id, level, depth] of CASES.filter(([, level]) => level !== 'causal')) {
    it(`${id} under ${level}, every state to depth ${depth}`, () => {
      const m = createScenario(id, { consistency: level, ...classic(id) }, { renumber: false })
      const forget = (s: OState): OState => renumber(s, { forget: true })
      let forgotten = 0
      for (const s of reachable(m, depth)) {
        const r = forget(s)
        if (canon(r) !== canon(renumber(s))) forgotten++
        expect(canon(forget(r))).toBe(canon(r))
        expectSameFutures(m, s, m, r, forget)
      }
      expect(forgotten).toBeGreaterThan(0) // old revisions really were forgotten
    })
  }
})

describe('what renumbering rewrites', () => {
  const state = (): OState =>
    ({
      h: {
        e: [
          {
            rev: 5,
            p: [],
            c: {
              objs: {
                Pod: {
                  'a-1234': {
                    meta: { name: 'a-1234', uid: 'u0005', rv: 5, generation: 3, labels: {}, finalizers: [] },
                    spec: { image: 'x' },
                    status: { observedRevision: 42 },
                  },
                },
              },
            },
          },
        ],
        latest: 5,
        next: 9,
      },
      c: [{ s: [5] }],
      b: { user: 0, node: 0, ctl: 0 },
    }) as unknown as OState

  it('built-in kinds: generated Pod names and statuses hold revisions too, renumbered with the rest', () => {
    const r = renumber(state())
    const pod = Object.values(r.h.e[0].c.objs.Pod)[0]
    expect([pod.meta.name, pod.meta.uid, pod.meta.rv, pod.meta.generation, (pod.status as unknown as { observedRevision: number }).observedRevision]).toEqual(['a-0003', 'u0001', 1, 3, 2])
    expect([r.h.latest, r.h.next, r.c[0].s]).toEqual([1, 4, [1]])
  })

  it('user models: only the generic metadata; a user "Pod" keeps its name and its own observedRevision field', () => {
    const r = renumber(state(), { userModel: true })
    const pod = r.h.e[0].c.objs.Pod['a-1234']
    expect([pod.meta.name, pod.meta.uid, pod.meta.rv, pod.meta.generation, (pod.status as unknown as { observedRevision: number }).observedRevision]).toEqual(['a-1234', 'u0001', 1, 1, 42])
    expect([r.h.latest, r.h.next, r.c[0].s]).toEqual([1, 2, [1]])
  })
})

const FULL: ExploreLimits = { maxDepth: 0, timeoutMs: 0, maxStates: 0, stopOnViolation: false }

describe('whole explorations agree with and without renumbering', () => {
  for (const [id, level] of [
    ['deployment-create', 'synchronous'],
    ['statefulset-stale-reads', 'monotonic-session'],
    ['job-single', 'resettable-session'],
  ]) {
    it(`${id} under ${level}: same verdicts, fewer states`, () => {
      const a = explore(createScenario(id, { consistency: level, ...classic(id) }, { renumber: false }), FULL)
      const b = explore(createScenario(id, { consistency: level, ...classic(id) }), FULL)
      expect([a.stopReason, b.stopReason]).toEqual(['complete', 'complete'])
      expect(b.properties.map((p) => [p.name, p.status])).toEqual(a.properties.map((p) => [p.name, p.status]))
      expect(b.unique).toBeLessThan(a.unique)
    })
  }
})

describe('whole checks with old revisions forgotten (the default) and told apart', () => {
  sameVerdicts('oldRevisions')
})
