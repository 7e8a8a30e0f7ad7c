// Consistency levels: the datastore history kept in the model state, what a controller may read given its session,
// and where its write lands (DESIGN.md, "Orchestration model").
//
//   synchronous         reads the head; writes at the head. No session is kept (it could only ever be the head).
//   monotonic-session   reads any retained state newer than its session (the head when it has none, i.e. at start
//                       and after a restart); writes at the head, so updates from a stale read fail (409).
//   resettable-session  as monotonic, but with no session it may read ANY retained state.
//   optimistic          reads states on the ancestor chain of the latest state, newer than its session; the write
//                       forks from the state it read and becomes the latest (other branches are dropped, CCF-style):
//                       preconditions are checked against what it read, so stale writes win.
//   causal              (Dismerge-like) the history is a DAG. A controller reads any retained state whose causal past
//                       holds its session and more (monotonic reads: a replica's state only grows), or the merge of
//                       all heads; its write is a new node whose parents are what it read. Merges are per object,
//                       the highest resourceVersion wins, tombstones included.
//
// Sessions are the revision(s) of the last view a controller acted on. A controller only reads states strictly
// newer than (causal: with its session in their past) its session, as a watch only delivers new events. A write the
// controller expects to see (transitions.ts, expectations) moves its session so that its next view holds that write.
//
// Bounding: the history keeps the latest entry (causal: every head, and the entries controllers' sessions name)
// and, within `window` entries in all, the newest of the others some controller could still read. Dropped entries are spliced out of the parent links (reachability among retained entries is
// kept), and sessions are normalised onto the retained entries, so equivalent histories encode equally.
import { applyWrite, type Write, type WriteResult } from './api.ts'
import { type AnyObject, type Cluster, type Kind } from './resources.ts'

export const LEVELS = ['synchronous', 'monotonic-session', 'resettable-session', 'optimistic', 'causal'] as const
export type Level = (typeof LEVELS)[number]

export interface Entry {
  rev: number
  /** Parents: the entry (entries) the write was applied to. */
  p: number[]
  c: Cluster
}

export interface History {
  /** Retained entries, ascending by revision. */
  e: Entry[]
  /** The latest entry (optimistic: the tip of the live branch; linear levels: the last entry). */
  latest: number
  /** The next revision number; revisions are global and never reused. */
  next: number
}

/** null = no session (start, or after a restart). */
export type Session = number[] | null

export interface View {
  revs: number[]
  c: Cluster
}

export function initialHistory(c: Cluster): History {
  return { e: [{ rev: 1, p: [], c }], latest: 1, next: 2 }
}

function entry(h: History, rev: number): Entry | undefined {
  for (const e of h.e) if (e.rev === rev) return e
  return undefined
}

/** Retained entries that are not a parent of another retained entry. */
export function heads(h: History): number[] {
  const parents = new Set<number>()
  for (const e of h.e) for (const p of e.p) parents.add(p)
  return h.e.filter((e) => !parents.has(e.rev)).map((e) => e.rev)
}

/** Revisions in the causal past of `revs` (inclusive), among retained entries. */
function past(h: History, revs: readonly number[]): Set<number> {
  const out = new Set<number>()
  const stack = [...revs]
  while (stack.length > 0) {
    const r = stack.pop()!
    if (out.has(r)) continue
    out.add(r)
    const e = entry(h, r)
    if (e) stack.push(...e.p)
  }
  return out
}

/** The ancestor chain of the latest entry (optimistic's live branch), newest first. */
function chain(h: History): number[] {
  const out: number[] = []
  let e = entry(h, h.latest)
  while (e) {
    out.push(e.rev)
    e = e.p.length > 0 ? entry(h, e.p[0]) : undefined
  }
  return out
}

/** Per-object merge of snapshots: the highest resourceVersion wins; a later tombstone beats an older object. */
export function merge(cs: Cluster[]): Cluster {
  if (cs.length === 1) return cs[0]
  const tombs: Record<string, number> = {}
  for (const c of cs) for (const [k, r] of Object.entries(c.tombs ?? {})) tombs[k] = Math.max(tombs[k] ?? 0, r)
  const objs = {} as Record<Kind, Record<string, AnyObject>>
  // Every snapshot of one model holds the same kinds (built-in KINDS, or a user model's own kinds).
  for (const kind of Object.keys(cs[0].objs) as Kind[]) {
    const m: Record<string, AnyObject> = {}
    for (const c of cs) {
      for (const [name, o] of Object.entries(c.objs[kind] as Record<string, AnyObject>)) {
        const cur = m[name]
        if (!cur || o.meta.rv > cur.meta.rv) m[name] = o
      }
    }
    for (const name of Object.keys(m)) {
      const t = tombs[`${kind}/${name}`]
      if (t !== undefined && t > m[name].meta.rv) delete m[name]
    }
    objs[kind] = m
  }
  const out: Cluster = { objs: objs as Cluster['objs'] }
  // A tombstone is only kept while an object it shadows could still come back in a merge.
  if (Object.keys(tombs).length > 0) out.tombs = tombs
  return out
}

