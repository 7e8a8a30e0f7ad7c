// DTOs shared by every layer and host. Plain data only: everything here crosses IPC, HTTP and worker boundaries.
import type { LiveEvent, LiveRunSummary } from './live-types.ts'
import type { StoreBenchRun, StoreBenchSystem, StoreBenchWorkload, StoreChaosRun, StoreView } from './store-types.ts'

/** A parameter a model or scenario accepts, enough to generate a form and to validate input. */
export type ParamSpec =
  | { name: string; kind: 'int'; label: string; description?: string; default: number; min: number; max: number }
  | { name: string; kind: 'bool'; label: string; description?: string; default: boolean }
  | { name: string; kind: 'enum'; label: string; description?: string; default: string; options: string[] }

export type ParamValue = number | boolean | string
export type ParamValues = Record<string, ParamValue>

export type PropertyKind = 'always' | 'sometimes' | 'eventually' | 'converges'

export interface PropertyInfo {
  name: string
  kind: PropertyKind
  description: string
}

export interface ModelInfo {
  id: string
  title: string
  description: string
  params: ParamSpec[]
  properties: PropertyInfo[]
  /** User models (docs/sdk.md): the absolute path of the file it was loaded from. */
  source?: string
  /** User models: why the file could not be loaded (a run of it fails with this error). */
  error?: string
}

/** auto: the portfolio — swarm random walks beside an exhaustive BFS (docs/checker.md). */
export type Strategy = 'bfs' | 'dfs' | 'sim' | 'auto'

/** Simulation shards: this run takes walks index, index+count, index+2·count, … of the seed (index from 0). */
export interface Shard {
  index: number
  count: number
}

/** What a search covered beyond its unique states: random walks, and for the portfolio the BFS beside them. */
export interface SearchCoverage {
  /** Random walks finished, the states they expanded, and the deepest step a walk reached. */
  walks: number
  walkSteps: number
  walkDepth: number
  /** Portfolio: depths the BFS expanded completely. */
  bfsDepth?: number
  /** Portfolio: states its depth-first cycle hunters expanded (each with its own visited set). */
  huntStates?: number
  /** A merged run: how many shard runs were folded in (its unique and generated are sums over them). */
  shards?: number
}

/** Everything needed to start a check; validated by validateRunConfig before any work starts. */
export interface RunConfig {
  model: string
  params: ParamValues
  strategy: Strategy
  workers: number
  /** 0 = unlimited. Depth counts the initial state as 1. */
  maxDepth: number
  /** Seconds; 0 = unlimited. */
  timeout: number
  seed: number
  /** Stop at the first violated property instead of exploring everything. */
  stopOnViolation: boolean
  /** User models: the absolute path of the model file the worker imports (set by the lab from its model list). */
  modelFile?: string
  /** Simulation only: run one of n disjoint walk sets (merge the shard runs with mergeRuns). */
  shard?: Shard
  /** Simulation: number of walks (over all shards); default 1000 without a timeout, unlimited with one. */
  walks?: number
  /** A run made by mergeRuns: the shard runs it folds together. */
  mergedFrom?: number[]
}

export type RunStatus = 'running' | 'done' | 'failed' | 'stopped' | 'interrupted'
export type Verdict = 'holds' | 'violated' | 'unknown'

export interface TraceStep {
  /** 0 for the initial state. */
  index: number
  /** Action that led here; null for the initial state. */
  action: string | null
  /** What the action did, when the model can say (orchestration: the write a controller made, or why it failed). */
  effect?: string
  /** JSON view of the state after the step (model's describe()). */
  state: unknown
}

export interface PropertyResult {
  name: string
  kind: PropertyKind
  description: string
  status: Verdict
  /** Counterexample (always) or witness (sometimes), shortest under BFS. */
  trace?: TraceStep[]
  /** Lasso counterexamples (eventually, converges): trace index where the cycle starts; the last step returns there. */
  loopStart?: number
  /** Found by a random walk: its number under the run's seed (the lowest such walk is reported). */
  walk?: number
  /** What the trace shows: deadlock / lasso (eventually); oscillation / stuck / leaves-goal (converges). */
  counterexample?: 'deadlock' | 'lasso' | 'oscillation' | 'stuck' | 'leaves-goal'
  /** converges: findings over all reachable states and steps-to-converge (system steps to first reach the goal). */
  convergence?: ConvergenceReport
}

export interface ConvergenceReport {
  /** Fair cycles of non-goal states (SCCs), each an oscillation. */
  oscillations: number
  /** Non-goal states with no system action enabled. */
  stuck: number
  /** System steps from a goal state to a non-goal state. */
  leavesGoal: number
  /** Worst case over reachable states from which convergence is bounded. */
  worstSteps: number
  /** States from which a non-goal cycle (fair or not) or a dead end is reachable: no finite bound. */
  unbounded: number
  /** stepsHistogram[k] = reachable states whose worst case is k steps. */
  stepsHistogram: number[]
}

