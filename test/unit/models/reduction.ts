// A reduction of the orchestration model (a scenario switch whose `true` is the published model) checked against
// the published model on whole small spaces: the same real-world states and violations, in fewer (or, where it has
// nothing to remove, as many) states; and whole checks with the same verdict for every property, converging in no
// more steps. Used by the idle-reads and unseen-writes tests.
import { expect, it } from 'vitest'
import type { Level } from '../../../src-main/models/orchestration/history.ts'
import { createScenario } from '../../../src-main/models/orchestration/scenarios.ts'
import { check } from '../checker/helpers.ts'
import { reach } from './reachable.ts'

type Params = Record<string, number | boolean>

export const CLASSIC_STALE: Params = { nodeRestarts: 1, history: 3, sparePod: false }

/** Verdicts of every kind: all hold; pod-on-one-node and sts-one-pod-per-ordinal violated (#59848); converges
 * violated (a Job with backoffLimit 0 fails after a node restart and never completes). */
export const WHOLE_CHECKS: [string, Level, Params, string[]][] = [
  ['job-single', 'resettable-session', { instances: 2 }, []],
  ['deployment-create', 'monotonic-session', {}, []],
  ['statefulset-stale-reads', 'resettable-session', CLASSIC_STALE, ['pod-on-one-node', 'sts-one-pod-per-ordinal']],
  ['job-single', 'resettable-session', { nodeRestarts: 1, backoffLimit: 0 }, ['converges']],
]

export function sameWorlds(param: string, cases: [string, Level, Params, 'fewer' | 'same'][]): void {
  for (const [id, level, extra, size] of cases) {
    it(`${id} under ${level}: the same real-world states and violations, in ${size === 'fewer' ? 'fewer states' : 'as many states'}`, () => {
      const published = reach(createScenario(id, { consistency: level, ...extra, [param]: true }), level)
      const reduced = reach(createScenario(id, { consistency: level, ...extra, [param]: false }), level)
      expect([...published.worlds].filter((w) => !reduced.worlds.has(w)).slice(0, 1)).toEqual([])
      expect([...reduced.worlds].filter((w) => !published.worlds.has(w)).slice(0, 1)).toEqual([])
      expect([...reduced.violated].sort()).toEqual([...published.violated].sort())
      if (size === 'fewer') expect(reduced.states).toBeLessThan(published.states)
      else expect(reduced.states).toBe(published.states)
      expect(published.worlds.size).toBeGreaterThan(10)
    })
  }
}

export function sameVerdicts(param: string, cases: [string, Level, Params, string[]][] = WHOLE_CHECKS): void {
  for (const [id, level, extra, violated] of cases) {
    it(`${id} under ${level}: whole checks give the same verdicts, converging in no more steps`, async () => {
      const published = await check(id, { consistency: level, ...extra, [param]: true }, { stopOnViolation: false })
      const reduced = await check(id, { consistency: level, ...extra, [param]: false }, { stopOnViolation: false })
      expect(published.complete && reduced.complete).toBe(true)
      expect(published.properties.filter((p) => p.status === 'violated').map((p) => p.name)).toEqual(violated)
      expect(reduced.properties.map((p) => [p.name, p.status])).toEqual(published.properties.map((p) => [p.name, p.status]))
      const worst = (r: typeof reduced) => r.properties.find((p) => p.kind === 'converges')?.convergence?.worstSteps ?? 0
      expect(worst(reduced)).toBeLessThanOrEqual(worst(published))
      expect(reduced.unique).toBeLessThan(published.unique)
    })
  }
}
