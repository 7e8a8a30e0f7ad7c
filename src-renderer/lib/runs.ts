// Pure helpers for the runs list: display text, sorting, and folding live events into the list.
import type { LabEvent, ParamValues, RunSummary } from '../../src-shared/types.ts'

export type RunColumn =
  | 'id'
  | 'model'
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
}