/** One progress reading, taken at most every 250 ms while a check runs. */
export interface ProgressSample {
  elapsedMs: number
  generated: number
  unique: number
  queue: number
  maxDepth: number
  generatedPerSec: number
  uniquePerSec: number
  memoryBytes: number
  /** memoryBytes / unique states. */
  bytesPerState?: number
}

export interface RunSummary {
  id: number
  kind: 'check'
  model: string
  config: RunConfig
  status: RunStatus
  startedAt: string
  finishedAt: string | null
  unique: number
  generated: number
  maxDepth: number
  seconds: number
  /** True when the state space was explored to the end (no depth, time or state limit cut it). */
  complete: boolean
  /** holds when every property holds, violated when one is violated, unknown otherwise. */
  verdict: Verdict
  error: string | null
  /** A name the user gave the run; empty when unnamed. (Optional only for DTOs built outside the repository.) */
  name?: string
  /** Free-form notes. */
  notes?: string
  /** Labels for filtering, trimmed, unique, in the order given. */
  tags?: string[]
  /** Probability that two distinct states shared a 64-bit fingerprint (birthday bound), when known. */
  collisionProbability?: number
  /** Milliseconds from the start to the first violation of an always property, when one was found. */
  firstViolationMs?: number
  /** Random walks and portfolio figures (simulation, auto, merged shards). */
  coverage?: SearchCoverage
  /** The matrix this run is a cell of, if any. */
  matrixId?: number
}

/** What updateRun may change; omitted fields stay as they are. */
export interface RunPatch {
  name?: string
  notes?: string
  tags?: string[]
}

/** A saved comparison of 2–4 runs. */
export interface Comparison {
  id: number
  name: string
  runIds: number[]
  createdAt: string
  updatedAt: string
}

/** saveComparison's input: without an id it creates, with one it renames / re-points that comparison. */
export interface ComparisonInput {
  id?: number
  name: string
  runIds: number[]
}

/** Which trace to replay: a saved property's trace, or an explicit path of action names. */
export interface ReplayTarget {
  property?: string
  /** Action names from the initial state, as formatAction prints them. */
  path?: string[]
}

/** A trace rebuilt by re-running the model from its initial state. */
export interface ReplayResult {
  runId: number
  model: string
  property: string | null
  /** The path that was replayed (action names). */
  path: string[]
  /** Steps reproduced, the initial state first; stops at the first action that could not be taken. */
  steps: TraceStep[]
  /** True when every action was taken and, for a saved trace, every state equals the saved one. */
  reproduced: boolean
  /** Index of the first step that failed or differed from the saved trace; null when reproduced. */
  divergedAt: number | null
  message: string
  /** For a property: the first step where an always-property fails or a sometimes-property holds; null if none. */
  propertyStep: number | null
}

/** Explore by hand: a path of action names from one of the model's initial states. */
export interface ExploreRequest {
  path: string[]
  /** Which initial state (index into the model's init()); default 0, or the one a saved trace starts from. */
  init?: number
  /** Start where this property's saved trace starts (when init is not given). */
  property?: string
}

/** One action enabled in the explored state, with what it would do. */
export interface ExploreChoice {
  action: string
  /** What the step would write or do, when the model says. */
  effect?: string
  /** The state it leads to (describe()). */
  state: unknown
}

export interface ExploreView {
  runId: number
  model: string
  init: number
  /** How many initial states the model has. */
  inits: number
  /** The path as taken (shorter than asked when an action could not be taken: see error). */
  path: string[]
  /** The states along the path, the initial state first. */
  steps: TraceStep[]
  /** Actions enabled in the last state, in the model's order. */
  enabled: ExploreChoice[]
  /** always / sometimes properties evaluated in the last state. */
  checks: { name: string; kind: PropertyKind; holds: boolean }[]
  /** Why the path stopped early; null when every action was taken. */
  error: string | null
}

export interface RunDetail {
  summary: RunSummary
  samples: ProgressSample[]
  /** depthHistogram[d-1] = unique states first found at depth d. */
  depthHistogram: number[]
  properties: PropertyResult[]
  /** Per-action coverage over the whole search (absent for runs before it was counted, resumed runs and simulations). */
  actions?: ActionCoverage[]
  /** A running run's current phase, as the checker last reported it. */
  phase?: PhaseReport
}

/** What the checker is doing: the search, then the analysis of what it found. */
export type RunPhase = 'exploring' | 'checking liveness' | 'building traces' | 'done'

/** The phase with its progress where the phase has one (liveness: properties or, rebuilding, states; traces: traces). */
export interface PhaseReport {
  phase: RunPhase
  /** Units finished of total, and what a unit is ("properties", "states", "traces"). */
  done?: number
  total?: number
  unit?: string
}

/**
 * TLC-style coverage of one action label: how often it was enabled (a successor computed) and how many of those
 * successors were new states. The label is the model's actionLabel(), or its formatted name with digits as "#".
 */
export interface ActionCoverage {
  label: string
  enabled: number
  newStates: number
}

/** Run reports, and 'comparison' (the runs side by side with deltas and ratios against the first). docs/csv.md. */
export type CsvReport = 'summary' | 'samples' | 'depths' | 'properties' | 'convergence' | 'actions' | 'comparison'