/** What the datastore looks like "now": the view user and fault actions read and write on. */
export function headView(level: Level, h: History): View {
  if (level === 'causal') {
    const hs = heads(h)
    return { revs: hs, c: merge(hs.map((r) => entry(h, r)!.c)) }
  }
  const e = entry(h, h.latest)!
  return { revs: [e.rev], c: e.c }
}

/**
 * Every view a controller with this session may read, in a deterministic order. `own` (causal): the session is the
 * controller's own write, which it has not read yet, so that entry itself is readable too.
 */
export function views(level: Level, h: History, s: Session, own = false): View[] {
  const single = (r: number): View => ({ revs: [r], c: entry(h, r)!.c })
  switch (level) {
    case 'synchronous':
      return [single(h.latest)]
    case 'monotonic-session':
    case 'resettable-session': {
      if (s === null) return level === 'monotonic-session' ? [single(h.latest)] : h.e.map((e) => single(e.rev))
      const from = s.length > 0 ? s[0] : 0
      return h.e.filter((e) => e.rev > from).map((e) => single(e.rev))
    }
    case 'optimistic': {
      if (s === null) return [single(h.latest)]
      const from = s.length > 0 ? s[0] : 0
      return chain(h)
        .filter((r) => r > from)
        .reverse()
        .map(single)
    }
    case 'causal': {
      const hs = heads(h)
      const seen = s === null ? new Set<number>() : past(h, s)
      let out: View[]
      if (s === null) out = hs.map(single)
      else {
        // Monotonic reads: an entry whose past holds the whole session (a replica's state only grows).
        out = []
        for (const e of h.e) {
          if (seen.has(e.rev) && !(own && s.includes(e.rev))) continue
          const above = past(h, [e.rev])
          if (s.every((r) => above.has(r))) out.push(single(e.rev))
        }
      }
      if (hs.length > 1 && hs.some((r) => !seen.has(r))) out.push(headView(level, h))
      return out
    }
  }
}

/** Applies a write read from `view`; returns the new history (not yet pruned) and the result. */
export function land(level: Level, h: History, view: View, w: Write): { h: History; result: WriteResult } {
  const rev = h.next
  let base: Cluster
  let parents: number[]
  if (level === 'optimistic' || level === 'causal') {
    base = view.c
    parents = view.revs
  } else {
    base = entry(h, h.latest)!.c
    parents = [h.latest]
  }
  const result = applyWrite(base, w, rev, level === 'causal')
  if (!result.ok) return { h, result }
  const e: Entry = { rev, p: parents, c: result.cluster }
  return { h: { e: [...h.e, e], latest: rev, next: rev + 1 }, result }
}

/**
 * Drops what no controller can read any more, caps the history at `window` entries and normalises sessions.
 * Returns the pruned history and the sessions rewritten onto it.
 */
export function prune(level: Level, h: History, sessions: Session[], window: number): { h: History; sessions: Session[] } {
  if (level !== 'causal') {
    // Optimistic: once the entries off the latest's branch are gone (they can never be read again), the history is
    // linear and its sessions read as monotonic ones do (views(): what is newer than the session on the branch, the
    // latest with none).
    const fast = level === 'optimistic' ? pruneLinear('monotonic-session', liveBranch(h), sessions, window) : pruneLinear(level, h, sessions, window)
    if (fast !== undefined) return fast
  }
  return pruneAny(level, h, sessions, window)
}

/** The entries on the latest's ancestor chain, oldest first (h itself when that is all of them). */
function liveBranch(h: History): History {
  const live = chain(h)
  if (live.length === h.e.length) return h
  const on = new Set(live)
  return { ...h, e: h.e.filter((e) => on.has(e.rev)) }
}

/** prune() for any history (the linear shortcut below is tested against it). */
export function pruneAny(level: Level, h: History, sessions: Session[], window: number): { h: History; sessions: Session[] } {
  const keep = new Set<number>()
  if (level === 'synchronous') keep.add(h.latest)
  else {
    for (const r of level === 'causal' ? heads(h) : [h.latest]) keep.add(r)
    // Off-branch entries can never be read again.
    if (level === 'optimistic') h = liveBranch(h)
    for (const s of sessions) for (const v of views(level, h, s)) for (const r of v.revs) keep.add(r)
    if (level === 'causal') for (const s of sessions) for (const r of s ?? []) if (entry(h, r)) keep.add(r)
  }
  // The window caps what stale reads may reach, never what the datastore holds: the latest entry, every causal
  // head (an older head can be the only copy of a write on its branch) and every causal session entry (dropping
  // it would move a session back into its own past) stay whatever the window says.
  const must = new Set<number>([h.latest])
  if (level === 'causal') {
    for (const r of heads(h)) must.add(r)
    for (const s of sessions) for (const r of s ?? []) if (entry(h, r)) must.add(r)
  }
  const optional = h.e.filter((e) => keep.has(e.rev) && !must.has(e.rev))
  const room = Math.max(0, window - must.size)
  const chosen = new Set([...must, ...optional.slice(Math.max(0, optional.length - room)).map((e) => e.rev)])
  const capped = h.e.filter((e) => chosen.has(e.rev))
  const retained = new Set(capped.map((e) => e.rev))
  // Splice dropped entries out of the parent links.
  const resolve = (revs: readonly number[]): number[] => {
    const out = new Set<number>()
    const seen = new Set<number>()
    const stack = [...revs]
    while (stack.length > 0) {
      const r = stack.pop()!
      if (seen.has(r)) continue
      seen.add(r)
      if (retained.has(r)) out.add(r)
      else {
        const e = entry(h, r)
        if (e) stack.push(...e.p)
      }
    }
    return [...out].sort((a, b) => a - b)
  }
  const e = capped.map((x) => ({ rev: x.rev, p: resolve(x.p), c: x.c }))
  const normal = sessions.map((s): Session => {
    if (s === null || level === 'synchronous') return null
    if (level === 'causal') return resolve(s)
    return onRetained(s, e)
  })
  let next: History = { e, latest: h.latest, next: h.next }
  if (level === 'causal') next = pruneTombs(next)
  return { h: next, sessions: normal }
}

