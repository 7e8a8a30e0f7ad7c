// How objects live in an etcd v3 keyspace, the way the Kubernetes API server keeps them: JSON under
// /registry/<resource>/<namespace>/<name> (every object here is in namespace "default"; the model has no
// namespaces), resourceVersion not stored but read back as the key's mod_revision. A write is the model's own API
// semantics (api.ts applyWrite) on the object as read, committed by a Txn that compares the key's create_revision
// (create: 0, the key must not exist) or mod_revision (update / delete: unchanged since the read); a failed compare
// is a conflict, a rejected write as in the model.
import { applyWrite, type Write } from '../models/orchestration/api.ts'
import { emptyCluster, KINDS, type AnyObject, type Cluster, type Kind } from '../models/orchestration/resources.ts'
import type { EtcdClient, KeyValue } from './etcd-client.ts'

export const REGISTRY_PREFIX = '/registry/'
export const NAMESPACE = 'default'

const RESOURCE: Record<Kind, string> = {
  Pod: 'pods',
  Node: 'nodes',
  ReplicaSet: 'replicasets',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  Job: 'jobs',
  ControllerRevision: 'controllerrevisions',
  PersistentVolumeClaim: 'persistentvolumeclaims',
}
const KIND_OF = new Map<string, Kind>(KINDS.map((k) => [RESOURCE[k], k]))

export function keyOf(kind: Kind, name: string): string {
  return `${REGISTRY_PREFIX}${RESOURCE[kind]}/${NAMESPACE}/${name}`
}

/** The kind and name a key stands for, or undefined for keys outside the registry's layout. */
export function parseKey(key: string): { kind: Kind; name: string } | undefined {
  if (!key.startsWith(REGISTRY_PREFIX)) return undefined
  const [resource, ns, ...rest] = key.slice(REGISTRY_PREFIX.length).split('/')
  const kind = KIND_OF.get(resource)
  if (!kind || ns !== NAMESPACE || rest.length !== 1) return undefined
  return { kind, name: rest[0] }
}

/** The stored form: the object without its resourceVersion (that is the key's mod_revision). */
export function encodeObject(o: AnyObject): Buffer {
  const meta: Record<string, unknown> = { ...o.meta }
  delete meta.rv
  return Buffer.from(JSON.stringify({ ...o, meta }))
}

export function decodeObject(kv: KeyValue): AnyObject {
  const o = JSON.parse(kv.value.toString()) as AnyObject
  o.meta.rv = kv.modRevision
  return o
}

/** A cluster from a list of registry keys (keys outside the layout or unparseable values are skipped). */
export function clusterOf(kvs: readonly KeyValue[]): Cluster {
  const c = emptyCluster()
  for (const kv of kvs) {
    const k = parseKey(kv.key)
    if (!k) continue
    try {
      ;(c.objs[k.kind] as Record<string, AnyObject>)[k.name] = decodeObject(kv)
    } catch {
      // a value that is not an object of ours: not part of the cluster
    }
  }
  return c
}

export interface WriteOutcome {
  ok: boolean
  /** The object's name (a generated name for generateName creates). */
  name: string
  /** The store's revision of the write (ok) or of the read it was refused at. */
  rev: number
  reason?: string
}

export interface Identity {
  /** A fresh uid for a create: "u" + digits, unique in the run (the model's uids are "u<revision>"). */
  uid(): string
  /** A suffix for generateName (Kubernetes appends five random characters). */
  suffix(): string
}

/** One write through the etcd v3 API, as the API server does it: read the key, apply the API semantics, Txn. */
export async function apiWrite(client: EtcdClient, w: Write, id: Identity): Promise<WriteOutcome> {
  let write = w
  if (w.op === 'create' && w.generateName !== undefined) {
    const name = `${w.generateName}${id.suffix()}`
    write = { op: 'create', kind: w.kind, obj: { ...w.obj, meta: { ...w.obj.meta, name } } as AnyObject }
  }
  const name = write.op === 'delete' ? write.name : write.obj.meta.name
  const key = keyOf(write.kind, name)
  const read = await client.get(key)
  const cur = read.kv ? decodeObject(read.kv) : undefined
  const c = emptyCluster()
  if (cur) (c.objs[write.kind] as Record<string, AnyObject>)[name] = cur
  const res = applyWrite(c, write, read.rev + 1)
  if (!res.ok) return { ok: false, name, rev: read.rev, reason: res.reason }
  const after = (res.cluster.objs[write.kind] as Record<string, AnyObject>)[name]
  if (after && write.op === 'create') after.meta.uid = id.uid()
  const txn = cur ? await client.txn(key, 'MOD', read.kv!.modRevision, after ? encodeObject(after) : null) : await client.txn(key, 'CREATE', 0, encodeObject(after!))
  if (!txn.ok) return { ok: false, name, rev: txn.rev, reason: `Conflict ${write.kind}/${name}: the object changed between read and write (Txn compare failed)` }
  return { ok: true, name, rev: txn.rev }
}

/** Writes the initial objects as they are (their uids included), each as a create. */
export async function seedCluster(client: EtcdClient, c: Cluster): Promise<number> {
  let rev = 0
  for (const kind of KINDS) {
    for (const o of Object.values(c.objs[kind]) as AnyObject[]) {
      const t = await client.txn(keyOf(kind, o.meta.name), 'CREATE', 0, encodeObject(o))
      if (!t.ok) throw new Error(`the store already holds ${kind}/${o.meta.name}: live runs need an empty /registry/ prefix`)
      rev = t.rev
    }
  }
  return rev
}
