// Pure helpers for the runs list: display text, sorting, and folding live events into the list.
import type { LabEvent, ParamValues, RunSummary } from '../../src-shared/types.ts'

export type RunColumn =
  | 'id'
  | 'name'
  | 'model'
  | 'strategy'
  | 'tags'
  | 'params'
  | 'status'
  | 'verdict'
  | 'unique'
  | 'generated'
  | 'maxDepth'
  | 'seconds'
  | 'startedAt'

export type SortDir = 'asc' | 'desc'

export function paramsSummary(params: ParamValues): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ')
}

/**
 * A short form for tables: the consistency level by its value alone, true flags by name, false flags left out,
 * other values as key=value. The full list goes in the cell's title.
 */
export function compactParams(params: ParamValues): string {
  return Object.entries(params)
    .flatMap(([k, v]) => {
      if (k === 'consistency') return [String(v)]
      if (typeof v === 'boolean') return v ? [k] : []
      return [`${k}=${String(v)}`]
    })
    .join(' ')
}

/** Local "YYYY-MM-DD HH:MM:SS": sortable by eye and independent of the browser's locale. */
export function formatStarted(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

function sortValue(run: RunSummary, col: RunColumn): string | number {
  switch (col) {
    case 'params':
      return paramsSummary(run.config.params)
    case 'name':
      // Unnamed runs sort after named ones in ascending order.
      return run.name || '\uffff'
    case 'strategy':
      return run.config.strategy
    case 'tags':
      return (run.tags ?? []).join(' ') || '\uffff'
    case 'startedAt':
      return Date.parse(run.startedAt) || 0
    default:
      return run[col]
  }
}

/** A sorted copy; ties fall back to id so the order is stable across live updates. */
export function sortRuns(runs: readonly RunSummary[], col: RunColumn, dir: SortDir): RunSummary[] {
  const sign = dir === 'asc' ? 1 : -1
  return [...runs].sort((a, b) => {
    const va = sortValue(a, col)
    const vb = sortValue(b, col)
    let c = 0
    if (typeof va === 'number' && typeof vb === 'number') c = va - vb
    else c = String(va).localeCompare(String(vb), undefined, { numeric: true })
    return c !== 0 ? sign * c : sign * (a.id - b.id)
  })
}

/** The runs list after one live event; returns the same array when the event does not concern it. */
export function applyRunEvent(runs: RunSummary[], event: LabEvent): RunSummary[] {
  switch (event.type) {
    case 'run-started':
    case 'run-finished': {
      const i = runs.findIndex((r) => r.id === event.run.id)
      if (i < 0) return [event.run, ...runs]
      const next = runs.slice()
      next[i] = event.run
      return next
    }
    case 'run-updated': {
      // An edit, or a run back from the bin (then it is missing here and goes back in id order).
      const i = runs.findIndex((r) => r.id === event.run.id)
      if (i >= 0) {
        const next = runs.slice()
        next[i] = event.run
        return next
      }
      return [...runs, event.run].sort((a, b) => b.id - a.id)
    }
    case 'runs-deleted': {
      const gone = new Set(event.runIds)
      return runs.some((r) => gone.has(r.id)) ? runs.filter((r) => !gone.has(r.id)) : runs
    }
    case 'run-progress': {
      const i = runs.findIndex((r) => r.id === event.runId)
      const last = event.samples.at(-1)
      if (i < 0 || !last || runs[i].status !== 'running') return runs
      const next = runs.slice()
      next[i] = {
        ...runs[i],
        unique: last.unique,
        generated: last.generated,
        maxDepth: last.maxDepth,
        seconds: last.elapsedMs / 1000,
      }
      return next
    }
  }
  // Events about other things (a store, a benchmark) leave the list as it is.
  return runs
}

const FILTER_FIELDS = ['model', 'status', 'verdict', 'strategy', 'tag', 'name'] as const
type FilterField = (typeof FILTER_FIELDS)[number]

function fieldText(run: RunSummary, field: FilterField): string[] {
  switch (field) {
    case 'model':
      return [run.model]
    case 'status':
      return [run.status]
    case 'verdict':
      return [run.verdict]
    case 'strategy':
      return [run.config.strategy]
    case 'tag':
      return run.tags ?? []
    case 'name':
      return [run.name ?? '']
  }
}

/**
 * Runs matching a filter text: every word must match somewhere (id as "#3", name, model, parameters, strategy,
 * status, verdict, tags, notes); "field:value" restricts a word to one field (model, status, verdict, strategy, tag, name).
 */
export function filterRuns(runs: readonly RunSummary[], text: string): RunSummary[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return runs as RunSummary[]
  return runs.filter((run) => {
    const all = [
      `#${run.id}`,
      run.name ?? '',
      run.model,
      paramsSummary(run.config.params),
      run.config.strategy,
      run.status,
      run.verdict,
      ...(run.tags ?? []),
      run.notes ?? '',
    ].map((s) => s.toLowerCase())
    return words.every((w) => {
      const colon = w.indexOf(':')
      const field = colon > 0 ? (w.slice(0, colon) as FilterField) : null
      if (field && FILTER_FIELDS.includes(field)) {
        const want = w.slice(colon + 1)
        return fieldText(run, field).some((v) => v.toLowerCase().includes(want))
      }
      return all.some((v) => v.includes(w))
    })
  })
}

/** Tags typed as "a, b c" → ["a", "b", "c"]: commas or spaces separate, duplicates dropped. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((t) => t.trim()).filter(Boolean))]
}
