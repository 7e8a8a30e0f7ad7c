// Expectations: the ReplicaSet and Job controllers wait to see the pods they created or deleted, the scheduler the
// pods it bound, before acting again (docs/models.md, "Expectations"). Without them a controller reading a state from
// before its own create makes a pod too many, the churn that made the ReplicaSet, Deployment and Job spaces wide.
import { describe, expect, it } from 'vitest'
import type { Model } from '../../../src-main/checker/model.ts'
import { explore } from '../../../src-main/checker/reference-bfs.ts'
import { views } from '../../../src-main/models/orchestration/history.ts'
import type { OAction, OState } from '../../../src-main/models/orchestration/model.ts'
import { isTerminating } from '../../../src-main/models/orchestration/resources.ts'
import { createScenario } from '../../../src-main/models/orchestration/scenarios.ts'
import { forEachState } from './reachable.ts'

const FULL = { maxDepth: 0, timeoutMs: 0, maxStates: 0, stopOnViolation: false }

/**
 * Every state reachable (deduplicated by the model's own fingerprint), for properties of the whole space; with
 * `until`, the search stops at the first state that satisfies it (which is then the last one returned).
 */
function everyState(m: Model<OState, OAction>, until?: (s: OState) => boolean): OState[] {
  const out: OState[] = []
  forEachState(m, (s) => {
    out.push(s)
    return until?.(s)
  })
  return out
}

/** Pods a ReplicaSet owns, not terminating, in the latest datastore state. */
function ownedPods(s: OState): number {
  const head = s.h.e.find((e) => e.rev === s.h.latest)!.c
  return Object.values(head.objs.Pod).filter((p) => p.meta.owner?.kind === 'ReplicaSet' && !isTerminating(p)).length
}

describe('expectations', () => {
  for (const level of ['monotonic-session', 'resettable-session', 'causal'] as const) {
    it(`${level}: the ReplicaSet controller never makes a pod too many; without expectations it does`, () => {
      // Two replicas, no user action: any third pod is an overshoot from a view older than the controller's own create.
      const overshoot = (expectations: boolean) => {
        const m = createScenario('replicaset-scale', { consistency: level, userActions: 0, expectations }) as Model<OState, OAction>
        return ownedPods(everyState(m, (s) => ownedPods(s) > 2).at(-1)!) > 2
      }
      expect(overshoot(true)).toBe(false)
      expect(overshoot(false)).toBe(true)
    })
  }

  it('the expected write is in every view the controller may read next, at every level', () => {
    for (const level of ['monotonic-session', 'resettable-session', 'optimistic', 'causal'] as const) {
      const m = createScenario('replicaset-scale', { consistency: level, userActions: 0 }) as Model<OState, OAction>
      let checked = 0
      for (const s of everyState(m)) {
        for (const a of m.actions(s)) {
          if (a.t !== 'step' || a.i !== 1) continue // replicaset-1
          const t = m.next(s, a)
          if (!t) continue
          const created = Object.keys(t.h.e.find((e) => e.rev === t.h.latest)!.c.objs.Pod).find((n) => !(n in s.h.e.find((e) => e.rev === s.h.latest)!.c.objs.Pod))
          if (t.h.latest === s.h.latest || created === undefined) continue
          const next = views(level, t.h, t.c[1].s, t.c[1].own === true)
          expect(next.length).toBeGreaterThan(0)
          for (const v of next) expect(Object.keys(v.c.objs.Pod)).toContain(created)
          checked++
        }
      }
      expect(checked).toBeGreaterThan(0)
    }
  })

  it('causal: the controller may read its own expected write; other sessions never read what they have read', () => {
    const m = createScenario('replicaset-scale', { consistency: 'causal', userActions: 0 }) as Model<OState, OAction>
    const states = everyState(m)
    const own = states.filter((s) => s.c.some((c) => c.own))
    expect(own.length).toBeGreaterThan(0)
    for (const s of own) {
      const i = s.c.findIndex((c) => c.own)
      const next = views('causal', s.h, s.c[i].s, true).map((v) => v.revs.join('+'))
      expect(next).toContain(String(s.c[i].s![0]))
      expect(views('causal', s.h, s.c[i].s).map((v) => v.revs.join('+'))).not.toContain(String(s.c[i].s![0]))
    }
  })

  it('a controller restart loses the expectation with the session', () => {
    const m = createScenario('replicaset-scale', { consistency: 'causal', userActions: 0, controllerRestarts: 1 }) as Model<OState, OAction>
    const s = everyState(m, (x) => x.c[1].own === true && x.b.ctl === 1).at(-1)!
    expect(s.c[1].own).toBe(true)
    const t = m.next(s, { t: 'ctl-restart', i: 1 })!
    expect(t.c[1]).toEqual({ s: null })
  })

  it('the expectation is part of the state: states that differ only in it have different fingerprints', () => {
    const m = createScenario('replicaset-scale', { consistency: 'causal', userActions: 0 }) as Model<OState, OAction>
    const s = everyState(m, (x) => x.c[1].own === true).at(-1)!
    expect(s.c[1].own).toBe(true)
    const without: OState = { ...s, c: s.c.map((c, i) => (i === 1 ? { s: c.s } : c)) }
    const a = new Int32Array(2)
    const b = new Int32Array(2)
    m.fingerprint!(s, a)
    m.fingerprint!(without, b)
    expect([...a]).not.toEqual([...b])
    // And it survives the state's bytes.
    expect(m.decode(m.encode(s)).c[1].own).toBe(true)
  })

  it('the reference BFS and a plain search agree on the reduced spaces, smaller than without expectations', () => {
    // Exact and deterministic: 356 and 419 states with expectations, 4,603 and 5,047 without (optimistic, whose
    // writes already join the live branch, has 236 either way). Rejected writes are steps here (idle reads, as
    // published): expectations alone.
    const count = (level: string, expectations: boolean) => explore(createScenario('replicaset-scale', { consistency: level, userActions: 0, expectations, idleReads: true, sameViews: true, oldRevisions: true }), FULL)
    for (const [level, on, off] of [['monotonic-session', 356, 4603], ['resettable-session', 419, 5047], ['optimistic', 236, 236]] as const) {
      expect([count(level, true).unique, count(level, false).unique]).toEqual([on, off])
      expect(everyState(createScenario('replicaset-scale', { consistency: level, userActions: 0, idleReads: true, sameViews: true, oldRevisions: true }) as Model<OState, OAction>).length).toBe(on)
    }
  })
})
