// Per-action coverage for the Run page: each label's share of all enabled steps, and the labels never enabled
// (an action that is never enabled is often a modelling mistake: a guard that cannot be true).
import type { ActionCoverage } from '../../src-shared/types.ts'

export interface CoverageRow extends ActionCoverage {
  /** enabled / the sum of enabled over all labels, 0..1. */
  share: number
  never: boolean
}

/** Rows in the checker's order (most enabled first), with shares; never-enabled labels last. */
export function coverageRows(actions: readonly ActionCoverage[]): CoverageRow[] {
  const total = actions.reduce((a, c) => a + c.enabled, 0)
  const rows = actions.map((c) => ({ ...c, share: total > 0 ? c.enabled / total : 0, never: c.enabled === 0 }))
  return [...rows.filter((r) => !r.never), ...rows.filter((r) => r.never)]
}

/** A share as a percentage: "42.1 %", "< 0.1 %" for a label enabled at all but rarely, "0 %" for none. */
export function shareText(share: number): string {
  if (share === 0) return '0 %'
  if (share < 0.001) return '< 0.1 %'
  return `${(share * 100).toFixed(1)} %`
}
