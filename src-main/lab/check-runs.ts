// The lifecycle of check runs: launching the checker for a saved run (new or resumed from its checkpoint), turning its
// progress into samples written in batches, saving the outcome, stopping and waiting. The Lab validates requests and
// delegates here; nothing in this module is a LabApi method.
import { createHash } from 'node:crypto'
import { accessSync, constants, existsSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import type { LabEvent, PhaseReport, ProgressSample, PropertyResult, RunConfig, RunSummary, Verdict } from '../../src-shared/types.ts'
import { badInput } from '../../src-shared/errors.ts'
import { checkpointMismatch, readCheckpointMeta } from '../checker/checkpoint.ts'
import type { ExploreProgress } from '../checker/run-types.ts'
import { checkRequest, errorText, runCheck, type CheckHandle, type CheckOutcome } from './check-runner.ts'
import type { RunRepository } from './db/run-repository.ts'

export interface CheckRunOptions {
  /** Checker worker entry; the Electron build passes its bundled chunk. */
  checkWorker?: URL | string
  /** The model catalog checker threads import models through (lab/model-refs.ts); the Electron build passes its chunk. */
  modelCatalog?: URL | string
  /** How often buffered samples are written, in ms. */
  flushEveryMs?: number
  /** Where BFS runs keep their checkpoints (default: "checkpoints" beside the database; none for :memory:). */
  checkpointDir?: string
  /** Minimum time between checkpoints, in ms (default 5000). */
  checkpointEveryMs?: number
}

/** What the check runs need from the Lab. */
export interface CheckRunsHost {
  repo: RunRepository
  opts: CheckRunOptions
  emit(event: LabEvent): void
}

/** <dir>/<database file name>-<hash of its path>/run-<id>.ckpt: databases sharing a folder never share a checkpoint. */
export function checkpointPath(dir: string, dbFile: string, runId: number): string {
  const db = resolve(dbFile)
  const tag = createHash('sha256').update(db).digest('hex').slice(0, 8)
  return join(dir, `${basename(db)}-${tag}`, `run-${runId}.ckpt`)
}

export function verdictOf(properties: readonly PropertyResult[]): Verdict {
  if (properties.some((p) => p.status === 'violated')) return 'violated'
  return properties.every((p) => p.status === 'holds') ? 'holds' : 'unknown'
}

/**
 * Whether a checkpoint can be written in `dir`: the folder, or the nearest part of its path that exists, is a folder
 * this process may write (writeCheckpoint makes the rest). Nothing is created here.
 */
function folderUsable(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!statSync(d).isDirectory()) return false
      accessSync(d, constants.W_OK)
      return true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) return false
    }
  }
}

/** What a running check accumulates between flushes. */
interface RunProgress {
  pending: ProgressSample[]
  last: ExploreProgress | null
  stopRequested: boolean
  /** The analysis phase the checker last reported (none while exploring). */
  phase?: PhaseReport
}

interface ActiveRun {
  progress: RunProgress
  handle: CheckHandle
  finished: Promise<RunSummary>
}

export class CheckRuns {
  private readonly host: CheckRunsHost
  private readonly active = new Map<number, ActiveRun>()

  constructor(host: CheckRunsHost) {
    this.host = host
  }

  /** The analysis phase a running check last reported, if any. */
  phase(runId: number): PhaseReport | undefined {
    return this.active.get(runId)?.progress.phase
  }

  /** Continues an interrupted or stopped run from its last checkpoint; it ends with the same counts as an uninterrupted run. */
  resume(runId: number): RunSummary {
    const summary = this.host.repo.getSummary(runId)
    if (summary.status !== 'interrupted' && summary.status !== 'stopped') {
      throw badInput(`run ${runId} is ${summary.status}; only interrupted or stopped runs can be resumed`)
    }
    // Without a usable checkpoint (stopped before the first one, not BFS, or one that is not this run's) the run
    // starts over: same counts, more time.
    const file = this.checkpointFile(runId)
    const fromCheckpoint = summary.config.strategy === 'bfs' && file !== null && existsSync(file) && this.checkpointFits(file, summary)
    this.host.repo.reopenRun(runId)
    return this.launch(runId, summary.config, fromCheckpoint)
  }

  /** A checkpoint resumes a run only if it is this database's run (same start), model, parameters, workers, format. */
  private checkpointFits(file: string, run: RunSummary): boolean {
    let why: string | null
    try {
      why = checkpointMismatch(readCheckpointMeta(file), { key: this.checkpointKey(run), model: run.config.model, params: run.config.params, workers: run.config.workers })
    } catch (err) {
      why = err instanceof Error ? err.message : String(err)
    }
    if (why === null) return true
    // Not this run's (a database recreated at this path, a copied file) or unreadable: it cannot be resumed from.
    rmSync(file, { force: true })
    return false
  }

  /** Whose checkpoint: the database file, the run and its start (a recreated database reuses run ids). */
  private checkpointKey(run: RunSummary): string {
    return `${resolve(this.host.repo.file)}#run-${run.id}@${run.startedAt}`
  }

