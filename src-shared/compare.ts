// The rows of a run comparison: configuration and results, one value per run, with deltas and ratios against the
// first run. Shared by the Compare page and the "comparison" CSV report so both show exactly the same figures.
import { snakeName } from './csv.ts'
import type { ConvergenceReport, RunDetail } from './types.ts'

export type CompareValue = number | string | boolean | null

export type CompareSection = 'run' | 'config' | 'results' | 'properties' | 'convergence'

export interface CompareRow {
  section: CompareSection
  /** Machine name, units included (the CSV's "field" column): unique_states, duration_s, param_rms… */
  key: string
  /** Human label for the page. */
  label: string
  /** How the page formats the values: count (thousands separators), seconds, rate, bytes, text. */
  format: 'count' | 'number' | 'seconds' | 'rate' | 'bytes' | 'text'
  values: CompareValue[]
}

/** Unique states per second of run time; null when the run took no measurable time. */
export function uniquePerSecond(d: RunDetail): number | null {
  return d.summary.seconds > 0 ? d.summary.unique / d.summary.seconds : null
}

export function generatedPerSecond(d: RunDetail): number | null {
  return d.summary.seconds > 0 ? d.summary.generated / d.summary.seconds : null
}

export function peakMemory(d: RunDetail): number | null {
  return d.samples.length ? Math.max(...d.samples.map((s) => s.memoryBytes)) : null
}

/** The figures of a convergence report, named as the CSV reports name them (suffix after the property's name). */
export const CONVERGENCE_FIELDS: readonly { key: string; label: string; get: (c: ConvergenceReport) => number }[] = [
  { key: 'worst_steps', label: 'worst case steps to converge', get: (c) => c.worstSteps },
  { key: 'oscillations', label: 'oscillations', get: (c) => c.oscillations },
  { key: 'stuck_states', label: 'stuck states', get: (c) => c.stuck },
  { key: 'leaves_goal_steps', label: 'steps leaving the goal', get: (c) => c.leavesGoal },
  { key: 'unbounded_states', label: 'states with no bound', get: (c) => c.unbounded },
]

/** Names of the converges properties that carry a convergence report in any of the runs, in first-seen order. */
export function convergesNames(runs: readonly RunDetail[]): string[] {
  return [...new Set(runs.flatMap((r) => r.properties.filter((p) => p.kind === 'converges' && p.convergence).map((p) => p.name)))]
}

export function compareRows(runs: readonly RunDetail[]): CompareRow[] {
  const rows: CompareRow[] = []
  const add = (section: CompareSection, key: string, label: string, format: CompareRow['format'], get: (d: RunDetail) => CompareValue): void => {
    rows.push({ section, key, label, format, values: runs.map(get) })
  }
  add('run', 'run_id', 'Run', 'text', (d) => d.summary.id)
  add('run', 'name', 'Name', 'text', (d) => d.summary.name ?? '')
  add('run', 'tags', 'Tags', 'text', (d) => (d.summary.tags ?? []).join(' '))
  add('run', 'model', 'Model', 'text', (d) => d.summary.model)
  add('run', 'started_at', 'Started', 'text', (d) => d.summary.startedAt)
  add('run', 'finished_at', 'Finished', 'text', (d) => d.summary.finishedAt)

  const params = [...new Set(runs.flatMap((r) => Object.keys(r.summary.config.params)))]
  for (const p of params) {
    const numeric = runs.every((r) => typeof (r.summary.config.params[p] ?? 0) === 'number')
    add('config', `param_${snakeName(p)}`, p, numeric ? 'number' : 'text', (d) => d.summary.config.params[p] ?? null)
  }
  add('config', 'strategy', 'Strategy', 'text', (d) => d.summary.config.strategy)
  add('config', 'workers', 'Workers', 'number', (d) => d.summary.config.workers)
  add('config', 'max_depth_limit', 'Max depth limit', 'number', (d) => d.summary.config.maxDepth)
  add('config', 'timeout_s', 'Timeout', 'seconds', (d) => d.summary.config.timeout)
  add('config', 'seed', 'Seed', 'number', (d) => d.summary.config.seed)
  add('config', 'stop_on_violation', 'Stop on violation', 'text', (d) => d.summary.config.stopOnViolation)

  add('results', 'status', 'Status', 'text', (d) => d.summary.status)
  add('results', 'verdict', 'Verdict', 'text', (d) => d.summary.verdict)
  add('results', 'complete', 'Explored to the end', 'text', (d) => d.summary.complete)
  add('results', 'unique_states', 'Unique states', 'count', (d) => d.summary.unique)
  add('results', 'generated_states', 'Generated states', 'count', (d) => d.summary.generated)
  add('results', 'max_depth', 'Max depth', 'count', (d) => d.summary.maxDepth)
  add('results', 'duration_s', 'Duration', 'seconds', (d) => d.summary.seconds)
  add('results', 'unique_per_s', 'Unique states/s', 'rate', uniquePerSecond)
  add('results', 'generated_per_s', 'Generated states/s', 'rate', generatedPerSecond)
  add('results', 'peak_memory_bytes', 'Peak memory', 'bytes', peakMemory)
  add('results', 'samples', 'Progress samples', 'count', (d) => d.samples.length)

  const props = [...new Set(runs.flatMap((r) => r.properties.map((p) => p.name)))]
  for (const p of props) {
    add('properties', `property_${snakeName(p)}`, p, 'text', (d) => d.properties.find((x) => x.name === p)?.status ?? null)
  }
  for (const name of convergesNames(runs)) {
    for (const f of CONVERGENCE_FIELDS) {
      add('convergence', `${snakeName(name)}_${f.key}`, `${name}: ${f.label}`, 'count', (d) => {
        const c = d.properties.find((x) => x.name === name)?.convergence
        return c ? f.get(c) : null
      })
    }
  }
  return rows
}

const isNumber = (v: CompareValue): v is number => typeof v === 'number' && Number.isFinite(v)

/** True when not every run has the same value. */
export function rowDiffers(row: CompareRow): boolean {
  const first = JSON.stringify(row.values[0] ?? null)
  return row.values.some((v) => JSON.stringify(v ?? null) !== first)
}

/** Whether deltas and ratios mean something for this row (figures, not ids or text). */
export function rowHasDeltas(row: CompareRow): boolean {
  return row.format !== 'text' && row.values.some(isNumber)
}

/** values[i] − values[0], or null when either is not a number. */
export function deltaOf(row: CompareRow, i: number): number | null {
  const a = row.values[0]
  const b = row.values[i]
  return rowHasDeltas(row) && isNumber(a) && isNumber(b) ? b - a : null
}

/** values[i] / values[0], or null when either is not a number or the first is 0. */
export function ratioOf(row: CompareRow, i: number): number | null {
  const a = row.values[0]
  const b = row.values[i]
  return rowHasDeltas(row) && isNumber(a) && isNumber(b) && a !== 0 ? b / a : null
}
