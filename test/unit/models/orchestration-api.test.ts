// API semantics (create / update / delete with finalizers) and the consistency levels' read and write rules.
import { describe, expect, it } from 'vitest'
import { applyWrite, type Write } from '../../../src-main/models/orchestration/api.ts'
import { canon } from '../../../src-main/models/orchestration/canon.ts'
import { initialHistory, land, merge, prune, views, type History, type Level } from '../../../src-main/models/orchestration/history.ts'
import { emptyCluster, newMeta, type Cluster, type Pod } from '../../../src-main/models/orchestration/resources.ts'

function pod(name: string, extra: Partial<Pod['spec']> = {}, finalizers: string[] = []): Pod {
  return { meta: newMeta(name, { app: 'web' }, undefined, finalizers), spec: { image: 'a:1', ...extra }, status: { phase: 'Pending', ready: false } }
}

function ok(c: Cluster, w: Write, rev: number): Cluster {
  const r = applyWrite(c, w, rev)
  if (!r.ok) throw new Error(r.reason)
  return r.cluster
}

describe('API semantics', () => {
  it('create assigns uid, resourceVersion and generation from the revision and fails on an existing name', () => {
    const c = ok(emptyCluster(), { op: 'create', kind: 'Pod', obj: pod('p') }, 5)
    expect(c.objs.Pod.p.meta).toMatchObject({ name: 'p', uid: 'u0005', rv: 5, generation: 1 })
    const again = applyWrite(c, { op: 'create', kind: 'Pod', obj: pod('p') }, 6)
    expect(again).toEqual({ ok: false, reason: 'AlreadyExists Pod/p' })
  })

  it('generateName appends the revision, zero-padded, so names are deterministic and sort by revision', () => {
    const r = applyWrite(emptyCluster(), { op: 'create', kind: 'Pod', obj: pod(''), generateName: 'web-' }, 7)
    expect(r.ok && r.name).toBe('web-0007')
  })

  it('update fails on a stale resourceVersion and on a uid mismatch; bumps generation only on spec change', () => {
    let c = ok(emptyCluster(), { op: 'create', kind: 'Pod', obj: pod('p') }, 2)
    const read = c.objs.Pod.p
    const status = { ...read, status: { phase: 'Running' as const, ready: true } }
    c = ok(c, { op: 'update', kind: 'Pod', obj: status }, 3)
    expect(c.objs.Pod.p.meta).toMatchObject({ rv: 3, generation: 1 })
    // A write computed from the old read is rejected (optimistic concurrency).
    const stale = applyWrite(c, { op: 'update', kind: 'Pod', obj: { ...read, spec: { ...read.spec, nodeName: 'n1' } } }, 4)
    expect(stale.ok).toBe(false)
    const cur = c.objs.Pod.p
    c = ok(c, { op: 'update', kind: 'Pod', obj: { ...cur, spec: { ...cur.spec, nodeName: 'n1' } } }, 4)
    expect(c.objs.Pod.p.meta).toMatchObject({ rv: 4, generation: 2 })
    const other = applyWrite(c, { op: 'update', kind: 'Pod', obj: { ...c.objs.Pod.p, meta: { ...c.objs.Pod.p.meta, uid: 'u99' } } }, 5)
    expect(other.ok).toBe(false)
  })

  it('delete is soft while finalizers remain, and removing the last finalizer deletes for good', () => {
    let c = ok(emptyCluster(), { op: 'create', kind: 'Pod', obj: pod('p', {}, ['f']) }, 2)
    c = ok(c, { op: 'delete', kind: 'Pod', name: 'p', uid: 'u0002' }, 3)
    expect(c.objs.Pod.p.meta).toMatchObject({ deletion: 3, rv: 3 })
    expect(applyWrite(c, { op: 'delete', kind: 'Pod', name: 'p', uid: 'u0002' }, 4).ok).toBe(false)
    // An update cannot clear deletionTimestamp; dropping the finalizer removes the object.
    const p = c.objs.Pod.p
    c = ok(c, { op: 'update', kind: 'Pod', obj: { ...p, meta: { ...p.meta, finalizers: [], deletion: undefined } } }, 4)
    expect(c.objs.Pod.p).toBeUndefined()
  })

  it('deleting a bound pod is graceful (soft) unless forced; an unbound pod goes at once', () => {
    let c = ok(emptyCluster(), { op: 'create', kind: 'Pod', obj: pod('bound', { nodeName: 'n1' }) }, 2)
    c = ok(c, { op: 'create', kind: 'Pod', obj: pod('free') }, 3)
    c = ok(c, { op: 'delete', kind: 'Pod', name: 'bound', uid: 'u0002' }, 4)
    c = ok(c, { op: 'delete', kind: 'Pod', name: 'free', uid: 'u0003' }, 5)
    expect(c.objs.Pod.bound.meta.deletion).toBe(4)
    expect(c.objs.Pod.free).toBeUndefined()
    c = ok(c, { op: 'delete', kind: 'Pod', name: 'bound', uid: 'u0002', force: true }, 6)
    expect(c.objs.Pod.bound).toBeUndefined()
    expect(applyWrite(c, { op: 'delete', kind: 'Pod', name: 'bound', uid: 'u0002' }, 7).ok).toBe(false)
  })

  it('canonical encoding ignores key order and undefined fields', () => {
    expect(canon({ b: 1, a: [2, { y: 1, x: undefined }] })).toBe(canon({ a: [2, { y: 1 }], b: 1 }))
  })

  it('canonical encoding writes leaves exactly as JSON.stringify does (escapes, surrogates, odd numbers)', () => {
    const leaves = ['web-0001', 'a"b', 'a\\b', 'line\nbreak', 'tab\t', '\u2028', '\ud800', 'é→', '', 0, -0, 1.5, 1e21, -3e-7, NaN, Infinity, true, false, null]
    for (const v of leaves) expect([v, canon(v)]).toEqual([v, JSON.stringify(v)])
    expect(canon({ z: leaves, a: { 'k"': 'v' } })).toBe(`{"a":{"k\\"":"v"},"z":${JSON.stringify(leaves)}}`)
  })
})