export type LabEvent =
  | { type: 'run-started'; run: RunSummary }
  | { type: 'run-progress'; runId: number; samples: ProgressSample[]; depthHistogram: number[] }
  /** A running run moved to a phase, or on within one (the analysis after the search sends no samples). */
  | { type: 'run-phase'; runId: number; phase: PhaseReport }
  | { type: 'run-finished'; run: RunSummary }
  /** The replicated store changed: replicas up or down, heads, links, durability. */
  | { type: 'store-status'; view: StoreView }
  /** A store benchmark moved on to its next system (step of steps). */
  | { type: 'store-bench-progress'; runId: number; step: number; steps: number; message: string }
  /** A store benchmark finished a workload on one system (its median round). */
  | { type: 'store-bench-workload'; runId: number; system: StoreBenchSystem['system']; members: number; workload: StoreBenchWorkload }
  /** A store benchmark ended (done, failed) and was saved. */
  | { type: 'store-bench-finished'; run: StoreBenchRun }
  /** A store chaos run logged a line (a fault, a progress count). */
  | { type: 'store-chaos-progress'; runId: number; message: string }
  /** A store chaos run ended and was saved (its report holds the verdict). */
  | { type: 'store-chaos-finished'; run: StoreChaosRun }
  /** A run's name, notes or tags changed, or it came back from the bin. */
  | { type: 'run-updated'; run: RunSummary }
  | { type: 'runs-deleted'; runIds: number[] }
  /** A matrix cell started or finished (cell is the cell's current state). */
  | { type: 'matrix-progress'; matrix: MatrixSummary; cell: MatrixCell }
  | { type: 'matrix-finished'; matrix: MatrixSummary }
  /** New events of a live run's timeline (batched). */
  | { type: 'live-events'; runId: number; events: LiveEvent[] }
  /** A live run ended (done, stopped, failed) and was saved. */
  | { type: 'live-finished'; run: LiveRunSummary }

/** What startMatrix runs: one scenario (or "all") × consistency levels × instance counts; each cell is a saved run. */
export interface MatrixSpec {
  /** A scenario id, or "all" for every scenario with consistency levels and an instance count. */
  scenario: string
  /** Consistency levels; ["all"] (or empty) for every level the scenario has. */
  consistency: string[]
  /** Values of the scenario's "instances" parameter. */
  instances: number[]
  strategy?: Strategy
  /** Seconds per cell; 0 = unlimited. */
  timeoutPerCell?: number
  /** Depth limit per cell; 0 = unlimited. */
  maxDepth?: number
  /** Cells run at once; default 1. */
  concurrency?: number
  /**
   * Explorer threads each cell's run gets; default the cores shared among the cells at once (at least 1). One cell
   * at a time with every core answers more cells within a time limit than several cells with one core each.
   */
  workersPerCell?: number
  /** Parameters set in every cell (say nodeRestarts or history), over the scenarios' defaults. */
  params?: ParamValues
  /**
   * Only these cells of the grid the fields above span (say an earlier matrix's unknown cells, again with more time);
   * empty or absent: every cell.
   */
  only?: MatrixCellKey[]
}

/** One cell of a matrix's grid. */
export interface MatrixCellKey {
  scenario: string
  consistency: string
  instances: number
}

/** 'pending' until its run starts; then the run's status. */
export type MatrixCellStatus = 'pending' | RunStatus
export type MatrixStatus = 'running' | 'done' | 'stopped' | 'interrupted'

export interface MatrixCell {
  scenario: string
  consistency: string
  instances: number
  /** The cell's saved run; null while pending. */
  runId: number | null
  status: MatrixCellStatus
  verdict: Verdict
  /** Names of the violated properties (empty unless verdict is violated). */
  violated: string[]
  unique: number
  seconds: number
  /** The state space was explored to the end. */
  complete: boolean
  error: string | null
  /** Milliseconds from the cell's start to its first violation, when one was found. */
  firstViolationMs?: number
  /** Worst case system steps to converge over the run's converges properties; null when it has none (or no run yet). */
  worstSteps?: number | null
  /** Unknown cells searched by the portfolio: where its BFS stood when the cell's limit cut it. */
  frontier?: Frontier
}

/** Where a BFS stood when it was cut (src-shared/frontier.ts). Depth counts the initial state as 1. */
export interface Frontier {
  /** Every state up to this depth had been found. */
  depth: number
  /** States at that depth, and at the depth before it. */
  states: number
  before: number
  /** States found one depth deeper when the search was cut, before that depth was whole. */
  beyond: number
}

export interface MatrixSummary {
  id: number
  /** The spec as run: "all" and defaults resolved. */
  spec: Required<MatrixSpec>
  status: MatrixStatus
  startedAt: string
  finishedAt: string | null
  /** Cell counts: how many have ended, and among those by verdict; running and pending cells are counted apart. */
  cellCount: number
  finished: number
  running: number
  pending: number
  holds: number
  violated: number
  unknown: number
}

export interface Matrix extends MatrixSummary {
  /** In order: scenario, then instances, then consistency level. */
  cells: MatrixCell[]
}
