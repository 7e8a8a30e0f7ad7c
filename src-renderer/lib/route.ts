// Hash routes. Hash routing works unchanged from file:// (Electron) and the web host.
//   #/runs  #/new  #/run/<id>  #/run/<id>/trace/<property>  #/compare/<id>,<id>[,…]  #/comparisons
//   #/comparisons/<id>  #/diagnostics/chart  #/matrix  #/matrix/<id>  #/store  #/live  #/live/<id>
//   #/live/<id>/trace[/<property>]  (a live violation's trace)   #/compare/live/<id>[?run=<check run id>]
//   #/run/<id>/explore?init=<k>&path=<JSON array of action names>   (explore by hand)
export type Route =
  | { page: 'runs' }
  | { page: 'new' }
  | { page: 'run'; id: number }
  | { page: 'trace'; id: number; property: string }
  | { page: 'compare'; ids: number[] }
  | { page: 'comparisons' }
  | { page: 'comparison'; id: number }
  | { page: 'chart-perf' }
  | { page: 'store' }
  | { page: 'live'; id?: number }
  | { page: 'live-trace'; id: number; property?: string }
  | { page: 'compare-live'; id: number; checkRunId?: number }
  | { page: 'matrices' }
  | { page: 'matrix'; id: number }
  | { page: 'explore'; id: number; init?: number; property?: string; path: string[] }
  | { page: 'not-found'; path: string }

export function parseHash(hash: string): Route {
  const [rawPath, query = ''] = hash.replace(/^#/, '').split('?', 2)
  const path = rawPath.replace(/\/+$/, '') || '/runs'
  const explore = /^\/run\/(\d+)\/explore$/.exec(path)
  if (explore) {
    const q = new URLSearchParams(query)
    try {
      const steps: unknown = JSON.parse(q.get('path') ?? '[]')
      const init = q.has('init') ? Number(q.get('init')) : undefined
      const property = q.get('from') ?? undefined
      if (Array.isArray(steps) && steps.every((x) => typeof x === 'string') && (init === undefined || (Number.isInteger(init) && init >= 0))) {
        return { page: 'explore', id: Number(explore[1]), ...(init !== undefined ? { init } : {}), ...(property ? { property } : {}), path: steps }
      }
    } catch {
      // falls through to not-found
    }
    return { page: 'not-found', path: `${path}?${query}` }
  }
  if (path === '/runs' || path === '/') return { page: 'runs' }
  if (path === '/new') return { page: 'new' }
  if (path === '/comparisons') return { page: 'comparisons' }
  if (path === '/matrix') return { page: 'matrices' }
  if (path === '/diagnostics/chart') return { page: 'chart-perf' }
  if (path === '/store') return { page: 'store' }
  if (path === '/live') return { page: 'live' }
  const live = /^\/live\/(\d+)$/.exec(path)
  if (live) return { page: 'live', id: Number(live[1]) }
  const liveTrace = /^\/live\/(\d+)\/trace(?:\/([^/]+))?$/.exec(path)
  if (liveTrace) {
    try {
      return { page: 'live-trace', id: Number(liveTrace[1]), ...(liveTrace[2] ? { property: decodeURIComponent(liveTrace[2]) } : {}) }
    } catch {
      return { page: 'not-found', path }
    }
  }
  const compareLive = /^\/compare\/live\/(\d+)$/.exec(path)
  if (compareLive) {
    const run = new URLSearchParams(query).get('run')
    if (run !== null && !/^\d+$/.test(run)) return { page: 'not-found', path: `${path}?${query}` }
    return { page: 'compare-live', id: Number(compareLive[1]), ...(run !== null ? { checkRunId: Number(run) } : {}) }
  }
  let m = /^\/run\/(\d+)$/.exec(path)
  if (m) return { page: 'run', id: Number(m[1]) }
  m = /^\/run\/(\d+)\/trace\/([^/]+)$/.exec(path)
  if (m) {
    try {
      return { page: 'trace', id: Number(m[1]), property: decodeURIComponent(m[2]) }
    } catch {
      return { page: 'not-found', path }
    }
  }
  m = /^\/compare\/(\d+(?:,\d+)*)$/.exec(path)
  if (m) return { page: 'compare', ids: [...new Set(m[1].split(',').map(Number))] }
  m = /^\/matrix\/(\d+)$/.exec(path)
  if (m) return { page: 'matrix', id: Number(m[1]) }
  m = /^\/comparisons\/(\d+)$/.exec(path)
  if (m) return { page: 'comparison', id: Number(m[1]) }
  return { page: 'not-found', path }
}

export function runHref(id: number): string {
  return `#/run/${id}`
}

export function traceHref(id: number, property: string): string {
  return `#/run/${id}/trace/${encodeURIComponent(property)}`
}

export function compareHref(ids: readonly number[]): string {
  return `#/compare/${ids.join(',')}`
}

/** A live run's violation of `property` as a trace. */
export function liveTraceHref(id: number, property: string): string {
  return `#/live/${id}/trace/${encodeURIComponent(property)}`
}

/** A live run beside the check that predicts it: the newest matrix cell, or the check run given. */
export function compareLiveHref(id: number, checkRunId?: number): string {
  return `#/compare/live/${id}${checkRunId !== undefined ? `?run=${checkRunId}` : ''}`
}

export function comparisonHref(id: number): string {
  return `#/comparisons/${id}`
}

export function matrixHref(id: number): string {
  return `#/matrix/${id}`
}

/** The explorer's address: the path is the whole state of the page, so it can be bookmarked and shared. */
export function exploreHref(id: number, path: readonly string[] = [], init?: number, property?: string): string {
  const q = new URLSearchParams()
  if (init !== undefined) q.set('init', String(init))
  else if (property) q.set('from', property)
  if (path.length) q.set('path', JSON.stringify(path))
  const qs = q.toString()
  return `#/run/${id}/explore${qs ? `?${qs}` : ''}`
}

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '')
}
