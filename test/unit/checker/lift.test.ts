// Lifting a fair cycle of a symmetry-reduced graph to the model without the reduction (checker/lift.ts): a real
// oscillation found under the reduction is reported with its trace; a candidate whose concrete cycle is unfair stays
// "unknown"; without the unreduced model nothing is lifted.
import { describe, expect, it } from 'vitest'
import { checkLiveness } from '../../../src-main/checker/liveness.ts'
import type { ActionGroup, Model } from '../../../src-main/checker/model.ts'

/**
 * Two processes, each with a local state; process i's action changes only its own. The reduced model keeps the
 * locals sorted (the processes are interchangeable); `step` gives a process's successor local state, or undefined.
 * One group per process (one class when reduced); the goal is any process at 'done'.
 */
function pair(initial: [string, string], step: (mine: string) => string | undefined, reduced: boolean, hook = true): Model<string[], number> {
  const groups: ActionGroup[] = [0, 1].map((i) => ({ name: `p${i + 1}`, fair: true, ...(reduced ? { cls: 'p' } : {}) }))
  const sort = (s: string[]): string[] => [...s].sort()
  const model: Model<string[], number> = {
    init: () => [reduced ? sort(initial) : initial],
    actions: () => [0, 1],
    next(s, i) {
      const mine = step(s[i])
      if (mine === undefined) return undefined
      const t = s.slice()
      t[i] = mine
      return reduced ? sort(t) : t
    },
    encode: (s) => new TextEncoder().encode(s.join(',')),
    decode: (b) => new TextDecoder().decode(b).split(','),
    formatAction: (i) => `p${i + 1}`,
    describe: (s) => ({ locals: s }),
    groups,
    groupOf: (i) => i,
    properties: [{ name: 'settles', kind: 'converges', description: 'some process is done', check: (s) => s.includes('done') }],
  }
  if (reduced && hook) model.symmetry = { unreduced: () => pair(initial, step, false), reduce: sort }
  return model
}

const settles = (m: Model<string[], number>) => checkLiveness(m as Model<unknown, unknown>, 'pair').get('settles')!

describe('lifting a candidate cycle', () => {
  // Each process flips a ↔ b for ever: both take turns on a fair concrete cycle.
  const flip = (mine: string) => (mine === 'a' ? 'b' : 'a')

  it('both processes flipping: an oscillation on the unreduced graph, and the reduced candidate lifts to one', () => {
    const plain = settles(pair(['a', 'a'], flip, false))
    expect([plain.status, plain.counterexample]).toEqual(['violated', 'oscillation'])
    const lifted = settles(pair(['a', 'a'], flip, true))
    expect([lifted.status, lifted.counterexample, lifted.loopStart]).toEqual(['violated', 'oscillation', 0])
    // In reduced terms aa → ab → aa twice: told apart, p1 flips out and back, then p2 does (aa → ba → aa → ab → aa).
    // One flip out and back alone would come back to aa with p2 enabled all along and never acting: unfair.
    const states = lifted.trace!.map((s) => (s.state as { locals: string[] }).locals.join(''))
    expect(states).toEqual(['aa', 'ab', 'aa', 'ab', 'aa'])
  })

  it('without the unreduced model the candidate stays unknown', () => {
    const r = settles(pair(['a', 'a'], flip, true, false))
    expect([r.status, r.trace]).toEqual(['unknown', undefined])
  })

  it('a candidate whose concrete cycle is unfair (one process flips, the other could finish all along) stays unknown', () => {
    // Process in a/b flips; a process in c can only finish. Told apart, p2 is enabled on the cycle and never acts.
    const step = (mine: string) => (mine === 'a' ? 'b' : mine === 'b' ? 'a' : mine === 'c' ? 'done' : undefined)
    expect(settles(pair(['a', 'c'], step, false)).status).toBe('holds')
    const r = settles(pair(['a', 'c'], step, true))
    expect([r.status, r.trace]).toEqual(['unknown', undefined])
  })
})
