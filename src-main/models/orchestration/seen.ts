// Watch-driven reads (the session levels; docs/models.md, "Unseen writes").
//
// A controller's step depends only on what it reads (Controller.reads) and on the revision it stamps into a status
// it writes. Under monotonic and resettable sessions a view is one retained entry and a write lands at the head,
// so two entries equal on what a controller reads give it the same step apart from that stamp. A Kubernetes
// controller reconciles when something it watches changes, not on every revision of the store, so here:
// - of consecutive readable entries that look the same to it, the controller reads only the newest (the stamp is
//   then the newest such revision, which shows the status properties the same objects and is pruned no sooner);
// - its session moves over entries it cannot tell apart from the next one.
// Together: a controller acts at most once on each run of revisions that look the same to it. The published model
// lets it act once per revision, so a controller that does not wait for its own writes (expectations off) may act
// again on a revision that changed nothing it reads, e.g. a ReplicaSet controller creating one more pod for each
// unrelated status write; with expectations (the default) those second acts are rejected writes, and the two
// agree (unseen-writes.test.ts). Objects are compared by name, uid and resourceVersion: a write gives an object a
// new resourceVersion, so equal versions are equal objects.
import type { Reads } from './controllers/types.ts'
import type { Entry, Session, View } from './history.ts'
import type { AnyObject, Cluster } from './resources.ts'

/** a and b hold the same versions of every object `reads` covers. */
export function looksSame(reads: Reads, a: Cluster, b: Cluster): boolean {
  if (a === b) return true
  const keep = reads.keep
  for (const kind of reads.kinds) {
    const ma = a.objs[kind] as Record<string, AnyObject>
    const mb = b.objs[kind] as Record<string, AnyObject>
    if (ma === mb) continue
    let na = 0
    for (const name in ma) {
      const o = ma[name]
      if (keep && !keep(kind, o)) continue
      na++
      const q = mb[name]
      if (q === undefined || q.meta.rv !== o.meta.rv || q.meta.uid !== o.meta.uid) return false
    }
    let nb = 0
    for (const name in mb) if (!keep || keep(kind, mb[name])) nb++
    if (na !== nb) return false
  }
  return true
}

/** Single-entry views in revision order, keeping only the newest of each run that looks the same. */
export function distinctViews(reads: Reads, vs: View[]): View[] {
  if (vs.length < 2) return vs
  const out: View[] = []
  for (let k = 0; k < vs.length; k++) if (k === vs.length - 1 || !looksSame(reads, vs[k].c, vs[k + 1].c)) out.push(vs[k])
  return out
}

/**
 * A linear session moved forward over the entries (oldest first) it could read that look the same as the next one:
 * it then allows the same views, up to which of equal entries is read. The session itself when nothing moves.
 */
export function advanceSession(reads: Reads, es: readonly Entry[], s: Session): Session {
  if (s === null) return s
  const r = s.length > 0 ? s[0] : -Infinity
  // The newest entry the session has seen (−1: it may read them all).
  let at = -1
  while (at + 1 < es.length && es[at + 1].rev <= r) at++
  const from = at
  while (at + 2 < es.length && looksSame(reads, es[at + 1].c, es[at + 2].c)) at++
  return at === from ? s : [es[at].rev]
}
