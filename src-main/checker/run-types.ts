// The request for a check, and its progress and result whichever search produced it. The lab builds one
// CheckRequest from a validated RunConfig; the coordinator thread, the pool, the strategies and every explorer
// receive it unchanged (their own handles travel beside it, never folded in). The parallel engine (pool.ts) and the
// reference BFS (reference-bfs.ts) report the progress and result types, and the lab saves them as they are.
import type { ActionCoverage, PhaseReport, PropertyResult, RunConfig, SearchCoverage, Strategy } from '../../src-shared/types.ts'

/** One check: the run's validated configuration (units as saved: timeout in seconds) and what the lab resolved. */
export interface CheckRequest extends RunConfig {
  /** The model reference (model-ref.ts) every thread imports, resolved once by the lab (tests name a fixture module). */
  modelModule: string
  /** 0 or absent = unlimited; stop once about this many unique states are stored (exact with one worker). */
  maxStates?: number
  /** Simulation: states per walk (default maxDepth, or 1000; the portfolio: maxDepth, or 256). */
  walkLength?: number
  /** BFS checkpoints: written at level ends at most every everyMs into file; resume continues from it. */
  checkpoint?: { file: string; everyMs: number; resume?: boolean; keep?: boolean; key?: string }
  /** Tests only: the coordinator thread exits right after writing the checkpoint with this many levels. */
  testCrashAfterCheckpointDepth?: number
  /** Tests only: each checkpoint write starts this much later (so it is still in flight when the search ends). */
  testCheckpointDelayMs?: number
}

/** Explorer threads: at least one. */
export const workersOf = (r: CheckRequest): number => Math.max(1, r.workers | 0)
/** Walks to run (over all shards): the request's, else 1000 without a timeout and unlimited with one. */
export const walksOf = (r: CheckRequest): number => r.walks ?? (r.timeout > 0 ? Number.MAX_SAFE_INTEGER : 1000)
/** States per walk: the request's, else the depth limit, else 1000 (the portfolio's swarm walks: 256). */
export const walkLengthOf = (r: CheckRequest): number => r.walkLength ?? (r.maxDepth > 0 ? r.maxDepth : r.strategy === 'auto' ? 256 : 1000)

export type StopReason = 'complete' | 'depth' | 'timeout' | 'states' | 'stopped' | 'violation'

export interface ExploreProgress {
  elapsedMs: number
  generated: number
  unique: number
  /** States per second since the previous report (rates.ts). */
  generatedPerSec: number
  uniquePerSec: number
  queue: number
  maxDepth: number
  memoryBytes: number
  depthHistogram: number[]
  /** memoryBytes / unique (visited set, parent links, queued frontier). */
  bytesPerState?: number
  /** Bytes held by the visited set alone. */
  visitedBytes?: number
  /** Absent while exploring; after the search, the analysis phase and how far it is. */
  phase?: PhaseReport
}

export interface ExploreResult {
  unique: number
  generated: number
  maxDepth: number
  elapsedMs: number
  complete: boolean
  stopReason: StopReason
  depthHistogram: number[]
  memoryBytes: number
  properties: PropertyResult[]
  bytesPerState?: number
  visitedBytes?: number
  /** Probability that two distinct states shared a fingerprint in this run (birthday bound). */
  collisionProbability?: number
  workers?: number
  strategy?: Strategy
  /** Milliseconds from the start to the first violation of an always property, when one was found. */
  firstViolationMs?: number
  /** What random walks covered (simulation, portfolio), and the BFS beside them. */
  coverage?: SearchCoverage
  /** Per action label: times enabled and new states produced, over the whole search (coverage.ts). */
  actions?: ActionCoverage[]
}
