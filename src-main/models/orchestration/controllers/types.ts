// A controller is a pure step function: (view, local state) → at most one API write, plus its new local state.
import type { Write } from '../api.ts'
import type { Cluster } from '../resources.ts'

/** 'custom': a controller of a user model (models/sdk). */
export type ControllerKind = 'scheduler' | 'kubelet' | 'replicaset' | 'deployment' | 'statefulset' | 'job' | 'podgc' | 'custom'

export interface StepInput {
  view: Cluster
  /** The revision of the view (for causal merges, the highest of its parts): recorded as status.observedRevision. */
  rev: number
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
  /** undefined = nothing to do in this view. */
  step(input: StepInput): StepResult | undefined
}

export function sameStatus(a: object, b: object): boolean {
  for (const k of Object.keys(b) as (keyof typeof b)[]) {
    if (k === 'observedRevision') continue
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return false
  }
  return true
}
