// Resource kinds, trimmed to the fields the controllers read and write. One cluster snapshot = every object by kind
// and name (name-keyed maps, so names are unique per kind by construction and the encoding is sorted by name).
// Time is not modelled: "deletionTimestamp" is the revision of the delete, minReadySeconds is 0, probes are instant.
import { canon, fnv32, sortedKeys } from './canon.ts'

export const KINDS = ['Pod', 'Node', 'ReplicaSet', 'Deployment', 'StatefulSet', 'Job', 'ControllerRevision', 'PersistentVolumeClaim'] as const
export type Kind = (typeof KINDS)[number]

export type Labels = Record<string, string>

export interface OwnerRef {
  kind: Kind
  name: string
  uid: string
}

export interface Meta {
  name: string
  /** Deterministic: "u<revision of the create, padded>" (initial objects: "u0-<kind>-<name>"). */
  uid: string
  /** Revision of the last write to this object. */
  rv: number
  generation: number
  labels: Labels
  annotations?: Record<string, string>
  owner?: OwnerRef
  /** Sorted. */
  finalizers: string[]
  /** deletionTimestamp: the revision of the delete that made it terminating. */
  deletion?: number
}

export interface PodTemplate {
  labels: Labels
  image: string
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed'

export interface Pod {
  meta: Meta
  spec: {
    nodeName?: string
    image: string
    /** restartPolicy Never (Job pods): the container runs to completion once. */
    runOnce?: boolean
    /** PersistentVolumeClaims the pod mounts (StatefulSet volumeClaimTemplates). */
    claims?: string[]
  }
  status: { phase: PodPhase; ready: boolean }
}

export interface Node {
  meta: Meta
  spec: { capacity: number }
  status: { ready: boolean }
}

/**
 * Fields shared by every workload status: which generation and which view of the cluster the controller computed
 * the status from (Themelios' observed_revision). A status is only ever claimed correct with respect to that view.
 */
export interface Observed {
  observedGeneration: number
  /** The revision of the view read (a causal merge of several heads: the highest of them). 0 = never written. */
  observedRevision: number
  /** Causal only, when the view read was the merge of several heads: all their revisions (sorted). */
  observedMerge?: number[]
}

export interface ReplicaSet {
  meta: Meta
  spec: { replicas: number; selector: Labels; template: PodTemplate }
  status: Observed & { replicas: number; ready: number; available: number }
}

export interface Deployment {
  meta: Meta
  spec: { replicas: number; selector: Labels; template: PodTemplate; paused: boolean; maxSurge: number; maxUnavailable: number }
  status: Observed & { replicas: number; updated: number; ready: number; available: number; unavailable: number }
}

export interface StatefulSet {
  meta: Meta
  spec: { replicas: number; selector: Labels; template: PodTemplate; volumeClaims: boolean }
  status: Observed & {
    replicas: number
    ready: number
    available: number
    current: number
    updated: number
    currentRevision: string
    updateRevision: string
  }
}

export interface Job {
  meta: Meta
  /** backoffLimit: failed pods tolerated; one more and the Job fails (Kubernetes' default is 6). */
  spec: { parallelism: number; completions: number; suspend: boolean; backoffLimit: number; template: PodTemplate }
  status: Observed & {
    active: number
    ready: number
    succeeded: number
    failed: number
    /** uids of finished pods counted here but whose tracking finalizer is not yet removed (sorted). */
    uncounted: string[]
    /** The Complete condition. */
    complete: boolean
    /** The Failed condition, reason BackoffLimitExceeded: more than spec.backoffLimit pods failed. */
    backoffLimitExceeded: boolean
  }
}

export interface ControllerRevision {
  meta: Meta
  /** The template this revision records, as its hash. */
  data: string
  revision: number
}

export interface PersistentVolumeClaim {
  meta: Meta
  spec: Record<string, never>
  status: { phase: 'Bound' }
}

export type AnyObject = Pod | Node | ReplicaSet | Deployment | StatefulSet | Job | ControllerRevision | PersistentVolumeClaim

export interface KindMap {
  Pod: Pod
  Node: Node
  ReplicaSet: ReplicaSet
  Deployment: Deployment
  StatefulSet: StatefulSet
  Job: Job
  ControllerRevision: ControllerRevision
  PersistentVolumeClaim: PersistentVolumeClaim
}

/** One snapshot of the datastore. `tombs` (causal only) remembers hard deletes ("Kind/name" → revision) for merges. */
export interface Cluster {
  objs: { [K in Kind]: Record<string, KindMap[K]> }
  tombs?: Record<string, number>
}

export function emptyCluster(): Cluster {
  return {
    objs: { Pod: {}, Node: {}, ReplicaSet: {}, Deployment: {}, StatefulSet: {}, Job: {}, ControllerRevision: {}, PersistentVolumeClaim: {} },
  }
}

export function list<K extends Kind>(c: Cluster, kind: K): KindMap[K][] {
  const m = c.objs[kind]
  return sortedKeys(m).map((n) => m[n])
}

export const TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking'
export const HASH_LABEL = 'pod-template-hash'
export const REVISION_LABEL = 'controller-revision-hash'
/** Annotation the pause action sets on a Deployment: the revision at which it was paused. */
export const PAUSED_AT = 'stabilis/paused-at'

/** The revision an object was created at, from its deterministic uid ("u<rev>"; initial objects "u0-…" → 0). */
/** Revisions in uids and generated names are zero-padded, so string order is revision order (see renumber.ts). */
export const REV_WIDTH = 4
export const padRev = (rev: number): string => String(rev).padStart(REV_WIDTH, '0')
export const uidOf = (rev: number): string => `u${padRev(rev)}`

export function createdAt(o: { meta: Meta }): number {
  const m = /^u([0-9]+)$/.exec(o.meta.uid)
  return m ? Number(m[1]) : 0
}

export function matches(selector: Labels, labels: Labels): boolean {
  const keys = Object.keys(selector)
  if (keys.length === 0) return false
  for (const k of keys) if (labels[k] !== selector[k]) return false
  return true
}

export function templateHash(t: PodTemplate): string {
  return fnv32(canon(t))
}

export function isTerminating(o: { meta: Meta }): boolean {
  return o.meta.deletion !== undefined
}

export function podFinished(p: Pod): boolean {
  return p.status.phase === 'Succeeded' || p.status.phase === 'Failed'
}

/** Active in the controllers' sense: not terminating and not finished. */
export function podActive(p: Pod): boolean {
  return !isTerminating(p) && !podFinished(p)
}

export function podReady(p: Pod): boolean {
  return p.status.phase === 'Running' && p.status.ready
}

export function ownedBy(o: { meta: Meta }, owner: { meta: Meta }): boolean {
  return o.meta.owner !== undefined && o.meta.owner.uid === owner.meta.uid
}

export function ownerRef(kind: Kind, o: { meta: Meta }): OwnerRef {
  return { kind, name: o.meta.name, uid: o.meta.uid }
}

/** A fresh metadata block for a create; uid, rv and generation are assigned by the API. */
export function newMeta(name: string, labels: Labels, owner?: OwnerRef, finalizers: string[] = []): Meta {
  return { name, uid: '', rv: 0, generation: 0, labels: { ...labels }, owner, finalizers: [...finalizers].sort() }
}

/** Deep copy of plain data (faster than structuredClone for these small objects). */
export function clone<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(clone) as T
  const out: Record<string, unknown> = {}
  for (const k in v) out[k] = clone((v as Record<string, unknown>)[k])
  return out as T
}
