// Idle reads (models/orchestration/model.ts): a controller read that writes nothing, or whose write is rejected, and
// starts or stops no container only moves the controller's session forward — and a later session allows a subset
// of the views an earlier one does, so the state before such a read can do everything the state after it can.
// Leaving these reads out (the default) keeps every datastore state and every kubelet's containers reachable and
// every verdict, in fewer states. Checked here against the published model (idleReads: true) on whole small spaces.
import { describe, expect, it } from 'vitest'
import type { Model } from '../../../src-main/checker/model.ts'
import { canon } from '../../../src-main/models/orchestration/canon.ts'
import { headView, type Level } from '../../../src-main/models/orchestration/history.ts'
import type { OAction, OState } from '../../../src-main/models/orchestration/model.ts'
import { createScenario } from '../../../src-main/models/orchestration/scenarios.ts'
import { check } from '../checker/helpers.ts'
import { forEachState } from './reachable.ts'

interface Reach {
  /** The real world: the head's resources and each kubelet's containers, up to revision numbers. */
  worlds: Set<string>
  violated: Set<string>
  states: number
}

/** A resource or container list with revision-derived digits blanked (the two spaces number revisions differently). */
const unnumbered = (x: unknown): string => canon(x).replace(/[0-9]{4,}/g, '#').replace(/"(rv|observedRevision)":[0-9]+/g, '"$1":#').replace(/"observedMerge":\[[0-9,]*\]/g, '"observedMerge":#')

function world(level: Level, s: OState): string {
  return unnumbered([headView(level, s.h).c.objs, s.c.map((c) => c.run ?? null)])
}

function reach(m: Model<OState, OAction>, level: Level): Reach {
  const out: Reach = { worlds: new Set(), violated: new Set(), states: 0 }
  const always = m.properties.filter((p) => p.kind === 'always')
  forEachState(m, (s) => {
    out.states++
    out.worlds.add(world(level, s))
    for (const p of always) if (!p.check(s)) out.violated.add(p.name)
  })
  return out
}

const CLASSIC_STALE = { nodeRestarts: 1, history: 3, sparePod: false }

/** Session levels reject stale updates (idle reads there); optimistic and causal writes are not, so no fewer states. */
const CASES: [string, Level, Record<string, number | boolean>, 'fewer' | 'same'][] = [
  ['replicaset-scale', 'monotonic-session', { userActions: 0 }, 'fewer'],
  ['replicaset-scale', 'resettable-session', { userActions: 0, nodeRestarts: 1 }, 'fewer'],
  ['replicaset-scale', 'optimistic', { userActions: 0 }, 'same'],
  ['replicaset-scale', 'causal', { userActions: 0 }, 'same'],
  ['statefulset-available', 'resettable-session', {}, 'fewer'],
  ['statefulset-stale-reads', 'resettable-session', CLASSIC_STALE, 'fewer'],
  ['job-single', 'resettable-session', { nodeRestarts: 1, backoffLimit: 0 }, 'fewer'],
  ['job-single', 'causal', {}, 'same'],
]

describe('leaving idle reads out', () => {
  for (const [id, level, extra, size] of CASES) {
    it(`${id} under ${level}: the same real-world states and violations, in ${size === 'fewer' ? 'fewer states' : 'as many states'}`, () => {
      const published = reach(createScenario(id, { consistency: level, ...extra, idleReads: true }), level)
      const reduced = reach(createScenario(id, { consistency: level, ...extra, idleReads: false }), level)
      expect([...published.worlds].filter((w) => !reduced.worlds.has(w)).slice(0, 1)).toEqual([])
      expect([...reduced.worlds].filter((w) => !published.worlds.has(w)).slice(0, 1)).toEqual([])
      expect([...reduced.violated].sort()).toEqual([...published.violated].sort())
      if (size === 'fewer') expect(reduced.states).toBeLessThan(published.states)
      else expect(reduced.states).toBe(published.states)
      expect(published.worlds.size).toBeGreaterThan(10)
    })
  }

  // Verdicts of every kind: all hold; pod-on-one-node and sts-one-pod-per-ordinal violated (#59848); converges
  // violated (a Job with backoffLimit 0 fails after a node restart and never completes).
  const whole: [string, Level, Record<string, number | boolean>, string[]][] = [
    ['job-single', 'resettable-session', { instances: 2 }, []],
    ['deployment-create', 'monotonic-session', {}, []],
    ['statefulset-stale-reads', 'resettable-session', CLASSIC_STALE, ['pod-on-one-node', 'sts-one-pod-per-ordinal']],
    ['job-single', 'resettable-session', { nodeRestarts: 1, backoffLimit: 0 }, ['converges']],
  ]
  for (const [id, level, extra, violated] of whole) {
    it(`${id} under ${level}: whole checks give the same verdicts, converging in no more steps`, async () => {
      const published = await check(id, { consistency: level, ...extra, idleReads: true }, { stopOnViolation: false })
      const reduced = await check(id, { consistency: level, ...extra, idleReads: false }, { stopOnViolation: false })
      expect(published.complete && reduced.complete).toBe(true)
      expect(published.properties.filter((p) => p.status === 'violated').map((p) => p.name)).toEqual(violated)
      expect(reduced.properties.map((p) => [p.name, p.status])).toEqual(published.properties.map((p) => [p.name, p.status]))
      const worst = (r: typeof reduced) => r.properties.find((p) => p.kind === 'converges')?.convergence?.worstSteps ?? 0
      expect(worst(reduced)).toBeLessThanOrEqual(worst(published))
      expect(reduced.unique).toBeLessThan(published.unique)
    })
  }
})
