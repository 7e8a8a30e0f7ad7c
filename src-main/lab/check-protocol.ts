// Messages between the lab (main thread) and a checker worker.
import type { RunConfig, TraceStep } from '../../src-shared/types.ts'
import type { ExploreProgress, ExploreResult } from '../checker/explore.ts'

export interface CheckWorkerInput {
  role?: 'coordinator'
  config: RunConfig
  /** Int32Array view (H_WORDS words, see checker/protocol.ts): [0] = 1 asks the run to stop. Shared so workers see it mid-loop. */
  control: SharedArrayBuffer
  /** This worker's own entry (file path or URL string): the coordinator spawns its explorers from it. */
  entry: string
  /** BFS checkpoints: file, cadence, and whether to resume from it. */
  checkpoint?: { file: string; everyMs: number; resume?: boolean; key?: string }
  /** A module whose default export is a ModelDefinition (tests); else config.model is looked up in the registry. */
  modelModule?: string
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
