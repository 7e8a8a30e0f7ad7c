// Live runs as saved runs (kind "live"): validates a request, saves the run as running, runs it (live/run.ts) in
// this process, writes its event timeline in batches (every 250 ms) and emits it as events, takes faults while it
// runs, and saves the result. Several may run at once; closing the lab stops them (saved as stopped). Each run is
// shown beside the checker's prediction: the newest saved check of the same scenario at the level the set-up realises.
import { readFileSync } from 'node:fs'
import { badInput } from '../../src-shared/errors.ts'
import type { LiveComparison, LiveConfig, LiveEvent, LiveFault, LivePrediction, LiveRunSummary, LiveTrace } from '../../src-shared/live-types.ts'
import type { LabEvent } from '../../src-shared/types.ts'
import { parsePlan } from '../live/faults.ts'
import { levelOf, resolveLiveConfig, runLive, type ResolvedLiveConfig } from '../live/run.ts'
import { LiveRepository } from './db/live-repository.ts'
import { compareLive } from './live-compare.ts'
import { liveTrace } from './live-trace.ts'
import { findEtcd } from './store/bench-runs.ts'
import type { RunRepository } from './db/run-repository.ts'

export interface LiveServiceOptions {
  repo: RunRepository
  emit(e: LabEvent): void
  findEtcd?: () => string | null
  replicaEntry?: string
  flushEveryMs?: number
}

interface Active {
  abort: AbortController
  inject: ((f: LiveFault) => Promise<void>) | null
  done: Promise<LiveRunSummary>
}

