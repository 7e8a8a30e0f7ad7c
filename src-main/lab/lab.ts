// The Lab: the one implementation of LabApi. Every host (Electron, web, CLI) wraps an instance of it and adds no logic.
import { createHash } from 'node:crypto'
import { accessSync, constants, existsSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { checkpointMismatch, readCheckpointMeta } from '../checker/checkpoint.ts'
import type { LiveComparison, LiveConfig, LiveEvent, LiveFault, LiveRunSummary, LiveTrace } from '../../src-shared/live-types.ts'
import { LiveService } from './live-runs.ts'
import type { LabApi } from '../../src-shared/api.ts'
import { validateRunConfig } from '../../src-shared/config.ts'
import { badInput } from '../../src-shared/errors.ts'
import type {
  Comparison,
  ComparisonInput,
  CsvReport,
  LabEvent,
  ModelInfo,
  PhaseReport,
  ProgressSample,
  PropertyResult,
  ExploreRequest,
  ExploreView,
  ReplayResult,
  ReplayTarget,
  RunConfig,
  RunDetail,
  RunPatch,
  RunSummary,
  Verdict,
} from '../../src-shared/types.ts'
import type { ExploreProgress } from '../checker/run-types.ts'
import { listModelInfos } from '../models/registry.ts'
import { defaultModelsDir, modelFilesIn } from '../models/sdk/loader.ts'
import { definitionFor } from './model-refs.ts'
import { listUserModels } from './user-models.ts'
import { checkRequest, errorText, runCheck, type CheckHandle, type CheckOutcome } from './check-runner.ts'
import { CSV_REPORTS } from './csv.ts'
import type { RunRepository } from './db/run-repository.ts'
import { tracePath } from '../../src-shared/trace-path.ts'
import { exploreFrom, replayPath } from './replay.ts'
import type { StoreFault, StoreKeyValue, StorePutResult, StoreView } from '../../src-shared/store-types.ts'
import { StoreLab, type ReplicaExit, type StoreLabOptions, type StoreUpOptions } from './store/lab.ts'
import { StoreBenchService } from './store/bench-runs.ts'
import { StoreChaosService } from './store/chaos-runs.ts'
import type { StoreBenchOptions, StoreBenchRun, StoreChaosOptions, StoreChaosRun } from '../../src-shared/store-types.ts'
import { MatrixService } from './matrix.ts'
import { mergeShards } from './merge.ts'
import type { Matrix, MatrixSpec, MatrixSummary } from '../../src-shared/types.ts'

export interface LabOptions {
  /** Checker worker entry; the Electron build passes its bundled chunk. */
  checkWorker?: URL | string
  /** The model catalog checker threads import models through (lab/model-refs.ts); the Electron build passes its chunk. */
  modelCatalog?: URL | string
  /** Replica data and process entry for the store lab. */
  store?: StoreLabOptions
  /** Where store benchmarks look for etcd (default: "etcd" on PATH); tests pass () => null. */
  findEtcd?: () => string | null
  /** How often buffered samples are written, in ms. */
  flushEveryMs?: number
  /** Where BFS runs keep their checkpoints (default: "checkpoints" beside the database; none for :memory:). */
  checkpointDir?: string
  /** Minimum time between checkpoints, in ms (default 5000). */
  checkpointEveryMs?: number
  /** User models folder (docs/sdk.md); default: STABILIS_MODELS, else "models" beside the database; null: none. */
  modelsDir?: string | null
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

/** Deleted runs stay restorable (undo) this long; older ones are purged on start-up and on the next delete. */
export const PURGE_AFTER_MS = 60 * 60 * 1000

export const MAX_TAGS = 20
export const MAX_TAG_LENGTH = 40
export const MAX_NAME_LENGTH = 200
export const MAX_NOTES_LENGTH = 20_000

function runIdList(what: string, ids: unknown, min = 1, max = 1000): number[] {
  if (!Array.isArray(ids)) throw badInput(`${what} needs a list of run ids`)
  if (ids.length < min || ids.length > max) {
    throw badInput(min === max ? `${what} needs ${min} run ids` : `${what} needs ${min} to ${max} run ids, got ${ids.length}`)
  }
  for (const id of ids) if (!Number.isInteger(id) || id < 1) throw badInput(`run id must be a whole number, got ${JSON.stringify(id)}`)
  return [...new Set(ids as number[])]
}

/** Checks a RunPatch: names the bad field; tags are trimmed and de-duplicated. */
export function validateRunPatch(input: unknown): RunPatch {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badInput('the change must be an object with name, notes or tags')
  const raw = input as Record<string, unknown>
  for (const k of Object.keys(raw)) if (!['name', 'notes', 'tags'].includes(k)) throw badInput(`a run has no editable field "${k}"; editable: name, notes, tags`)
  const out: RunPatch = {}
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string') throw badInput('name must be text')
    out.name = raw.name.trim()
    if (out.name.length > MAX_NAME_LENGTH) throw badInput(`name must be at most ${MAX_NAME_LENGTH} characters`)
  }
  if (raw.notes !== undefined) {
    if (typeof raw.notes !== 'string') throw badInput('notes must be text')
    if (raw.notes.length > MAX_NOTES_LENGTH) throw badInput(`notes must be at most ${MAX_NOTES_LENGTH} characters`)
    out.notes = raw.notes
  }
  if (raw.tags !== undefined) {
    if (!Array.isArray(raw.tags) || !raw.tags.every((t) => typeof t === 'string')) throw badInput('tags must be a list of words')
    const tags = [...new Set((raw.tags as string[]).map((t) => t.trim()).filter((t) => t !== ''))]
    const long = tags.find((t) => t.length > MAX_TAG_LENGTH)
    if (long) throw badInput(`tag "${long.slice(0, 20)}…" is longer than ${MAX_TAG_LENGTH} characters`)
    const comma = tags.find((t) => t.includes(','))
    if (comma) throw badInput(`tag "${comma}" must not contain a comma`)
    if (tags.length > MAX_TAGS) throw badInput(`a run takes at most ${MAX_TAGS} tags`)
    out.tags = tags
  }
  return out
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

export class Lab implements LabApi {
  private readonly listeners = new Set<(e: LabEvent) => void>()
  private readonly active = new Map<number, ActiveRun>()
  private readonly repo: RunRepository
  private readonly opts: LabOptions

  private readonly store: StoreLab

  constructor(repo: RunRepository, opts: LabOptions = {}) {
    this.repo = repo
    this.opts = opts
    this.store = new StoreLab((view) => this.emit({ type: 'store-status', view }), opts.store)
    repo.markInterrupted()
    repo.purgeDeleted(new Date(Date.now() - PURGE_AFTER_MS).toISOString())
  }

  /** A database opened read-only can be listed and exported; starting work on it is refused up front, naming it. */
  private requireWritable(what: string): void {
    if (this.repo.readOnly) throw badInput(`cannot ${what} in database "${this.repo.file}": it is read-only (its runs can still be listed and exported)`)
  }

  /** User model files named explicitly (CLI --model-file), listed after the models folder's. */
  private readonly modelFiles = new Set<string>()

  /** Adds a user model file (any path) to this lab's models; returns its listing (with `error` when it does not load). */
  async addModelFile(file: string): Promise<ModelInfo> {
    const path = resolve(file)
    this.modelFiles.add(path)
    return (await this.userModels()).find((m) => m.source === path)!
  }

  /** User models: the models folder's files, then the ones added; each re-imported only when it changed. */
  private async userModels(): Promise<ModelInfo[]> {
    const dir = this.opts.modelsDir !== undefined ? this.opts.modelsDir : defaultModelsDir(this.repo.file)
    const files = [...new Set([...modelFilesIn(dir), ...this.modelFiles])]
    return listUserModels(files, { taken: listModelInfos().map((m) => m.id), entry: this.opts.checkWorker, catalog: this.opts.modelCatalog })
  }

  async listModels(): Promise<ModelInfo[]> {
    return [...listModelInfos(), ...(await this.userModels())]
  }

  async startRun(input: RunConfig): Promise<RunSummary> {
    this.requireWritable('start a run')
    const user = await this.userModels()
    const config = validateRunConfig(input, [...listModelInfos(), ...user])
    // A user model runs from its file (the path comes from the listing, never from the caller).
    const source = user.find((m) => m.id === config.model)?.source
    if (source) config.modelFile = source
    const runId = this.repo.createRun(config, new Date().toISOString())
    return this.launch(runId, config, false)
  }

  /** Continues an interrupted or stopped run from its last checkpoint; it ends with the same counts as an uninterrupted run. */
  async resumeRun(runId: number): Promise<RunSummary> {
    if (!Number.isInteger(runId)) throw badInput(`run id must be a whole number, got ${JSON.stringify(runId)}`)
    this.requireWritable('resume a run')
    const summary = this.repo.getSummary(runId)
    if (summary.status !== 'interrupted' && summary.status !== 'stopped') {
      throw badInput(`run ${runId} is ${summary.status}; only interrupted or stopped runs can be resumed`)
    }
    // Without a usable checkpoint (stopped before the first one, not BFS, or one that is not this run's) the run
    // starts over: same counts, more time.
    const file = this.checkpointFile(runId)
    const fromCheckpoint = summary.config.strategy === 'bfs' && file !== null && existsSync(file) && this.checkpointFits(file, summary)
    this.repo.reopenRun(runId)
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
    return `${resolve(this.repo.file)}#run-${run.id}@${run.startedAt}`
  }

  async mergeRuns(runIds: number[]): Promise<RunSummary> {
    const ids = runIdList('merge', runIds)
    const { config, finish } = mergeShards(ids.map((id) => this.repo.getRun(id)))
    const runId = this.repo.createRun(config, new Date().toISOString())
    this.repo.finishRun(runId, { ...finish, verdict: verdictOf(finish.properties) })
    const summary = this.repo.getSummary(runId)
    this.emit({ type: 'run-finished', run: summary })
    return summary
  }

  private checkpointFile(runId: number): string | null {
    const dir = this.opts.checkpointDir ?? (this.repo.file === ':memory:' ? null : join(dirname(this.repo.file), 'checkpoints'))
    return dir ? checkpointPath(dir, this.repo.file, runId) : null
  }

  private launch(runId: number, config: RunConfig, resume: boolean): RunSummary {
    const run: RunProgress = { pending: [], last: null, stopRequested: false }
    const file = config.strategy === 'bfs' ? this.checkpointFile(runId) : null
    const key = this.checkpointKey(this.repo.getSummary(runId))
    // A checkpoint folder that cannot be made costs the run its checkpoints (a resume starts over), not the run.
    const checkpoint = file && (resume || folderUsable(dirname(file))) ? { file, everyMs: this.opts.checkpointEveryMs ?? 5000, resume, key } : undefined
    const request = checkRequest(config, { checkpoint, modelCatalog: this.opts.modelCatalog })
    const handle = runCheck(request, (p, closing) => this.onProgress(runId, run, p, !closing), this.opts.checkWorker)
    const flush = setInterval(() => this.flush(runId, run), this.opts.flushEveryMs ?? 1000)
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
      const summary = this.repo.getSummary(runId)
      this.emit({ type: 'run-finished', run: summary })
      return summary
    })
    // Only waitForRun awaits this; unobserved, a rejection would end the process (and a web host with it).
    finished.catch(() => {})
    this.active.set(runId, { progress: run, handle, finished })
    const summary = this.repo.getSummary(runId)
    this.emit({ type: 'run-started', run: summary })
    return summary
  }

  private saveOutcome(runId: number, run: RunProgress, outcome: CheckOutcome): void {
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
        collisionProbability: r.collisionProbability,
        firstViolationMs: r.firstViolationMs,
        coverage: r.coverage,
        actions: r.actions,
      })
    } else {
      const last = run.last
      this.repo.finishRun(runId, {
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
      if (live) this.emit({ type: 'run-phase', runId, phase: p.phase })
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
    const detail = this.repo.getRun(runId)
    const phase = this.active.get(runId)?.progress.phase
    return phase && detail.summary.status === 'running' ? { ...detail, phase } : detail
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

  async updateRun(runId: number, patch: RunPatch): Promise<RunSummary> {
    if (!Number.isInteger(runId)) throw badInput(`run id must be a whole number, got ${JSON.stringify(runId)}`)
    const run = this.repo.updateRun(runId, validateRunPatch(patch))
    this.emit({ type: 'run-updated', run })
    return run
  }

  async deleteRuns(runIds: number[]): Promise<void> {
    const ids = runIdList('delete', runIds)
    for (const id of ids) {
      const s = this.repo.getSummary(id)
      if (s.status === 'running') throw badInput(`run ${id} is still running; stop it before deleting it`)
    }
    const now = Date.now()
    this.repo.purgeDeleted(new Date(now - PURGE_AFTER_MS).toISOString())
    this.repo.deleteRuns(ids, new Date(now).toISOString())
    this.emit({ type: 'runs-deleted', runIds: ids })
  }

  async restoreRuns(runIds: number[]): Promise<RunSummary[]> {
    const ids = runIdList('restore', runIds)
    const runs = ids.map((id) => this.repo.getSummary(id)) // not-found for a purged run, before anything changes
    this.repo.restoreRuns(ids)
    for (const run of runs) this.emit({ type: 'run-updated', run })
    return runs
  }

  async listComparisons(): Promise<Comparison[]> {
    return this.repo.listComparisons()
  }

  async saveComparison(input: ComparisonInput): Promise<Comparison> {
    if (typeof input !== 'object' || input === null) throw badInput('a comparison needs a name and run ids')
    if (input.id !== undefined && !Number.isInteger(input.id)) throw badInput(`comparison id must be a whole number, got ${JSON.stringify(input.id)}`)
    if (typeof input.name !== 'string' || input.name.trim() === '') throw badInput('a comparison needs a name')
    const name = input.name.trim()
    if (name.length > MAX_NAME_LENGTH) throw badInput(`name must be at most ${MAX_NAME_LENGTH} characters`)
    const runIds = runIdList('a comparison', input.runIds, 2, 4)
    if (runIds.length < 2) throw badInput('a comparison needs 2 to 4 different runs')
    for (const id of runIds) this.repo.getSummary(id)
    return this.repo.saveComparison({ id: input.id, name, runIds }, new Date().toISOString())
  }

  async deleteComparison(id: number): Promise<void> {
    if (!Number.isInteger(id)) throw badInput(`comparison id must be a whole number, got ${JSON.stringify(id)}`)
    this.repo.deleteComparison(id)
  }

  async replayTrace(runId: number, target: ReplayTarget): Promise<ReplayResult> {
    if (!Number.isInteger(runId)) throw badInput(`run id must be a whole number, got ${JSON.stringify(runId)}`)
    if (typeof target !== 'object' || target === null) throw badInput('replay needs a property name or a path')
    const { summary, properties } = this.repo.getRun(runId)
    const def = await definitionFor(summary.config, this.opts.modelCatalog)
    const model = def.create(summary.config.params)
    if (target.path !== undefined) {
      if (!Array.isArray(target.path) || !target.path.every((a) => typeof a === 'string')) throw badInput('path must be a list of action names')
      // An empty path would replay nothing and report it "reproduced".
      if (target.path.length === 0) throw badInput('path names no action: give the actions to replay, e.g. "A;B"')
      const known = target.property === undefined || model.properties.some((p) => p.name === target.property)
      if (!known) throw badInput(`model "${summary.model}" has no property "${target.property}"`)
      return replayPath(model, target.path, { runId, model: summary.model, property: target.property })
    }
    if (typeof target.property !== 'string') throw badInput('replay needs a property name or a path')
    const prop = properties.find((p) => p.name === target.property)
    if (!prop) {
      throw badInput(`run ${runId} has no property "${target.property}"; its properties: ${properties.map((p) => p.name).join(', ') || 'none'}`)
    }
    if (!prop.trace?.length) throw badInput(`property "${prop.name}" of run ${runId} has no saved trace (${prop.status})`)
    const property = model.properties.some((p) => p.name === prop.name) ? prop.name : undefined
    const result = replayPath(model, tracePath(prop.trace), { saved: prop.trace, property, runId, model: summary.model })
    return { ...result, property: prop.name }
  }

  async exploreState(runId: number, request: ExploreRequest): Promise<ExploreView> {
    if (!Number.isInteger(runId)) throw badInput(`run id must be a whole number, got ${JSON.stringify(runId)}`)
    if (typeof request !== 'object' || request === null) throw badInput('explore needs { path, init }')
    const path = request.path ?? []
    if (!Array.isArray(path) || !path.every((a) => typeof a === 'string')) throw badInput('path must be a list of action names')
    const init = request.init
    const { summary, properties } = this.repo.getRun(runId)
    const saved = request.property !== undefined ? properties.find((p) => p.name === request.property)?.trace?.[0]?.state : undefined
    const def = await definitionFor(summary.config, this.opts.modelCatalog)
    const model = def.create(summary.config.params)
    try {
      return exploreFrom(model, init, path, { runId, model: summary.model }, saved)
    } catch (err) {
      if (err instanceof RangeError) throw badInput(err.message)
      throw err
    }
  }

  private matrixService: MatrixService | null = null

  /** Created on first use; it marks matrices left running by a dead process as interrupted. */
  private get matrices(): MatrixService {
    this.matrixService ??= new MatrixService({
      repo: this.repo,
      models: () => listModelInfos(),
      startRun: (config) => this.startRun(config),
      waitForRun: (runId) => this.waitForRun(runId),
      stopRun: (runId) => this.stopRun(runId),
      emit: (event) => this.emit(event),
    })
    return this.matrixService
  }

  async startMatrix(spec: MatrixSpec): Promise<MatrixSummary> {
    this.requireWritable('start a matrix')
    return this.matrices.start(spec)
  }

  async getMatrix(matrixId: number): Promise<Matrix> {
    return this.matrices.get(matrixId)
  }

  async listMatrices(): Promise<MatrixSummary[]> {
    return this.matrices.list()
  }

  async stopMatrix(matrixId: number): Promise<void> {
    return this.matrices.stop(matrixId)
  }

  /** Resolves when every cell of the matrix has ended and been saved. */
  async waitForMatrix(matrixId: number): Promise<Matrix> {
    return this.matrices.wait(matrixId)
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
  storeStart(replicas: number): Promise<StoreView> {
    return this.store.start(replicas)
  }

  /**
   * A headless store (`stabilis store up`): more replicas than the page draws, a data folder kept across starts and
   * the replicas' own settings. Not a LabApi method. `storeUntilAllExit` then follows it until no replica is left.
   */
  storeUp(options: StoreUpOptions): Promise<StoreView> {
    return this.store.up(options)
  }

  storeUntilAllExit(onExit: (exit: ReplicaExit) => void): { done: Promise<void>; cancel(): void } {
    return this.store.untilAllExit(onExit)
  }

  storeStop(): Promise<void> {
    return this.store.stop()
  }

  storeView(): Promise<StoreView> {
    return this.store.view()
  }

  storeFault(fault: StoreFault): Promise<StoreView> {
    return this.store.fault(fault)
  }

  storePut(replica: string, key: string, value: string): Promise<StorePutResult> {
    return this.store.put(replica, key, value)
  }

  storeRange(replica: string, prefix: string): Promise<StoreKeyValue[]> {
    return this.store.range(replica, prefix)
  }

  private benchService: StoreBenchService | null = null

  /** Created on first use; it marks benchmarks left running by a dead process as interrupted. */
  private get benches(): StoreBenchService {
    this.benchService ??= new StoreBenchService({
      repo: this.repo.storeRuns,
      emit: (event) => this.emit(event),
      findEtcd: this.opts.findEtcd,
      replicaEntry: this.opts.store?.replicaEntry,
    })
    return this.benchService
  }

  async storeBench(options?: StoreBenchOptions): Promise<StoreBenchRun> {
    this.requireWritable('save a benchmark')
    return this.benches.start(options)
  }

  async listBenchRuns(): Promise<StoreBenchRun[]> {
    return this.benches.list()
  }

  async getBenchRun(id: number): Promise<StoreBenchRun> {
    return this.benches.get(id)
  }

  async stopBenchRun(id: number): Promise<StoreBenchRun> {
    return this.benches.stop(id)
  }

  /** Resolves when the store benchmark has ended and been saved. */
  async waitForBench(id: number): Promise<StoreBenchRun> {
    return this.benches.wait(id)
  }

  private liveService: LiveService | null = null

  /** Created on first use; it marks live runs left running by a dead process as interrupted. */
  private get lives(): LiveService {
    this.liveService ??= new LiveService({ repo: this.repo, emit: (event) => this.emit(event), findEtcd: this.opts.findEtcd, replicaEntry: this.opts.store?.replicaEntry })
    return this.liveService
  }

  async startLive(config: LiveConfig): Promise<LiveRunSummary> {
    return this.lives.start(config)
  }

  async stopLive(runId: number): Promise<LiveRunSummary> {
    return this.lives.stop(runId)
  }

  async liveFault(runId: number, fault: LiveFault): Promise<void> {
    return this.lives.fault(runId, fault)
  }

  async listLiveRuns(): Promise<LiveRunSummary[]> {
    return this.lives.list()
  }

  async getLiveRun(runId: number): Promise<LiveRunSummary> {
    return this.lives.get(runId)
  }

  async getLiveEvents(runId: number, fromSeq?: number): Promise<LiveEvent[]> {
    return this.lives.events(runId, fromSeq)
  }

  async getLiveTrace(runId: number, property?: string): Promise<LiveTrace> {
    return this.lives.trace(runId, property)
  }

  async compareLive(runId: number, checkRunId?: number): Promise<LiveComparison> {
    return this.lives.compare(runId, checkRunId)
  }

  /** Resolves when the live run has ended and been saved. */
  async waitForLive(runId: number): Promise<LiveRunSummary> {
    return this.lives.wait(runId)
  }

  private chaosService: StoreChaosService | null = null

  private get chaos(): StoreChaosService {
    this.chaosService ??= new StoreChaosService({ repo: this.repo.storeRuns, emit: (event) => this.emit(event), replicaEntry: this.opts.store?.replicaEntry })
    return this.chaosService
  }

  async storeChaos(options?: StoreChaosOptions): Promise<StoreChaosRun> {
    return this.chaos.start(options)
  }

  /**
   * storeChaos that also writes the recorded history to a file, one operation per line. Not a LabApi method:
   * only a host on the user's own machine (the CLI) may name files to write.
   */
  async storeChaosRecording(options: StoreChaosOptions | undefined, historyFile: string): Promise<StoreChaosRun> {
    return this.chaos.start(options, historyFile)
  }

  async listChaosRuns(): Promise<StoreChaosRun[]> {
    return this.chaos.list()
  }

  async getChaosRun(id: number): Promise<StoreChaosRun> {
    return this.chaos.get(id)
  }

  async stopChaosRun(id: number): Promise<StoreChaosRun> {
    return this.chaos.stop(id)
  }

  /** Resolves when the chaos run has ended and been saved. */
  async waitForChaos(id: number): Promise<StoreChaosRun> {
    return this.chaos.wait(id)
  }

  async close(): Promise<void> {
    await this.liveService?.stopAll()
    await this.matrixService?.stopAll()
    await this.benchService?.stopAll()
    await this.chaosService?.stopAll()
    await this.store.stop()
    const runs = [...this.active.entries()]
    for (const [id] of runs) await this.stopRun(id)
    await Promise.all(runs.map(([, r]) => r.finished))
  }
}
