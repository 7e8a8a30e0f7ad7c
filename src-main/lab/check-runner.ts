// Runs one check in a worker thread (the coordinator, which spawns `config.workers` explorer threads) and reports
// progress and the outcome; the host's main thread never explores.
import { Worker } from 'node:worker_threads'
import type { RunConfig, TraceStep } from '../../src-shared/types.ts'
import type { ExploreProgress, ExploreResult } from '../checker/explore.ts'
import { endThread } from '../checker/end-thread.ts'
import { haltBuffer } from '../checker/pool.ts'
import type { CheckWorkerInput, CheckWorkerMessage } from './check-protocol.ts'

export type CheckOutcome = { ok: true; result: ExploreResult } | { ok: false; message: string; trace: TraceStep[] }

export interface CheckHandle {
  stop(): void
  readonly done: Promise<CheckOutcome>
}

/** The worker entry; the Electron build passes its bundled copy instead of this source file. */
export const DEFAULT_CHECK_WORKER = new URL('./check-worker.ts', import.meta.url)

export interface CheckOptions {
  /** BFS checkpoint file; with resume, the run continues from it. */
  checkpoint?: { file: string; everyMs: number; resume?: boolean }
  /** A module whose default export is a ModelDefinition (tests, user models). */
  modelModule?: string
  maxStates?: number
  walks?: number
  /** Tests only: simulate a crash right after the checkpoint with this many levels is written. */
  testCrashAfterCheckpointDepth?: number
}

/** An error's own words; one thrown across a thread can arrive with an empty message, so its name and kind stand in. */
export function errorText(err: unknown): string {
  if (err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err)) {
    const e = err as { message?: unknown; name?: unknown }
    if (typeof e.message === 'string' && e.message !== '') return e.message
    if (typeof e.name === 'string' && e.name !== '') return `${e.name} (no message)`
  }
  const text = String(err)
  return text === '' || text === '[object Object]' ? `a thrown ${typeof err} with no message` : text
}

export function runCheck(
  config: RunConfig,
  onProgress: (p: ExploreProgress) => void,
  workerEntry: URL | string = DEFAULT_CHECK_WORKER,
  options: CheckOptions = {},
): CheckHandle {
  const control = haltBuffer()
  const entry = workerEntry instanceof URL ? workerEntry.href : workerEntry
  const input: CheckWorkerInput = { role: 'coordinator', config, control, entry, ...options }
  const worker = new Worker(workerEntry, { workerData: input })
  let settled = false
  let exited = false
  const done = new Promise<CheckOutcome>((resolve) => {
    const settle = (o: CheckOutcome): void => {
      if (settled) return
      settled = true
      resolve(o)
      // Its work is done and its explorers have ended: the thread runs out by itself.
      void endThread(worker, exited)
    }
    worker.on('message', (m: CheckWorkerMessage) => {
      if (m.type === 'progress') onProgress(m.progress)
      else if (m.type === 'done') settle({ ok: true, result: m.result })
      else settle({ ok: false, message: m.message, trace: m.trace })
    })
    worker.on('error', (err) => settle({ ok: false, message: `checker worker crashed: ${errorText(err)}`, trace: [] }))
    worker.on('exit', (code) => {
      exited = true
      settle({ ok: false, message: `checker worker exited with code ${code}`, trace: [] })
    })
  })
  return {
    stop: () => Atomics.store(new Int32Array(control), 0, 1),
    done,
  }
}
