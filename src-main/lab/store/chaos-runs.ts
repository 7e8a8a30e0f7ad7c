// Store chaos runs: runChaos (chaos.ts) in the lab, one at a time, progress as events, the report and its verdict
// saved in SQLite (bench_runs, kind "store-chaos").
import { badInput } from '../../../src-shared/errors.ts'
import type { StoreChaosOptions, StoreChaosRun } from '../../../src-shared/store-types.ts'
import { resolveChaosOptions, runChaos } from './chaos.ts'
import { StoreRuns, type StoreRunDeps } from './runs.ts'

export class StoreChaosService extends StoreRuns<'store-chaos'> {
  constructor(deps: StoreRunDeps) {
    super(deps, 'store-chaos', 'chaos run id')
  }

  /**
   * Saves the run as running and starts it; resolves at once. One chaos run at a time. Stopping it ends the load and
   * the nemesis; the heal and the checks still run, and it is saved as stopped.
   */
  start(input?: StoreChaosOptions, historyFile?: string): StoreChaosRun {
    if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) throw badInput('chaos options must be an object')
    let options: StoreChaosRun['options']
    try {
      options = resolveChaosOptions(input)
    } catch (e) {
      throw badInput((e as Error).message)
    }
    const { repo, emit, replicaEntry } = this.deps
    return this.launch(
      () => repo.create('store-chaos', options, new Date().toISOString()),
      (id, signal) =>
        runChaos(options, {
          log: (line) => emit({ type: 'store-chaos-progress', runId: id, message: line.trim() }),
          signal,
          replicaEntry,
          historyFile,
        }),
    )
  }
}
