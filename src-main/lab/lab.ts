// The Lab: the one implementation of LabApi. Every host (Electron, web, CLI) wraps an instance of it and adds no logic.
import type { LabApi } from '../../src-shared/api.ts'
import { validateRunConfig } from '../../src-shared/config.ts'
import { badInput } from '../../src-shared/errors.ts'
import type {
  CsvReport,
  LabEvent,
  ModelInfo,
  ProgressSample,
  PropertyResult,
  RunConfig,
  RunDetail,
  RunSummary,
  Verdict,
} from '../../src-shared/types.ts'
import type { ExploreProgress } from '../checker/explore.ts'
import { listModelInfos } from '../models/registry.ts'
import { runCheck, type CheckHandle } from './check-runner.ts'
import { CSV_REPORTS } from './csv.ts'
import type { RunRepository } from './db/run-repository.ts'

export interface LabOptions {
  /** Checker worker entry; the Electron build passes its bundled chunk. */
  checkWorker?: URL | string
  /** How often buffered samples are written, in ms. */
  flushEveryMs?: number
}

/** What a running check accumulates between flushes. */
interface RunProgress {
  pending: ProgressSample[]
  last: ExploreProgress | null
  stopRequested: boolean
}

interface ActiveRun {
  progress: RunProgress
  handle: CheckHandle
  finished: Promise<RunSummary>
}

export function verdictOf(properties: readonly PropertyResult[]): Verdict {
  if (properties.some((p) => p.status === 'violated')) return 'violated'
  return properties.every((p) => p.status === 'holds') ? 'holds' : 'unknown'
}

export class Lab implements LabApi {
  private readonly listeners = new Set<(e: LabEvent) => void>()
  private readonly active = new Map<number, ActiveRun>()
  private readonly repo: RunRepository
  private readonly opts: LabOptions

  constructor(repo: RunRepository, opts: LabOptions = {}) {
    this.repo = repo
    this.opts = opts
    repo.markInterrupted()
  }

  async listModels(): Promise<ModelInfo[]> {
    return listModelInfos()
  }

  async startRun(input: RunConfig): Promise<RunSummary> {
    const config = validateRunConfig(input, listModelInfos())
    const runId = this.repo.createRun(config, new Date().toISOString())
    const run: RunProgress = { pending: [], last: null, stopRequested: false }
    const handle = runCheck(config, (p) => this.onProgress(runId, run, p), this.opts.checkWorker)
    const flush = setInterval(() => this.flush(runId, run), this.opts.flushEveryMs ?? 1000)
    const finished = handle.done.then((outcome) => {
      clearInterval(flush)
      // A closing sample, so even a run shorter than one progress interval has a point to chart.
      if (outcome.ok) this.onProgress(runId, run, { ...outcome.result, queue: 0 }, false)
      this.flush(runId, run)
      this.active.delete(runId)
      if (outcome.ok) {
        const r = outcome.result
        this.repo.finishRun(runId, {
          status: run.stopRequested && r.stopReason === 'stopped' ? 'stopped' : 'done',
          unique: r.unique,
          generated: r.generated,
          maxDepth: r.maxDepth,
          seconds: r.elapsedMs / 1000,
          complete: r.complete,
          verdict: verdictOf(r.properties),
          error: null,
          depthHistogram: r.depthHistogram,
          properties: r.properties,
        })
      } else {
        const last = run.last
        this.repo.finishRun(runId, {
          status: 'failed',
          unique: last?.unique ?? 0,
          generated: last?.generated ?? 0,
          maxDepth: last?.maxDepth ?? 0,
          seconds: (last?.elapsedMs ?? 0) / 1000,
          complete: false,
          verdict: 'unknown',
          error: outcome.message,
          depthHistogram: last?.depthHistogram ?? [],
          properties: outcome.trace.length
            ? [{ name: 'model-error', kind: 'always', description: outcome.message, status: 'violated', trace: outcome.trace }]
            : [],
        })
      }
      const summary = this.repo.getSummary(runId)
      this.emit({ type: 'run-finished', run: summary })
      return summary
    })
    this.active.set(runId, { progress: run, handle, finished })
    const summary = this.repo.getSummary(runId)
    this.emit({ type: 'run-started', run: summary })
    return summary
  }

  private onProgress(runId: number, run: RunProgress, p: ExploreProgress, live = true): void {
    const prev = run.last
    const dt = (p.elapsedMs - (prev?.elapsedMs ?? 0)) / 1000
    const sample: ProgressSample = {
      elapsedMs: p.elapsedMs,
      generated: p.generated,
      unique: p.unique,
      queue: p.queue,
      // The histogram may already hold the level being discovered; report the deepest state stored.
      maxDepth: Math.max(p.maxDepth, p.depthHistogram.length),
      generatedPerSec: dt > 0 ? (p.generated - (prev?.generated ?? 0)) / dt : 0,
      uniquePerSec: dt > 0 ? (p.unique - (prev?.unique ?? 0)) / dt : 0,
      memoryBytes: p.memoryBytes,
    }
    run.last = p
    run.pending.push(sample)
    if (live) this.emit({ type: 'run-progress', runId, samples: [sample], depthHistogram: p.depthHistogram })
  }

  private flush(runId: number, run: RunProgress): void {
    if (run.pending.length === 0) return
    this.repo.appendSamples(runId, run.pending)
    run.pending = []
    const p = run.last
    if (p) this.repo.updateFigures(runId, p.unique, p.generated, p.maxDepth, p.elapsedMs / 1000)
  }

  async stopRun(runId: number): Promise<void> {
    const run = this.active.get(runId)
    if (!run) {
      this.repo.getSummary(runId) // not-found error for an unknown id
      return
    }
    run.progress.stopRequested = true
    run.handle.stop()
  }

  /** Resolves when the run has ended and been saved. */
  async waitForRun(runId: number): Promise<RunSummary> {
    const run = this.active.get(runId)
    return run ? run.finished : this.repo.getSummary(runId)
  }

  async getRun(runId: number): Promise<RunDetail> {
    if (!Number.isInteger(runId)) throw badInput(`run id must be a whole number, got ${JSON.stringify(runId)}`)
    return this.repo.getRun(runId)
  }

  async listRuns(): Promise<RunSummary[]> {
    return this.repo.listRuns()
  }

  async exportCsv(runIds: number[], report: CsvReport): Promise<string> {
    const make = CSV_REPORTS[report]
    if (!make) throw badInput(`unknown CSV report "${report}"; choose one of ${Object.keys(CSV_REPORTS).join(', ')}`)
    if (!Array.isArray(runIds) || runIds.length === 0) throw badInput('name at least one run to export')
    return make(runIds.map((id) => this.repo.getRun(id)))
  }

  onEvent(listener: (event: LabEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(event: LabEvent): void {
    for (const l of this.listeners) {
      try {
        l(event)
      } catch {
        // a failing listener (say, a closed socket) must not stop a run or other listeners
      }
    }
  }

  /** Stops every running check and waits until each is saved (as "stopped"). */
  async close(): Promise<void> {
    const runs = [...this.active.entries()]
    for (const [id] of runs) await this.stopRun(id)
    await Promise.all(runs.map(([, r]) => r.finished))
  }
}
