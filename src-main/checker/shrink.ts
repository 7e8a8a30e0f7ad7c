// Shrinking a random walk's counterexample to a short, replayable one. A walk wanders: it revisits states and takes
// steps that have nothing to do with the violation. Three passes, each candidate checked by replaying it:
//  1. cut the walk at the first state where the property is decided (an always-property fails, a sometimes holds);
//  2. remove loops: when a state repeats (same fingerprint), the steps between its two visits go;
//  3. delete runs of steps (halves, quarters, … single steps): a candidate is kept when replaying the remaining
//     actions by name still reaches a deciding state (then cut there and loops removed again);
//  4. a small breadth-first search from the initial state, shallower than the trace: a deciding state it meets
//     gives a shortest trace; else the deepest trace state it reaches by a shorter path has its prefix replaced.
// The work is bounded by a number of replayed steps and stored states, not by time, so the same walk always shrinks
// the same way. A sometimes-property's witness only gets passes 1 and 2: it shows reachability, and the model may be
// slow enough that the later passes cost seconds.
import type { TraceStep } from '../../src-shared/types.ts'
import { fingerprintState } from './state-key.ts'
import type { Model, Property } from './model.ts'
import { replayActions, stepEffect } from './replay.ts'

/** Replayed steps (model.next calls on the path) the deletion pass may spend. */
export const SHRINK_STEP_BUDGET = 20_000
/** States the closing breadth-first pass may store. */
export const SHRINK_BFS_STATES = 1_000

interface Replayed {
  /** Action names taken, up to the first deciding state. */
  names: string[]
  /** Indices of those actions within actions(state), for the final replay. */
  indices: number[]
  /** Fingerprints of the states, initial state first (names.length + 1 of them). */
  keys: string[]
}

/** Replays action names from initial state `init`; null when an action is missing or disabled, or nothing is decided. */
function replayNames(
  model: Model<unknown, unknown>,
  decided: (s: unknown) => boolean,
  init: unknown,
  names: readonly string[],
  hints: readonly number[],
  budget: { steps: number },
): Replayed | null {
  const fp = new Int32Array(2)
  const key = (s: unknown): string => {
    fingerprintState(model, s, fp)
    return `${fp[0]},${fp[1]}`
  }
  let state = init
  const out: Replayed = { names: [], indices: [], keys: [key(state)] }
  if (decided(state)) return out
  for (let i = 0; i < names.length; i++) {
    if (budget.steps-- <= 0) return null
    const list = model.actions(state)
    let ai = hints[i] !== undefined && hints[i] < list.length && model.formatAction(list[hints[i]]) === names[i] ? hints[i] : -1
    if (ai < 0) ai = list.findIndex((a) => model.formatAction(a) === names[i])
    if (ai < 0) return null
    const succ = model.next(state, list[ai])
    if (succ === undefined) return null
    state = succ
    out.names.push(names[i])
    out.indices.push(ai)
    out.keys.push(key(state))
    if (decided(state)) return out
  }
  return null
}

/** Drops the steps between two visits of the same state. */
function withoutLoops(r: Replayed): Replayed {
  const at = new Map<string, number>()
  const out: Replayed = { names: [], indices: [], keys: [] }
  for (let i = 0; i < r.keys.length; i++) {
    const seen = at.get(r.keys[i])
    if (seen !== undefined) {
      for (const k of out.keys.splice(seen + 1)) at.delete(k)
      out.names.length = seen
      out.indices.length = seen
      continue
    }
    if (i > 0) {
      out.names.push(r.names[i - 1])
      out.indices.push(r.indices[i - 1])
    }
    at.set(r.keys[i], out.keys.length)
    out.keys.push(r.keys[i])
  }
  return out
}

/**
 * The shortest trace this finds to a state deciding `prop`, from walk actions (indices) starting at initial state
 * `init`. The result is a replay of the model (states, actions, effects), so it is replayable by construction.
 */
