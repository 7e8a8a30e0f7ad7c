// The lab's database: one SQLite file (better-sqlite3, WAL) and one repository per aggregate — check runs
// (runs.ts), comparisons (comparisons.ts), store benchmarks and chaos runs (store-runs.ts), matrices
// (matrices.ts); live runs have their own (live-repository.ts). RunRepository opens the file and is the one
// handle the Lab holds: each method hands over to the repository that owns the table.
import { rmSync } from 'node:fs'
import type Database from 'better-sqlite3'
import type {
  Comparison,
  ComparisonInput,
  Matrix,
  MatrixCellKey,
  MatrixSpec,
  MatrixStatus,
  MatrixSummary,
  ProgressSample,
  RunConfig,
  RunDetail,
  RunPatch,
  RunSummary,
} from '../../../src-shared/types.ts'
import type { StoreBenchReport, StoreBenchRun, StoreChaosReport, StoreChaosRun } from '../../../src-shared/store-types.ts'
import { ComparisonsRepository } from './comparisons.ts'
import { openDatabase, type OpenDatabase } from './database.ts'
import { MatricesRepository } from './matrices.ts'
import { RunsRepository, type RunFinish } from './runs.ts'
import { StoreRunsRepository, type StoreRunFinish } from './store-runs.ts'

export type { RunFinish } from './runs.ts'

export class RunRepository {
  private readonly db: Database.Database
  readonly file: string
  /** True when the database could only be opened for reading: it can be listed and exported, not written. */
  readonly readOnly: boolean
  /** A read-only database read through a copy: that copy's folder, removed on close. */
  private readonly snapshotDir: string | null
  readonly runs: RunsRepository
  readonly comparisons: ComparisonsRepository
  readonly storeRuns: StoreRunsRepository
  readonly matrices: MatricesRepository

  private constructor(open: OpenDatabase) {
    this.db = open.db
    this.file = open.file
    this.readOnly = open.db.readonly
    this.snapshotDir = open.snapshotDir
    this.runs = new RunsRepository(this.db)
    this.comparisons = new ComparisonsRepository(this.db)
    this.storeRuns = new StoreRunsRepository(this.db)
    this.matrices = new MatricesRepository(this.db)
  }

  /** Opens (creating if needed) and migrates the database; a bad path or a corrupt file is a bad-input error. */
  static open(file: string): RunRepository {
    const open = openDatabase(file)
    try {
      return new RunRepository(open)
    } catch (err) {
      open.db.close()
      throw err
    }
  }

  close(): void {
    this.db.close()
    if (this.snapshotDir) rmSync(this.snapshotDir, { recursive: true, force: true })
  }

  /** The open database, for the repositories of other run kinds (db/live-repository.ts). */
  get database(): Database.Database {
    return this.db
  }

  // Check runs (runs.ts).
  markInterrupted(): number { return this.runs.markInterrupted() }
  createRun(config: RunConfig, startedAt: string): number { return this.runs.createRun(config, startedAt) }
  reopenRun(runId: number): void { this.runs.reopenRun(runId) }
  appendSamples(runId: number, samples: readonly ProgressSample[]): void { this.runs.appendSamples(runId, samples) }
  updateFigures(runId: number, unique: number, generated: number, maxDepth: number, seconds: number): void { this.runs.updateFigures(runId, unique, generated, maxDepth, seconds) }
  finishRun(runId: number, f: RunFinish): void { this.runs.finishRun(runId, f) }
  listRuns(): RunSummary[] { return this.runs.listRuns() }
  updateRun(runId: number, patch: RunPatch): RunSummary { return this.runs.updateRun(runId, patch) }
  deleteRuns(runIds: readonly number[], at: string): void { this.runs.deleteRuns(runIds, at) }
  restoreRuns(runIds: readonly number[]): void { this.runs.restoreRuns(runIds) }
  isDeleted(runId: number): boolean { return this.runs.isDeleted(runId) }
  purgeDeleted(before: string): number { return this.runs.purgeDeleted(before) }
  getSummary(runId: number): RunSummary { return this.runs.getSummary(runId) }
  getRun(runId: number): RunDetail { return this.runs.getRun(runId) }

  // Comparisons (comparisons.ts).
  listComparisons(): Comparison[] { return this.comparisons.listComparisons() }
  getComparison(id: number): Comparison { return this.comparisons.getComparison(id) }
  saveComparison(input: ComparisonInput, at: string): Comparison { return this.comparisons.saveComparison(input, at) }
  deleteComparison(id: number): void { this.comparisons.deleteComparison(id) }

  // Store benchmarks and chaos runs (store-runs.ts).
  markBenchRunsInterrupted(): number { return this.storeRuns.markInterrupted() }
  createBenchRun(options: StoreBenchRun['options'], etcd: StoreBenchRun['etcd'], note: string | null, startedAt: string): number { return this.storeRuns.create('store-bench', options, startedAt, etcd, note) }
  finishBenchRun(id: number, f: StoreRunFinish<StoreBenchReport>): void { this.storeRuns.finish('store-bench', id, f) }
  listBenchRuns(): StoreBenchRun[] { return this.storeRuns.list('store-bench') }
  getBenchRun(id: number): StoreBenchRun { return this.storeRuns.get('store-bench', id) }
  createChaosRun(options: StoreChaosRun['options'], startedAt: string): number { return this.storeRuns.create('store-chaos', options, startedAt) }
  finishChaosRun(id: number, f: StoreRunFinish<StoreChaosReport>): void { this.storeRuns.finish('store-chaos', id, f) }
  listChaosRuns(): StoreChaosRun[] { return this.storeRuns.list('store-chaos') }
  getChaosRun(id: number): StoreChaosRun { return this.storeRuns.get('store-chaos', id) }

  // Matrices (matrices.ts).
  createMatrix(spec: Required<MatrixSpec>, cells: readonly MatrixCellKey[], startedAt: string): number { return this.matrices.createMatrix(spec, cells, startedAt) }
  setMatrixCellRun(matrixId: number, position: number, runId: number): void { this.matrices.setMatrixCellRun(matrixId, position, runId) }
  finishMatrix(matrixId: number, status: Exclude<MatrixStatus, 'running'>): void { this.matrices.finishMatrix(matrixId, status) }
  markMatricesInterrupted(): number { return this.matrices.markMatricesInterrupted() }
  getMatrix(matrixId: number): Matrix { return this.matrices.getMatrix(matrixId) }
  listMatrices(): MatrixSummary[] { return this.matrices.listMatrices() }
}
