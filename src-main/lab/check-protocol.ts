// Messages between the lab (main thread) and a checker worker.
import type { RunConfig, TraceStep } from '../../src-shared/types.ts'
import type { ExploreProgress, ExploreResult } from '../checker/explore.ts'

export interface CheckWorkerInput {
  config: RunConfig
  /** Int32Array view: [0] = 1 asks the worker to stop. Shared so the worker sees it mid-loop. */
  control: SharedArrayBuffer
}

export type CheckWorkerMessage =
  | { type: 'progress'; progress: ExploreProgress }
  | { type: 'done'; result: ExploreResult }
  | { type: 'failed'; message: string; trace: TraceStep[] }
