// The fingerprint up to revision renaming (models/orchestration/state-key.ts) is the renumbering quotient: on every
// state reachable without it, two states share a fingerprint exactly when their renumbered forms are equal; and
// whole explorations reach the same counts as renumbering every state and hashing its bytes — both with old
// revisions told apart and forgotten (renumber.ts `forget`). The codec (state-codec.ts) round-trips every state.
import { describe, expect, it } from 'vitest'
import { explore, type ExploreLimits } from '../../../src-main/checker/reference-bfs.ts'
import type { Model } from '../../../src-main/checker/model.ts'
import { canon } from '../../../src-main/models/orchestration/canon.ts'
import type { OAction, OState } from '../../../src-main/models/orchestration/model.ts'
import { renumber } from '../../../src-main/models/orchestration/renumber.ts'
import { createScenario } from '../../../src-main/models/orchestration/scenarios.ts'
import { classic, reachable } from './reachable.ts'


const key = (m: Model<OState, OAction>, s: OState): string => {
  const fp = new Int32Array(2)
  m.fingerprint!(s, fp)
  return `${fp[0]}:${fp[1]}`
}

const CASES: [string, string, number][] = [
  ['statefulset-stale-reads', 'resettable-session', 8],
  ['statefulset-stale-reads', 'causal', 6],
  ['job-parallel', 'optimistic', 8],
  ['deployment-paused', 'causal', 6],
  ['replicaset-overlapping', 'monotonic-session', 8],
]

// Published: old revisions told apart (plain renumbering); default: forgotten on the linear levels (renumber's forget).
const MODES = [
  ['told apart', { oldRevisions: true }],
  ['forgotten', { oldRevisions: false }],
] as const

describe('fingerprint up to revision renaming', () => {
  for (const [id, level, depth] of CASES) {
    for (const [mode, old] of MODES) {
      it(`${id} under ${level} to depth ${depth}, old revisions ${mode}: equal fingerprints exactly for equal renumbered states; bytes round-trip`, () => {
        const raw = createScenario(id, { consistency: level, ...classic(id) }, { renumber: false })
        const m = createScenario(id, { consistency: level, ...classic(id), ...old })
        const forget = !old.oldRevisions && level !== 'causal'
        const states = reachable(raw, depth)
        expect(states.length).toBeGreaterThan(100)
        const byFp = new Map<string, string>()
        const byCanon = new Map<string, string>()
        let merged = 0
        for (const s of states) {
          const f = key(m, s)
          const c = canon(renumber(s, { forget }))
          if (byFp.has(f)) expect(byFp.get(f)).toBe(c)
          else byFp.set(f, c)
          if (byCanon.has(c)) {
            expect(byCanon.get(c)).toBe(f)
            merged++
          } else byCanon.set(c, f)
          expect(key(m, renumber(s))).toBe(f)
          const back = m.decode(m.encode(s))
          expect(canon(back)).toBe(canon(s))
          expect(key(m, back)).toBe(f)
        }
        expect(merged).toBeGreaterThan(0) // some raw states really were identified
        expect(byFp.size).toBe(byCanon.size)
        // Forgetting identifies more states than renaming alone.
        if (forget) expect(byFp.size).toBeLessThan(new Set(states.map((s) => canon(renumber(s)))).size)
      })
    }
  }
})

const FULL: ExploreLimits = { maxDepth: 0, timeoutMs: 0, maxStates: 0, stopOnViolation: false }

describe('whole explorations: the fingerprint quotient equals renumbering every state', () => {
  for (const [id, level, instances] of [
    ['statefulset-stale-reads', 'resettable-session', 1],
    ['replicaset-scale', 'causal', 1],
    ['replicaset-scale', 'optimistic', 1],
    ['job-single', 'monotonic-session', 2],
  ] as const) {
    for (const [mode, old] of MODES) {
      it(`${id} under ${level}, ${instances} instance(s), old revisions ${mode}: same unique, generated, depth and verdicts`, () => {
        // Small: replicas 1 and no user action where the scenario has them (a causal space grows fast).
        const p = { consistency: level, instances, nodes: 1, ...classic(id), ...old, ...(id === 'replicaset-scale' && level === 'causal' ? { replicas: 1, userActions: 0 } : {}) }
        const a = explore(createScenario(id, p, { rewrite: true }), FULL)
        const b = explore(createScenario(id, p), FULL)
        expect([a.stopReason, b.stopReason]).toEqual(['complete', 'complete'])
        expect([b.unique, b.generated, b.maxDepth]).toEqual([a.unique, a.generated, a.maxDepth])
        expect(b.properties.map((p) => [p.name, p.status])).toEqual(a.properties.map((p) => [p.name, p.status]))
      })
    }
  }
})
