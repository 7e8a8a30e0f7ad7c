// The SQL of store benchmarks (kind "store-bench") and store chaos runs (kind "store-chaos"): one table, bench_runs,
// options and report as JSON. A chaos run's verdict is in its report; its etcd column says "skipped" (no etcd
// takes part).
import type Database from 'better-sqlite3'
import { notFound } from '../../../src-shared/errors.ts'
import type { StoreBenchReport, StoreBenchRun, StoreChaosReport, StoreChaosRun } from '../../../src-shared/store-types.ts'
import { markDeadInterrupted, prepareAll } from './database.ts'

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

/** The row's fields both kinds share. */
const common = (r: BenchRunRow) => ({
  id: r.id,
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  error: r.error,
})

const toBenchRun = (r: BenchRunRow): StoreBenchRun => ({
  ...common(r),
  kind: 'store-bench',
  options: JSON.parse(r.options) as StoreBenchRun['options'],
  etcd: r.etcd,
  note: r.note,
  report: r.report ? (JSON.parse(r.report) as StoreBenchReport) : null,
})

const toChaosRun = (r: BenchRunRow): StoreChaosRun => ({
  ...common(r),
  kind: 'store-chaos',
  options: JSON.parse(r.options) as StoreChaosRun['options'],
  report: r.report ? (JSON.parse(r.report) as StoreChaosReport) : null,
})

export type StoreRunKind = 'store-bench' | 'store-chaos'

/** How a store run ended, with its report (what finished, when stopped) or the error. */
export interface StoreRunFinish<R> {
  status: 'done' | 'failed' | 'stopped'
  report: R | null
  error: string | null
}

const SQL = {
  insert: `INSERT INTO bench_runs (kind, status, options, etcd, note, started_at, owner_pid) VALUES (?, 'running', ?, ?, ?, ?, ?)`,
  finish: `UPDATE bench_runs SET status = ?, report = ?, error = ?, finished_at = ? WHERE id = ? AND kind = ?`,
  list: `SELECT * FROM bench_runs WHERE kind = ? ORDER BY id DESC`,
  get: `SELECT * FROM bench_runs WHERE id = ? AND kind = ?`,
}

const NAMES: Record<StoreRunKind, string> = { 'store-bench': 'store benchmark', 'store-chaos': 'store chaos run' }

export class StoreRunsRepository {
  private readonly db: Database.Database
  private readonly sql: Record<keyof typeof SQL, Database.Statement>

  constructor(db: Database.Database) {
    this.db = db
    this.sql = prepareAll(db, SQL)
  }

  /** Store runs left "running" by a process that no longer exists become "interrupted"; returns how many. */
  markInterrupted(): number {
    return markDeadInterrupted(this.db, 'bench_runs')
  }

  private create(kind: StoreRunKind, options: object, etcd: StoreBenchRun['etcd'], note: string | null, startedAt: string): number {
    return Number(this.sql.insert.run(kind, JSON.stringify(options), etcd, note, startedAt, process.pid).lastInsertRowid)
  }

  private finish(kind: StoreRunKind, id: number, f: StoreRunFinish<object>): void {
    this.sql.finish.run(f.status, f.report ? JSON.stringify(f.report) : null, f.error, new Date().toISOString(), id, kind)
  }

  private row(kind: StoreRunKind, id: number): BenchRunRow {
    const row = this.sql.get.get(id, kind) as BenchRunRow | undefined
    if (!row) throw notFound(`no ${NAMES[kind]} with id ${id}`)
    return row
  }

  private rows(kind: StoreRunKind): BenchRunRow[] {
    return this.sql.list.all(kind) as BenchRunRow[]
  }

  createBenchRun(options: StoreBenchRun['options'], etcd: StoreBenchRun['etcd'], note: string | null, startedAt: string): number {
    return this.create('store-bench', options, etcd, note, startedAt)
  }

  finishBenchRun(id: number, f: StoreRunFinish<StoreBenchReport>): void {
    this.finish('store-bench', id, f)
  }

  listBenchRuns(): StoreBenchRun[] {
    return this.rows('store-bench').map(toBenchRun)
  }

  getBenchRun(id: number): StoreBenchRun {
    return toBenchRun(this.row('store-bench', id))
  }

  createChaosRun(options: StoreChaosRun['options'], startedAt: string): number {
    return this.create('store-chaos', options, 'skipped', null, startedAt)
  }

  finishChaosRun(id: number, f: StoreRunFinish<StoreChaosReport>): void {
    this.finish('store-chaos', id, f)
  }

  listChaosRuns(): StoreChaosRun[] {
    return this.rows('store-chaos').map(toChaosRun)
  }

  getChaosRun(id: number): StoreChaosRun {
    return toChaosRun(this.row('store-chaos', id))
  }
}
