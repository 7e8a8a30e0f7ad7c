// Pruning the history is sound (models/orchestration/history.ts): the window bounds how stale a read may be, but
// never loses a write. On small cases, every resource set the head can show with the window is one the head can
// show with an unbounded history, and a safety violation found with the window is found without it. Under causal
// the window once dropped a head that was the only copy of a pod created on a concurrent branch: a head set
// without that pod appeared, which the unbounded history never shows.
import { describe, expect, it } from 'vitest'
import type { Model } from '../../../src-main/checker/model.ts'
import { canon } from '../../../src-main/models/orchestration/canon.ts'
import { headView, heads, prune, pruneAny, type History, type Level, type Session } from '../../../src-main/models/orchestration/history.ts'
import type { OAction, OState } from '../../../src-main/models/orchestration/model.ts'
import type { AnyObject } from '../../../src-main/models/orchestration/resources.ts'
import { createScenario } from '../../../src-main/models/orchestration/scenarios.ts'
import { forEachState, reachable } from './reachable.ts'

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
  const out: Reach = { sets: new Set(), violated: new Set(), states: 0, maxEntries: 0, maxHeads: 0 }
  const always = m.properties.filter((p) => p.kind === 'always')
  forEachState(m, (s) => {
    out.states++
    out.sets.add(resources(level, s))
    out.maxEntries = Math.max(out.maxEntries, s.h.e.length)
    out.maxHeads = Math.max(out.maxHeads, heads(s.h).length)
    for (const p of always) if (!p.check(s)) out.violated.add(p.name)
    expect(out.states).toBeLessThan(400_000)
  })
  return out
}

describe('pruning the history never loses a write', () => {
  it('prune keeps every causal head and every session entry whatever the window; it caps only the rest', () => {
    const c = createScenario('replicaset-scale', { consistency: 'causal' }).init()[0].h.e[0].c
    // 1 ← 2, 1 ← 3, 1 ← 4: three concurrent heads, each the only copy of its write; a session at 2.
    const h: History = {
      e: [1, 2, 3, 4].map((rev) => ({ rev, p: rev === 1 ? [] : [1], c })),
      latest: 4,
      next: 5,
    }
    const p = prune('causal', h, [[2], null], 1)
    expect(p.h.e.map((e) => e.rev)).toEqual([2, 3, 4])
    expect(heads(p.h)).toEqual([2, 3, 4])
    expect(p.sessions).toEqual([[2], null])
    // Linear levels keep only the latest within window 1.
    expect(prune('monotonic-session', { e: [1, 2].map((rev) => ({ rev, p: rev === 1 ? [] : [1], c })), latest: 2, next: 3 }, [null], 1).h.e.map((e) => e.rev)).toEqual([2])
  })

  it('on linear histories the shortcut prunes exactly as the general path, sessions included', () => {
    let n = 0
    let dropped = 0
    for (const [id, level] of [['statefulset-stale-reads', 'resettable-session'], ['replicaset-scale', 'monotonic-session'], ['deployment-paused', 'synchronous']] as const) {
      const m = createScenario(id, { consistency: level, history: 4 }, { renumber: false })
      for (const s of reachable(m, 4)) {
        // As a write lands: one more entry on the latest, then pruned with the controllers' sessions and others.
        const h: History = { e: [...s.h.e, { rev: s.h.next, p: [s.h.latest], c: s.h.e[0].c }], latest: s.h.next, next: s.h.next + 1 }
        const sessions: Session[][] = [s.c.map((c) => c.s), [null], [[]], ...h.e.map((e) => [[e.rev], [Math.max(0, e.rev - 1)]])]
        for (const ss of sessions) {
          for (const window of [0, 1, 2, 3, 5]) {
            const a = prune(level, h, ss, window)
            const b = pruneAny(level, h, ss, window)
            expect(canon([a.h, a.sessions])).toBe(canon([b.h, b.sessions]))
            if (b.h.e.length < h.e.length) dropped++
            n++
          }
        }
      }
    }
    expect(n).toBeGreaterThan(5000)
    expect(dropped).toBeGreaterThan(1000)
  })

  it('under optimistic the shortcut (the live branch, then as a linear history) prunes exactly as the general path', () => {
    let n = 0
    let forked = 0
    for (const id of ['replicaset-scale', 'job-parallel', 'statefulset-stale-reads']) {
      const m = createScenario(id, { consistency: 'optimistic', history: 4 }, { renumber: false })
      for (const s of reachable(m, 4)) {
        // A write forks from any retained entry (the view it read): the entries after it on the old branch die.
        for (const from of s.h.e) {
          const h: History = { e: [...s.h.e, { rev: s.h.next, p: [from.rev], c: from.c }], latest: s.h.next, next: s.h.next + 1 }
          const sessions: Session[][] = [s.c.map((c) => c.s), [null], [[]], ...h.e.map((e) => [[e.rev], [Math.max(0, e.rev - 1)], null])]
          for (const ss of sessions) {
            for (const window of [0, 1, 2, 3, 5]) {
              const a = prune('optimistic', h, ss, window)
              const b = pruneAny('optimistic', h, ss, window)
              expect(canon([a.h, a.sessions])).toBe(canon([b.h, b.sessions]))
              n++
            }
          }
          if (from.rev !== s.h.latest) forked++
        }
      }
    }
    expect(n).toBeGreaterThan(5000)
    expect(forked).toBeGreaterThan(100)
  })

  for (const [id, level, extra, windows, full] of [
    ['replicaset-scale', 'causal', { replicas: 1, userActions: 0 }, [2, 3], 4],
    ['statefulset-scale', 'resettable-session', { replicas: 1, userActions: 0 }, [1, 2], 1000],
    ['replicaset-scale', 'optimistic', { replicas: 1, userActions: 0 }, [1, 2], 1000],
  ] as [string, Level, Record<string, number>, number[], number][]) {
    it(`${id} under ${level}: with windows ${windows.join(' and ')}, head resource sets and violations ⊆ window ${full}'s`, () => {
      const wide = reach(createScenario(id, { consistency: level, history: full, ...extra }), level)
      for (const window of windows) {
        const w = reach(createScenario(id, { consistency: level, history: window, ...extra }), level)
        expect([...w.sets].filter((x) => !wide.sets.has(x)).slice(0, 1)).toEqual([])
        expect([...w.violated].filter((p) => !wide.violated.has(p))).toEqual([])
        expect(w.states).toBeLessThanOrEqual(wide.states)
        if (level === 'causal') expect(w.maxHeads).toBeLessThanOrEqual(window)
      }
      expect(wide.states).toBeGreaterThan(10)
    })
  }
})
