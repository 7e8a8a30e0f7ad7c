// The SQL of matrices: a spec and its cells; each cell points at an ordinary run, whose row supplies status and
// figures.
import type Database from 'better-sqlite3'
import { notFound } from '../../../src-shared/errors.ts'
import { frontierOf } from '../../../src-shared/frontier.ts'
import type { Frontier, Matrix, MatrixCell, MatrixCellKey, MatrixSpec, MatrixStatus, MatrixSummary, PropertyResult, RunStatus, SearchCoverage, Verdict } from '../../../src-shared/types.ts'
import { markDeadInterrupted, Repository, writeTransaction } from './database.ts'

/** What a cell's run saved about its search (runs.search): the first violation's time and the portfolio's coverage. */
interface SavedSearch {
  firstViolationMs?: number
  coverage?: SearchCoverage
}

function firstViolationOf(search: SavedSearch): { firstViolationMs?: number } {
  return search.firstViolationMs !== undefined ? { firstViolationMs: search.firstViolationMs } : {}
}

/** An unknown cell's frontier, from its run's depth histogram and the depth its portfolio BFS found whole. */
function frontierFor(c: MatrixCellRow, search: SavedSearch, hist: Map<number, number[]>): { frontier?: Frontier } {
  if (c.run_id === null || c.verdict !== 'unknown') return {}
  const f = frontierOf(hist.get(c.run_id) ?? [], search.coverage?.bfsDepth)
  return f ? { frontier: f } : {}
}

const SQL = {
  insertCell: `INSERT INTO matrix_cells (matrix_id, position, scenario, consistency, instances) VALUES (?, ?, ?, ?, ?)`,
  insert: `INSERT INTO matrices (spec, status, started_at, owner_pid) VALUES (?, 'running', ?, ?)`,
  setCellRun: `UPDATE matrix_cells SET run_id = ? WHERE matrix_id = ? AND position = ?`,
  finish: `UPDATE matrices SET status = ?, finished_at = ? WHERE id = ? AND status = 'running'`,
  get: `SELECT * FROM matrices WHERE id = ?`,
  list: `SELECT * FROM matrices ORDER BY id DESC`,
  cells: `SELECT c.scenario, c.consistency, c.instances, c.run_id, r.status, r.verdict, r.unique_states, r.seconds, r.complete, r.error,
    r.search FROM matrix_cells c LEFT JOIN runs r ON r.id = c.run_id WHERE c.matrix_id = ? ORDER BY c.position`,
  violated: `SELECT p.run_id, p.name FROM property_results p JOIN matrix_cells c ON c.run_id = p.run_id
    WHERE c.matrix_id = ? AND p.status = 'violated' ORDER BY p.run_id, p.position`,
  converges: `SELECT p.run_id, p.details FROM property_results p JOIN matrix_cells c ON c.run_id = p.run_id
    WHERE c.matrix_id = ? AND p.kind = 'converges' AND p.details IS NOT NULL`,
  histograms: `SELECT h.run_id, h.depth, h.states FROM depth_histogram h JOIN matrix_cells c ON c.run_id = h.run_id
    JOIN runs r ON r.id = h.run_id WHERE c.matrix_id = ? AND r.verdict = 'unknown' ORDER BY h.run_id, h.depth`,
}

export class MatricesRepository extends Repository<keyof typeof SQL> {
  constructor(db: Database.Database) {
    super(db, SQL)
  }

  createMatrix(spec: Required<MatrixSpec>, cells: readonly MatrixCellKey[], startedAt: string): number {
    return writeTransaction(this.db, () => {
      const id = Number(this.sql.insert.run(JSON.stringify(spec), startedAt, process.pid).lastInsertRowid)
      cells.forEach((c, i) => this.sql.insertCell.run(id, i, c.scenario, c.consistency, c.instances))
      return id
    })
  }

  setMatrixCellRun(matrixId: number, position: number, runId: number): void {
    this.sql.setCellRun.run(runId, matrixId, position)
  }

  finishMatrix(matrixId: number, status: Exclude<MatrixStatus, 'running'>): void {
    this.sql.finish.run(status, new Date().toISOString(), matrixId)
  }

  /** Matrices left "running" by a process that no longer exists become "interrupted"; returns how many. */
  markMatricesInterrupted(): number {
    return markDeadInterrupted(this.db, 'matrices')
  }

  getMatrix(matrixId: number): Matrix {
    const row = this.sql.get.get(matrixId) as MatrixRow | undefined
    if (!row) throw notFound(`no matrix with id ${matrixId}`)
    return this.toMatrix(row)
  }

  /** Newest first. */
  listMatrices(): MatrixSummary[] {
    return (this.sql.list.all() as MatrixRow[]).map((r) => {
      const { cells: _cells, ...summary } = this.toMatrix(r)
      return summary
    })
  }

  private toMatrix(row: MatrixRow): Matrix {
    const cellRows = this.sql.cells.all(row.id) as MatrixCellRow[]
    const violatedRows = this.sql.violated.all(row.id) as { run_id: number; name: string }[]
    // Worst steps to converge of a cell = the largest over its converges properties (kept in the details JSON).
    const convergeRows = this.sql.converges.all(row.id) as { run_id: number; details: string }[]
    const worst = new Map<number, number>()
    for (const r of convergeRows) {
      const w = (JSON.parse(r.details) as Partial<PropertyResult>).convergence?.worstSteps
      if (typeof w === 'number') worst.set(r.run_id, Math.max(w, worst.get(r.run_id) ?? 0))
    }
    const hist = new Map<number, number[]>()
    for (const h of this.sql.histograms.all(row.id) as { run_id: number; depth: number; states: number }[]) {
      const list = hist.get(h.run_id) ?? []
      list[h.depth - 1] = h.states
      hist.set(h.run_id, list)
    }
    const violated = new Map<number, string[]>()
    for (const v of violatedRows) violated.set(v.run_id, [...(violated.get(v.run_id) ?? []), v.name])
    const cells: MatrixCell[] = cellRows.map((c) => {
      const search = (c.search ? JSON.parse(c.search) : {}) as SavedSearch
      return {
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
      ...firstViolationOf(search),
      worstSteps: c.run_id !== null ? (worst.get(c.run_id) ?? null) : null,
      ...frontierFor(c, search, hist),
      }
    })
    const ended = (c: MatrixCell): boolean => c.status !== 'pending' && c.status !== 'running'
    // Verdicts count ended cells only: a running or pending cell is neither unknown nor anything else yet.
    const count = (v: Verdict): number => cells.filter((c) => ended(c) && c.verdict === v).length
    return {
      id: row.id,
      // Matrices saved before `only` existed ran every cell.
      // Saved before workersPerCell existed: one worker per cell.
      spec: { only: [], workersPerCell: 1, ...(JSON.parse(row.spec) as MatrixSpec) } as Required<MatrixSpec>,
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
