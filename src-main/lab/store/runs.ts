// Store runs in the lab — benchmarks (bench-runs.ts) and chaos runs (chaos-runs.ts) alike: one at a time per kind,
// saved as running before they start, stoppable (what finished is kept), saved with their report or error when they
// end, and announced with a "<kind>-finished" event.
import { badInput } from '../../../src-shared/errors.ts'
import type { LabEvent } from '../../../src-shared/types.ts'
import { STORE_RUN_NAMES, type StoreReportOf, type StoreRunKind, type StoreRunOf, type StoreRunsRepository } from '../db/store-runs.ts'

export interface StoreRunDeps {
  repo: StoreRunsRepository
  emit: (event: LabEvent) => void
  /** The replica entry module; the Electron build passes its bundled copy. */
  replicaEntry?: string
}

export class StoreRuns<K extends StoreRunKind> {
  protected readonly deps: StoreRunDeps
  private readonly kind: K
  /** How the run's id is named in messages ("benchmark id"). */
  private readonly idName: string
  private readonly active = new Map<number, { done: Promise<StoreRunOf[K]>; abort: AbortController }>()

  /** Marks runs of any kind left running by a process that no longer exists as interrupted. */
  constructor(deps: StoreRunDeps, kind: K, idName: string) {
    this.deps = deps
    this.kind = kind
    this.idName = idName
    deps.repo.markInterrupted()
  }

  /** Saves the run (`create` returns its id) and starts `work` on it; returns the saved run at once. */
  protected launch(create: () => number, work: (id: number, signal: AbortSignal) => Promise<StoreReportOf[K]>): StoreRunOf[K] {
    if (this.active.size) throw badInput(`a ${STORE_RUN_NAMES[this.kind]} is already running: wait for it to finish`)
    const { repo, emit } = this.deps
    const id = create()
    const abort = new AbortController()
    const done = (async (): Promise<StoreRunOf[K]> => {
      try {
        const report = await work(id, abort.signal)
        repo.finish(this.kind, id, { status: abort.signal.aborted ? 'stopped' : 'done', report, error: null })
      } catch (err) {
        repo.finish(this.kind, id, { status: 'failed', report: null, error: err instanceof Error ? err.message : String(err) })
      } finally {
        this.active.delete(id)
      }
      const run = repo.get(this.kind, id)
      emit({ type: `${this.kind}-finished`, run } as LabEvent)
      return run
    })()
    this.active.set(id, { done, abort })
    return repo.get(this.kind, id)
  }

  list(): StoreRunOf[K][] {
    return this.deps.repo.list(this.kind)
  }

  get(id: number): StoreRunOf[K] {
    if (!Number.isInteger(id)) throw badInput(`${this.idName} must be a whole number, got ${JSON.stringify(id)}`)
    return this.deps.repo.get(this.kind, id)
  }

  /** Resolves when the run has ended and been saved. */
  async wait(id: number): Promise<StoreRunOf[K]> {
    return this.active.get(id)?.done ?? this.get(id)
  }

  /** Stops a running run: its work ends as soon as it can, and what finished is saved (status stopped). */
  async stop(id: number): Promise<StoreRunOf[K]> {
    const run = this.get(id)
    const a = this.active.get(id)
    if (!a) throw badInput(`${STORE_RUN_NAMES[this.kind]} ${id} is not running (it is ${run.status})`)
    a.abort.abort()
    return a.done
  }

  /** Stops every running run (the lab is closing) and waits until each is saved. */
  async stopAll(): Promise<void> {
    const all = [...this.active.values()]
    for (const a of all) a.abort.abort()
    await Promise.all(all.map((a) => a.done))
  }
}
