// Live mode's contract: the run request, the events of its timeline and the saved result (DESIGN.md, "Live mode").
import type { ParamValues, PropertyKind } from './types.ts'

export type LiveStore = 'etcd' | 'stabilis'
export type LiveFaultKind = 'partition' | 'heal' | 'kill' | 'restart' | 'node-restart' | 'controller-restart' | 'user'

export interface LiveFault {
  atMs: number
  kind: LiveFaultKind
  /** A member ("r2", "e1" or "@<controller>"), a node, a controller ("*": all but kubelets) or a user action label. */
  target?: string
}

export interface LiveConfig {
  scenario: string
  store: LiveStore
  /** Store members (etcd) or replicas (stabilis); default 1 for etcd, 3 for stabilis. */
  replicas?: number
  /** A preset name (none, partition, kill, restart, stale-node) or a plan. */
  faults?: string | LiveFault[]
  /** Longest run in seconds; a run ends earlier once converged after its last fault. Default 10. */
  durationS?: number
  /** Scenario parameters (nodes, replicas, instances) and live settings (lagMs, jitterMs, settleMs). */
  params?: ParamValues
  seed?: number
}

export type LiveStatus = 'running' | 'done' | 'stopped' | 'failed' | 'interrupted'

export interface LiveEvent {
  seq: number
  atMs: number
  type: 'write' | 'containers' | 'fault' | 'violation' | 'converged' | 'error'
  /** The controller, "user", "fault" or "monitor". */
  who: string
  /** Store member the writer is attached to (index into the run's members). */
  endpoint?: number
  /** Revision of the view acted on, on that member. */
  viewRev?: number
  what: string
  ok?: boolean
  reason?: string
}

export interface LivePropertyResult {
  name: string
  kind: PropertyKind
  status: 'holds' | 'violated' | 'unknown'
  firstViolationMs?: number
  /** Where it was first violated: a member name or "merged". */
  where?: string
  /** Sequence number of the event after which it was first seen violated (its trace is the events up to there). */
  atSeq?: number
  /** always properties: when it stopped and started holding again (on any member or the merge), [ms, holds]. */
  changes?: [number, boolean][]
}

export interface LiveDisturbance {
  label: string
  atMs: number
  converged: boolean
  /** Writes (reconcile steps) from the disturbance until the goal held with nobody writing. */
  steps: number
  ms: number
}

export interface LiveResult {
  runId: number
  status: LiveStatus
  scenario: string
  store: LiveStore
  replicas: number
  seed: number
  properties: LivePropertyResult[]
  /** Convergence after the last disturbance (the start when there were no faults). */
  convergence: { converged: boolean; steps: number; ms: number }
  disturbances: LiveDisturbance[]
  faults: (LiveFault & { appliedMs?: number; error?: string })[]
  writes: { total: number; accepted: number; rejected: number; unavailable: number; byController: Record<string, number> }
  /** A resource's spec returning to an earlier value while writes go on. */
  oscillations: number
  /** Which model consistency level this set-up realises (docs/live.md). */
  level: string
  seconds: number
  error?: string
}

/** The checker's prediction for a live run: the newest saved check of its scenario at the level it realises. */
export interface LivePrediction {
  level: string
  runId?: number
  verdict?: 'holds' | 'violated' | 'unknown'
  complete?: boolean
  violated?: string[]
  /** The checker's worst-case steps to converge (its `converges` property), when it reported them. */
  worstSteps?: number
}

export interface LiveRunSummary {
  id: number
  kind: 'live'
  scenario: string
  store: LiveStore
  replicas: number
  status: LiveStatus
  startedAt: string
  finishedAt: string | null
  result: LiveResult | null
  config: LiveConfig
  /** Why a failed run failed. */
  error: string | null
  /** getLiveRun only. */
  prediction?: LivePrediction
}
