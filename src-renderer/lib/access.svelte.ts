// Whether the web host accepts this page's token. A missing or stale token must not read as "No runs yet":
// the app shows a page that says how to get in instead.
export type AccessProblem = 'missing' | 'stale' | null

export const access = $state<{ problem: AccessProblem }>({ problem: null })

export function reportUnauthorized(hadToken: boolean): void {
  access.problem = hadToken ? 'stale' : 'missing'
}
