// Messages between the lab (main thread) and a checker worker (check-worker.ts), and the model-info role's.
import type { ModelInfo, TraceStep } from '../../src-shared/types.ts'
import type { CheckRequest, ExploreProgress, ExploreResult } from './run-types.ts'

export interface CheckWorkerInput {
  role?: 'coordinator'
  /** The check, as the lab built it; passed on to the pool and the explorers unchanged. */
  request: CheckRequest
  /** Int32Array view (H_WORDS words, see checker/protocol.ts): [0] = 1 asks the run to stop. Shared so workers see it mid-loop. */
  control: SharedArrayBuffer
  /** This worker's own entry (file path or URL string): the coordinator spawns its explorers from it. */
  entry: string
}

export type CheckWorkerMessage =
  /** closing: the last report, made from the result (not a live figure). */
  | { type: 'progress'; progress: ExploreProgress; closing?: boolean }
  /** The explorers are up and the run's timeout is counting. */
  | { type: 'armed' }
  /** The search has ended; verdicts and traces are being computed. */
  | { type: 'searched' }
  | { type: 'done'; result: ExploreResult }
  | { type: 'failed'; message: string; trace: TraceStep[] }

/** The model-info role: each reference's ModelInfo, or why it does not load; imported in a fresh thread. */
export interface ModelInfoInput {
  role: 'model-info'
  refs: string[]
}
export type ModelInfoAnswer = ({ info: ModelInfo } | { error: string })[]
