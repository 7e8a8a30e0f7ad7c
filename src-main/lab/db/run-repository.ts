// SQLite persistence of runs (better-sqlite3, WAL). The only module that speaks SQL about runs.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { badInput, notFound } from '../../../src-shared/errors.ts'
import type {
  ProgressSample,
  PropertyResult,
  RunConfig,
  RunDetail,
  RunStatus,
  RunSummary,
  Verdict,
} from '../../../src-shared/types.ts'
import { MIGRATIONS } from './migrations.ts'

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
}

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
})

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export class RunRepository {
  private readonly db: Database.Database
  readonly file: string

  private constructor(db: Database.Database, file: string) {
    this.db = db
    this.file = file
  }

  /** Opens (creating if needed) and migrates the database; a bad path or a corrupt file is a bad-input error. */
  static open(file: string): RunRepository {
    let db: Database.Database | undefined
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
      db = new Database(file)
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma('foreign_keys = ON')
      db.pragma('busy_timeout = 5000')
      const repo = new RunRepository(db, file)
      repo.migrate()
      return repo
    } catch (err) {
      db?.close()
      const msg = err instanceof Error ? err.message : String(err)
      throw badInput(`cannot open database "${file}": ${msg}`)
    }
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number
    if (version > MIGRATIONS.length) {
      throw new Error(`it was written by a newer Stabilis (schema ${version}, this one knows ${MIGRATIONS.length})`)
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v])
        this.db.pragma(`user_version = ${v + 1}`)
      })()
    }
  }

  close(): void {
    this.db.close()
  }

  /** Runs left "running" by a process that no longer exists become "interrupted"; returns how many. */
  markInterrupted(): number {
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
      `INSERT OR REPLACE INTO property_results (run_id, position, name, kind, description, status, trace) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE runs SET status = ?, finished_at = ?, unique_states = ?, generated_states = ?, max_depth = ?, seconds = ?,
           complete = ?, verdict = ?, error = ? WHERE id = ?`,
        )
        .run(f.status, new Date().toISOString(), f.unique, f.generated, f.maxDepth, f.seconds, f.complete ? 1 : 0, f.verdict, f.error, runId)
      f.depthHistogram.forEach((n, i) => insertDepth.run(runId, i + 1, n))
      f.properties.forEach((p, i) =>
        insertProp.run(runId, i, p.name, p.kind, p.description, p.status, p.trace ? JSON.stringify(p.trace) : null),
      )
    })()
  }

  listRuns(): RunSummary[] {
    return (this.db.prepare(`SELECT * FROM runs ORDER BY id DESC`).all() as RunRow[]).map(toSummary)
  }

  getSummary(runId: number): RunSummary {
    const row = this.db.prepare(`SELECT * FROM runs WHERE id = ?`).get(runId) as RunRow | undefined
    if (!row) throw notFound(`no run with id ${runId}`)
    return toSummary(row)
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
      .prepare(`SELECT name, kind, description, status, trace FROM property_results WHERE run_id = ? ORDER BY position`)
      .all(runId) as (Omit<PropertyResult, 'trace'> & { trace: string | null })[]
    const properties: PropertyResult[] = propRows.map((p) => ({
      name: p.name,
      kind: p.kind,
      description: p.description,
      status: p.status,
      ...(p.trace ? { trace: JSON.parse(p.trace) } : {}),
    }))
    return { summary, samples, depthHistogram, properties }
  }
}
