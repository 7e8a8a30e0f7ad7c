// Runs the parallel checker (coordinator on the test thread, explorers in worker threads).
import type { ParamValues } from '../../../src-shared/types.ts'
import { runPool, type PoolRuntime } from '../../../src-main/checker/pool.ts'
import type { CheckRequest, ExploreResult } from '../../../src-main/checker/run-types.ts'
import { modelRefFor } from '../../../src-main/lab/model-refs.ts'

export const ENTRY = new URL('../../../src-main/checker/check-worker.ts', import.meta.url)

type Runtime = Omit<PoolRuntime, 'entry'>
const RUNTIME_KEYS = ['halt', 'onProgress', 'onArmed', 'onSearched', 'progressEveryMs', 'initialLog2'] as const

/** `more` mixes request fields and the pool's own handles (halt, onProgress, …); they are passed apart, as a check does. */
export function check(model: string, params: ParamValues, more: Partial<CheckRequest> & Runtime = {}): Promise<ExploreResult> {
  const runtime: PoolRuntime = { entry: ENTRY, initialLog2: 12 }
  const request: Partial<CheckRequest> & Runtime = { ...more }
  for (const k of RUNTIME_KEYS) {
    if (more[k] !== undefined) (runtime as unknown as Record<string, unknown>)[k] = more[k]
    delete request[k]
  }
  return runPool(
    {
      model,
      params,
      workers: 1,
      strategy: 'bfs',
      maxDepth: 0,
      timeout: 0,
      maxStates: 0,
      stopOnViolation: false,
      seed: 1,
      ...request,
      // The lab resolves a model id into the reference the checker imports; a test names a fixture module instead.
      modelModule: more.modelModule ?? modelRefFor({ model }),
    },
    runtime,
  )
}

export const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).href
