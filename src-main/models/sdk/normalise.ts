// The canonical form of a user model's state: revisions renumbered 1..n in order (so a controller loop that writes
// the same objects again reaches the same state, not a new one with higher resourceVersions), generation fixed at 1,
// and everything frozen (user code cannot mutate a shared state by accident).
//
// Sound because the orchestration model and user controllers only compare revisions (=, <): every place a revision
// is kept — history entries and their parents, latest, sessions, meta.rv / uid "u<rev>" / deletion / owner uid,
// tombstones — is rewritten by one order-preserving map, and the next revision is one past the largest.
import type { OState } from '../orchestration/model.ts'
import type { Cluster } from '../orchestration/resources.ts'

const UID = /^u([0-9]+)$/

export function deepFreeze<T>(v: T): T {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return v
  Object.freeze(v)
  for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k])
  return v
}

interface M {
  rv: number
  uid: string
  generation: number
  deletion?: number
  owner?: { uid: string }
}

function forEachMeta(c: Cluster, f: (m: M) => void): void {
  for (const objs of Object.values(c.objs) as Record<string, { meta: M }>[]) for (const name in objs) f(objs[name].meta)
}

export function renumber(s: OState): OState {
  const revs = new Set<number>()
  const uidRev = (uid: string): void => {
    const m = UID.exec(uid)
    if (m) revs.add(Number(m[1]))
  }
  let generations = true
  for (const e of s.h.e) {
    revs.add(e.rev)
    for (const p of e.p) revs.add(p)
    forEachMeta(e.c, (m) => {
      revs.add(m.rv)
      uidRev(m.uid)
      if (m.deletion !== undefined) revs.add(m.deletion)
      if (m.owner) uidRev(m.owner.uid)
      if (m.generation !== 1) generations = false
    })
    for (const k in e.c.tombs ?? {}) revs.add(e.c.tombs![k])
  }
  revs.add(s.h.latest)
  for (const c of s.c) for (const r of c.s ?? []) revs.add(r)
  const sorted = [...revs].sort((a, b) => a - b)
  const dense = generations && s.h.next === sorted.length + 1 && sorted.every((r, i) => r === i + 1)
  if (dense) return deepFreeze(s)

  const map = new Map<number, number>()
  sorted.forEach((r, i) => map.set(r, i + 1))
  const m = (r: number): number => map.get(r)!
  const mu = (uid: string): string => {
    const x = UID.exec(uid)
    return x ? `u${m(Number(x[1]))}` : uid
  }
  const objCache = new Map<object, unknown>()
  const obj = (o: { meta: M }): unknown => {
    let out = objCache.get(o)
    if (out === undefined) {
      const meta: M = { ...o.meta, rv: m(o.meta.rv), uid: mu(o.meta.uid), generation: 1 }
      if (o.meta.deletion !== undefined) meta.deletion = m(o.meta.deletion)
      if (o.meta.owner) meta.owner = { ...o.meta.owner, uid: mu(o.meta.owner.uid) }
      out = { ...o, meta }
      objCache.set(o, out)
    }
    return out
  }
  const cluster = (c: Cluster): Cluster => {
    const objs: Record<string, Record<string, unknown>> = {}
    for (const [kind, byName] of Object.entries(c.objs) as [string, Record<string, { meta: M }>][]) {
      const t: Record<string, unknown> = {}
      for (const name in byName) t[name] = obj(byName[name])
      objs[kind] = t
    }
    const out = { objs } as unknown as Cluster
    if (c.tombs) out.tombs = Object.fromEntries(Object.entries(c.tombs).map(([k, r]) => [k, m(r)]))
    return out
  }
  const next: OState = {
    h: { e: s.h.e.map((e) => ({ rev: m(e.rev), p: e.p.map(m), c: cluster(e.c) })), latest: m(s.h.latest), next: sorted.length + 1 },
    c: s.c.map((c) => (c.s === null ? c : { ...c, s: c.s.map(m) })),
    b: s.b,
  }
  return deepFreeze(next)
}
