// Lifting a fair cycle of a symmetry-reduced graph to a concrete one (liveness.ts).
//
// On the reduced graph weak fairness is judged per class of interchangeable groups, so a fair cycle found there is
// only a candidate: once the instances are told apart, one of them may be enabled all along and never act. The model
// without the reduction (Model.symmetry) settles it for one candidate cycle:
//  - from the cycle's first state (a reduced state is also a concrete one), follow the reduced cycle step by step
//    with concrete steps: at each, a concrete action whose successor reduces to the reduced cycle's next state (when
//    several do, the one of the group that acted least recently, so that instances take turns);
//  - the concrete walk ends one pass later in a permutation of where it began; repeated, it returns to the very
//    state it began in after at most the permutation's order passes;
//  - that concrete cycle is tested for weak fairness exactly, group by group: each fair group is taken on it or
//    disabled in one of its states.
// A fair concrete cycle is a real counterexample, reported in the reduced model's terms (the reduced cycle as many
// times as the concrete one needed), so it replays as any trace of the run does. An unfair one decides nothing.
import type { Model } from './model.ts'
import { stateKey } from './state-key.ts'

/** Passes of the reduced cycle tried before giving up (a permutation of two-instance groups has order 2). */
const MAX_PASSES = 6

export interface LiftRequest {
  init: number
  prefix: readonly number[]
  cycle: readonly number[]
  /** A convergence cycle: system steps only (environment actions have stopped); else any step. */
  systemOnly: boolean
}

/**
 * The reduced action indices of a fair concrete cycle lifted from `req.cycle` (the cycle repeated as often as the
 * lift needed), or null when the model has no unreduced form or the lifted cycle is not fair.
 */
export function liftCycle(model: Model<unknown, unknown>, req: LiftRequest): number[] | null {
  const sym = model.symmetry
  if (!sym || req.cycle.length === 0) return null
  const fp = new Int32Array(2)
  // The reduced path replays as recorded (the lasso's own replay reports it otherwise).
  const follow = (s: unknown, ai: number): unknown => model.next(s, model.actions(s)[ai])
  let red: unknown = model.init()[req.init]
  for (const ai of req.prefix) if (red !== undefined) red = follow(red, ai)
  if (red === undefined) return null
  // The reduced cycle's successor keys.
  const want: string[] = []
  let r: unknown = red
  for (const ai of req.cycle) {
    r = follow(r, ai)
    if (r === undefined) return null
    want.push(stateKey(model, r, fp))
  }
  const un = sym.unreduced()
  // An action's group, or −1 for one that cannot be on the cycle (an environment step on a convergence cycle).
  const groupOn = (a: unknown): number => {
    const g = un.groupOf ? un.groupOf(a) : 0
    return req.systemOnly && un.groups?.[g]?.environment ? -1 : g
  }
  const startKey = stateKey(un, red, fp)
  const lastTaken = new Map<number, number>()
  const states: unknown[] = []
  const taken: number[] = []
  let x: unknown = red
  let t = 0
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    for (let j = 0; j < req.cycle.length; j++) {
      let best: { y: unknown; g: number } | null = null
      for (const a of un.actions(x)) {
        const g = groupOn(a)
        if (g < 0) continue
        const y = un.next(x, a)
        if (y === undefined || stateKey(model, sym.reduce(y), fp) !== want[j]) continue
        if (!best || (lastTaken.get(g) ?? -1) < (lastTaken.get(best.g) ?? -1)) best = { y, g }
      }
      if (!best) return null
      states.push(x)
      taken.push(best.g)
      lastTaken.set(best.g, t++)
      x = best.y
    }
    if (stateKey(un, x, fp) !== startKey) continue
    return fairOn(un, states, taken, groupOn) ? Array.from({ length: pass }, () => req.cycle).flat() : null
  }
  return null
}

/**
 * Weak fairness of the concrete cycle through `states` taking groups `taken`: each fair group taken or disabled once.
 * `groupOn(a)`: the group of an action that counts on the cycle, −1 for one that does not.
 */
function fairOn(un: Model<unknown, unknown>, states: readonly unknown[], taken: readonly number[], groupOn: (a: unknown) => number): boolean {
  const pending = new Set((un.groups ?? []).flatMap((g, i) => (g.fair && !taken.includes(i) ? [i] : [])))
  for (const s of states) {
    if (pending.size === 0) break
    const enabled = new Set<number>()
    for (const a of un.actions(s)) {
      const g = groupOn(a)
      if (pending.has(g) && un.next(s, a) !== undefined) enabled.add(g)
    }
    for (const g of [...pending]) if (!enabled.has(g)) pending.delete(g)
  }
  return pending.size === 0
}
