// SQLite persistence of runs (better-sqlite3, WAL). The only module that speaks SQL about runs.
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { badInput, LabError, notFound } from '../../../src-shared/errors.ts'
import type {
  Comparison,
  ComparisonInput,
  Matrix,
  MatrixCell,
  MatrixSpec,
  MatrixStatus,
  MatrixSummary,
  ProgressSample,
  PropertyResult,
  RunConfig,
  RunDetail,
  RunPatch,
  RunStatus,
  RunSummary,
  SearchCoverage,
  Verdict,
} from '../../../src-shared/types.ts'
import { MIGRATIONS } from './migrations.ts'
import type { StoreBenchReport, StoreBenchRun, StoreChaosReport, StoreChaosRun } from '../../../src-shared/store-types.ts'

interface BenchRunRow {
  id: number
  status: StoreBenchRun['status']
  options: string
  etcd: StoreBenchRun['etcd']
  note: string | null
  started_at: string
  finished_at: string | null
  report: string | null
  error: string | null
}

const toBenchRun = (r: BenchRunRow): StoreBenchRun => ({
  id: r.id,
  kind: 'store-bench',
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  options: JSON.parse(r.options) as StoreBenchRun['options'],
  etcd: r.etcd,
  note: r.note,
  report: r.report ? (JSON.parse(r.report) as StoreBenchReport) : null,
  error: r.error,
})

const toChaosRun = (r: BenchRunRow): StoreChaosRun => ({
  id: r.id,
  kind: 'store-chaos',
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  options: JSON.parse(r.options) as StoreChaosRun['options'],
  report: r.report ? (JSON.parse(r.report) as StoreChaosReport) : null,
  error: r.error,
})

interface RunRow {
  id: number
  kind: 'check'
  model: string
  config: string
  status: RunStatus
  started_at: string
  finished_at: string | null
  owner_pid: number | null
  unique_states: number
  generated_states: number
  max_depth: number
  seconds: number
  complete: number
  verdict: Verdict
  error: string | null
  name: string
  notes: string
  tags: string
  deleted_at: string | null
  collision_probability: number | null
  search: string | null
}

interface ComparisonRow {
  id: number
  name: string
  run_ids: string
  created_at: string
  updated_at: string
}

const toComparison = (r: ComparisonRow): Comparison => ({
  id: r.id,
  name: r.name,
  runIds: JSON.parse(r.run_ids) as number[],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
})

export interface RunFinish {
  status: Exclude<RunStatus, 'running'>
  unique: number
  generated: number
  maxDepth: number
  seconds: number
  complete: boolean
  verdict: Verdict
  error: string | null
  depthHistogram: number[]
  properties: PropertyResult[]
  /** Birthday-bound probability that two distinct states shared a fingerprint in this run. */
  collisionProbability?: number
  firstViolationMs?: number
  coverage?: SearchCoverage
}

/** Liveness evidence beyond the trace, stored as one JSON column. */
const DETAIL_KEYS = ['loopStart', 'counterexample', 'convergence', 'walk'] as const

function detailsOf(p: PropertyResult): string | null {
  const d: Record<string, unknown> = {}
  for (const k of DETAIL_KEYS) if (p[k] !== undefined) d[k] = p[k]
  return Object.keys(d).length ? JSON.stringify(d) : null
}

const toSummary = (r: RunRow): RunSummary => ({
  id: r.id,
  kind: r.kind,
  model: r.model,
  config: JSON.parse(r.config) as RunConfig,
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  unique: r.unique_states,
  generated: r.generated_states,
  maxDepth: r.max_depth,
  seconds: r.seconds,
  complete: r.complete === 1,
  verdict: r.verdict,
  error: r.error,
  name: r.name ?? '',
  notes: r.notes ?? '',
  tags: r.tags ? (JSON.parse(r.tags) as string[]) : [],
  ...(r.collision_probability !== null && r.collision_probability !== undefined ? { collisionProbability: r.collision_probability } : {}),
  ...(r.search ? (JSON.parse(r.search) as Pick<RunSummary, 'firstViolationMs' | 'coverage'>) : {}),
})

