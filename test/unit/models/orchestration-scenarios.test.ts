// Real explorations of the orchestration scenarios with the BFS engine: exact, repeatable counts; every safety
// property holds under synchronous; the StatefulSet stale-read bug (kubernetes/kubernetes#59848) appears under
// weaker levels with a counterexample running two pods of one ordinal, and not under synchronous. Status properties
// judge a status against the view it was computed from (observedRevision), so a stale-but-consistent status write
// is not a violation under the weaker levels.
import { describe, expect, it } from 'vitest'
import { explore, type ExploreLimits } from '../../../src-main/checker/reference-bfs.ts'
import { checkLiveness } from '../../../src-main/checker/liveness.ts'
import type { Model } from '../../../src-main/checker/model.ts'
import { getModelDefinition, listModelInfos } from '../../../src-main/models/registry.ts'
import { classic } from './reachable.ts'
import { createScenario, SCENARIO_IDS } from '../../../src-main/models/orchestration/scenarios.ts'

const FULL: ExploreLimits = { maxDepth: 0, timeoutMs: 0, maxStates: 0, stopOnViolation: false }

/** The scenario with only the named properties (so a run can stop at that property's first violation). */
function only<S, A>(m: Model<S, A>, ...names: string[]): Model<S, A> {
  return { ...m, properties: m.properties.filter((p) => names.includes(p.name)) }
}

describe('registry', () => {
  it('lists every scenario with consistency, instances, nodes and replicas parameters', () => {
    const ids = listModelInfos().map((m) => m.id)
    for (const id of SCENARIO_IDS) expect(ids).toContain(id)
    expect(SCENARIO_IDS).toEqual([
      'replicaset-scale',
      'replicaset-overlapping',
      'statefulset-scale',
      'statefulset-available',
      'statefulset-stale-reads',
      'deployment-create',
      'deployment-rolling-update',
      'deployment-paused',
      'job-single',
      'job-parallel',
    ])
    const info = getModelDefinition('statefulset-stale-reads').info
    const consistency = info.params.find((p) => p.name === 'consistency')!
    expect(consistency).toMatchObject({ kind: 'enum', default: 'synchronous' })
    expect(consistency.kind === 'enum' && consistency.options).toEqual(['synchronous', 'monotonic-session', 'resettable-session', 'optimistic', 'causal'])
    for (const name of ['instances', 'nodes', 'replicas']) expect(info.params.find((p) => p.name === name)?.kind).toBe('int')
    expect(info.properties.map((p) => p.kind)).toContain('converges')
  })
})

// [scenario, unique, generated, depth]: full BFS under synchronous with the default parameters (instances=1).
// Revisions are renumbered in every state (renumber.ts), so interleavings that differ only in resourceVersions meet.
const COMPLETE: [string, number, number, number][] = [
  ['replicaset-scale', 916, 1827, 12],
  ['replicaset-overlapping', 471, 776, 13],
  ['statefulset-scale', 267, 446, 13],
  ['statefulset-available', 29, 37, 11],
  ['statefulset-stale-reads', 205, 299, 12],
  ['deployment-create', 403, 766, 11],
  ['deployment-paused', 6160, 13101, 20],
  ['job-single', 18, 23, 9],
  ['job-parallel', 127, 202, 16],
]

describe('synchronous: every safety property holds, reachability is witnessed (full BFS)', () => {
  for (const [id, unique, generated, depth] of COMPLETE) {
    it(`${id}: ${unique} unique / ${generated} generated / depth ${depth}`, () => {
      const r = explore(createScenario(id, { consistency: 'synchronous', instances: 1, ...classic(id) }), FULL)
      expect([r.unique, r.generated, r.maxDepth, r.stopReason]).toEqual([unique, generated, depth, 'complete'])
      for (const p of r.properties) {
        if (p.kind === 'always' || p.kind === 'sometimes') expect([p.name, p.status]).toEqual([p.name, 'holds'])
      }
    })
  }

  it('every scenario self-stabilises: each converges property holds, with its worst-case steps to converge', () => {
    for (const [id] of COMPLETE) {
      const m = createScenario(id, { consistency: 'synchronous', instances: 1, ...classic(id) })
      const live = checkLiveness(m as Model<unknown, unknown>, id)
      const names = m.properties.filter((p) => p.kind === 'converges').map((p) => p.name)
      expect(names.length).toBeGreaterThan(0)
      for (const name of names) {
        const v = live.get(name)!
        expect([id, name, v.status]).toEqual([id, name, 'holds'])
        expect(v.convergence!.worstSteps).toBeGreaterThan(0)
      }
    }
  })

  it('replicaset-overlapping has a converges property per ReplicaSet', () => {
    const names = getModelDefinition('replicaset-overlapping').info.properties.filter((p) => p.kind === 'converges').map((p) => p.name)
    expect(names).toEqual(['converges', 'converges-web-a', 'converges-web-b'])
  })
})