export function shrinkWalk(
  model: Model<unknown, unknown>,
  name: string,
  prop: Property<unknown>,
  init: number,
  actions: readonly number[],
  stepBudget = SHRINK_STEP_BUDGET,
): TraceStep[] {
  const decided = (s: unknown): boolean => (prop.kind === 'always' ? !prop.check(s) : prop.check(s))
  const start = model.init()[init]
  // The walk itself, by index (it reached a deciding state; anything else is the model's nondeterminism).
  const walk = replayActions(model, name, init, actions, null)
  const names = walk.slice(1).map((s) => s.action ?? '')
  const budget = { steps: Number.MAX_SAFE_INTEGER }
  let best = replayNames(model, decided, start, names, actions, budget)
  if (!best) return walk
  best = withoutLoops(best)
  if (prop.kind !== 'always') return traceOf(model, start, best.indices)
  budget.steps = stepBudget
  for (let size = best.names.length >> 1; size >= 1 && budget.steps > 0; size >>= 1) {
    let i = 0
    while (i < best.names.length && budget.steps > 0) {
      const names = [...best.names.slice(0, i), ...best.names.slice(i + size)]
      const hints = [...best.indices.slice(0, i), ...best.indices.slice(i + size)]
      const r = replayNames(model, decided, start, names, hints, budget)
      if (r && r.names.length < best.names.length) best = withoutLoops(r)
      else i += size
    }
  }
  return traceOf(model, start, bfsShorten(model, decided, start, best, SHRINK_BFS_STATES))
}

interface Node {
  parent: Node | null
  action: number
  depth: number
  state: unknown
}

/** Step 4: breadth-first from the initial state, at most `budget` states, shallower than the current trace. */
function bfsShorten(model: Model<unknown, unknown>, decided: (s: unknown) => boolean, start: unknown, best: Replayed, budget: number): number[] {
  const fp = new Int32Array(2)
  const key = (s: unknown): string => {
    fingerprintState(model, s, fp)
    return `${fp[0]},${fp[1]}`
  }
  const onTrace = new Map(best.keys.map((k, j) => [k, j]))
  const pathOf = (n: Node): number[] => {
    const out: number[] = []
    for (let c: Node | null = n; c && c.parent; c = c.parent) out.push(c.action)
    return out.reverse()
  }
  let splice: { node: Node; at: number } | null = null
  const seen = new Map<string, Node>()
  const root: Node = { parent: null, action: -1, depth: 0, state: start }
  seen.set(key(start), root)
  let level = [root]
  while (level.length > 0 && seen.size < budget && level[0].depth + 1 < best.names.length) {
    const next: Node[] = []
    for (const n of level) {
      const list = model.actions(n.state)
      for (let ai = 0; ai < list.length && seen.size < budget; ai++) {
        const succ = model.next(n.state, list[ai])
        if (succ === undefined) continue
        const k = key(succ)
        if (seen.has(k)) continue
        const node: Node = { parent: n, action: ai, depth: n.depth + 1, state: succ }
        if (decided(succ)) return pathOf(node)
        seen.set(k, node)
        next.push(node)
        const j = onTrace.get(k)
        if (j !== undefined && j - node.depth > (splice ? splice.at - splice.node.depth : 0)) splice = { node, at: j }
      }
    }
    level = next
  }
  if (!splice) return best.indices
  return [...pathOf(splice.node), ...best.indices.slice(splice.at)]
}

function traceOf(model: Model<unknown, unknown>, start: unknown, indices: readonly number[]): TraceStep[] {
  let state = start
  const steps: TraceStep[] = [{ index: 0, action: null, state: model.describe(state) }]
  indices.forEach((ai, i) => {
    const action = model.actions(state)[ai]
    const effect = stepEffect(model, state, action)
    state = model.next(state, action)
    steps.push({ index: i + 1, action: model.formatAction(action), ...(effect ? { effect } : {}), state: model.describe(state) })
  })
  return steps
}
