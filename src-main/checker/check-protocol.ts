// Messages between the lab (main thread) and a checker worker (check-worker.ts), and the model-info role's.
import type { ModelInfo, RunConfig, TraceStep } from '../../src-shared/types.ts'
import type { ExploreProgress, ExploreResult } from './run-types.ts'

export interface CheckWorkerInput {
  role?: 'coordinator'
  config: RunConfig
  /** Int32Array view (H_WORDS words, see checker/protocol.ts): [0] = 1 asks the run to stop. Shared so workers see it mid-loop. */
  control: SharedArrayBuffer
  /** This worker's own entry (file path or URL string): the coordinator spawns its explorers from it. */
  entry: string
  /** BFS checkpoints: file, cadence, and whether to resume from it. */
  checkpoint?: { file: string; everyMs: number; resume?: boolean; key?: string }
  /** The model reference (model-ref.ts) every thread imports: resolved by the lab from config.model / modelFile. */
  modelModule: string
  /** 0 = unlimited. */
  maxStates?: number
  /** Simulation walk budget (see PoolOptions.walks). */
  walks?: number
  /** Tests only: the coordinator thread exits right after writing the checkpoint with this many levels. */
  testCrashAfterCheckpointDepth?: number
}

export type CheckWorkerMessage =
  | { type: 'progress'; progress: ExploreProgress }
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