/** A history with revisions 1..n at the head, each creating pod "p<rev>". */
function linear(level: Level, n: number): History {
  let h = initialHistory(emptyCluster())
  for (let i = 2; i <= n; i++) {
    const head = views('synchronous', h, null)[0]
    h = land(level, h, head, { op: 'create', kind: 'Pod', obj: pod(`p${i}`) }).h
  }
  return h
}

const revs = (vs: { revs: number[] }[]): string[] => vs.map((v) => v.revs.join('+'))

describe('consistency levels', () => {
  it('synchronous reads only the head; monotonic reads newer than its session, the head without one', () => {
    const h = linear('monotonic-session', 4)
    expect(revs(views('synchronous', h, null))).toEqual(['4'])
    expect(revs(views('monotonic-session', h, null))).toEqual(['4'])
    expect(revs(views('monotonic-session', h, [2]))).toEqual(['3', '4'])
    expect(revs(views('monotonic-session', h, [4]))).toEqual([])
  })

  it('resettable session may read any retained state after a restart', () => {
    const h = linear('resettable-session', 4)
    expect(revs(views('resettable-session', h, null))).toEqual(['1', '2', '3', '4'])
    expect(revs(views('resettable-session', h, [3]))).toEqual(['4'])
  })

  it('linear levels land writes at the head, so an update from a stale read fails', () => {
    const h = linear('monotonic-session', 3)
    const stale = views('resettable-session', h, null)[1] // rev 2: p2 exists, p3 does not
    const p2 = stale.c.objs.Pod.p2
    const head = views('synchronous', h, null)[0]
    const h2 = land('monotonic-session', h, head, { op: 'update', kind: 'Pod', obj: { ...head.c.objs.Pod.p2, status: { phase: 'Running', ready: true } } }).h
    const out = land('monotonic-session', h2, stale, { op: 'update', kind: 'Pod', obj: { ...p2, status: { phase: 'Failed', ready: false } } })
    expect(out.result.ok).toBe(false)
  })

  it('optimistic writes fork from the state read and drop the other branch', () => {
    const h = linear('optimistic', 3)
    const old = views('optimistic', h, [0]).find((v) => v.revs[0] === 2)!
    const out = land('optimistic', h, old, { op: 'create', kind: 'Pod', obj: pod('x') })
    expect(out.result.ok).toBe(true)
    const p = prune('optimistic', out.h, [null], 8)
    expect(p.h.e.map((e) => e.rev)).toEqual([4]) // rev 3 (p3) was on the dropped branch
    expect(Object.keys(p.h.e[0].c.objs.Pod).sort()).toEqual(['p2', 'x'])
  })

  it('causal writes branch, the merge of heads is readable, and merges are per object with tombstones', () => {
    let h = linear('causal', 2) // 1 → 2 (p2)
    const at2 = views('causal', h, null)[0]
    h = land('causal', h, at2, { op: 'create', kind: 'Pod', obj: pod('a') }).h // 3: child of 2
    h = land('causal', h, at2, { op: 'delete', kind: 'Pod', name: 'p2', uid: 'u0002' }).h // 4: also child of 2
    const vs = views('causal', h, null)
    expect(revs(vs)).toEqual(['3', '4', '3+4'])
    const merged = vs[2].c
    expect(Object.keys(merged.objs.Pod)).toEqual(['a']) // the delete (tombstone at 4) beats p2@2
    expect(merge([vs[0].c, vs[1].c]).objs.Pod.p2).toBeUndefined()
    // Monotonic reads: a session at 3 reads only what holds 3 — the merge, not the concurrent 4 (which lacks it),
    // nor its own past; with no session, any head.
    expect(revs(views('causal', h, [3]))).toEqual(['3+4'])
    // A session that is the controller's own write, not yet read (an expectation), may read that entry itself.
    expect(revs(views('causal', h, [3], true))).toEqual(['3', '3+4'])
    expect(revs(views('causal', h, [2]))).toEqual(['3', '4', '3+4'])
  })

  it('pruning caps the window and normalises sessions onto retained entries', () => {
    const h = linear('monotonic-session', 6)
    const p = prune('monotonic-session', h, [[1], [4], null], 3)
    expect(p.h.e.map((e) => e.rev)).toEqual([4, 5, 6])
    expect(p.sessions).toEqual([[], [4], null])
  })
})
