// Revisions up to renaming: every state is rewritten with its revisions renumbered 1..n in order, so two
// interleavings that end with the same objects written in the same relative order reach ONE state instead of
// two that differ only in resourceVersions (a 2–5× smaller state space on the built-in scenarios).
//
// Sound because the model only ever compares revisions (=, <, max) and never does arithmetic on them except
// "next = one past the largest": one order-preserving map applied to every place a revision is kept preserves
// every step and every property (test/unit/models/renumber.test.ts checks this step by step on whole spaces).
// The places are listed once, in revisions.ts. Revisions in names and uids are zero-padded to REV_WIDTH digits so
// that string order (the order controllers list objects in) is revision order too, before and after renumbering.
// The built-in scenarios no longer rewrite their states: they keep raw revisions and fingerprint states up to
// revision renaming (state-key.ts), which reaches the same quotient; user models (models/sdk) still renumber.
import type { OState } from './model.ts'
import { padRev, PAUSED_AT, uidOf, type AnyObject, type Cluster, type Meta } from './resources.ts'
import { GENERATED, objectRevisions, tombKeyRevision, UID } from './revisions.ts'

export interface RenumberOptions {
  /**
   * A user model (models/sdk): only the generic metadata holds revisions (its kinds may well have a status field
   * called observedRevision, or a kind called Pod, that mean something else), and generation is fixed at 1.
   */
  userModel?: boolean
  /**
   * Linear levels: resourceVersions, deletion marks and observed revisions older than every retained entry become 0
   * (revisions.ts, "loose"): the quotient the built-in scenarios' fingerprint takes unless `oldRevisions`.
   */
  forget?: boolean
}

type Rec = Record<string, unknown>

function forEachObject(c: Cluster, f: (kind: string, o: AnyObject) => void): void {
  for (const [kind, byName] of Object.entries(c.objs) as [string, Record<string, AnyObject>][]) for (const n in byName) f(kind, byName[n])
}

export function renumber(s: OState, opts: RenumberOptions = {}): OState {
  // The built-in kinds' own revision-bearing fields (generated Pod names, statuses, the paused-at annotation).
  const kube = !opts.userModel
  const statusOf = (o: AnyObject): Rec | undefined => (kube ? (o as { status?: Rec }).status : undefined)
  const revs = new Set<number>()
  const base = opts.forget ? s.h.e[0].rev : 0
  const add = (r: number | undefined, loose = false): void => {
    if (r !== undefined && r > 0 && !(loose && r < base)) revs.add(r)
  }
  const addUid = (uid: string): void => {
    const m = UID.exec(uid)
    if (m) add(Number(m[1]))
  }
  let generations = true
  for (const e of s.h.e) {
    add(e.rev)
    for (const p of e.p) add(p)
    forEachObject(e.c, (kind, o) => {
      objectRevisions(kind, o, kube, add)
      if (o.meta.generation !== 1) generations = false
    })
    for (const k in e.c.tombs ?? {}) {
      add(e.c.tombs![k])
      add(tombKeyRevision(k, kube))
    }
  }
  add(s.h.latest)
  for (const c of s.c) {
    for (const r of c.s ?? []) add(r)
    for (const x of c.run ?? []) addUid(x.slice(x.lastIndexOf('@') + 1))
  }
  const sorted = [...revs].sort((a, b) => a - b)
  const dense = s.h.next === sorted.length + 1 && sorted.every((r, i) => r === i + 1)
  if (dense && (generations || kube) && !opts.forget) return s

  const map = new Map<number, number>()
  sorted.forEach((r, i) => map.set(r, i + 1))
  const m = (r: number): number => (r > 0 ? map.get(r)! : r)
  const ml = (r: number): number => (r > 0 && r < base ? 0 : m(r))
  const mu = (uid: string): string => {
    const x = UID.exec(uid)
    return x ? uidOf(m(Number(x[1]))) : uid
  }
  const mName = (name: string): string => {
    const g = GENERATED.exec(name)
    return g ? g[1] + padRev(m(Number(g[2]))) : name
  }
  /** Does renumbering leave this object as it is? (Every revision it holds maps to itself.) */
  const unchanged = (kind: string, o: AnyObject): boolean => {
    const meta = o.meta
    if (ml(meta.rv) !== meta.rv || mu(meta.uid) !== meta.uid) return false
    if (!kube && meta.generation !== 1) return false
    if (meta.deletion !== undefined && ml(meta.deletion) !== meta.deletion) return false
    if (meta.owner && mu(meta.owner.uid) !== meta.owner.uid) return false
    const pausedAt = kube ? meta.annotations?.[PAUSED_AT] : undefined
    if (pausedAt !== undefined && String(m(Number(pausedAt))) !== pausedAt) return false
    if (kube && kind === 'Pod' && mName(meta.name) !== meta.name) return false
    const st = statusOf(o)
    if (st) {
      if (typeof st.observedRevision === 'number' && ml(st.observedRevision) !== st.observedRevision) return false
      if ((st.observedMerge as number[] | undefined)?.some((r) => m(r) !== r)) return false
      if ((st.uncounted as string[] | undefined)?.some((u) => mu(u.split(':')[0]) !== u.split(':')[0])) return false
    }
    return true
  }
  const mRun = (entry: string): string => {
    const at = entry.lastIndexOf('@')
    const uid = entry.slice(at + 1)
    const name = entry.slice(0, at)
    // The container's pod name is generated exactly when its suffix is the uid's revision.
    const g = GENERATED.exec(name)
    const x = UID.exec(uid)
    const renamed = g && x && g[2] === x[1] ? mName(name) : name
    return `${renamed}@${mu(uid)}`
  }
  // Entries of one history share unchanged objects: rewrite each object once, and keep it (and a snapshot whose
  // objects all stay) when renumbering changes nothing in it: the encoder caches strings by object identity.
  const cache = new Map<object, AnyObject>()
  const obj = (kind: string, o: AnyObject): AnyObject => {
    let out = cache.get(o)
    if (out) return out
    if (unchanged(kind, o)) {
      cache.set(o, o)
      return o
    }
    const next = rewriteObject(kind, o, m, kube, false, ml)
    out = next
    cache.set(o, out)
    return out
  }
  const cluster = (c: Cluster): Cluster => {
    const objs: Record<string, Record<string, AnyObject>> = {}
    let same = true
    for (const [kind, byName] of Object.entries(c.objs) as [string, Record<string, AnyObject>][]) {
      const t: Record<string, AnyObject> = {}
      for (const n in byName) {
        const o = obj(kind, byName[n])
        if (o !== byName[n]) same = false
        t[o.meta.name] = o
      }
      objs[kind] = t
    }
    const tombs = c.tombs && Object.entries(c.tombs).map(([k, r]): [string, number] => [kube && k.startsWith('Pod/') ? `Pod/${mName(k.slice(4))}` : k, m(r)])
    if (tombs?.some(([k, r]) => c.tombs![k] !== r)) same = false
    if (same) return c
    const out = { objs } as unknown as Cluster
    if (tombs) out.tombs = Object.fromEntries(tombs)
    return out
  }
  return {
    h: { e: s.h.e.map((e) => ({ rev: m(e.rev), p: e.p.map(m), c: cluster(e.c) })), latest: m(s.h.latest), next: sorted.length + 1 },
    c: s.c.map((c) => {
      const out = c.s === null ? { ...c } : { ...c, s: c.s.map(m) }
      if (c.run) out.run = c.run.map(mRun).sort()
      return out
    }),
    b: s.b,
  }
}

