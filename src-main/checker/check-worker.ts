// The checker's worker-thread entry, in three roles: the coordinator of a check (started by the lab's runCheck; it
// spawns the explorers and never explores itself), an explorer (started by the coordinator from this same file),
// and model-info (the lab lists user model files by importing them here, never in its own thread). One entry file
// means the Electron build bundles one module for all three. Models come only as references (model-ref.ts).
// Each role imports only what it needs, so an explorer thread starts in a fraction of the coordinator's time.
import { parentPort, workerData } from 'node:worker_threads'
import type { CheckWorkerInput, CheckWorkerMessage, ModelInfoAnswer, ModelInfoInput } from './check-protocol.ts'
import type { ExplorerInit, FromExplorer } from './protocol.ts'

const data = workerData as CheckWorkerInput | ExplorerInit | ModelInfoInput

if (data.role === 'model-info') {
  const { loadDefinition, parseModelRef } = await import('./model-ref.ts')
  const answer: ModelInfoAnswer = []
  for (const ref of data.refs) {
    try {
      answer.push({ info: (await loadDefinition(parseModelRef(ref))).info })
    } catch (err) {
      answer.push({ error: err instanceof Error ? err.message : String(err) })
    }
  }
  parentPort!.postMessage(answer)
} else if (data.role === 'explorer') {
  const init = data
  const [{ runExplorer }, { loadModel }] = await Promise.all([import('./explorer.ts'), import('./load-model.ts')])
  loadModel(init.request.model, init.request.params, init.request.modelModule).then(
    (model) => runExplorer(init, model, parentPort!),
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err)
      parentPort!.postMessage({
        t: 'failed',
        failure: { message, phase: 'create', id: null, action: -1, actionName: null },
      } satisfies FromExplorer)
    },
  )
} else {
  const [{ runPool }, { ModelFailure }] = await Promise.all([import('./pool.ts'), import('./model-failure.ts')])
  const { request: config, control, entry } = data
  // A message that cannot be cloned (a value a model put in a result) fails the run with the cause instead of
  // ending the thread with an empty error.
  const post = (m: CheckWorkerMessage): void => {
    try {
      parentPort!.postMessage(m)
    } catch (err) {
      const why = err instanceof Error && err.message ? err.message : String(err)
      parentPort!.postMessage({ type: 'failed', message: `model "${config.model}": the checker could not send its ${m.type} report: ${why}`, trace: [] })
    }
  }
  runPool(data.request, {
    entry: entry ?? import.meta.url,
    halt: control,
    onProgress: (progress, closing) => post({ type: 'progress', progress, ...(closing ? { closing } : {}) }),
    onArmed: () => post({ type: 'armed' }),
    onSearched: () => post({ type: 'searched' }),
  }).then(
    (result) => post({ type: 'done', result }),
    (err: unknown) => {
      const text = err instanceof Error ? err.message : String(err)
      const own = `model "${config.model}"`
      const label = config.modelFile && !text.includes(config.modelFile) ? `${own} (${config.modelFile})` : own
      // A file the system refused (a checkpoint on a full or vanished disk) is not the model's doing.
      const code = err instanceof ModelFailure ? undefined : (err as { code?: unknown } | null)?.code
      const systemError = typeof code === 'string' && /^E[A-Z]+$/.test(code)
      const message = systemError ? `the checker could not use a file: ${text}` : text.startsWith(own) ? label + text.slice(own.length) : `${label}: ${text}`
      post({ type: 'failed', message, trace: err instanceof ModelFailure ? err.trace : [] })
    },
  )
}
