// The portfolio's cycle hunter: a depth-first search beside the BFS, with its own visited set and its own recorded
// graph, which only the liveness pass of a search cut short reads (result.ts).
//
// Why: an oscillation lies as deep as the stale views that start it. A BFS cut by the time limit has expanded the
// shallow levels only, and the graph it recorded then holds no cycle (deployment-* with 2 instances: none in
// 150,000 states). A DFS reaches that depth within thousands of states, and each state it expands has all its
// edges recorded, so a cycle among them is a real counterexample, as in any partial graph (liveness.ts,
// Graph.partial). It checks no safety property: the BFS and the walks do that.
// Deterministic: the portfolio gives it a fixed number of expansions per round, and it draws nothing at random
// except, on explorer w > 0, the order it pushes successors in (seeded by the run's seed and w), so that W hunters
// search different parts of the space.
import { mulberry32, walkSeed } from './rng.ts'
import type { Model, Property } from './model.ts'
import { GraphRecorder, livenessBits, type GraphCols } from './state-graph.ts'
import { fingerprintState } from './state-key.ts'
import { VisitedSet } from './visited.ts'

export class CycleHunter {
  private readonly model: Model<unknown, unknown>
  private readonly props: readonly Property<unknown>[]
  private readonly maxDepth: number
  /** Presence only (ids live in the stack and the record): insert returns −1 for a state not seen before. */
  private readonly seen = new VisitedSet()
  private readonly rec = new GraphRecorder()
  /** The DFS stack: states to expand, their ids (k for the k-th stored, −(init + 2) for a root) and depths. */
  private readonly states: unknown[] = []
  private readonly ids: number[] = []
  private readonly depths: number[] = []
  private readonly fp = new Int32Array(2)
  private readonly rng: (() => number) | null
  private storedCount = 0
  /** States expanded so far. */
  expanded = 0

  constructor(model: Model<unknown, unknown>, props: readonly Property<unknown>[], maxDepth: number, seed: number, explorer: number) {
    this.model = model
    this.props = props
    this.maxDepth = maxDepth
    this.rng = explorer > 0 ? mulberry32(walkSeed(seed, -1 - explorer)) : null
    const inits = model.init()
    const roots: number[] = []
    inits.forEach((s, i) => {
      fingerprintState(model, s, this.fp)
      if (this.seen.insert(this.fp[0], this.fp[1], 0) === -1) roots.push(i)
    })
    // The first initial state on top of the stack: expanded first.
    for (let k = roots.length - 1; k >= 0; k--) this.push(inits[roots[k]], -(roots[k] + 2), 0)
  }

  /** Nothing left to expand: the hunter has seen every state within the bounds. */
  get done(): boolean {
    return this.states.length === 0
  }

  private push(state: unknown, id: number, depth: number): void {
    this.states.push(state)
    this.ids.push(id)
    this.depths.push(depth)
  }

  /** Expands up to `budget` states. */
  run(budget: number): void {
    for (let k = 0; k < budget && this.states.length > 0; k++) {
      const state = this.states.pop()
      const id = this.ids.pop()!
      const depth = this.depths.pop()!
      // At the depth bound a state stays unexpanded: its successors are unknown to the liveness pass.
      if (this.maxDepth > 0 && depth >= this.maxDepth) continue
      this.expand(state, id, depth)
    }
  }

  private expand(state: unknown, id: number, depth: number): void {
    const { model, rec, fp } = this
    this.expanded++
    rec.expanding(id)
    if (model.within && !model.within(state)) {
      rec.boundary()
      return
    }
    const actions = model.actions(state)
    const fresh: unknown[] = []
    const freshIds: number[] = []
    for (let ai = 0; ai < actions.length; ai++) {
      const succ = model.next(state, actions[ai])
      if (succ === undefined) continue
      fingerprintState(model, succ, fp)
      rec.successor(fp[0], fp[1], ai, model.groupOf ? model.groupOf(actions[ai]) : 0)
      if (this.seen.insert(fp[0], fp[1], 0) !== -1) continue
      rec.stored(fp[0], fp[1], livenessBits(this.props, succ))
      fresh.push(succ)
      freshIds.push(this.storedCount++)
    }
    if (this.rng) {
      for (let i = fresh.length - 1; i > 0; i--) {
        const j = this.rng() % (i + 1)
        ;[fresh[i], fresh[j]] = [fresh[j], fresh[i]]
        ;[freshIds[i], freshIds[j]] = [freshIds[j], freshIds[i]]
      }
    }
    for (let i = 0; i < fresh.length; i++) this.push(fresh[i], freshIds[i], depth + 1)
  }

  /** The recorded graph, in the form of one explorer's record (ids k for the k-th stored state): assembleGraph's input. */
  take(): GraphCols {
    return this.rec.take()
  }
}
