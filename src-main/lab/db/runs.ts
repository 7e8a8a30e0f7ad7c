// The SQL of check runs: the run row, its progress samples, depth histogram and property results; the bin (soft
// delete, restore, purge). Statements are prepared once, when the repository is made.
import type Database from 'better-sqlite3'
import { notFound } from '../../../src-shared/errors.ts'
import type { ActionCoverage, ProgressSample, PropertyResult, RunConfig, RunDetail, RunPatch, RunStatus, RunSummary, Verdict } from '../../../src-shared/types.ts'
import { markDeadInterrupted, Repository, writeTransaction } from './database.ts'
import { bucketMs } from './sample-thinning.ts'

export interface RunRow {
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

/** How a check run ended: the summary's figures, with its depth histogram and property results. */
export interface RunFinish
  extends Pick<RunSummary, 'unique' | 'generated' | 'maxDepth' | 'seconds' | 'complete' | 'verdict' | 'error' | 'collisionProbability' | 'firstViolationMs' | 'coverage'> {
  status: Exclude<RunStatus, 'running'>
  depthHistogram: number[]
  properties: PropertyResult[]
  /** Per-action coverage, when the search counted it. */
  actions?: ActionCoverage[]
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

function searchOf(f: RunFinish): string | null {
  const d: Pick<RunSummary, 'firstViolationMs' | 'coverage'> = {}
  if (f.firstViolationMs !== undefined) d.firstViolationMs = f.firstViolationMs
  if (f.coverage !== undefined) d.coverage = f.coverage
  return Object.keys(d).length ? JSON.stringify(d) : null
}

const SQL = {
  insert: `INSERT INTO runs (kind, model, config, status, started_at, owner_pid) VALUES ('check', ?, ?, 'running', ?, ?)`,
  reopen: `UPDATE runs SET status = 'running', finished_at = NULL, error = NULL, owner_pid = ? WHERE id = ?`,
  insertSample: `INSERT INTO samples (run_id, elapsed_ms, generated, unique_states, queue, max_depth, generated_per_sec, unique_per_sec, memory_bytes)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  lastSampleMs: `SELECT MAX(elapsed_ms) AS t FROM samples WHERE run_id = ?`,
  // The first sample of each bucket from @from on, the run's newest and its peak of memory stay (sample-thinning.ts).
  thinSamples: `DELETE FROM samples WHERE run_id = @run AND elapsed_ms >= @from
    AND rowid NOT IN (SELECT MIN(rowid) FROM samples WHERE run_id = @run AND elapsed_ms >= @from GROUP BY CAST(elapsed_ms / @width AS INTEGER))
    AND rowid <> (SELECT MAX(rowid) FROM samples WHERE run_id = @run)
    AND rowid <> (SELECT rowid FROM samples WHERE run_id = @run ORDER BY memory_bytes DESC, rowid LIMIT 1)`,
  updateFigures: `UPDATE runs SET unique_states = ?, generated_states = ?, max_depth = ?, seconds = ? WHERE id = ? AND status = 'running'`,
  finish: `UPDATE runs SET status = ?, finished_at = ?, unique_states = ?, generated_states = ?, max_depth = ?, seconds = ?,
    complete = ?, verdict = ?, error = ?, collision_probability = ?, search = ?, actions = ? WHERE id = ?`,
  actions: `SELECT actions FROM runs WHERE id = ?`,
  insertDepth: `INSERT OR REPLACE INTO depth_histogram (run_id, depth, states) VALUES (?, ?, ?)`,
  insertProperty: `INSERT OR REPLACE INTO property_results (run_id, position, name, kind, description, status, trace, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  cellRuns: `SELECT run_id, matrix_id FROM matrix_cells WHERE run_id IS NOT NULL`,
  list: `SELECT * FROM runs WHERE deleted_at IS NULL ORDER BY id DESC`,
  // A field the patch leaves out (null) keeps its value.
  update: `UPDATE runs SET name = COALESCE(?, name), notes = COALESCE(?, notes), tags = COALESCE(?, tags) WHERE id = ?`,
  softDelete: `UPDATE runs SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL`,
  restore: `UPDATE runs SET deleted_at = NULL WHERE id = ?`,
  deletedAt: `SELECT deleted_at FROM runs WHERE id = ?`,
  purge: `DELETE FROM runs WHERE deleted_at IS NOT NULL AND deleted_at < ?`,
  get: `SELECT * FROM runs WHERE id = ?`,
  cellOf: `SELECT matrix_id FROM matrix_cells WHERE run_id = ? LIMIT 1`,
  samples: `SELECT elapsed_ms AS elapsedMs, generated, unique_states AS "unique", queue, max_depth AS maxDepth,
    generated_per_sec AS generatedPerSec, unique_per_sec AS uniquePerSec, memory_bytes AS memoryBytes
    FROM samples WHERE run_id = ? ORDER BY elapsed_ms`,
  depths: `SELECT depth, states FROM depth_histogram WHERE run_id = ? ORDER BY depth`,
  properties: `SELECT name, kind, description, status, trace, details FROM property_results WHERE run_id = ? ORDER BY position`,
}

export class RunsRepository extends Repository<keyof typeof SQL> {
  constructor(db: Database.Database) {
    super(db, SQL)
  }

  /** Runs left "running" by a process that no longer exists become "interrupted"; returns how many. */
  markInterrupted(): number {
    return markDeadInterrupted(this.db, 'runs')
  }

  createRun(config: RunConfig, startedAt: string): number {
    return Number(this.sql.insert.run(config.model, JSON.stringify(config), startedAt, process.pid).lastInsertRowid)
  }

  /** An interrupted or stopped run that is resumed: running again, owned by this process. */
  reopenRun(runId: number): void {
    this.sql.reopen.run(process.pid, runId)
  }

  /**
   * One transaction per batch (samples arrive every 250 ms and are flushed together, once a second), which also thins
   * a long run's samples (sample-thinning.ts): only the buckets this batch touched are looked at, unless the bucket
   * width has just doubled, when the whole run is.
   */
  appendSamples(runId: number, samples: readonly ProgressSample[]): void {
    if (samples.length === 0) return
    const insert = this.sql.insertSample
    writeTransaction(this.db, () => {
      const before = (this.sql.lastSampleMs.get(runId) as { t: number | null }).t
      for (const s of samples) {
        insert.run(runId, s.elapsedMs, s.generated, s.unique, s.queue, s.maxDepth, s.generatedPerSec, s.uniquePerSec, s.memoryBytes)
      }
      const width = bucketMs(Math.max(before ?? 0, ...samples.map((s) => s.elapsedMs)))
      if (width === 0) return
      // A resumed run starts again from its checkpoint's time, so the batch may reach back before `before`.
      const earliest = Math.min(before ?? Infinity, ...samples.map((s) => s.elapsedMs))
      const from = before !== null && bucketMs(before) === width ? Math.floor(earliest / width) * width : 0
      this.sql.thinSamples.run({ run: runId, from, width })
    })
  }

  /** Live figures while running, so a crash leaves the last known counts behind. */
  updateFigures(runId: number, unique: number, generated: number, maxDepth: number, seconds: number): void {
    this.sql.updateFigures.run(unique, generated, maxDepth, seconds, runId)
  }

  finishRun(runId: number, f: RunFinish): void {
    writeTransaction(this.db, () => {
      this.sql.finish.run(f.status, new Date().toISOString(), f.unique, f.generated, f.maxDepth, f.seconds, f.complete ? 1 : 0, f.verdict, f.error, f.collisionProbability ?? null, searchOf(f), f.actions ? JSON.stringify(f.actions) : null, runId)
      f.depthHistogram.forEach((n, i) => this.sql.insertDepth.run(runId, i + 1, n))
      f.properties.forEach((p, i) =>
        this.sql.insertProperty.run(runId, i, p.name, p.kind, p.description, p.status, p.trace ? JSON.stringify(p.trace) : null, detailsOf(p)),
      )
    })
  }

  /** Runs not in the bin, newest first. */
  listRuns(): RunSummary[] {
    const cells = this.sql.cellRuns.all() as { run_id: number; matrix_id: number }[]
    const matrixOf = new Map(cells.map((c) => [c.run_id, c.matrix_id]))
    return (this.sql.list.all() as RunRow[]).map((r) => {
      const m = matrixOf.get(r.id)
      return m === undefined ? toSummary(r) : { ...toSummary(r), matrixId: m }
    })
  }

  /** Sets name, notes and/or tags (already validated by the caller). */
  updateRun(runId: number, patch: RunPatch): RunSummary {
    this.getSummary(runId)
    if (patch.name !== undefined || patch.notes !== undefined || patch.tags !== undefined) {
      this.sql.update.run(patch.name ?? null, patch.notes ?? null, patch.tags ? JSON.stringify(patch.tags) : null, runId)
    }
    return this.getSummary(runId)
  }

  /** Soft delete: the runs leave listRuns but keep every row until purgeDeleted. */
  deleteRuns(runIds: readonly number[], at: string): void {
    writeTransaction(this.db, () => runIds.forEach((id) => this.sql.softDelete.run(at, id)))
  }

  restoreRuns(runIds: readonly number[]): void {
    writeTransaction(this.db, () => runIds.forEach((id) => this.sql.restore.run(id)))
  }

  isDeleted(runId: number): boolean {
    const row = this.sql.deletedAt.get(runId) as { deleted_at: string | null } | undefined
    return row?.deleted_at != null
  }

  /** Removes for good the runs deleted before `before` (ISO time), with their samples, depths and properties. */
  purgeDeleted(before: string): number {
    if (this.db.readonly) return 0
    return this.sql.purge.run(before).changes
  }

  getSummary(runId: number): RunSummary {
    const row = this.sql.get.get(runId) as RunRow | undefined
    if (!row) throw notFound(`no run with id ${runId}`)
    const cell = this.sql.cellOf.get(runId) as { matrix_id: number } | undefined
    return cell ? { ...toSummary(row), matrixId: cell.matrix_id } : toSummary(row)
  }

  getRun(runId: number): RunDetail {
    const summary = this.getSummary(runId)
    const samples = this.sql.samples.all(runId) as ProgressSample[]
    const depthRows = this.sql.depths.all(runId) as { depth: number; states: number }[]
    const depthHistogram: number[] = []
    for (const r of depthRows) depthHistogram[r.depth - 1] = r.states
    for (let i = 0; i < depthHistogram.length; i++) depthHistogram[i] ??= 0
    const propRows = this.sql.properties.all(runId) as (Omit<PropertyResult, 'trace'> & { trace: string | null; details: string | null })[]
    const properties: PropertyResult[] = propRows.map((p) => ({
      name: p.name,
      kind: p.kind,
      description: p.description,
      status: p.status,
      ...(p.trace ? { trace: JSON.parse(p.trace) } : {}),
      ...(p.details ? (JSON.parse(p.details) as Partial<PropertyResult>) : {}),
    }))
    const actions = (this.sql.actions.get(runId) as { actions: string | null } | undefined)?.actions
    return { summary, samples, depthHistogram, properties, ...(actions ? { actions: JSON.parse(actions) as ActionCoverage[] } : {}) }
  }
}