/**
 * prune() on a linear history (synchronous, monotonic and resettable sessions: every entry has at most one parent,
 * the latest is the last), the same result without Sets: what it keeps is "latest, and the newest up to window − 1
 * of the entries some session still reads". Entries and sessions that come out unchanged are the input's own
 * objects. Undefined when the history is not of that shape (prune's general path then decides).
 */
function pruneLinear(level: Level, h: History, sessions: Session[], window: number): { h: History; sessions: Session[] } | undefined {
  const es = h.e
  const n = es.length
  if (es[n - 1].rev !== h.latest) return undefined
  for (let i = 0; i < n; i++) if (es[i].p.length > 1) return undefined
  // Entries newer than `from` are readable by some session (views(): a session reads what is newer than it;
  // monotonic with no session reads the latest only, resettable with none reads everything).
  let from = Infinity
  if (level !== 'synchronous') {
    for (const s of sessions) {
      if (s === null) {
        if (level === 'resettable-session') from = -Infinity
      } else from = Math.min(from, s.length > 0 ? s[0] : 0)
    }
  }
  // The latest, then the newest readable others while there is room.
  let room = Math.max(0, window - 1)
  const kept: boolean[] = new Array(n).fill(false)
  kept[n - 1] = true
  let count = 1
  for (let i = n - 2; i >= 0 && room > 0; i--) {
    if (es[i].rev > from) {
      kept[i] = true
      count++
      room--
    }
  }
  const e: Entry[] = []
  let same = count === n
  for (let i = 0; i < n; i++) {
    if (!kept[i]) continue
    const x = es[i]
    // Parent link: the nearest retained ancestor (a linear history has at most one).
    let p: number[] = x.p
    if (x.p.length > 0) {
      let r = x.p[0]
      let at = i - 1
      for (; at >= 0; at--) {
        if (es[at].rev !== r) continue
        if (kept[at]) break
        if (es[at].p.length === 0) {
          at = -1
          break
        }
        r = es[at].p[0]
      }
      if (at < 0) p = []
      else if (r !== x.p[0]) p = [r]
    }
    if (p === x.p) e.push(x)
    else {
      e.push({ rev: x.rev, p, c: x.c })
      same = false
    }
  }
  const normal = sessions.map((s): Session => (s === null || level === 'synchronous' ? null : onRetained(s, e)))
  return { h: same ? h : { e, latest: h.latest, next: h.next }, sessions: normal }
}

/**
 * A linear or optimistic session moved onto the retained entries `e` (oldest first): "newer than s" equals "newer
 * than the largest retained revision ≤ s", and a session older than them all reads them all. The session itself
 * when that changes nothing.
 */
function onRetained(s: number[], e: readonly Entry[]): Session {
  const r = s.length > 0 ? s[0] : 0
  if (r < e[0].rev) return s.length === 0 ? s : []
  let best = e[0].rev
  for (const x of e) if (x.rev <= r) best = x.rev
  return s.length === 1 && s[0] === best ? s : [best]
}

/** A tombstone only matters while some retained entry still holds an older copy of that object. */
function pruneTombs(h: History): History {
  const live = new Map<string, number>()
  for (const e of h.e) {
    for (const kind of Object.keys(e.c.objs) as Kind[]) {
      for (const [name, o] of Object.entries(e.c.objs[kind] as Record<string, AnyObject>)) {
        const k = `${kind}/${name}`
        live.set(k, Math.min(live.get(k) ?? Infinity, o.meta.rv))
      }
    }
  }
  return {
    ...h,
    e: h.e.map((e) => {
      if (!e.c.tombs) return e
      const t: Record<string, number> = {}
      for (const [k, r] of Object.entries(e.c.tombs)) if ((live.get(k) ?? Infinity) < r) t[k] = r
      const c: Cluster = { objs: e.c.objs }
      if (Object.keys(t).length > 0) c.tombs = t
      return { ...e, c }
    }),
  }
}