function firstViolationOf(search: string | null): { firstViolationMs?: number } {
  const ms = search ? (JSON.parse(search) as { firstViolationMs?: number }).firstViolationMs : undefined
  return ms !== undefined ? { firstViolationMs: ms } : {}
}

function searchOf(f: RunFinish): string | null {
  const d: Pick<RunSummary, 'firstViolationMs' | 'coverage'> = {}
  if (f.firstViolationMs !== undefined) d.firstViolationMs = f.firstViolationMs
  if (f.coverage !== undefined) d.coverage = f.coverage
  return Object.keys(d).length ? JSON.stringify(d) : null
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Errors that mean "this process may not write here" (a read-only file, folder or mount), as opposed to a bad file. */
const READ_ONLY_CODES = /^(SQLITE_CANTOPEN|SQLITE_READONLY|SQLITE_PERM|SQLITE_AUTH|EACCES|EPERM|EROFS)/

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : ''
}

/** Whether this process may write `path` (file or folder); access(2) also sees the immutable flag and read-only mounts. */
function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK)
    return true
  } catch {
    return false
  }
}

export class RunRepository {
  private readonly db: Database.Database
  readonly file: string
  /** True when the database could only be opened for reading: it can be listed and exported, not written. */
  readonly readOnly: boolean
  /** A read-only database read through a copy (see openReadOnly): that copy's folder, removed on close. */
  private readonly snapshotDir: string | null

  private constructor(db: Database.Database, file: string, snapshotDir: string | null = null) {
    this.db = db
    this.file = file
    this.readOnly = db.readonly
    this.snapshotDir = snapshotDir
  }

