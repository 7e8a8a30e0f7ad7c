// Reachable states for the model tests: within `depth` steps by canonical JSON (raw revisions: no quotient), for the
// tests that compare the fingerprint and renumbering state by state; or the whole space by the model's fingerprint.
import type { Model } from '../../../src-main/checker/model.ts'
import { canon } from '../../../src-main/models/orchestration/canon.ts'
import { headView, type Level } from '../../../src-main/models/orchestration/history.ts'
import type { OAction, OState } from '../../../src-main/models/orchestration/model.ts'

export function reachable(m: Model<OState, OAction>, depth: number): OState[] {
  const seen = new Map<string, OState>()
  let frontier = m.init()
  for (const s of frontier) seen.set(canon(s), s)
  for (let d = 0; d < depth; d++) {
    const next: OState[] = []
    for (const s of frontier) {
      for (const a of m.actions(s)) {
        const t = m.next(s, a)
        if (t === undefined) continue
        const k = canon(t)
        if (!seen.has(k)) {
          seen.set(k, t)
          next.push(t)
        }
      }
    }
    frontier = next
  }
  return [...seen.values()]
}

/**
 * The environment the older tests pin their exact counts to: the published model (controllers without
 * expectations, rejected writes as steps, every view readable, old revisions told apart), and
 * statefulset-stale-reads as first modelled (one node restart, a window of 3, no spare pod); the scenario's
 * defaults now differ (docs/models.md, "Scenarios", "Expectations", "Idle reads", "Unseen writes", "Old revisions").
 */
export function classic(id: string): Record<string, number | boolean> {
  const published = { expectations: false, idleReads: true, sameViews: true, oldRevisions: true }
  return id === 'statefulset-stale-reads' ? { nodeRestarts: 1, history: 3, sparePod: false, ...published } : published
}

/** A membership test by the model's own fingerprint (its quotient): true the first time a state is offered. */
export function firstSeen(m: Model<OState, OAction>): (s: OState) => boolean {
  const fp = new Int32Array(2)
  const seen = new Set<string>()
  return (s) => {
    m.fingerprint!(s, fp)
    const k = `${fp[0]}:${fp[1]}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  }
}

/**
 * Every state reachable, breadth first, each offered once (by the model's own fingerprint) to `visit`; the search
 * stops as soon as `visit` returns true. Only the current frontier is kept.
 */
export function forEachState(m: Model<OState, OAction>, visit: (s: OState) => boolean | void): void {
  const isNew = firstSeen(m)
  let frontier: OState[] = []
  const offer = (s: OState): boolean => {
    if (!isNew(s)) return false
    frontier.push(s)
    return visit(s) === true
  }
  for (const s of m.init()) if (offer(s)) return
  while (frontier.length > 0) {
    const cur = frontier
    frontier = []
    for (const s of cur) {
      for (const a of m.actions(s)) {
        const t = m.next(s, a)
        if (t !== undefined && offer(t)) return
      }
    }
  }
}

/** What a reduction must keep: the real worlds reached (up to revision numbers), the always-properties violated. */
export interface Reach {
  /** The real world: the head's resources and each kubelet's containers, up to revision numbers. */
  worlds: Set<string>
  violated: Set<string>
  states: number
}

/** A resource or container list with revision-derived digits blanked (two spaces number revisions differently). */
const unnumbered = (x: unknown): string => canon(x).replace(/[0-9]{4,}/g, '#').replace(/"(rv|observedRevision|deletion)":[0-9]+/g, '"$1":#').replace(/"observedMerge":\[[0-9,]*\]/g, '"observedMerge":#')

function world(level: Level, s: OState): string {
  return unnumbered([headView(level, s.h).c.objs, s.c.map((c) => c.run ?? null)])
}

/** Every reachable state's world and violations (a whole space: small cases only). */
export function reach(m: Model<OState, OAction>, level: Level): Reach {
  const out: Reach = { worlds: new Set(), violated: new Set(), states: 0 }
  const always = m.properties.filter((p) => p.kind === 'always')
  forEachState(m, (s) => {
    out.states++
    out.worlds.add(world(level, s))
    for (const p of always) if (!p.check(s)) out.violated.add(p.name)
  })
  return out
}
