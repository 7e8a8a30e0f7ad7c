// Hash routes. Hash routing works unchanged from file:// (Electron) and the web host.
//   #/runs  #/new  #/run/<id>  #/run/<id>/trace/<property>  #/compare/<id>,<id>[,…]  #/comparisons
//   #/comparisons/<id>  #/diagnostics/chart  #/matrix  #/matrix/<id>  #/store  #/live  #/live/<id>
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
  | { page: 'matrices' }
  | { page: 'matrix'; id: number }
  | { page: 'not-found'; path: string }

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/runs'
  if (path === '/runs' || path === '/') return { page: 'runs' }
  if (path === '/new') return { page: 'new' }
  if (path === '/comparisons') return { page: 'comparisons' }
  if (path === '/matrix') return { page: 'matrices' }
  if (path === '/diagnostics/chart') return { page: 'chart-perf' }
  if (path === '/store') return { page: 'store' }
  if (path === '/live') return { page: 'live' }
  const live = /^\/live\/(\d+)$/.exec(path)
  if (live) return { page: 'live', id: Number(live[1]) }
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

export function comparisonHref(id: number): string {
  return `#/comparisons/${id}`
}

export function matrixHref(id: number): string {
  return `#/matrix/${id}`
}

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '')
}
