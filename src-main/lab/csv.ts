// CSV reports (RFC 4180: CRLF rows, quotes doubled, fields quoted when they hold a comma, quote or line break).
// Header names are lower_snake_case and carry units; times are ISO 8601; numbers rounded by one rule
// (src-shared/csv.ts). docs/csv.md describes each report.
import { compareRows, CONVERGENCE_FIELDS, convergesNames, deltaOf, ratioOf, rowDiffers } from '../../src-shared/compare.ts'
import { csvTable, snakeName } from '../../src-shared/csv.ts'
import type { CsvReport, RunDetail } from '../../src-shared/types.ts'

export { csvField, csvTable } from '../../src-shared/csv.ts'

function summary(runs: readonly RunDetail[]): string {
  const paramNames = [...new Set(runs.flatMap((r) => Object.keys(r.summary.config.params)))].sort()
  const propNames = [...new Set(runs.flatMap((r) => r.properties.map((p) => p.name)))]
  const convNames = convergesNames(runs)
  const header = [
    'run_id', 'model', ...paramNames.map((p) => `param_${snakeName(p)}`), 'strategy', 'workers', 'max_depth_limit', 'timeout_s',
    'status', 'verdict', 'complete', 'unique_states', 'generated_states', 'max_depth', 'duration_s', 'unique_per_s',
    'started_at', 'finished_at', 'error', ...propNames.map((p) => `property_${snakeName(p)}`),
    ...convNames.flatMap((p) => CONVERGENCE_FIELDS.map((f) => `${snakeName(p)}_${f.key}`)), 'name', 'tags', 'notes',
    'first_violation_s', 'walks', 'walk_steps', 'seed',
  ]
  const rows = runs.map(({ summary: s, properties }) => [
    s.id, s.model, ...paramNames.map((p) => s.config.params[p]), s.config.strategy, s.config.workers, s.config.maxDepth,
    s.config.timeout, s.status, s.verdict, s.complete, s.unique, s.generated, s.maxDepth, s.seconds,
    s.seconds > 0 ? Math.round(s.unique / s.seconds) : null, s.startedAt, s.finishedAt, s.error,
    ...propNames.map((p) => properties.find((x) => x.name === p)?.status),
    ...convNames.flatMap((p) => {
      const c = properties.find((x) => x.name === p)?.convergence
      return CONVERGENCE_FIELDS.map((f) => (c ? f.get(c) : null))
    }),
    s.name ?? '', (s.tags ?? []).join(' '), s.notes ?? '',
    s.firstViolationMs !== undefined ? s.firstViolationMs / 1000 : null, s.coverage?.walks ?? null, s.coverage?.walkSteps ?? null, s.config.seed,
  ])
  return csvTable(header, rows)
}

function samples(runs: readonly RunDetail[]): string {
  const header = ['run_id', 'elapsed_s', 'generated_states', 'unique_states', 'queue_states', 'max_depth', 'generated_per_s', 'unique_per_s', 'memory_bytes']
  const rows = runs.flatMap((r) =>
    r.samples.map((s) => [r.summary.id, s.elapsedMs / 1000, s.generated, s.unique, s.queue, s.maxDepth, Math.round(s.generatedPerSec), Math.round(s.uniquePerSec), s.memoryBytes]),
  )
  return csvTable(header, rows)
}

function depths(runs: readonly RunDetail[]): string {
  const rows = runs.flatMap((r) => r.depthHistogram.map((n, i) => [r.summary.id, i + 1, n]))
  return csvTable(['run_id', 'depth', 'unique_states'], rows)
}

function properties(runs: readonly RunDetail[]): string {
  const rows = runs.flatMap((r) =>
    r.properties.map((p) => [r.summary.id, p.name, p.kind, p.status, p.description, p.trace ? p.trace.length - 1 : null]),
  )
  return csvTable(['run_id', 'property', 'kind', 'status', 'description', 'trace_steps'], rows)
}

/** Steps-to-converge histograms: how many reachable states need k system steps, at worst, to reach the goal. */
function convergence(runs: readonly RunDetail[]): string {
  const rows = runs.flatMap((r) =>
    r.properties.flatMap((p) => (p.convergence ? p.convergence.stepsHistogram.map((n, k) => [r.summary.id, p.name, k, n]) : [])),
  )
  return csvTable(['run_id', 'property', 'steps', 'states'], rows)
}

/** Per-action coverage: how often each action label was enabled and the new states it produced (BFS / DFS runs). */
function actions(runs: readonly RunDetail[]): string {
  const rows = runs.flatMap((r) => {
    const list = r.actions ?? []
    const total = list.reduce((a, c) => a + c.enabled, 0)
    return list.map((c) => [r.summary.id, c.label, c.enabled, c.newStates, total > 0 ? c.enabled / total : 0, c.enabled === 0])
  })
  return csvTable(['run_id', 'action', 'enabled', 'new_states', 'share', 'never_enabled'], rows)
}

/** Runs side by side: one row per field, one column per run, then delta and ratio of each later run against the first. */
function comparison(runs: readonly RunDetail[]): string {
  const ids = runs.map((r) => r.summary.id)
  const later = ids.slice(1)
  const header = [
    'section', 'field', ...ids.map((id) => `run_${id}`),
    ...later.flatMap((id) => [`delta_run_${id}_vs_run_${ids[0]}`, `ratio_run_${id}_vs_run_${ids[0]}`]), 'differs',
  ]
  const rows = compareRows(runs).map((row) => [
    row.section, row.key, ...row.values,
    ...later.flatMap((_, j) => [deltaOf(row, j + 1), ratioOf(row, j + 1)]), rowDiffers(row),
  ])
  return csvTable(header, rows)
}

export const CSV_REPORTS: Record<CsvReport, (runs: readonly RunDetail[]) => string> = { summary, samples, depths, properties, convergence, actions, comparison }
