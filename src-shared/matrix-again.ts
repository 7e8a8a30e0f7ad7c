// Running a saved matrix's unknown cells again, with another limit: the CLI's `matrix --unknown-of` and the
// Matrix page's button build the same spec.
import type { Matrix, MatrixCell, MatrixCellKey, MatrixSpec } from './types.ts'

/** Ended cells without a verdict: cut by a limit, stopped or interrupted (a failed cell needs a fix, not time). */
export function unknownCells(m: Matrix): MatrixCellKey[] {
  return m.cells
    .filter((c) => c.verdict === 'unknown' && c.status !== 'pending' && c.status !== 'running' && c.status !== 'failed')
    .map((c) => ({ scenario: c.scenario, consistency: c.consistency, instances: c.instances }))
}

/**
 * Why an ended cell has no verdict: cut by its limit, or explored whole with a cycle that is fair only perhaps — the
 * symmetry reduction cannot tell instances apart (checker/liveness.ts); `--set symmetry=false` decides such a cell,
 * more time does not.
 */
export function unknownText(c: Pick<MatrixCell, 'complete'>): string {
  return c.complete ? 'unknown: a cycle under symmetry' : 'unknown at limit'
}

/** The limit per cell a re-run gets unless told otherwise: four times the one that cut the cells. */
export function againTimeout(m: Matrix): number {
  return m.spec.timeoutPerCell * 4
}

/**
 * The saved matrix's spec restricted to its unknown cells, with `changes` (say another depth limit) and, unless they
 * set one, againTimeout; undefined when none is unknown.
 */
export function unknownCellsSpec(m: Matrix, changes: Partial<MatrixSpec> = {}): MatrixSpec | undefined {
  const only = unknownCells(m)
  return only.length > 0 ? { ...m.spec, timeoutPerCell: againTimeout(m), ...changes, only } : undefined
}