describe('synchronous: the rolling update, the largest space', () => {
  it('deployment-rolling-update: 3,050 unique / 7,435 generated / depth 31 (83,855 / 202,671 with old revisions told apart), every safety property holds', () => {
    const r = explore(createScenario('deployment-rolling-update', { consistency: 'synchronous' }), FULL)
    expect([r.unique, r.generated, r.maxDepth, r.stopReason]).toEqual([3050, 7435, 31, 'complete'])
    const told = explore(createScenario('deployment-rolling-update', { consistency: 'synchronous', oldRevisions: true }), FULL)
    expect([told.unique, told.generated, told.maxDepth]).toEqual([83855, 202671, 31])
    expect(told.properties.map((p) => [p.name, p.status])).toEqual(r.properties.map((p) => [p.name, p.status]))
    for (const p of r.properties) if (p.kind === 'always' || p.kind === 'sometimes') expect([p.name, p.status]).toEqual([p.name, 'holds'])
  }, 120_000)
})

// [scenario, level, unique]: full BFS, instances=1; every safety property holds although controllers read stale views.
const OBSERVED: [string, string, number][] = [
  ['job-single', 'monotonic-session', 91],
  ['job-single', 'resettable-session', 98],
  ['statefulset-available', 'monotonic-session', 148],
  ['statefulset-available', 'resettable-session', 155],
  ['statefulset-available', 'optimistic', 66],
]

describe('status properties are checked against view_at(observedRevision), not the head', () => {
  for (const [id, level, unique] of OBSERVED) {
    it(`${id} under ${level}: ${unique} unique, every safety property holds`, () => {
      const r = explore(createScenario(id, { consistency: level, instances: 1, ...classic(id) }), FULL)
      expect([r.unique, r.stopReason]).toEqual([unique, 'complete'])
      for (const p of r.properties) if (p.kind === 'always') expect([p.name, p.status]).toEqual([p.name, 'holds'])
    })
  }

  it('statuses record the revision they were computed from, and a pruned view skips the check', () => {
    const m = createScenario('job-single', { consistency: 'resettable-session' })
    const prop = m.properties.find((p) => p.name === 'job-status-when-stable')!
    // Walk the first path to a state where the Job's status write is the newest write.
    let s = m.init()[0]
    type Job = { meta: { rv: number }; status: { observedRevision: number; active: number } }
    const job = (x: typeof s): Job => Object.values(x.h.e.at(-1)!.c.objs.Job)[0] as Job
    for (let i = 0; i < 30 && job(s).status.observedRevision === 0; i++) {
      const next = m.actions(s).map((a) => m.next(s, a)).find((x) => x !== undefined)!
      s = next
    }
    const j = job(s)
    expect(j.status.observedRevision).toBeGreaterThan(0)
    expect(j.meta.rv).toBeGreaterThan(j.status.observedRevision) // the status write lands after the view it read
    expect(prop.check(s)).toBe(true)
    // A wrong count is caught against the observed view…
    const tampered = structuredClone(s)
    const head = tampered.h.e.at(-1)!.c.objs.Job as Record<string, Job>
    for (const o of Object.values(head)) o.status.active += 1
    expect(prop.check(tampered)).toBe(false)
    // …but not once that view has been pruned from the history.
    tampered.h.e = tampered.h.e.filter((e) => e.rev !== j.status.observedRevision)
    expect(prop.check(tampered)).toBe(true)
  })
})