  private checkpointFile(runId: number): string | null {
    const dir = this.host.opts.checkpointDir ?? (this.host.repo.file === ':memory:' ? null : join(dirname(this.host.repo.file), 'checkpoints'))
    return dir ? checkpointPath(dir, this.host.repo.file, runId) : null
  }

  /** Starts the check of a saved run (a new one, or a resumed one from its checkpoint). */
  launch(runId: number, config: RunConfig, resume: boolean): RunSummary {
    const run: RunProgress = { pending: [], last: null, stopRequested: false }
    const file = config.strategy === 'bfs' ? this.checkpointFile(runId) : null
    const key = this.checkpointKey(this.host.repo.getSummary(runId))
    // A checkpoint folder that cannot be made costs the run its checkpoints (a resume starts over), not the run.
    const checkpoint = file && (resume || folderUsable(dirname(file))) ? { file, everyMs: this.host.opts.checkpointEveryMs ?? 5000, resume, key } : undefined
    const request = checkRequest(config, { checkpoint, modelCatalog: this.host.opts.modelCatalog })
    const handle = runCheck(request, (p, closing) => this.onProgress(runId, run, p, !closing), this.host.opts.checkWorker)
    const flush = setInterval(() => this.flush(runId, run), this.host.opts.flushEveryMs ?? 1000)
    const finished = handle.done.then((outcome) => {
      clearInterval(flush)
      this.flush(runId, run)
      this.active.delete(runId)
      try {
        this.saveOutcome(runId, run, outcome)
      } catch (err) {
        // A result that cannot be stored (say a trace that is not JSON) still ends the run, failed, with the cause.
        this.saveOutcome(runId, run, { ok: false, message: `the run's result could not be saved: ${errorText(err)}`, trace: [] })
      }
      const summary = this.host.repo.getSummary(runId)
      this.host.emit({ type: 'run-finished', run: summary })
      return summary
    })
    // Only waitForRun awaits this; unobserved, a rejection would end the process (and a web host with it).
    finished.catch(() => {})
    this.active.set(runId, { progress: run, handle, finished })
    const summary = this.host.repo.getSummary(runId)
    this.host.emit({ type: 'run-started', run: summary })
    return summary
  }

  private saveOutcome(runId: number, run: RunProgress, outcome: CheckOutcome): void {
    if (outcome.ok) {
      const r = outcome.result
      this.host.repo.finishRun(runId, {
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
        collisionProbability: r.collisionProbability,
        firstViolationMs: r.firstViolationMs,
        coverage: r.coverage,
        actions: r.actions,
      })
    } else {
      const last = run.last
      this.host.repo.finishRun(runId, {
        status: outcome.stopped ? 'stopped' : 'failed',
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
  }

  /** A report becomes a sample as it is (rates included); the closing one, made from the result, is saved, not sent. */
  private onProgress(runId: number, run: RunProgress, p: ExploreProgress, live = true): void {
    if (p.phase) {
      // The analysis after the search: the figures stand still, so no sample; the phase goes to the page.
      run.phase = p.phase
      if (live) this.host.emit({ type: 'run-phase', runId, phase: p.phase })
      return
    }
    const sample: ProgressSample = {
      elapsedMs: p.elapsedMs,
      generated: p.generated,
      unique: p.unique,
      queue: p.queue,
      maxDepth: p.maxDepth,
      generatedPerSec: p.generatedPerSec,
      uniquePerSec: p.uniquePerSec,
      memoryBytes: p.memoryBytes,
      ...(p.bytesPerState !== undefined ? { bytesPerState: p.bytesPerState } : {}),
    }
    run.last = p
    run.pending.push(sample)
    if (live) this.host.emit({ type: 'run-progress', runId, samples: [sample], depthHistogram: p.depthHistogram })
  }

  private flush(runId: number, run: RunProgress): void {
    if (run.pending.length === 0) return
    this.host.repo.appendSamples(runId, run.pending)
    run.pending = []
    const p = run.last
    if (p) this.host.repo.updateFigures(runId, p.unique, p.generated, p.maxDepth, p.elapsedMs / 1000)
  }

  stop(runId: number): void {
    const run = this.active.get(runId)
    if (!run) {
      this.host.repo.getSummary(runId) // not-found error for an unknown id
      return
    }
    run.progress.stopRequested = true
    run.handle.stop()
  }

  /** Resolves when the run has ended and been saved. */
  wait(runId: number): Promise<RunSummary> {
    const run = this.active.get(runId)
    return run ? run.finished : Promise.resolve(this.host.repo.getSummary(runId))
  }

  /** Stops every running check and waits until each is saved (as "stopped"). */
  async stopAll(): Promise<void> {
    const runs = [...this.active.entries()]
    for (const [id] of runs) this.stop(id)
    await Promise.all(runs.map(([, r]) => r.finished))
  }
}
