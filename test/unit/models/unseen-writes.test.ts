// Watch-driven reads (models/orchestration/seen.ts): under the session levels a controller acts at most once on
// each run of revisions that look the same to it — it reads only the newest, and its session moves over writes it
// cannot see. This rests on each controller's step depending only on what it declares it reads (Controller.reads):
// checked first, on every view of every state to a depth. Then against the published model (sameViews: true),
// which lets a controller act once per revision: with expectations (the default) the same real-world states and
// violations on whole small spaces and the same verdicts; without them, the published model's extra acts on
// unchanged views (a ReplicaSet controller creating a pod per unrelated revision) are gone, and nothing is added.
import { describe, expect, it } from 'vitest'
import { canon } from '../../../src-main/models/orchestration/canon.ts'
import type { Controller } from '../../../src-main/models/orchestration/controllers/types.ts'
import { views, type Level } from '../../../src-main/models/orchestration/history.ts'
import type { OState } from '../../../src-main/models/orchestration/model.ts'
import type { AnyObject, Cluster } from '../../../src-main/models/orchestration/resources.ts'
import { createScenario, scenarioSetup } from '../../../src-main/models/orchestration/scenarios.ts'
import { classic, reach, reachable } from './reachable.ts'
import { CLASSIC_STALE, sameVerdicts, sameWorlds } from './reduction.ts'

/** The cluster as `reads` shows it: its kinds (their kept objects), every other kind empty. */
function restrict(reads: NonNullable<Controller['reads']>, c: Cluster): Cluster {
  const objs = Object.fromEntries(Object.keys(c.objs).map((k) => [k, {}])) as Record<string, Record<string, AnyObject>>
  for (const kind of reads.kinds) {
    const all = c.objs[kind] as Record<string, AnyObject>
    objs[kind] = reads.keep ? Object.fromEntries(Object.entries(all).filter(([, o]) => reads.keep!(kind, o))) : all
  }
  return { objs: objs as Cluster['objs'] }
}

/**
 * The first view (in states, controllers, views order) where controller i's step differs between the whole view
 * and the view restricted to what it declares it reads; undefined when there is none. Also counts the views tried.
 */
function firstDifference(level: Level, states: OState[], controllers: Controller[]): { at?: string; tried: number } {
  let tried = 0
  for (const s of states) {
    for (let i = 0; i < controllers.length; i++) {
      const c = controllers[i]
      if (!c.reads) continue
      for (const v of views(level, s.h, s.c[i].s, s.c[i].own === true)) {
        const input = { rev: Math.max(...v.revs), revs: v.revs, running: s.c[i].run ?? [] }
        const whole = canon(c.step({ ...input, view: v.c }) ?? null)
        const seen = canon(c.step({ ...input, view: restrict(c.reads, v.c) }) ?? null)
        tried++
        if (whole !== seen) return { at: `${c.name} @${v.revs.join('+')}: ${whole} vs ${seen}`, tried }
      }
    }
  }
  return { tried }
}

// Every built-in controller kind, stale views, restarts (nodes rejoin), two nodes (kubelets see only their own).
const DECLARED: [string, Level, number, Record<string, number | boolean>][] = [
  ['replicaset-scale', 'resettable-session', 6, { instances: 2, nodeRestarts: 1 }],
  ['deployment-rolling-update', 'resettable-session', 8, {}],
  ['statefulset-stale-reads', 'resettable-session', 8, {}],
  ['statefulset-available', 'monotonic-session', 9, { instances: 2 }],
  ['job-parallel', 'resettable-session', 8, { nodeRestarts: 1 }],
]

describe('each controller reads only what it declares', () => {
  for (const [id, level, depth, extra] of DECLARED) {
    it(`${id} under ${level}: every view of every state to depth ${depth} gives the same step restricted to its reads`, () => {
      const params = { consistency: level, ...classic(id), ...extra }
      const states = reachable(createScenario(id, params, { renumber: false }), depth)
      const controllers = scenarioSetup(id, params).controllers.map((c) => c.make())
      const found = firstDifference(level, states, controllers)
      expect(found.at).toBeUndefined()
      expect(found.tried).toBeGreaterThan(1000)
    })
  }

  it('a declaration that leaves out something the step reads is caught', () => {
    const params = { consistency: 'resettable-session', ...classic('replicaset-scale') }
    const states = reachable(createScenario('replicaset-scale', params, { renumber: false }), 6)
    const controllers = scenarioSetup('replicaset-scale', params).controllers.map((c) => c.make())
    // The ReplicaSet controller without its pods; a kubelet that would see only its Node.
    const rs = controllers.findIndex((c) => c.kind === 'replicaset')
    const kubelet = controllers.findIndex((c) => c.kind === 'kubelet')
    const blind = (i: number, reads: Controller['reads']) => controllers.map((c, k) => (k === i ? { ...c, reads } : c))
    expect(firstDifference('resettable-session', states, blind(rs, { kinds: ['ReplicaSet'] })).at).toMatch(/^replicaset-1 /)
    expect(firstDifference('resettable-session', states, blind(kubelet, { kinds: ['Node'] })).at).toMatch(/^kubelet-node1 /)
  })
})

/** Only the session levels read single entries that may look the same; optimistic and causal are left as they are. */
const CASES: [string, Level, Record<string, number | boolean>, 'fewer' | 'same'][] = [
  ['replicaset-scale', 'monotonic-session', { userActions: 0 }, 'fewer'],
  ['replicaset-scale', 'resettable-session', { userActions: 0, nodeRestarts: 1 }, 'fewer'],
  ['replicaset-scale', 'optimistic', { userActions: 0 }, 'same'],
  ['deployment-create', 'monotonic-session', {}, 'fewer'],
  ['statefulset-available', 'resettable-session', { instances: 2 }, 'fewer'],
  ['statefulset-stale-reads', 'resettable-session', CLASSIC_STALE, 'fewer'],
  ['job-single', 'resettable-session', { nodeRestarts: 1, backoffLimit: 0 }, 'fewer'],
  ['job-single', 'causal', {}, 'same'],
]

describe('acting once per run of views that look the same', () => {
  sameWorlds('sameViews', CASES)
  sameVerdicts('sameViews')

  it('without expectations it is not the published model: a ReplicaSet controller no longer acts on revisions it cannot see', () => {
    const level: Level = 'monotonic-session'
    const params = { consistency: level, expectations: false }
    const published = reach(createScenario('deployment-create', { ...params, sameViews: true }), level)
    const watched = reach(createScenario('deployment-create', { ...params, sameViews: false }), level)
    expect([...watched.worlds].filter((w) => !published.worlds.has(w))).toEqual([])
    // Worlds only the published model reaches: a third pod, created again after a Deployment status write.
    const lost = [...published.worlds].filter((w) => !watched.worlds.has(w))
    expect(lost.length).toBeGreaterThan(0)
    const pods = (w: string) => w.match(/"phase":/g)?.length ?? 0
    expect(Math.max(...lost.map(pods))).toBeGreaterThan(2)
    expect([...watched.violated].sort()).toEqual([...published.violated].sort())
  })
})
