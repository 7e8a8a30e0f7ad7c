// Worker-thread entry: instantiates the model and explores it off the host's main thread.
import { parentPort, workerData } from 'node:worker_threads'
import { explore, ModelFailure } from '../checker/explore.ts'
import { getModelDefinition } from '../models/registry.ts'
import type { CheckWorkerInput, CheckWorkerMessage } from './check-protocol.ts'

const { config, control } = workerData as CheckWorkerInput
const stopFlag = new Int32Array(control)
const post = (m: CheckWorkerMessage): void => parentPort!.postMessage(m)

try {
  const model = getModelDefinition(config.model).create(config.params)
  const result = explore(
    model,
    { maxDepth: config.maxDepth, timeoutMs: config.timeout * 1000, maxStates: 0, stopOnViolation: config.stopOnViolation },
    { shouldStop: () => Atomics.load(stopFlag, 0) === 1, onProgress: (progress) => post({ type: 'progress', progress }) },
  )
  post({ type: 'done', result })
} catch (err) {
  const message = `model "${config.model}": ${err instanceof Error ? err.message : String(err)}`
  post({ type: 'failed', message, trace: err instanceof ModelFailure ? err.trace : [] })
}
