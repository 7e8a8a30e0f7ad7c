// The SQL of store benchmarks (kind "store-bench") and store chaos runs (kind "store-chaos"): one table, bench_runs,
// options and report as JSON. A chaos run's verdict is in its report; its etcd column says "skipped" (no etcd
// takes part).
import type Database from 'better-sqlite3'
import { notFound } from '../../../src-shared/errors.ts'
import type { StoreBenchReport, StoreBenchRun, StoreChaosReport, StoreChaosRun } from '../../../src-shared/store-types.ts'
import { markDeadInterrupted, Repository } from './database.ts'

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

/** Each kind of store run as it is read back, and its report. */
export interface StoreRunOf {
  'store-bench': StoreBenchRun
  'store-chaos': StoreChaosRun
}
export interface StoreReportOf {
  'store-bench': StoreBenchReport
  'store-chaos': StoreChaosReport
}
export type StoreRunKind = keyof StoreRunOf

/** How a store run ended, with its report (what finished, when stopped) or the error. */
export interface StoreRunFinish<R> {
  status: 'done' | 'failed' | 'stopped'
  report: R | null
  error: string | null
}

const common = (r: BenchRunRow) => ({ id: r.id, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at, error: r.error })

const READ: { [K in StoreRunKind]: (r: BenchRunRow) => StoreRunOf[K] } = {
  'store-bench': (r) => ({
    ...common(r),
    kind: 'store-bench',
    options: JSON.parse(r.options) as StoreBenchRun['options'],
    etcd: r.etcd,
    note: r.note,
    report: r.report ? (JSON.parse(r.report) as StoreBenchReport) : null,
  }),
  'store-chaos': (r) => ({
    ...common(r),
    kind: 'store-chaos',
    options: JSON.parse(r.options) as StoreChaosRun['options'],
    report: r.report ? (JSON.parse(r.report) as StoreChaosReport) : null,
  }),
}

/** What a store run is called in messages. */
export const STORE_RUN_NAMES: Record<StoreRunKind, string> = { 'store-bench': 'store benchmark', 'store-chaos': 'store chaos run' }

const SQL = {
  insert: `INSERT INTO bench_runs (kind, status, options, etcd, note, started_at, owner_pid) VALUES (?, 'running', ?, ?, ?, ?, ?)`,
  finish: `UPDATE bench_runs SET status = ?, report = ?, error = ?, finished_at = ? WHERE id = ? AND kind = ?`,
  list: `SELECT * FROM bench_runs WHERE kind = ? ORDER BY id DESC`,
  get: `SELECT * FROM bench_runs WHERE id = ? AND kind = ?`,
}

export class StoreRunsRepository extends Repository<keyof typeof SQL> {
  constructor(db: Database.Database) {
    super(db, SQL)
  }

  /** Store runs left "running" by a process that no longer exists become "interrupted"; returns how many. */
  markInterrupted(): number {
    return markDeadInterrupted(this.db, 'bench_runs')
  }

  /** Saves a store run as running, owned by this process; returns its id. Only a benchmark has etcd and a note. */
  create<K extends StoreRunKind>(kind: K, options: StoreRunOf[K]['options'], startedAt: string, etcd: StoreBenchRun['etcd'] = 'skipped', note: string | null = null): number {
    return Number(this.sql.insert.run(kind, JSON.stringify(options), etcd, note, startedAt, process.pid).lastInsertRowid)
  }

  finish<K extends StoreRunKind>(kind: K, id: number, f: StoreRunFinish<StoreReportOf[K]>): void {
    this.sql.finish.run(f.status, f.report ? JSON.stringify(f.report) : null, f.error, new Date().toISOString(), id, kind)
  }

  /** Newest first. */
  list<K extends StoreRunKind>(kind: K): StoreRunOf[K][] {
    return (this.sql.list.all(kind) as BenchRunRow[]).map(READ[kind])
  }

  get<K extends StoreRunKind>(kind: K, id: number): StoreRunOf[K] {
    const row = this.sql.get.get(id, kind) as BenchRunRow | undefined
    if (!row) throw notFound(`no ${STORE_RUN_NAMES[kind]} with id ${id}`)
    return READ[kind](row)
  }
}
