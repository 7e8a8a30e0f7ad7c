// Hash routes: #/runs, #/new, #/run/<id>. Hash routing works unchanged from file:// (Electron) and the web host.
export type Route =
  | { page: 'runs' }
  | { page: 'new' }
  | { page: 'run'; id: number }
  | { page: 'not-found'; path: string }

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/runs'
  if (path === '/runs' || path === '/') return { page: 'runs' }
  if (path === '/new') return { page: 'new' }
  const m = /^\/run\/(\d+)$/.exec(path)
  if (m) return { page: 'run', id: Number(m[1]) }
  return { page: 'not-found', path }
}

export function runHref(id: number): string {
  return `#/run/${id}`
}

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '')
}