/**
 * The object with every revision it holds mapped through m (r <= 0 stays), the loose ones (revisions.ts) through
 * `loose`; user models: generation fixed at 1.
 * Job status.uncounted is re-sorted after mapping unless `keepOrder` (a skeleton that maps every revision to 0
 * must keep the entries in the order their revisions are listed).
 */
export function rewriteObject(kind: string, o: AnyObject, m: (r: number) => number, kube: boolean, keepOrder = false, loose = m): AnyObject {
  const mu = (uid: string): string => {
    const x = UID.exec(uid)
    return x ? uidOf(m(Number(x[1]))) : uid
  }
  const meta: Meta = { ...o.meta, rv: loose(o.meta.rv), uid: mu(o.meta.uid) }
  if (kube && kind === 'Pod') {
    const g = GENERATED.exec(meta.name)
    if (g) meta.name = g[1] + padRev(m(Number(g[2])))
  }
  if (!kube) meta.generation = 1
  if (o.meta.deletion !== undefined) meta.deletion = loose(o.meta.deletion)
  if (o.meta.owner) meta.owner = { ...o.meta.owner, uid: mu(o.meta.owner.uid) }
  if (kube && o.meta.annotations?.[PAUSED_AT] !== undefined) meta.annotations = { ...o.meta.annotations, [PAUSED_AT]: String(m(Number(o.meta.annotations[PAUSED_AT]))) }
  const next = { ...o, meta } as Rec
  const st = kube ? (o as { status?: Rec }).status : undefined
  if (st && ('observedRevision' in st || 'uncounted' in st)) {
    const ns: Rec = { ...st }
    if (typeof st.observedRevision === 'number') ns.observedRevision = loose(st.observedRevision)
    if (st.observedMerge) ns.observedMerge = (st.observedMerge as number[]).map(m)
    if (st.uncounted) {
      const mapped = (st.uncounted as string[]).map((u) => mu(u.split(':')[0]) + u.slice(u.indexOf(':')))
      ns.uncounted = keepOrder ? mapped : mapped.sort()
    }
    next.status = ns
  }
  return next as unknown as AnyObject
}