function readPlanFile(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new Error(`cannot read fault plan ${file}: ${(e as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new Error(`fault plan ${file} is not JSON: ${(e as Error).message}`)
  }
}

export class LiveService {
  private readonly o: LiveServiceOptions
  private readonly live: LiveRepository
  private readonly active = new Map<number, Active>()

  constructor(o: LiveServiceOptions) {
    this.o = o
    this.live = new LiveRepository(o.repo.database)
    this.live.markInterrupted()
  }

  /** Checks the request (bad input names the problem), saves the run and starts it; resolves once it is saved. */
  async start(config: LiveConfig): Promise<LiveRunSummary> {
    if (typeof config !== 'object' || config === null) throw badInput('a live run needs {scenario, store, …}')
    let cfg: ResolvedLiveConfig
    try {
      cfg = resolveLiveConfig(config, readPlanFile)
    } catch (e) {
      throw badInput((e as Error).message)
    }
    let etcdBin: string | undefined
    if (cfg.store === 'etcd') {
      const found = (this.o.findEtcd ?? findEtcd)()
      if (!found) throw badInput('etcd is not installed (Debian package etcd-server; no "etcd" on PATH)')
      etcdBin = found
    }
    const saved: LiveConfig = { ...config, replicas: cfg.replicas }
    const id = this.live.create(saved, cfg.replicas, new Date().toISOString())
    const abort = new AbortController()
    const entry: Active = { abort, inject: null, done: Promise.resolve(null as unknown as LiveRunSummary) }
    this.active.set(id, entry)
    entry.done = this.execute(id, cfg, etcdBin, entry)
    return this.live.get(id)
  }

  private async execute(id: number, cfg: ResolvedLiveConfig, etcdBin: string | undefined, entry: Active): Promise<LiveRunSummary> {
    let buffer: LiveEvent[] = []
    const flush = (): void => {
      if (buffer.length === 0) return
      const batch = buffer
      buffer = []
      this.live.appendEvents(id, batch)
      this.o.emit({ type: 'live-events', runId: id, events: batch })
    }
    const timer = setInterval(flush, this.o.flushEveryMs ?? 250)
    try {
      const out = await runLive(cfg, {
        signal: entry.abort.signal,
        etcdBin,
        replicaEntry: this.o.replicaEntry,
        onEvent: (e) => buffer.push(e),
        control: (inject) => (entry.inject = inject),
      })
      clearInterval(timer)
      flush()
      const { events, ...result } = out
      void events
      this.live.finish(id, out.status === 'stopped' ? 'stopped' : 'done', result, null, new Date().toISOString())
    } catch (e) {
      clearInterval(timer)
      flush()
      this.live.finish(id, 'failed', null, (e as Error).message, new Date().toISOString())
    } finally {
      this.active.delete(id)
    }
    const run = this.live.get(id)
    this.o.emit({ type: 'live-finished', run })
    return run
  }

  /** Applies a fault to a running live run now (the same kinds as a plan entry). */
  async fault(id: number, fault: LiveFault): Promise<void> {
    const a = this.active.get(id)
    if (!a) throw badInput(`live run ${id} is not running`)
    let f: LiveFault
    try {
      f = parsePlan([{ ...fault, atMs: 0 }], 'fault')[0]
    } catch (e) {
      throw badInput((e as Error).message)
    }
    if (!a.inject) throw badInput(`live run ${id} is still starting its store`)
    await a.inject(f)
  }

  async stop(id: number): Promise<LiveRunSummary> {
    const a = this.active.get(id)
    if (!a) return this.get(id)
    a.abort.abort()
    return a.done
  }

  /** Resolves when the run has ended and been saved. */
  async wait(id: number): Promise<LiveRunSummary> {
    const a = this.active.get(id)
    return a ? a.done : this.get(id)
  }

  list(): LiveRunSummary[] {
    return this.live.list()
  }

  get(id: number): LiveRunSummary {
    const run = this.live.get(id)
    return { ...run, prediction: this.prediction(run) }
  }

  events(id: number, fromSeq = 0): LiveEvent[] {
    if (!Number.isInteger(fromSeq) || fromSeq < 0) throw badInput(`fromSeq must be a whole number ≥ 0, got ${JSON.stringify(fromSeq)}`)
    return this.live.events(id, fromSeq)
  }

  /** The slice of events that led to a property's first violation (the first violated property when none is named). */
  trace(id: number, property?: string | null): LiveTrace {
    // A host that carries arguments as JSON turns an absent one into null.
    if (property === null) property = undefined
    if (property !== undefined && typeof property !== 'string') throw badInput(`property must be a name, got ${JSON.stringify(property)}`)
    const run = this.live.get(id)
    return liveTrace(run, this.live.events(id), property)
  }

  /**
   * The live run beside the check that predicts it: `checkRunId` when given, else the newest saved matrix cell of its
   * scenario at the level its set-up realises and its instance count. Says so (source null) when none is saved.
   */
  compare(id: number, checkRunId?: number | null): LiveComparison {
    if (checkRunId === null) checkRunId = undefined
    if (checkRunId !== undefined && (!Number.isInteger(checkRunId) || checkRunId < 1)) throw badInput(`checkRunId must be a run id, got ${JSON.stringify(checkRunId)}`)
    const run = this.get(id)
    const { level, instances } = this.cellOf(run)
    if (checkRunId !== undefined) {
      const check = this.o.repo.getRun(checkRunId)
      if (check.summary.model !== run.scenario) throw badInput(`run ${checkRunId} checks ${check.summary.model}, not ${run.scenario}`)
      return compareLive(run, level, instances, { kind: 'run', runId: checkRunId }, check)
    }
    const cell = this.live.predictingCell(run.scenario, level, instances)
    if (!cell) return compareLive(run, level, instances, null, null)
    return compareLive(run, level, instances, { kind: 'matrix', ...cell }, this.o.repo.getRun(cell.runId))
  }

  /** The model level a live set-up realises (docs/live.md) and its instance count: the matrix cell that predicts it. */
  private cellOf(run: LiveRunSummary): { level: string; instances: number } {
    const params = run.config.params ?? {}
    const level = run.result?.level ?? levelOf({ store: run.store, replicas: run.replicas, reads: String(params.reads ?? 'informer') as 'informer' })
    return { level, instances: Number(params.instances ?? 1) }
  }

  /** The newest saved check of this scenario at the level the set-up realises (instances as configured). */
  private prediction(run: LiveRunSummary): LivePrediction | undefined {
    const { level, instances } = this.cellOf(run)
    const check = this.o.repo
      .listRuns()
      .find((r) => r.model === run.scenario && r.status === 'done' && String(r.config.params.consistency ?? 'synchronous') === level && Number(r.config.params.instances ?? 1) === instances)
    if (!check) return { level }
    const detail = this.o.repo.getRun(check.id)
    const worst = detail.properties.find((p) => p.name === 'converges')?.convergence?.worstSteps
    return {
      level,
      runId: check.id,
      verdict: check.verdict,
      complete: check.complete,
      violated: detail.properties.filter((p) => p.status === 'violated').map((p) => p.name),
      ...(worst !== undefined ? { worstSteps: worst } : {}),
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.active.keys()].map((id) => this.stop(id)))
  }
}
