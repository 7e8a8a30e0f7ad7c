// API-server semantics in one place, used by every controller, user and fault action:
//  - create fails on an existing name; assigns uid ("u<rev>"), resourceVersion (rev), generation 1; generateName
//    appends the revision to the prefix (deterministic, no randomness);
//  - update fails when the object is missing, the uid differs or the resourceVersion is stale (optimistic
//    concurrency); it bumps generation when the spec changes; deletionTimestamp cannot be changed by an update;
//    a terminating object whose last finalizer is removed is deleted for good;
//  - delete is soft (sets deletionTimestamp) while finalizers remain or for a pod bound to a node (graceful
//    deletion: the kubelet finishes it with a force delete), otherwise hard.
// A failed write changes nothing. Hard deletes leave a tombstone when `tombs` is on (causal merges need them).
import { canon } from './canon.ts'
import { padRev, uidOf, type AnyObject, type Cluster, type Kind, type KindMap, type Pod } from './resources.ts'

export type Write =
  | { op: 'create'; kind: Kind; obj: AnyObject; generateName?: string }
  | { op: 'update'; kind: Kind; obj: AnyObject }
  | { op: 'delete'; kind: Kind; name: string; uid: string; force?: boolean }

export type WriteResult = { ok: true; cluster: Cluster; name: string } | { ok: false; reason: string }

function withObject(c: Cluster, kind: Kind, name: string, obj: AnyObject | undefined, rev: number, tombs: boolean): Cluster {
  const m = { ...c.objs[kind] } as Record<string, AnyObject>
  let t = c.tombs
  const key = `${kind}/${name}`
  if (obj === undefined) {
    delete m[name]
    if (tombs) t = { ...(t ?? {}), [key]: rev }
  } else {
    m[name] = obj
    if (t && key in t) {
      t = { ...t }
      delete t[key]
    }
  }
  const out: Cluster = { objs: { ...c.objs, [kind]: m } as Cluster['objs'] }
  if (t && Object.keys(t).length > 0) out.tombs = t
  return out
}

function specOf(o: AnyObject): unknown {
  return 'spec' in o ? o.spec : (o as { data: unknown }).data
}

export function applyWrite(c: Cluster, w: Write, rev: number, tombs = false): WriteResult {
  const objs = c.objs[w.kind] as Record<string, AnyObject>
  switch (w.op) {
    case 'create': {
      const name = w.generateName !== undefined ? `${w.generateName}${padRev(rev)}` : w.obj.meta.name
      if (name in objs) return { ok: false, reason: `AlreadyExists ${w.kind}/${name}` }
      const obj = { ...w.obj, meta: { ...w.obj.meta, name, uid: uidOf(rev), rv: rev, generation: 1, deletion: undefined } } as AnyObject
      delete (obj.meta as { deletion?: number }).deletion
      return { ok: true, cluster: withObject(c, w.kind, name, obj, rev, tombs), name }
    }
    case 'update': {
      const name = w.obj.meta.name
      const cur = objs[name]
      if (!cur) return { ok: false, reason: `NotFound ${w.kind}/${name}` }
      if (cur.meta.uid !== w.obj.meta.uid) return { ok: false, reason: `Conflict ${w.kind}/${name}: uid precondition` }
      if (cur.meta.rv !== w.obj.meta.rv) return { ok: false, reason: `Conflict ${w.kind}/${name}: stale resourceVersion ${w.obj.meta.rv} < ${cur.meta.rv}` }
      const specChanged = canon(specOf(cur)) !== canon(specOf(w.obj))
      const meta = { ...w.obj.meta, rv: rev, generation: cur.meta.generation + (specChanged ? 1 : 0) }
      if (cur.meta.deletion !== undefined) meta.deletion = cur.meta.deletion
      else delete meta.deletion
      meta.finalizers = [...meta.finalizers].sort()
      const obj = { ...w.obj, meta } as AnyObject
      if (meta.deletion !== undefined && meta.finalizers.length === 0) {
        return { ok: true, cluster: withObject(c, w.kind, name, undefined, rev, tombs), name }
      }
      return { ok: true, cluster: withObject(c, w.kind, name, obj, rev, tombs), name }
    }
    case 'delete': {
      const cur = objs[w.name]
      if (!cur) return { ok: false, reason: `NotFound ${w.kind}/${w.name}` }
      if (cur.meta.uid !== w.uid) return { ok: false, reason: `Conflict ${w.kind}/${w.name}: uid precondition` }
      const graceful = w.kind === 'Pod' && !w.force && (cur as Pod).spec.nodeName !== undefined
      if (cur.meta.finalizers.length > 0 || graceful) {
        if (cur.meta.deletion !== undefined) return { ok: false, reason: `${w.kind}/${w.name} is already terminating` }
        const obj = { ...cur, meta: { ...cur.meta, deletion: rev, rv: rev } } as AnyObject
        return { ok: true, cluster: withObject(c, w.kind, w.name, obj, rev, tombs), name: w.name }
      }
      return { ok: true, cluster: withObject(c, w.kind, w.name, undefined, rev, tombs), name: w.name }
    }
  }
}

export function get<K extends Kind>(c: Cluster, kind: K, name: string): KindMap[K] | undefined {
  return c.objs[kind][name] as KindMap[K] | undefined
}

export function describeWrite(w: Write): string {
  if (w.op === 'delete') return `${w.force ? 'force-delete' : 'delete'} ${w.kind}/${w.name}`
  if (w.op === 'create') return `create ${w.kind}/${w.generateName !== undefined ? w.generateName + '*' : w.obj.meta.name}`
  return `update ${w.kind}/${w.obj.meta.name}`
}
