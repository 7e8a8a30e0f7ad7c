// The Lab: the one implementation of LabApi. Every host (Electron, web, CLI) wraps an instance of it and adds no logic.
// It validates each request and hands it to the service that owns it: check runs (check-runs.ts), matrices
// (matrix.ts), trace replay and explore-by-hand on saved runs (saved-traces.ts), the store and its benchmark and
// chaos runs (store/), live runs (live-runs.ts); run patches are checked in run-patch.ts.
import { resolve } from 'node:path'
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
  ExploreRequest,
  ExploreView,
  ReplayResult,
  ReplayTarget,
  RunConfig,
  RunDetail,
  RunPatch,
  RunSummary,
} from '../../src-shared/types.ts'
import { listModelInfos } from '../models/registry.ts'
import { defaultModelsDir, modelFilesIn } from '../models/sdk/loader.ts'
import { listUserModels } from './user-models.ts'
import { CheckRuns, verdictOf, type CheckRunOptions } from './check-runs.ts'
import { MAX_NAME_LENGTH, runIdList, validateRunPatch } from './run-patch.ts'
import { CSV_REPORTS } from './csv.ts'
import type { RunRepository } from './db/run-repository.ts'
import { exploreRunState, replayRunTrace } from './saved-traces.ts'
import type { StoreFault, StoreKeyValue, StorePutResult, StoreView } from '../../src-shared/store-types.ts'
import { StoreLab, type ReplicaExit, type StoreLabOptions, type StoreUpOptions } from './store/lab.ts'
import { StoreBenchService } from './store/bench-runs.ts'
import { StoreChaosService } from './store/chaos-runs.ts'
import type { StoreBenchOptions, StoreBenchRun, StoreChaosOptions, StoreChaosRun } from '../../src-shared/store-types.ts'
import { MatrixService } from './matrix.ts'
import { mergeShards } from './merge.ts'
import type { Matrix, MatrixSpec, MatrixSummary } from '../../src-shared/types.ts'

export interface LabOptions extends CheckRunOptions {
  /** Replica data and process entry for the store lab. */
  store?: StoreLabOptions
  /** Where store benchmarks look for etcd (default: "etcd" on PATH); tests pass () => null. */
  findEtcd?: () => string | null
  /** User models folder (docs/sdk.md); default: STABILIS_MODELS, else "models" beside the database; null: none. */
  modelsDir?: string | null
}

/** Deleted runs stay restorable (undo) this long; older ones are purged on start-up and on the next delete. */
export const PURGE_AFTER_MS = 60 * 60 * 1000

export class Lab implements LabApi {
  private readonly listeners = new Set<(e: LabEvent) => void>()
  private readonly checks: CheckRuns
  private readonly repo: RunRepository
  private readonly opts: LabOptions

  private readonly store: StoreLab

  constructor(repo: RunRepository, opts: LabOptions = {}) {
    this.repo = repo
    this.opts = opts
    this.store = new StoreLab((view) => this.emit({ type: 'store-status', view }), opts.store)
    this.checks = new CheckRuns({ repo, opts, emit: (e) => this.emit(e) })
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
    return this.checks.launch(runId, config, false)
  }

  /** Continues an interrupted or stopped run from its last checkpoint; it ends with the same counts as an uninterrupted run. */
  async resumeRun(runId: number): Promise<RunSummary> {
    if (!Number.isInteger(runId)) throw badInput(`run id must be a whole number, got ${JSON.stringify(runId)}`)
    this.requireWritable('resume a run')
    return this.checks.resume(runId)
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

  async stopRun(runId: number): Promise<void> {
    this.checks.stop(runId)
  }

  /** Resolves when the run has ended and been saved. */
  async waitForRun(runId: number): Promise<RunSummary> {
    return this.checks.wait(runId)
  }

  async getRun(runId: number): Promise<RunDetail> {
    if (!Number.isInteger(runId)) throw badInput(`run id must be a whole number, got ${JSON.stringify(runId)}`)
    const detail = this.repo.getRun(runId)
    const phase = this.checks.phase(runId)
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
    return replayRunTrace(this.repo, runId, target, this.opts.modelCatalog)
  }

  async exploreState(runId: number, request: ExploreRequest): Promise<ExploreView> {
    return exploreRunState(this.repo, runId, request, this.opts.modelCatalog)
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
    await this.checks.stopAll()
  }
}
