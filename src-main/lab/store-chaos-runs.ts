// Store chaos runs: runChaos (lab/store/chaos.ts) in the lab, one at a time, progress as events, the report and its
// verdict saved in SQLite (bench_runs, kind "store-chaos").
import { badInput } from '../../src-shared/errors.ts'
import type { StoreChaosOptions, StoreChaosRun } from '../../src-shared/store-types.ts'
import type { LabEvent } from '../../src-shared/types.ts'
import type { RunRepository } from './db/run-repository.ts'
import { resolveChaosOptions, runChaos } from './store/chaos.ts'

export interface StoreChaosServiceDeps {
  repo: RunRepository
  emit: (event: LabEvent) => void
  replicaEntry?: string
}

export class StoreChaosService {
  private readonly deps: StoreChaosServiceDeps
  private readonly active = new Map<number, { done: Promise<StoreChaosRun>; abort: AbortController }>()

  constructor(deps: StoreChaosServiceDeps) {
    this.deps = deps
    deps.repo.markBenchRunsInterrupted()
  }

  /** Saves the run as running and starts it; resolves at once. One chaos run at a time. */
  start(input?: StoreChaosOptions, historyFile?: string): StoreChaosRun {
    if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) throw badInput('chaos options must be an object')
    let options: StoreChaosRun['options']
    try {
      options = resolveChaosOptions(input)
    } catch (e) {
      throw badInput((e as Error).message)
    }
    if (this.active.size) throw badInput('a store chaos run is already running: wait for it to finish')
    const { repo, emit } = this.deps
    const id = repo.createChaosRun(options, new Date().toISOString())
    const abort = new AbortController()
    const done = (async (): Promise<StoreChaosRun> => {
      try {
        const report = await runChaos(options, {
          log: (line) => emit({ type: 'store-chaos-progress', runId: id, message: line.trim() }),
          signal: abort.signal,
          replicaEntry: this.deps.replicaEntry,
          historyFile,
        })
        repo.finishChaosRun(id, { status: abort.signal.aborted ? 'stopped' : 'done', report, error: null })
      } catch (err) {
        repo.finishChaosRun(id, { status: 'failed', report: null, error: err instanceof Error ? err.message : String(err) })
      } finally {
        this.active.delete(id)
      }
      const run = repo.getChaosRun(id)
      emit({ type: 'store-chaos-finished', run })
      return run
    })()
    this.active.set(id, { done, abort })
    return repo.getChaosRun(id)
  }

  list(): StoreChaosRun[] {
    return this.deps.repo.listChaosRuns()
  }

  get(id: number): StoreChaosRun {
    if (!Number.isInteger(id)) throw badInput(`chaos run id must be a whole number, got ${JSON.stringify(id)}`)
    return this.deps.repo.getChaosRun(id)
  }

  async wait(id: number): Promise<StoreChaosRun> {
    return this.active.get(id)?.done ?? this.get(id)
  }

  /** Stops a running chaos run: the load and the nemesis end, the heal and the checks still run, and it is saved as stopped. */
  async stop(id: number): Promise<StoreChaosRun> {
    const run = this.get(id)
    const a = this.active.get(id)
    if (!a) throw badInput(`store chaos run ${id} is not running (it is ${run.status})`)
    a.abort.abort()
    return a.done
  }

  async stopAll(): Promise<void> {
    const all = [...this.active.values()]
    for (const a of all) a.abort.abort()
    await Promise.all(all.map((a) => a.done))
  }
}
