// Ending a worker thread gently: told to finish (or simply done), it runs out by itself; terminate() — stopping a
// thread from outside, possibly mid-work — is only the fallback after a grace period.
import type { Worker } from 'node:worker_threads'

/** Resolves once `worker` has exited. `ask` tells it to finish; `exited` says it already has. */
export function endThread(worker: Worker, exited: boolean, ask?: () => void, graceMs = 1000): Promise<void> {
  if (exited) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => void worker.terminate(), graceMs)
    worker.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    ask?.()
  })
}
