// A controller is a pure step function: (view, local state) → at most one API write, plus its new local state.
import type { Write } from '../api.ts'
import type { AnyObject, Cluster, Kind, Observed } from '../resources.ts'

/** 'custom': a controller of a user model (models/sdk). */
export type ControllerKind = 'scheduler' | 'kubelet' | 'replicaset' | 'deployment' | 'statefulset' | 'job' | 'podgc' | 'custom'

export interface StepInput {
  view: Cluster
  /** The revision of the view (for causal merges, the highest of its parts): recorded as status.observedRevision. */
  rev: number
  /** Every revision the view is made of: one, or (causal merge of heads) several, sorted. */
  revs: readonly number[]
  /** Kubelet only: containers running on this node, sorted "podName@uid". */
  running: readonly string[]
}

export interface StepResult {
  write?: Write
  /** Kubelet only: the new set of running containers (sorted). Omitted = unchanged. */
  running?: string[]
}

export interface Controller {
  kind: ControllerKind
  /** Unique within a model, e.g. "scheduler-1", "kubelet-node1". */
  name: string
  /** Kubelet only: the node it runs. */
  node?: string
  /**
   * What step() looks at in a view; two views equal on it give the same step (up to the revision it stamps into a
   * status), which lets a session move over writes the controller cannot see (seen.ts). Omitted: the whole view.
   */
  reads?: Reads
  /** undefined = nothing to do in this view. */
  step(input: StepInput): StepResult | undefined
  /**
   * Writes the controller keeps in memory until it has seen them (Kubernetes' expectations caches, the scheduler's
   * assumed pods): after one succeeds, the controller's next view contains it. Lost on a restart.
   */
  expects?(w: Write): boolean
}

export interface Reads {
  kinds: readonly Kind[]
  /** Of those kinds, the objects step() looks at (all when omitted); the object as a whole, resourceVersion included. */
  keep?: (kind: Kind, o: AnyObject) => boolean
}

/** Where a status was computed: the view's revision(s), as written into status.observedRevision / observedMerge. */
export type ObservedAt = Pick<Observed, 'observedRevision' | 'observedMerge'>

export function observedAt(input: Pick<StepInput, 'rev' | 'revs'>): ObservedAt {
  return input.revs.length > 1 ? { observedRevision: input.rev, observedMerge: [...input.revs].sort((a, b) => a - b) } : { observedRevision: input.rev }
}

/** A status as computed from the view `at`: its observed fields replaced (observedMerge dropped for a single view). */
export function stamp<T extends Observed>(status: T, at: ObservedAt): T {
  const out = { ...status, observedRevision: at.observedRevision }
  if (at.observedMerge) out.observedMerge = at.observedMerge
  else delete out.observedMerge
  return out
}

/** Equal apart from where it was observed (a status is only rewritten when its content changes). */
export function sameStatus(a: object, b: object): boolean {
  for (const k of Object.keys(b) as (keyof typeof b)[]) {
    if (k === 'observedRevision' || k === 'observedMerge') continue
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return false
  }
  return true
}
