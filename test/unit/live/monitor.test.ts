// The monitor's judgement on hand-made states: the live property checks agree with the model's meaning (two pods
// of one ordinal running, a stable status against the view it was computed from), quiescence uses the controllers'
// own step functions, and the merged state of several members takes each object from the member that saw it last.
import { describe, expect, it } from 'vitest'
import type { Informer } from '../../../src-main/live/informer.ts'
import { Monitor, quiescent, tagRev } from '../../../src-main/live/monitor.ts'
import { goalHolds, liveProperties, type LiveState } from '../../../src-main/live/properties.ts'
import { liveScenario } from '../../../src-main/live/scenario-setup.ts'
import { clone, type Cluster, type Pod } from '../../../src-main/models/orchestration/resources.ts'

const sc = liveScenario('statefulset-stale-reads')
const props = liveProperties(sc.properties)
const check = (name: string, s: LiveState): boolean => props.find((p) => p.name === name)!.check(s)

function state(c: Cluster, running: Record<string, string[]>, rev = 10, history: Record<number, Cluster> = {}): LiveState {
  return { cluster: c, rev, running: new Map(Object.entries(running)), at: (r) => history[r], quiescent: () => quiescent(sc.controllers.map((x) => x.make()), c, rev, new Map(Object.entries(running))) }
}

function pod(name: string, uid: string, node: string): Pod {
  return { meta: { name, uid, rv: 3, generation: 1, labels: { app: 'db' }, owner: { kind: 'StatefulSet', name: 'db', uid: 'u0-StatefulSet-db' }, finalizers: [] }, spec: { image: 'db:1', nodeName: node }, status: { phase: 'Running', ready: true } }
}

describe('live properties', () => {
  it('sts-one-pod-per-ordinal sees two pods of ordinal 0 running on two nodes (kubernetes#59848)', () => {
    const c = clone(sc.initial)
    c.objs.Pod['db-0'] = pod('db-0', 'u0003', 'node2')
    expect(check('sts-one-pod-per-ordinal', state(c, { node1: ['db-0@u0002'], node2: ['db-0@u0003'] }))).toBe(false)
    expect(check('pod-on-one-node', state(c, { node1: ['db-0@u0002'], node2: ['db-0@u0003'] }))).toBe(true)
    expect(check('sts-one-pod-per-ordinal', state(c, { node1: [], node2: ['db-0@u0003'] }))).toBe(true)
    expect(check('pod-on-one-node', state(c, { node1: ['db-0@u0003'], node2: ['db-0@u0003'] }))).toBe(false)
  })

  it('a stable status is judged against the view it was computed from (observedRevision), skipped when gone', () => {
    const c = clone(sc.initial)
    c.objs.Pod['db-0'] = pod('db-0', 'u0003', 'node1')
    const sts = c.objs.StatefulSet.db
    sts.meta.rv = 10
    sts.status = { ...sts.status, replicas: 1, ready: 1, observedGeneration: 1, observedRevision: 8 }
    const before = clone(sc.initial) // at revision 8 there was no pod: a status of 1 replica was wrong there
    expect(check('sts-status-when-stable', state(c, {}, 10, { 8: before }))).toBe(false)
    expect(check('sts-status-when-stable', state(c, {}, 10, { 8: c }))).toBe(true)
    expect(check('sts-status-when-stable', state(c, {}, 10, {}))).toBe(true)
    expect(check('sts-status-when-stable', state(c, {}, 11, { 8: before }))).toBe(true) // not the newest write: not stable
  })

  it('converges needs the goal and nobody left to write; an unknown property name is refused', () => {
    const c = clone(sc.initial)
    expect(goalHolds(c)).toBe(false)
    expect(check('converges', state(c, {}))).toBe(false)
    expect(() => liveProperties([{ name: 'made-up', kind: 'always', description: '' }])).toThrow(/no check for property "made-up"/)
    expect(tagRev(7, 2, true)).toBe(7 * 16 + 2)
    expect(tagRev(7, 2, false)).toBe(7)
  })
})

describe('the monitor', () => {
  const fakeInformer = (c: Cluster, rev: number, seen: Record<string, number>): Informer =>
    ({ synced: true, cluster: c, rev, at: () => undefined, seenAt: new Map(Object.entries(seen)) }) as unknown as Informer

  it('judges the merged state: each object from the member that saw it change last; records where and when', () => {
    const a = clone(sc.initial)
    const b = clone(sc.initial)
    a.objs.Pod['db-0'] = pod('db-0', 'u0002', 'node1')
    b.objs.Pod['db-0'] = pod('db-0', 'u0003', 'node2')
    // Same uid on two pods only in the merge: r2's db-1 is newer than r1's and carries the uid r1's db-0 has.
    b.objs.Pod['db-1'] = pod('db-1', 'u0002', 'node2')
    const violations: string[] = []
    const m = new Monitor({
      members: ['r1', 'r2'],
      informers: [fakeInformer(a, 5, { 'Pod/db-0': 100 }), fakeInformer(b, 6, { 'Pod/db-0': 50, 'Pod/db-1': 200 })],
      perMemberRevisions: true,
      properties: props,
      controllers: sc.controllers.map((x) => x.make()),
      running: () => new Map(),
      loopsIdle: () => true,
      now: () => 42,
      lastSeq: () => 7,
      onViolation: (p) => violations.push(`${p.name}@${p.where}`),
      onConverged: () => {},
    })
    expect(m.evaluate()).toBe(false)
    expect(violations).toEqual(['unique-names@merged'])
    expect(m.results.find((r) => r.name === 'unique-names')).toMatchObject({ status: 'violated', firstViolationMs: 42, where: 'merged', atSeq: 7, changes: [[42, false]] })
    expect(m.results.find((r) => r.name === 'pod-on-one-node')!.changes).toEqual([])
    m.finish()
    expect(m.results.find((r) => r.name === 'converges')!.status).toBe('violated')
  })
})
