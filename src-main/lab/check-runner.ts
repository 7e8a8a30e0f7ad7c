// Runs one check in a worker thread (the coordinator, which spawns `config.workers` explorer threads) and reports
// progress and the outcome; the host's main thread never explores.
//
// Stop means stop: a model whose code never returns (an endless loop in next(), say) cannot see the stop word, so
// a stop, or a timeout that passes unanswered, ends the coordinator thread — and the explorer threads it owns —
// after a short grace. The run is then saved as stopped with the last figures reported.
import { Worker } from 'node:worker_threads'
import type { RunConfig, TraceStep } from '../../src-shared/types.ts'
import type { CheckRequest, ExploreProgress, ExploreResult } from '../checker/run-types.ts'
import { endThread } from '../checker/end-thread.ts'
import { haltBuffer } from '../checker/pool.ts'
import type { CheckWorkerInput, CheckWorkerMessage } from '../checker/check-protocol.ts'
import { modelRefFor } from './model-refs.ts'

export type CheckOutcome =
  | { ok: true; result: ExploreResult }
  /** stopped: the threads were ended because the model's code did not answer a stop or a timeout. */
  | { ok: false; message: string; trace: TraceStep[]; stopped?: boolean }

export interface CheckHandle {
  stop(): void
  readonly done: Promise<CheckOutcome>
}

/** How long a stopped run's threads may take to wind down before they are ended. */
export const STOP_GRACE_MS = 2000
/** After the timeout, how long the search may take to notice it before its threads are ended. */
export const TIMEOUT_GRACE_MS = 3000
/** Before the explorers are up (model loading, initial states), the timeout gets this much more. */
const STARTUP_ALLOWANCE_MS = 10_000

/** The worker entry; the Electron build passes its bundled copy instead of this source file. */
export const DEFAULT_CHECK_WORKER = new URL('../checker/check-worker.ts', import.meta.url)

/** What the lab adds to a validated RunConfig to make the check's request. */
export interface CheckOptions {
  /** BFS checkpoint file; with resume, the run continues from it. */
  checkpoint?: CheckRequest['checkpoint']
  /** The model reference (checker/model-ref.ts; tests name a fixture module); default: resolved from the config. */
  modelModule?: string
  /** The model catalog module references name (the Electron build passes its bundled copy). */
  modelCatalog?: URL | string
  maxStates?: number
  /** Tests only: simulate a crash right after the checkpoint with this many levels is written. */
  testCrashAfterCheckpointDepth?: number
  /** Tests only: delay each checkpoint write by this much. */
  testCheckpointDelayMs?: number
}

/** The check's one request, built once from the validated config: every thread of the check receives it unchanged. */
export function checkRequest(config: RunConfig, options: CheckOptions = {}): CheckRequest {
  const { modelModule, modelCatalog, ...rest } = options
  return { ...config, modelModule: modelModule ?? modelRefFor(config, modelCatalog), ...rest }
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

/** Starts the check in a coordinator thread; `closing` marks the last report, made from the result. */
export function runCheck(
  request: CheckRequest,
  onProgress: (p: ExploreProgress, closing: boolean) => void,
  workerEntry: URL | string = DEFAULT_CHECK_WORKER,
): CheckHandle {
  const config = request
  const control = haltBuffer()
  const entry = workerEntry instanceof URL ? workerEntry.href : workerEntry
  const input: CheckWorkerInput = { role: 'coordinator', request, control, entry }
  const worker = new Worker(workerEntry, { workerData: input })
  let settled = false
  let exited = false
  let stopTimer: NodeJS.Timeout | null = null
  let timeoutTimer: NodeJS.Timeout | null = null
  let settle: (o: CheckOutcome) => void = () => {}
  const done = new Promise<CheckOutcome>((resolve) => {
    settle = (o: CheckOutcome): void => {
      if (settled) return
      settled = true
      if (stopTimer) clearTimeout(stopTimer)
      if (timeoutTimer) clearTimeout(timeoutTimer)
      resolve(o)
      // Its work is done and its explorers have ended: the thread runs out by itself.
      void endThread(worker, exited)
    }
    worker.on('message', (m: CheckWorkerMessage) => {
      if (m.type === 'progress') onProgress(m.progress, m.closing === true)
      else if (m.type === 'armed') armTimeout(config.timeout * 1000 + TIMEOUT_GRACE_MS)
      else if (m.type === 'searched') {
        if (timeoutTimer) clearTimeout(timeoutTimer)
        timeoutTimer = null
      } else if (m.type === 'done') settle({ ok: true, result: m.result })
      else settle({ ok: false, message: m.message, trace: m.trace })
    })
    worker.on('error', (err) => settle({ ok: false, message: `checker worker crashed: ${errorText(err)}`, trace: [] }))
    worker.on('exit', (code) => {
      exited = true
      settle({ ok: false, message: `checker worker exited with code ${code}`, trace: [] })
    })
  })
  /** Ends the coordinator (and with it its explorers) mid-work. */
  const force = (message: string): void => {
    if (settled) return
    settle({ ok: false, message, trace: [], stopped: true })
    void worker.terminate()
  }
  const armTimeout = (ms: number): void => {
    if (config.timeout <= 0 || settled) return
    if (timeoutTimer) clearTimeout(timeoutTimer)
    timeoutTimer = setTimeout(
      () => force(`timeout: the model's code did not return within ${TIMEOUT_GRACE_MS / 1000} s of the ${config.timeout} s limit; its threads were ended`),
      ms,
    )
  }
  armTimeout(config.timeout * 1000 + STARTUP_ALLOWANCE_MS + TIMEOUT_GRACE_MS)
  return {
    stop: () => {
      Atomics.store(new Int32Array(control), 0, 1)
      if (!stopTimer && !settled) {
        stopTimer = setTimeout(() => force(`the check did not return within ${STOP_GRACE_MS / 1000} s of the stop (model code that never returns, or a long pass after the search); its threads were ended`), STOP_GRACE_MS)
      }
    },
    done,
  }
}
