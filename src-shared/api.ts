// The LabApi contract: the one interface every host exposes (Electron preload, web host, in-process for the CLI).
import type { CsvReport, LabEvent, ModelInfo, RunConfig, RunDetail, RunSummary } from './types.ts'

export interface LabApi {
  listModels(): Promise<ModelInfo[]>
  /** Validates, saves and starts a check; resolves once the run exists, not when it ends. */
  startRun(config: RunConfig): Promise<RunSummary>
  /** Asks a running check to stop; it is saved as "stopped" with the figures reached. */
  stopRun(runId: number): Promise<void>
  getRun(runId: number): Promise<RunDetail>
  listRuns(): Promise<RunSummary[]>
  exportCsv(runIds: number[], report: CsvReport): Promise<string>
  /** Subscribes to run events; returns the unsubscribe function. */
  onEvent(listener: (event: LabEvent) => void): () => void
}

/** The request/response methods of LabApi (everything but onEvent), in one list so hosts can wire them all. */
export const LAB_METHODS = ['listModels', 'startRun', 'stopRun', 'getRun', 'listRuns', 'exportCsv'] as const
export type LabMethod = (typeof LAB_METHODS)[number]

/** Channel prefix for Electron IPC; events travel on LAB_EVENT_CHANNEL. */
export const LAB_IPC_PREFIX = 'lab:'
export const LAB_EVENT_CHANNEL = 'lab:event'

/** Error carried across a host boundary with a code the caller can act on. */
export interface LabErrorShape {
  code: 'bad-input' | 'not-found' | 'internal'
  message: string
}
