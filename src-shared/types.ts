// DTOs shared by every layer and host. Plain data only: everything here crosses IPC, HTTP and worker boundaries.

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
}

export type Strategy = 'bfs' | 'dfs' | 'sim'

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
}

export type RunStatus = 'running' | 'done' | 'failed' | 'stopped' | 'interrupted'
export type Verdict = 'holds' | 'violated' | 'unknown'

export interface TraceStep {
  /** 0 for the initial state. */
  index: number
  /** Action that led here; null for the initial state. */
  action: string | null
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
}

export interface RunDetail {
  summary: RunSummary
  samples: ProgressSample[]
  /** depthHistogram[d-1] = unique states first found at depth d. */
  depthHistogram: number[]
  properties: PropertyResult[]
}

export type CsvReport = 'summary' | 'samples' | 'depths' | 'properties'

export type LabEvent =
  | { type: 'run-started'; run: RunSummary }
  | { type: 'run-progress'; runId: number; samples: ProgressSample[]; depthHistogram: number[] }
  | { type: 'run-finished'; run: RunSummary }
