// canonBytes (models/orchestration/canon-bytes.ts) writes exactly the UTF-8 bytes of canon(): the fingerprint hashes
// objects through it, so any difference would split or merge states.
import { describe, expect, it } from 'vitest'
import { canon } from '../../../src-main/models/orchestration/canon.ts'
import { canonBytes } from '../../../src-main/models/orchestration/canon-bytes.ts'
import { ZERO_REVISIONS } from '../../../src-main/models/orchestration/state-key.ts'
import { rewriteObject } from '../../../src-main/models/orchestration/renumber.ts'
import type { AnyObject } from '../../../src-main/models/orchestration/resources.ts'
import { createScenario } from '../../../src-main/models/orchestration/scenarios.ts'
import { reachable } from './reachable.ts'

const encoder = new TextEncoder()
const same = (v: unknown): void => expect(Buffer.from(canonBytes(v)).toString('hex')).toBe(Buffer.from(encoder.encode(canon(v))).toString('hex'))

describe('canonBytes', () => {
  it('matches canon on awkward values: escapes, non-ASCII, surrogates, numbers, key order, undefined fields', () => {
    const values: unknown[] = [
      { b: 1, a: [1, -2, 3.5, 1e21, 123456789012345, 1e15, -0, NaN, Infinity, -Infinity, 2 ** 53], c: undefined },
      { 'quo"te': 'back\\slash', nl: 'a\nb\tc\u0001', uni: 'héllo wörld ✓ 日本', emoji: 'x😀y', lone: 'a\ud800b', tail: 'é' },
      { '10': 'ten', '9': 'nine', a: { z: null, y: true, x: false }, e: [], o: {} },
      // Out of order only after fields already written (one undefined), and inside a nested value.
      { a: 1, c: undefined, d: { q: 1, p: [2] }, b: 2 },
      { u: undefined, a: { x: 1 } },
      [{ meta: { name: 'n' } }, 'plain', 0, null, [[]]],
      'top-level "string"',
      42,
    ]
    for (const v of values) same(v)
    // The shared buffer grows for large values and is reused after.
    same({ big: 'x'.repeat(20_000), arr: Array.from({ length: 3000 }, (_, i) => ({ i, s: `é${i}` })) })
    same({ small: 1 })
  })

  it('matches canon on every object, and every revision-free skeleton, of reachable states', () => {
    let n = 0
    for (const [id, level] of [['statefulset-stale-reads', 'causal'], ['job-parallel', 'optimistic'], ['deployment-paused', 'resettable-session']] as const) {
      const m = createScenario(id, { consistency: level }, { renumber: false })
      for (const s of reachable(m, 5)) {
        for (const e of s.h.e) {
          for (const [kind, byName] of Object.entries(e.c.objs) as [string, Record<string, AnyObject>][]) {
            for (const o of Object.values(byName)) {
              same(o)
              same(rewriteObject(kind, o, ZERO_REVISIONS, true, true))
              n++
            }
          }
        }
      }
    }
    expect(n).toBeGreaterThan(1000)
  })
})