  /** Opens (creating if needed) and migrates the database; a bad path or a corrupt file is a bad-input error. */
  static open(file: string): RunRepository {
    let db: Database.Database | undefined
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
      // SQLite opens a file it may not write without complaint and fails at the first write: ask the system first.
      if (file !== ':memory:' && existsSync(file) && !writable(file)) return RunRepository.openReadOnly(file, new Error('the file is read-only'))
      // Switching a new file to WAL can meet SQLITE_BUSY at once, without the busy handler, while another process
      // does the same: try again a few times before calling the file locked.
      for (let attempt = 1; ; attempt++) {
        db = new Database(file)
        try {
          // Before anything that takes a lock: a second process opening the same file waits instead of failing.
          db.pragma('busy_timeout = 5000')
          db.pragma('journal_mode = WAL')
          db.pragma('synchronous = NORMAL')
          db.pragma('foreign_keys = ON')
          const repo = new RunRepository(db, file)
          repo.migrate()
          return repo
        } catch (err) {
          if (attempt >= 8 || errorCode(err) !== 'SQLITE_BUSY') throw err
          db.close()
          db = undefined
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100 * attempt)
        }
      }
    } catch (err) {
      db?.close()
      // Read-only only when the system says so: a folder that refuses SQLite's "-shm" file, say.
      const refused = file !== ':memory:' && existsSync(file) && (!writable(file) || !writable(dirname(file)))
      if (refused && READ_ONLY_CODES.test(errorCode(err))) return RunRepository.openReadOnly(file, err)
      if (err instanceof LabError) throw err
      const msg = err instanceof Error ? err.message : String(err)
      throw badInput(`cannot open database "${file}": ${msg}`)
    }
  }

  /**
   * A database this process may not write (read-only file, folder or mount) is opened for reading, so its runs can
   * still be listed and exported. SQLite reads a WAL database only beside a "-shm" file it can create, which a
   * read-only folder refuses: then the database (and its "-wal") is read through a copy in a temporary folder.
   */
  private static openReadOnly(file: string, cause: unknown): RunRepository {
    const why = cause instanceof Error ? cause.message : String(cause)
    let db: Database.Database | undefined
    let snapshot: string | null = null
    try {
      try {
        db = new Database(file, { readonly: true, fileMustExist: true })
        db.pragma('user_version', { simple: true })
      } catch {
        db?.close()
        snapshot = mkdtempSync(join(tmpdir(), 'stabilis-readonly-'))
        const copy = join(snapshot, basename(file))
        copyFileSync(file, copy)
        if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`)
        db = new Database(copy, { readonly: true, fileMustExist: true })
      }
      const repo = new RunRepository(db, file, snapshot)
      const version = db.pragma('user_version', { simple: true }) as number
      if (version !== MIGRATIONS.length) {
        throw new Error(`it is read-only (${why}) and has schema ${version} where this Stabilis needs ${MIGRATIONS.length}`)
      }
      return repo
    } catch (err) {
      db?.close()
      if (snapshot) rmSync(snapshot, { recursive: true, force: true })
      throw badInput(`cannot open database "${file}": ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  /**
   * Applies the missing migrations. Each runs in a BEGIN IMMEDIATE transaction that re-reads the version once it
   * holds the write lock: two processes creating the same new database both wait their turn, and the second finds
   * the work done instead of running it twice ("duplicate column name").
   */
  private migrate(): void {
    for (;;) {
      const version = this.db.pragma('user_version', { simple: true }) as number
      if (version > MIGRATIONS.length) {
        throw new Error(`it was written by a newer Stabilis (schema ${version}, this one knows ${MIGRATIONS.length})`)
      }
      if (version === MIGRATIONS.length) return
      this.db
        .transaction(() => {
          const v = this.db.pragma('user_version', { simple: true }) as number
          if (v >= MIGRATIONS.length) return
          this.db.exec(MIGRATIONS[v])
          this.db.pragma(`user_version = ${v + 1}`)
        })
        .immediate()
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

  /** Runs left "running" by a process that no longer exists become "interrupted"; returns how many. */
  markInterrupted(): number {
    if (this.readOnly) return 0
    const rows = this.db.prepare(`SELECT id, owner_pid FROM runs WHERE status = 'running'`).all() as Pick<RunRow, 'id' | 'owner_pid'>[]
    const dead = rows.filter((r) => r.owner_pid === null || (r.owner_pid !== process.pid && !isAlive(r.owner_pid)))
    const mark = this.db.prepare(`UPDATE runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?) WHERE id = ?`)
    const now = new Date().toISOString()
    this.db.transaction(() => dead.forEach((r) => mark.run(now, r.id)))()
    return dead.length
  }

  createRun(config: RunConfig, startedAt: string): number {
    const info = this.db
      .prepare(`INSERT INTO runs (kind, model, config, status, started_at, owner_pid) VALUES ('check', ?, ?, 'running', ?, ?)`)
      .run(config.model, JSON.stringify(config), startedAt, process.pid)
    return Number(info.lastInsertRowid)
  }

  /** An interrupted or stopped run that is resumed: running again, owned by this process. */
  reopenRun(runId: number): void {
    this.db
      .prepare(`UPDATE runs SET status = 'running', finished_at = NULL, error = NULL, owner_pid = ? WHERE id = ?`)
      .run(process.pid, runId)
  }

  /** One transaction per batch: samples arrive every 250 ms and are flushed together. */
  appendSamples(runId: number, samples: readonly ProgressSample[]): void {
    if (samples.length === 0) return
    const insert = this.db.prepare(
      `INSERT INTO samples (run_id, elapsed_ms, generated, unique_states, queue, max_depth, generated_per_sec, unique_per_sec, memory_bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.db.transaction(() => {
      for (const s of samples) {
        insert.run(runId, s.elapsedMs, s.generated, s.unique, s.queue, s.maxDepth, s.generatedPerSec, s.uniquePerSec, s.memoryBytes)
      }
    })()
  }

  /** Live figures while running, so a crash leaves the last known counts behind. */
  updateFigures(runId: number, unique: number, generated: number, maxDepth: number, seconds: number): void {
    this.db
      .prepare(`UPDATE runs SET unique_states = ?, generated_states = ?, max_depth = ?, seconds = ? WHERE id = ? AND status = 'running'`)
      .run(unique, generated, maxDepth, seconds, runId)
  }

  finishRun(runId: number, f: RunFinish): void {
    const insertDepth = this.db.prepare(`INSERT OR REPLACE INTO depth_histogram (run_id, depth, states) VALUES (?, ?, ?)`)
    const insertProp = this.db.prepare(
      `INSERT OR REPLACE INTO property_results (run_id, position, name, kind, description, status, trace, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE runs SET status = ?, finished_at = ?, unique_states = ?, generated_states = ?, max_depth = ?, seconds = ?,
           complete = ?, verdict = ?, error = ?, collision_probability = ?, search = ? WHERE id = ?`,
        )
        .run(f.status, new Date().toISOString(), f.unique, f.generated, f.maxDepth, f.seconds, f.complete ? 1 : 0, f.verdict, f.error, f.collisionProbability ?? null, searchOf(f), runId)
      f.depthHistogram.forEach((n, i) => insertDepth.run(runId, i + 1, n))
      f.properties.forEach((p, i) =>
        insertProp.run(runId, i, p.name, p.kind, p.description, p.status, p.trace ? JSON.stringify(p.trace) : null, detailsOf(p)),
      )
    })()
  }

  /** Runs not in the bin, newest first. */
  listRuns(): RunSummary[] {
    const cells = this.db.prepare(`SELECT run_id, matrix_id FROM matrix_cells WHERE run_id IS NOT NULL`).all() as { run_id: number; matrix_id: number }[]
    const matrixOf = new Map(cells.map((c) => [c.run_id, c.matrix_id]))
    return (this.db.prepare(`SELECT * FROM runs WHERE deleted_at IS NULL ORDER BY id DESC`).all() as RunRow[]).map((r) => {
      const m = matrixOf.get(r.id)
      return m === undefined ? toSummary(r) : { ...toSummary(r), matrixId: m }
    })
  }

  /** Sets name, notes and/or tags (already validated by the caller). */
  updateRun(runId: number, patch: RunPatch): RunSummary {
    this.getSummary(runId)
    const columns: [string, string | undefined][] = [
      ['name', patch.name],
      ['notes', patch.notes],
      ['tags', patch.tags && JSON.stringify(patch.tags)],
    ]
    const set = columns.filter(([, v]) => v !== undefined) as [string, string][]
    if (set.length) {
      this.db.prepare(`UPDATE runs SET ${set.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...set.map(([, v]) => v), runId)
    }
    return this.getSummary(runId)
  }

  /** Soft delete: the runs leave listRuns but keep every row until purgeDeleted. */
  deleteRuns(runIds: readonly number[], at: string): void {
    const mark = this.db.prepare(`UPDATE runs SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL`)
    this.db.transaction(() => runIds.forEach((id) => mark.run(at, id)))()
  }

  restoreRuns(runIds: readonly number[]): void {
    const unmark = this.db.prepare(`UPDATE runs SET deleted_at = NULL WHERE id = ?`)
    this.db.transaction(() => runIds.forEach((id) => unmark.run(id)))()
  }

  isDeleted(runId: number): boolean {
    const row = this.db.prepare(`SELECT deleted_at FROM runs WHERE id = ?`).get(runId) as { deleted_at: string | null } | undefined
    return row?.deleted_at != null
  }

  /** Removes for good the runs deleted before `before` (ISO time), with their samples, depths and properties. */
  purgeDeleted(before: string): number {
    if (this.readOnly) return 0
    return this.db.prepare(`DELETE FROM runs WHERE deleted_at IS NOT NULL AND deleted_at < ?`).run(before).changes
  }

  listComparisons(): Comparison[] {
    return (this.db.prepare(`SELECT * FROM comparisons ORDER BY updated_at DESC, id DESC`).all() as ComparisonRow[]).map(toComparison)
  }

  getComparison(id: number): Comparison {
    const row = this.db.prepare(`SELECT * FROM comparisons WHERE id = ?`).get(id) as ComparisonRow | undefined
    if (!row) throw notFound(`no comparison with id ${id}`)
    return toComparison(row)
  }

  saveComparison(input: ComparisonInput, at: string): Comparison {
    const runIds = JSON.stringify(input.runIds)
    if (input.id === undefined) {
      const info = this.db
        .prepare(`INSERT INTO comparisons (name, run_ids, created_at, updated_at) VALUES (?, ?, ?, ?)`)
        .run(input.name, runIds, at, at)
      return this.getComparison(Number(info.lastInsertRowid))
    }
    this.getComparison(input.id)
    this.db.prepare(`UPDATE comparisons SET name = ?, run_ids = ?, updated_at = ? WHERE id = ?`).run(input.name, runIds, at, input.id)
    return this.getComparison(input.id)
  }

  deleteComparison(id: number): void {
    if (this.db.prepare(`DELETE FROM comparisons WHERE id = ?`).run(id).changes === 0) throw notFound(`no comparison with id ${id}`)
  }

  // Store benchmarks (kind "store-bench"): their own table; options and report are JSON.

  createBenchRun(options: StoreBenchRun['options'], etcd: StoreBenchRun['etcd'], note: string | null, startedAt: string): number {
    const info = this.db
      .prepare(`INSERT INTO bench_runs (status, options, etcd, note, started_at, owner_pid) VALUES ('running', ?, ?, ?, ?, ?)`)
      .run(JSON.stringify(options), etcd, note, startedAt, process.pid)
    return Number(info.lastInsertRowid)
  }

  finishBenchRun(id: number, f: { status: 'done' | 'failed' | 'stopped'; report: StoreBenchReport | null; error: string | null }): void {
    this.db
      .prepare(`UPDATE bench_runs SET status = ?, report = ?, error = ?, finished_at = ? WHERE id = ?`)
      .run(f.status, f.report ? JSON.stringify(f.report) : null, f.error, new Date().toISOString(), id)
  }

  /** Benchmarks left "running" by a process that no longer exists become "interrupted"; returns how many. */
  markBenchRunsInterrupted(): number {
    if (this.readOnly) return 0
    const rows = this.db.prepare(`SELECT id, owner_pid FROM bench_runs WHERE status = 'running'`).all() as { id: number; owner_pid: number | null }[]
    const dead = rows.filter((r) => r.owner_pid === null || (r.owner_pid !== process.pid && !isAlive(r.owner_pid)))
    const mark = this.db.prepare(`UPDATE bench_runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?) WHERE id = ?`)
    const now = new Date().toISOString()
    this.db.transaction(() => dead.forEach((r) => mark.run(now, r.id)))()
    return dead.length
  }

  listBenchRuns(): StoreBenchRun[] {
    return (this.db.prepare(`SELECT * FROM bench_runs WHERE kind = 'store-bench' ORDER BY id DESC`).all() as BenchRunRow[]).map(toBenchRun)
  }

  getBenchRun(id: number): StoreBenchRun {
    const row = this.db.prepare(`SELECT * FROM bench_runs WHERE id = ? AND kind = 'store-bench'`).get(id) as BenchRunRow | undefined
    if (!row) throw notFound(`no store benchmark with id ${id}`)
    return toBenchRun(row)
  }

  // Store chaos runs (kind "store-chaos") share the bench_runs table: options and report are JSON, the
  // verdict is in the report; the etcd column says "skipped" (no etcd takes part).

  createChaosRun(options: StoreChaosRun['options'], startedAt: string): number {
    const info = this.db
      .prepare(`INSERT INTO bench_runs (kind, status, options, etcd, started_at, owner_pid) VALUES ('store-chaos', 'running', ?, 'skipped', ?, ?)`)
      .run(JSON.stringify(options), startedAt, process.pid)
    return Number(info.lastInsertRowid)
  }

  finishChaosRun(id: number, f: { status: 'done' | 'failed' | 'stopped'; report: StoreChaosReport | null; error: string | null }): void {
    this.db
      .prepare(`UPDATE bench_runs SET status = ?, report = ?, error = ?, finished_at = ? WHERE id = ? AND kind = 'store-chaos'`)
      .run(f.status, f.report ? JSON.stringify(f.report) : null, f.error, new Date().toISOString(), id)
  }

  listChaosRuns(): StoreChaosRun[] {
    return (this.db.prepare(`SELECT * FROM bench_runs WHERE kind = 'store-chaos' ORDER BY id DESC`).all() as BenchRunRow[]).map(toChaosRun)
  }

  getChaosRun(id: number): StoreChaosRun {
    const row = this.db.prepare(`SELECT * FROM bench_runs WHERE id = ? AND kind = 'store-chaos'`).get(id) as BenchRunRow | undefined
    if (!row) throw notFound(`no store chaos run with id ${id}`)
    return toChaosRun(row)
  }

  getSummary(runId: number): RunSummary {
    const row = this.db.prepare(`SELECT * FROM runs WHERE id = ?`).get(runId) as RunRow | undefined
    if (!row) throw notFound(`no run with id ${runId}`)
    const cell = this.db.prepare(`SELECT matrix_id FROM matrix_cells WHERE run_id = ? LIMIT 1`).get(runId) as { matrix_id: number } | undefined
    return cell ? { ...toSummary(row), matrixId: cell.matrix_id } : toSummary(row)
  }

  getRun(runId: number): RunDetail {
    const summary = this.getSummary(runId)
    const samples = this.db
      .prepare(
        `SELECT elapsed_ms AS elapsedMs, generated, unique_states AS "unique", queue, max_depth AS maxDepth,
         generated_per_sec AS generatedPerSec, unique_per_sec AS uniquePerSec, memory_bytes AS memoryBytes
         FROM samples WHERE run_id = ? ORDER BY elapsed_ms`,
      )
      .all(runId) as ProgressSample[]
    const depthRows = this.db.prepare(`SELECT depth, states FROM depth_histogram WHERE run_id = ? ORDER BY depth`).all(runId) as {
      depth: number
      states: number
    }[]
    const depthHistogram: number[] = []
    for (const r of depthRows) depthHistogram[r.depth - 1] = r.states
    for (let i = 0; i < depthHistogram.length; i++) depthHistogram[i] ??= 0
    const propRows = this.db
      .prepare(`SELECT name, kind, description, status, trace, details FROM property_results WHERE run_id = ? ORDER BY position`)
      .all(runId) as (Omit<PropertyResult, 'trace'> & { trace: string | null; details: string | null })[]
    const properties: PropertyResult[] = propRows.map((p) => ({
      name: p.name,
      kind: p.kind,
      description: p.description,
      status: p.status,
      ...(p.trace ? { trace: JSON.parse(p.trace) } : {}),
      ...(p.details ? (JSON.parse(p.details) as Partial<PropertyResult>) : {}),
    }))
    return { summary, samples, depthHistogram, properties }
  }

  // Matrices: a spec and its cells; each cell points at an ordinary run, whose row supplies status and figures.

  createMatrix(spec: Required<MatrixSpec>, cells: readonly MatrixCellKey[], startedAt: string): number {
    const insertCell = this.db.prepare(
      `INSERT INTO matrix_cells (matrix_id, position, scenario, consistency, instances) VALUES (?, ?, ?, ?, ?)`,
    )
    return this.db.transaction(() => {
      const info = this.db
        .prepare(`INSERT INTO matrices (spec, status, started_at, owner_pid) VALUES (?, 'running', ?, ?)`)
        .run(JSON.stringify(spec), startedAt, process.pid)
      const id = Number(info.lastInsertRowid)
      cells.forEach((c, i) => insertCell.run(id, i, c.scenario, c.consistency, c.instances))
      return id
    })()
  }

  setMatrixCellRun(matrixId: number, position: number, runId: number): void {
    this.db.prepare(`UPDATE matrix_cells SET run_id = ? WHERE matrix_id = ? AND position = ?`).run(runId, matrixId, position)
  }

  finishMatrix(matrixId: number, status: Exclude<MatrixStatus, 'running'>): void {
    this.db
      .prepare(`UPDATE matrices SET status = ?, finished_at = ? WHERE id = ? AND status = 'running'`)
      .run(status, new Date().toISOString(), matrixId)
  }

  /** Matrices left "running" by a process that no longer exists become "interrupted"; returns how many. */
  markMatricesInterrupted(): number {
    if (this.readOnly) return 0
    const rows = this.db.prepare(`SELECT id, owner_pid FROM matrices WHERE status = 'running'`).all() as { id: number; owner_pid: number | null }[]
    const dead = rows.filter((r) => r.owner_pid === null || (r.owner_pid !== process.pid && !isAlive(r.owner_pid)))
    const mark = this.db.prepare(`UPDATE matrices SET status = 'interrupted', finished_at = COALESCE(finished_at, ?) WHERE id = ?`)
    const now = new Date().toISOString()
    this.db.transaction(() => dead.forEach((r) => mark.run(now, r.id)))()
    return dead.length
  }

  getMatrix(matrixId: number): Matrix {
    const row = this.db.prepare(`SELECT * FROM matrices WHERE id = ?`).get(matrixId) as MatrixRow | undefined
    if (!row) throw notFound(`no matrix with id ${matrixId}`)
    return this.toMatrix(row)
  }

  /** Newest first. */
  listMatrices(): MatrixSummary[] {
    const rows = this.db.prepare(`SELECT * FROM matrices ORDER BY id DESC`).all() as MatrixRow[]
    return rows.map((r) => {
      const { cells: _cells, ...summary } = this.toMatrix(r)
      return summary
    })
  }

  private toMatrix(row: MatrixRow): Matrix {
    const cellRows = this.db
      .prepare(
        `SELECT c.scenario, c.consistency, c.instances, c.run_id, r.status, r.verdict, r.unique_states, r.seconds, r.complete, r.error,
         r.search FROM matrix_cells c LEFT JOIN runs r ON r.id = c.run_id WHERE c.matrix_id = ? ORDER BY c.position`,
      )
      .all(row.id) as MatrixCellRow[]
    const violatedRows = this.db
      .prepare(
        `SELECT p.run_id, p.name FROM property_results p JOIN matrix_cells c ON c.run_id = p.run_id
         WHERE c.matrix_id = ? AND p.status = 'violated' ORDER BY p.run_id, p.position`,
      )
      .all(row.id) as { run_id: number; name: string }[]
    // Worst steps to converge of a cell = the largest over its converges properties (kept in the details JSON).
    const convergeRows = this.db
      .prepare(
        `SELECT p.run_id, p.details FROM property_results p JOIN matrix_cells c ON c.run_id = p.run_id
         WHERE c.matrix_id = ? AND p.kind = 'converges' AND p.details IS NOT NULL`,
      )
      .all(row.id) as { run_id: number; details: string }[]
    const worst = new Map<number, number>()
    for (const r of convergeRows) {
      const w = (JSON.parse(r.details) as Partial<PropertyResult>).convergence?.worstSteps
      if (typeof w === 'number') worst.set(r.run_id, Math.max(w, worst.get(r.run_id) ?? 0))
    }
    const violated = new Map<number, string[]>()
    for (const v of violatedRows) violated.set(v.run_id, [...(violated.get(v.run_id) ?? []), v.name])
    const cells: MatrixCell[] = cellRows.map((c) => ({
      scenario: c.scenario,
      consistency: c.consistency,
      instances: c.instances,
      runId: c.run_id,
      status: c.run_id === null || c.status === null ? 'pending' : c.status,
      verdict: c.verdict ?? 'unknown',
      violated: c.verdict === 'violated' && c.run_id !== null ? (violated.get(c.run_id) ?? []) : [],
      unique: c.unique_states ?? 0,
      seconds: c.seconds ?? 0,
      complete: c.complete === 1,
      error: c.error ?? null,
      ...firstViolationOf(c.search),
      worstSteps: c.run_id !== null ? (worst.get(c.run_id) ?? null) : null,
    }))
    const ended = (c: MatrixCell): boolean => c.status !== 'pending' && c.status !== 'running'
    // Verdicts count ended cells only: a running or pending cell is neither unknown nor anything else yet.
    const count = (v: Verdict): number => cells.filter((c) => ended(c) && c.verdict === v).length
    return {
      id: row.id,
      spec: JSON.parse(row.spec) as Required<MatrixSpec>,
      status: row.status,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      cellCount: cells.length,
      finished: cells.filter(ended).length,
      running: cells.filter((c) => c.status === 'running').length,
      pending: cells.filter((c) => c.status === 'pending').length,
      holds: count('holds'),
      violated: count('violated'),
      unknown: count('unknown'),
      cells,
    }
  }
}

/** A matrix cell's coordinates. */
export interface MatrixCellKey {
  scenario: string
  consistency: string
  instances: number
}

interface MatrixRow {
  id: number
  spec: string
  status: MatrixStatus
  started_at: string
  finished_at: string | null
  owner_pid: number | null
}

interface MatrixCellRow {
  scenario: string
  consistency: string
  instances: number
  run_id: number | null
  status: RunStatus | null
  verdict: Verdict | null
  unique_states: number | null
  seconds: number | null
  complete: number | null
  error: string | null
  search: string | null
}
