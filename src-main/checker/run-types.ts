// The progress and result of a check, whichever search produced it: the parallel engine (pool.ts) and the
// reference BFS (reference-bfs.ts) report these, and the lab saves them.
import type { ActionCoverage, PhaseReport, PropertyResult, SearchCoverage, Strategy } from '../../src-shared/types.ts'

export type StopReason = 'complete' | 'depth' | 'timeout' | 'states' | 'stopped' | 'violation'

export interface ExploreProgress {
  elapsedMs: number
  generated: number
  unique: number
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