describe('determinism', () => {
  it('two explorations of one scenario report the same counts', () => {
    const a = explore(createScenario('statefulset-stale-reads', { consistency: 'causal', ...classic('statefulset-stale-reads') }), { ...FULL, maxDepth: 7 })
    const b = explore(createScenario('statefulset-stale-reads', { consistency: 'causal', ...classic('statefulset-stale-reads') }), { ...FULL, maxDepth: 7 })
    expect([a.unique, a.generated, a.maxDepth]).toEqual([b.unique, b.generated, b.maxDepth])
    expect(a.depthHistogram).toEqual(b.depthHistogram)
  })
})

describe('statefulset-stale-reads (kubernetes/kubernetes#59848)', () => {
  it('holds under synchronous, including convergence', () => {
    const m = createScenario('statefulset-stale-reads', { consistency: 'synchronous', ...classic('statefulset-stale-reads') })
    const r = explore(only(m, 'sts-one-pod-per-ordinal', 'pod-on-one-node'), FULL)
    expect(r.properties.map((p) => p.status)).toEqual(['holds', 'holds'])
    const live = checkLiveness(m as Model<unknown, unknown>, 'statefulset-stale-reads')
    expect(live.get('converges')?.status).toBe('holds')
  })

  it('holds under monotonic-session: after a restart the kubelet reads the head (full BFS, 1467 states)', () => {
    const r = explore(only(createScenario('statefulset-stale-reads', { consistency: 'monotonic-session', ...classic('statefulset-stale-reads') }), 'sts-one-pod-per-ordinal'), FULL)
    expect([r.unique, r.stopReason, r.properties[0].status]).toEqual([1467, 'complete', 'holds'])
  })

  it('under resettable-session the counterexample is #59848: the old pod restarts from a stale read beside its replacement', () => {
    const m = only(createScenario('statefulset-stale-reads', { consistency: 'resettable-session', ...classic('statefulset-stale-reads') }), 'sts-one-pod-per-ordinal')
    const p = explore(m, { ...FULL, stopOnViolation: true }).properties[0]
    const last = p.trace![p.trace!.length - 1].state as { controllers: Record<string, { running?: string[] }> }
    const db0 = Object.values(last.controllers).flatMap((c) => (c.running ?? []).filter((k) => k.startsWith('db-0@')))
    expect(new Set(db0).size).toBe(2) // two pod objects (uids) named db-0
    expect(p.trace!.map((s) => s.action)).toContain('fault: restart node1')
    // Each step says what it wrote: the stale kubelet's status write is refused, yet it starts the old container.
    const effects = p.trace!.slice(1).map((s) => s.effect)
    expect(effects.every((e) => typeof e === 'string' && e.length > 0)).toBe(true)
    expect(effects).toContain('force-delete Pod/db-0')
    const stale = p.trace!.find((s) => s.effect?.includes('rejected: NotFound Pod/db-0'))
    expect(stale?.action).toMatch(/^kubelet-node1 reads @\d+$/)
    expect(stale?.effect).toMatch(/start container db-0@u\d+$/)
    expect(p.trace!.at(-1)!.effect).toMatch(/^update Pod\/db-0: status\.phase "Pending" → "Running"/)
  })

  for (const level of ['optimistic', 'causal']) {
    it(`is violated under ${level}: ordinal 0 runs on two nodes at once`, () => {
      const m = only(createScenario('statefulset-stale-reads', { consistency: level, ...classic('statefulset-stale-reads') }), 'sts-one-pod-per-ordinal')
      const r = explore(m, { ...FULL, stopOnViolation: true })
      const p = r.properties[0]
      expect(p.status).toBe('violated')
      const steps = p.trace!
      const last = steps[steps.length - 1].state as { controllers: Record<string, { running?: string[] }> }
      // Two kubelets each run a container of ordinal 0 (resettable: the old and the replacement pod, as in #59848;
      // optimistic / causal: a forked write can also lose a binding, so one pod object is rebound and runs twice).
      const nodesRunningDb0 = Object.entries(last.controllers).filter(([, c]) => (c.running ?? []).some((k) => k.startsWith('db-0@')))
      expect(nodesRunningDb0.map(([name]) => name)).toEqual(['kubelet-node1', 'kubelet-node2'])
    })
  }
})
