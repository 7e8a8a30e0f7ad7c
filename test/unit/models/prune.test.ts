// Pruning the history is sound (models/orchestration/history.ts): the window bounds how stale a read may be, but
// never loses a write. On small cases, every resource set the head can show with the window is one the head can
// show with an unbounded history, and a safety violation found with the window is found without it. Under causal
// the window once dropped a head that was the only copy of a pod created on a concurrent branch: a head set
// without that pod appeared, which the unbounded history never shows.
import { describe, expect, it } from 'vitest'
import type { Model } from '../../../src-main/checker/model.ts'
import { canon } from '../../../src-main/models/orchestration/canon.ts'
import { headView, heads, type Level } from '../../../src-main/models/orchestration/history.ts'
import type { OAction, OState } from '../../../src-main/models/orchestration/model.ts'
import type { AnyObject } from '../../../src-main/models/orchestration/resources.ts'
import { createScenario } from '../../../src-main/models/orchestration/scenarios.ts'

/** The head's resources without revisions: kind/name, labels, owner, finalizers, terminating, spec, status. */
function resources(level: Level, s: OState): string {
  const out: string[] = []
  const c = headView(level, s.h).c
  for (const kind of Object.keys(c.objs).sort()) {
    const byName = (c.objs as Record<string, Record<string, AnyObject>>)[kind]
    for (const name of Object.keys(byName).sort()) {
      const o = byName[name] as AnyObject & { spec?: unknown; status?: Record<string, unknown> }
      const status = { ...(o.status ?? {}) }
      delete status.observedRevision
      delete status.observedMerge
      delete status.uncounted
      const generated = kind === 'Pod' && /-[0-9]{4,}$/.test(name)
      out.push(canon([kind, generated ? name.replace(/[0-9]+$/, '#') : name, o.meta.labels, o.meta.owner?.name ?? null, o.meta.finalizers, o.meta.deletion !== undefined, o.spec ?? null, status]))
    }
  }
  return out.sort().join('\n')
}

interface Reach {
  sets: Set<string>
  violated: Set<string>
  states: number
  maxEntries: number
  maxHeads: number
}

function reach(m: Model<OState, OAction>, level: Level): Reach {
  const fp = new Int32Array(2)
  const seen = new Set<string>()
  const out: Reach = { sets: new Set(), violated: new Set(), states: 0, maxEntries: 0, maxHeads: 0 }
  const always = m.properties.filter((p) => p.kind === 'always')
  let frontier: OState[] = []
  const admit = (s: OState): void => {
    m.fingerprint!(s, fp)
    const k = `${fp[0]}:${fp[1]}`
    if (seen.has(k)) return
    seen.add(k)
    frontier.push(s)
    out.states++
    out.sets.add(resources(level, s))
    out.maxEntries = Math.max(out.maxEntries, s.h.e.length)
    out.maxHeads = Math.max(out.maxHeads, heads(s.h).length)
    for (const p of always) if (!p.check(s)) out.violated.add(p.name)
  }
  m.init().forEach(admit)
  while (frontier.length > 0) {
    const cur = frontier
    frontier = []
    for (const s of cur) for (const a of m.actions(s)) {
      const t = m.next(s, a)
      if (t !== undefined) admit(t)
    }
    expect(out.states).toBeLessThan(400_000)
  }
  return out
}

const CASES: [string, Level, Record<string, number>][] = [
  ['statefulset-stale-reads', 'causal', {}],
  ['job-single', 'causal', {}],
  ['replicaset-scale', 'causal', { userActions: 0 }],
  ['statefulset-stale-reads', 'resettable-session', {}],
  ['job-single', 'optimistic', {}],
]

describe('pruning the history never loses a write', () => {
  for (const [id, level, extra] of CASES) {
    it(`${id} under ${level}: with windows 2 and 3, head resource sets and violations ⊆ the unbounded history's`, () => {
      const full = reach(createScenario(id, { consistency: level, history: 1000, ...extra }), level)
      for (const window of [2, 3]) {
        const w = reach(createScenario(id, { consistency: level, history: window, ...extra }), level)
        const extraSets = [...w.sets].filter((x) => !full.sets.has(x))
        expect(extraSets.slice(0, 1)).toEqual([])
        expect([...w.violated].filter((p) => !full.violated.has(p))).toEqual([])
        if (level === 'causal') expect(w.maxEntries).toBeGreaterThanOrEqual(w.maxHeads)
      }
      expect(full.states).toBeGreaterThan(50)
    })
  }
})
