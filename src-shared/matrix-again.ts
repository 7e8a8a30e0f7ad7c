// Running a saved matrix's unknown cells again, with another limit: the CLI's `matrix --unknown-of` and the
// Matrix page's button build the same spec.
import type { Matrix, MatrixSpec } from './types.ts'

/** Ended cells without a verdict: cut by a limit, stopped or interrupted (a failed cell needs a fix, not time). */
export function unknownCells(m: Matrix): NonNullable<MatrixSpec['only']> {
  return m.cells
    .filter((c) => c.verdict === 'unknown' && c.status !== 'pending' && c.status !== 'running' && c.status !== 'failed')
    .map((c) => ({ scenario: c.scenario, consistency: c.consistency, instances: c.instances }))
}

/** The saved matrix's spec restricted to its unknown cells, with `changes` (say a longer limit); undefined when none. */
export function unknownCellsSpec(m: Matrix, changes: Partial<MatrixSpec> = {}): MatrixSpec | undefined {
  const only = unknownCells(m)
  return only.length > 0 ? { ...m.spec, ...changes, only } : undefined
}
