// Runs the parallel checker (coordinator on the test thread, explorers in worker threads).
import type { ParamValues, Strategy } from '../../../src-shared/types.ts'
import { runPool, type PoolOptions } from '../../../src-main/checker/pool.ts'
import type { ExploreResult } from '../../../src-main/checker/run-types.ts'
import { modelRefFor } from '../../../src-main/lab/model-refs.ts'

export const ENTRY = new URL('../../../src-main/checker/check-worker.ts', import.meta.url)

export function check(
  model: string,
  params: ParamValues,
  more: Partial<PoolOptions> & { workers?: number; strategy?: Strategy } = {},
): Promise<ExploreResult> {
  return runPool({
    model,
    params,
    workers: 1,
    strategy: 'bfs',
    maxDepth: 0,
    timeoutMs: 0,
    maxStates: 0,
    stopOnViolation: false,
    seed: 1,
    entry: ENTRY,
    initialLog2: 12,
    ...more,
    // The lab resolves a model id into the reference the checker imports; a test names a fixture module instead.
    modelModule: more.modelModule ?? modelRefFor({ model }),
  })
}

export const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).href
