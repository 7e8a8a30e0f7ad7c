// The SQL of live runs (kind "live"): one row per run with its config and result (JSON), and its event timeline.
import type Database from 'better-sqlite3'
import { notFound } from '../../../src-shared/errors.ts'
import type { LiveConfig, LiveEvent, LiveResult, LiveRunSummary, LiveStatus } from '../../../src-shared/live-types.ts'
import { markDeadInterrupted, writeTransaction } from './database.ts'

interface LiveRow {
  id: number
  scenario: string
  store: string
  replicas: number
  config: string
  status: LiveStatus
  started_at: string
  finished_at: string | null
  owner_pid: number | null
  result: string | null
  error: string | null
}

interface EventRow {
  seq: number
  at_ms: number
  type: LiveEvent['type']
  who: string
  endpoint: number | null
  view_rev: number | null
  what: string
  ok: number | null
  reason: string | null
}

function toSummary(r: LiveRow): LiveRunSummary {
  return {
    id: r.id,
    kind: 'live',
    scenario: r.scenario,
    store: r.store as LiveRunSummary['store'],
    replicas: r.replicas,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    config: JSON.parse(r.config) as LiveConfig,
    error: r.error,
    result: r.result ? ({ ...(JSON.parse(r.result) as LiveResult), runId: r.id, status: r.status } as LiveResult) : null,
  }
}

function toEvent(r: EventRow): LiveEvent {
  const e: LiveEvent = { seq: r.seq, atMs: r.at_ms, type: r.type, who: r.who, what: r.what }
  if (r.endpoint !== null) e.endpoint = r.endpoint
  if (r.view_rev !== null) e.viewRev = r.view_rev
  if (r.ok !== null) e.ok = r.ok === 1
  if (r.reason !== null) e.reason = r.reason
  return e
}

export class LiveRepository {
  private readonly db: Database.Database

  constructor(db: Database.Database) {
    this.db = db
  }

  create(config: LiveConfig, replicas: number, startedAt: string): number {
    const r = this.db
      .prepare(`INSERT INTO live_runs (scenario, store, replicas, config, status, started_at, owner_pid) VALUES (?, ?, ?, ?, 'running', ?, ?)`)
      .run(config.scenario, config.store, replicas, JSON.stringify(config), startedAt, process.pid)
    return Number(r.lastInsertRowid)
  }

  appendEvents(runId: number, events: readonly LiveEvent[]): void {
    const ins = this.db.prepare(
      `INSERT OR REPLACE INTO live_events (run_id, seq, at_ms, type, who, endpoint, view_rev, what, ok, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    writeTransaction(this.db, () => {
      for (const e of events) {
        ins.run(runId, e.seq, e.atMs, e.type, e.who, e.endpoint ?? null, e.viewRev ?? null, e.what, e.ok === undefined ? null : e.ok ? 1 : 0, e.reason ?? null)
      }
    })
  }

  finish(runId: number, status: Exclude<LiveStatus, 'running'>, result: Omit<LiveResult, 'runId'> | null, error: string | null, finishedAt: string): void {
    this.db.prepare(`UPDATE live_runs SET status = ?, result = ?, error = ?, finished_at = ? WHERE id = ?`).run(status, result ? JSON.stringify(result) : null, error, finishedAt, runId)
  }

  list(): LiveRunSummary[] {
    return (this.db.prepare(`SELECT * FROM live_runs ORDER BY id DESC`).all() as LiveRow[]).map(toSummary)
  }

  get(runId: number): LiveRunSummary {
    const r = this.db.prepare(`SELECT * FROM live_runs WHERE id = ?`).get(runId) as LiveRow | undefined
    if (!r) throw notFound(`no live run ${runId}`)
    return toSummary(r)
  }

  /** Events from `fromSeq` on (at most `limit`), in order. */
  events(runId: number, fromSeq = 0, limit = 100_000): LiveEvent[] {
    this.get(runId)
    return (this.db.prepare(`SELECT * FROM live_events WHERE run_id = ? AND seq >= ? ORDER BY seq LIMIT ?`).all(runId, fromSeq, limit) as EventRow[]).map(toEvent)
  }

  /**
   * The newest saved matrix cell of a scenario at a consistency level and instance count whose check has ended (and
   * is not in the bin): the cell that predicts a live run. Null when no matrix holds one.
   */
  predictingCell(scenario: string, consistency: string, instances: number): { matrixId: number; runId: number } | null {
    const row = this.db
      .prepare(
        `SELECT c.matrix_id AS matrixId, c.run_id AS runId FROM matrix_cells c JOIN runs r ON r.id = c.run_id
         WHERE c.scenario = ? AND c.consistency = ? AND c.instances = ? AND r.status != 'running' AND r.deleted_at IS NULL
         ORDER BY c.matrix_id DESC LIMIT 1`,
      )
      .get(scenario, consistency, instances) as { matrixId: number; runId: number } | undefined
    return row ?? null
  }

  /** Live runs left "running" by a process that no longer exists become "interrupted"; returns how many. */
  markInterrupted(): number {
    return markDeadInterrupted(this.db, 'live_runs')
  }
}
