// Live mode's contract: the run request, the events of its timeline and the saved result (DESIGN.md, "Live mode").
import type { ParamValues, PropertyKind, TraceStep, Verdict } from './types.ts'

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
  /** always properties: the state where it was first seen violated (runs saved before it was kept have none). */
  state?: LiveViolationState
}

/** A member's (or the merged) objects and the kubelets' running containers at the moment a property broke. */
export interface LiveViolationState {
  /** A member name or "merged". */
  where: string
  /** The member's revision then (-1 for the merged state). */
  rev: number
  /** "Kind/name" → the object as that member held it. */
  objects: Record<string, unknown>
  /** Kubelet node → running containers ("pod@uid"). */
  running: Record<string, string[]>
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

/**
 * A live violation as a trace: the events from the last disturbance (fault, or the start) before a property's first
 * violation up to it, as steps the trace views read (a controller's step is "<who> reads @<rev>"), with the objects
 * they touched and the member's state where the property broke.
 */
export interface LiveTrace {
  runId: number
  scenario: string
  store: LiveStore
  replicas: number
  level: string
  property: string
  kind: PropertyKind
  /** Where it was first violated: a member name or "merged". */
  where: string
  violatedAtMs: number
  /** The disturbance the slice starts from: the last one at or before the violation ("start" when no fault came first). */
  from: { label: string; atMs: number }
  /** The timeline's events in the slice (monitor convergence notes left out), the violation last. */
  events: LiveEvent[]
  /** Step 0 is the disturbance; then one step per event; the last step is the violation. */
  steps: TraceStep[]
  /** Objects the slice's events wrote ("Pod/db-0") and containers they started or stopped ("container db-0@u2 on node1"). */
  objects: string[]
  /** The member's state where the property broke, the involved objects first; absent for runs saved before it was kept. */
  state?: LiveViolationState
}

/** Per property: the checker's verdict against what the live run observed. */
export interface LiveComparisonProperty {
  name: string
  kind: PropertyKind
  /** null: the check has no such property. */
  predicted: Verdict | null
  /** null: the live monitor does not judge it. */
  observed: Verdict | null
  firstViolationMs?: number
  where?: string
  relation: LiveRelation
}

/**
 * How an observation stands to a prediction. The checker speaks of every execution, a live run is one: a predicted
 * violation a run does not show is "not-seen", not a contradiction. confirmed: both violated; consistent: both hold;
 * contradicts: the run saw what the checker ruled out; open: a side is unknown or missing.
 */
export type LiveRelation = 'confirmed' | 'consistent' | 'not-seen' | 'contradicts' | 'open'

/** A live run beside the check that predicts it: the matrix cell (or a chosen check run) of its scenario, level and instances. */
export interface LiveComparison {
  live: LiveRunSummary
  /** The consistency level the live set-up realises (docs/live.md) and the instances it ran. */
  level: string
  instances: number
  /** Where the prediction comes from; null when no such cell or check is saved. */
  source: { kind: 'matrix'; matrixId: number; runId: number } | { kind: 'run'; runId: number } | null
  /** The command that saves such a cell (shown when none is saved). */
  command: string
  check?: { runId: number; status: string; verdict: Verdict; complete: boolean; unique: number; seconds: number; params: ParamValues }
  properties: LiveComparisonProperty[]
  convergence: {
    /** The checker's worst-case steps to converge (its converges property); null when it reported none. */
    predictedWorstSteps: number | null
    /** States from which the checker found no bound (a non-goal cycle or a dead end reachable). */
    predictedUnbounded: number | null
    predictedVerdict: Verdict | null
    observedConverged: boolean
    /** Writes after the last disturbance until converged, and the milliseconds. */
    observedSteps: number
    observedMs: number
    /** The most writes any disturbance of the live run needed. */
    observedWorstSteps: number
    /** observedWorstSteps ≤ predictedWorstSteps; null when either is missing. */
    withinPrediction: boolean | null
  }
}
