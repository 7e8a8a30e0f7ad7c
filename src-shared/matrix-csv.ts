// The matrix report (docs/csv.md, "matrix"): one row per cell, written by the Matrix page's Export CSV.
import { csvTable } from './csv.ts'
import type { Matrix } from './types.ts'

export const MATRIX_CSV_HEADER = [
  'matrix_id', 'scenario', 'consistency', 'instances', 'run_id', 'status', 'verdict', 'violated', 'complete',
  'unique_states', 'duration_s', 'worst_steps', 'error', 'bfs_whole_depth', 'states_at_depth', 'states_depth_before',
  'states_found_deeper',
] as const

export function matrixCsv(m: Matrix): string {
  const rows = m.cells.map((c) => [
    m.id, c.scenario, c.consistency, c.instances, c.runId, c.status, c.verdict, c.violated.join(' '), c.complete,
    c.runId === null ? null : c.unique, c.runId === null ? null : c.seconds, c.worstSteps ?? null, c.error,
    c.frontier?.depth ?? null, c.frontier?.states ?? null, c.frontier?.before ?? null, c.frontier?.beyond ?? null,
  ])
  return csvTable(MATRIX_CSV_HEADER, rows)
}
