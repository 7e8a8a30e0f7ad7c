// Liveness on the stored state graph: eventually(p) and converges(goal), with weak fairness per action group.
//
// The graph is the one the explorers recorded during the search (state-graph.ts); after a resume from a checkpoint
// it is built here once instead (single-threaded, after the parallel exploration has finished). Either way: dense
// ids, the BFS tree (parent, action index) for prefixes, and every transition in compressed rows (target id,
// action index, group). Then an iterative Tarjan SCC pass (no recursion):
//  - eventually(p): over the states reachable from an initial state through ¬p states only. A counterexample is
//    a path to a terminal ¬p state (deadlock) or a lasso into a fair SCC of ¬p states (prefix + cycle).
//  - converges(goal): over every reachable state, with environment (user / fault) actions removed.
//    stuck = a non-goal state with no system action enabled; leaves-goal = a system step from a goal state to a
//    non-goal state; oscillation = a fair SCC of non-goal states (shown as a lasso). Steps-to-converge (worst case
//    and distribution) come from the SCC condensation, which Tarjan emits in reverse topological order.
// Weak fairness: an SCC C is fair iff for every fair group g, g is disabled in some state of C or some edge of C
// (staying inside C) belongs to g; a cycle through every state and edge of such a C is then a fair path, and if
// the condition fails for g, every cycle inside C keeps g enabled without taking it (unfair). For weak fairness
// this test on maximal SCCs is exact.
// Symmetry (groups with a class, model.ts ActionGroup.cls): on a graph reduced by a symmetry, the states of a
// concrete SCC map onto a reduced SCC with each member group renamed within its class, so a concrete fair SCC gives
// a reduced SCC where, for each class, some member is disabled in some state or some member's edge is taken. Testing
// that (a weaker test) finds every real fair cycle: "holds" stays exact. A cycle it finds may be unfair once the
// members are told apart, so it is only a candidate: it is lifted to the model without the reduction (lift.ts) and
// reported when the concrete cycle is fair; when no candidate lifts the property is "unknown" (deadlocks, stuck
// states and steps leaving the goal are single states or steps, exact under the reduction, and always reported).
// A search cut short (Graph.partial) gets the same pass on what it expanded: each counterexample found there is real,
// and what finds none is "unknown", never "holds".
//
// Memory: ~12 B per visited slot (load ≤ 0.6) + 8 B per state (BFS tree) + 12 B per transition (target, action,
// group) + 4 B per state per liveness property, plus the frontier's encoded states while the graph is built.
import type { PhaseReport, PropertyResult, TraceStep } from '../../src-shared/types.ts'
import { ModelFailure } from './model-failure.ts'
import { encodeState, fingerprintState, stateKey } from './state-key.ts'
import { IntColumn } from './growable.ts'
import { type ActionGroup, livenessProperties, type Model, type Property } from './model.ts'
import { liftCycle } from './lift.ts'
import { pathText, replayActions } from './replay.ts'
import { VisitedSet } from './visited.ts'

export interface Graph {
  n: number
  /** BFS tree: parent id (-1 for roots) and action index (init index for roots). */
  parent: IntColumn
  via: IntColumn
  off: Int32Array
  to: Int32Array
  act: Int32Array
  grp: Int32Array
  boundary: Uint8Array
  /** values[p][v] = 1 when liveness property p holds in v. */
  values: Uint8Array[]
  /**
   * The graph of a search cut short: its boundary states were never expanded. A dead end, a stuck state, a step
   * leaving the goal or a fair cycle among expanded states is still a real counterexample; "holds" cannot be known.
   */
  partial?: boolean
}

export function buildGraph(model: Model<unknown, unknown>, props: readonly Property<unknown>[], onStates?: (done: number) => void): Graph {
  const visited = new VisitedSet()
  const parent = new IntColumn()
  const via = new IntColumn()
  const to = new IntColumn()
  const act = new IntColumn()
  const grp = new IntColumn()
  const offs = new IntColumn()
  const boundary = new IntColumn()
  const vals = props.map(() => new IntColumn())
  const pending: (Uint8Array | undefined)[] = []
  const fp = new Int32Array(2)
  const groupOf = model.groupOf ? (a: unknown) => model.groupOf!(a) : () => 0
  const admit = (s: unknown, from: number, index: number): number => {
    const enc = fingerprintState(model, s, fp)
    const id = visited.size
    const old = visited.insert(fp[0], fp[1], id)
    if (old >= 0) return old
    parent.push(from)
    via.push(index)
    pending.push(enc ? enc.slice() : encodeState(model, s))
    for (let p = 0; p < props.length; p++) vals[p].push(props[p].check(s) ? 1 : 0)
    return id
  }
  const inits = model.init()
  for (let i = 0; i < inits.length; i++) admit(inits[i], -1, i)
  for (let v = 0; v < visited.size; v++) {
    if (onStates && (v & 4095) === 0) onStates(v)
    offs.push(to.length)
    const state = model.decode(pending[v]!)
    pending[v] = undefined
    if (model.within && !model.within(state)) {
      boundary.push(1)
      continue
    }
    boundary.push(0)
    const actions = model.actions(state)
    for (let ai = 0; ai < actions.length; ai++) {
      const succ = model.next(state, actions[ai])
      if (succ === undefined) continue
      const w = admit(succ, v, ai)
      to.push(w)
      act.push(ai)
      grp.push(groupOf(actions[ai]))
    }
  }
  offs.push(to.length)
  const n = visited.size
  const col = (c: IntColumn, len: number): Int32Array => {
    const out = new Int32Array(len)
    for (let i = 0; i < len; i++) out[i] = c.get(i)
    return out
  }
  const b = col(boundary, n)
  return {
    n,
    parent,
    via,
    off: col(offs, n + 1),
    to: col(to, to.length),
    act: col(act, act.length),
    grp: col(grp, grp.length),
    boundary: Uint8Array.from(b),
    values: vals.map((c) => Uint8Array.from(col(c, n))),
  }
}

/**
 * Iterative Tarjan over the subgraph of nodes with inNode(v) and edges with inEdge(e).
 * onScc receives each SCC's members (a reused buffer view), in reverse topological order.
 */
export function tarjan(
  g: Pick<Graph, 'n' | 'off' | 'to'>,
  inNode: (v: number) => boolean,
  inEdge: (e: number) => boolean,
  onScc: (members: Int32Array) => void,
): void {
  const n = g.n
  const index = new Int32Array(n).fill(-1)
  const low = new Int32Array(n)
  const onStack = new Uint8Array(n)
  const stack = new Int32Array(n)
  const frameV = new Int32Array(n)
  const frameE = new Int32Array(n)
  let sp = 0
  let fp = 0
  let counter = 0
  for (let r = 0; r < n; r++) {
    if (index[r] >= 0 || !inNode(r)) continue
    index[r] = low[r] = counter++
    stack[sp++] = r
    onStack[r] = 1
    frameV[fp] = r
    frameE[fp++] = g.off[r]
    while (fp > 0) {
      const v = frameV[fp - 1]
      const e = frameE[fp - 1]
      if (e < g.off[v + 1]) {
        frameE[fp - 1] = e + 1
        if (!inEdge(e)) continue
        const w = g.to[e]
        if (!inNode(w)) continue
        if (index[w] < 0) {
          index[w] = low[w] = counter++
          stack[sp++] = w
          onStack[w] = 1
          frameV[fp] = w
          frameE[fp++] = g.off[w]
        } else if (onStack[w] && index[w] < low[v]) low[v] = index[w]
      } else {
        fp--
        if (low[v] === index[v]) {
          let k = sp
          do {
            k--
            onStack[stack[k]] = 0
          } while (stack[k] !== v)
          onScc(stack.subarray(k, sp))
          sp = k
        }
        if (fp > 0) {
          const u = frameV[fp - 1]
          if (low[v] < low[u]) low[u] = low[v]
        }
      }
    }
  }
}

/** Candidate cycles of a reduced graph tried for a lift, at most. */
const LIFT_TRIES = 32

interface Lasso {
  init: number
  prefix: number[]
  cycle: number[]
}

export class LivenessChecker {
  private readonly model: Model<unknown, unknown>
  private readonly name: string
  private readonly g: Graph
  private readonly groups: readonly ActionGroup[]
  /** The fairness tests: each fair group alone, or (symmetry) the fair groups of one class together. */
  private readonly fairSets: number[][]
  /** A symmetry-reduced graph: fair cycles are candidates, not counterexamples. */
  private readonly reduced: boolean

  constructor(model: Model<unknown, unknown>, name: string, g: Graph) {
    this.model = model
    this.name = name
    this.g = g
    this.groups = model.groups && model.groups.length > 0 ? model.groups : [{ name: 'system' }]
    const byClass = new Map<string, number[]>()
    this.fairSets = []
    this.groups.forEach((gr, i) => {
      if (!gr.fair) return
      if (gr.cls === undefined) this.fairSets.push([i])
      else if (byClass.has(gr.cls)) byClass.get(gr.cls)!.push(i)
      else {
        const set = [i]
        byClass.set(gr.cls, set)
        this.fairSets.push(set)
      }
    })
    this.reduced = byClass.size > 0
  }

  /** Root init index and action indices along the BFS tree to v. */
  private treePath(v: number): { init: number; actions: number[] } {
    const actions: number[] = []
    let cur = v
    while (this.g.parent.get(cur) >= 0) {
      actions.push(this.g.via.get(cur))
      cur = this.g.parent.get(cur)
    }
    actions.reverse()
    return { init: this.g.via.get(cur), actions }
  }

  /** Shortest path of action indices from a to b inside the node set (nonEmpty: at least one edge). */
  private pathWithin(a: number, b: number, inSet: (v: number) => boolean, inEdge: (e: number) => boolean, nonEmpty: boolean): number[] {
    const g = this.g
    if (a === b && !nonEmpty) return []
    const prevNode = new Map<number, number>()
    const prevAct = new Map<number, number>()
    const q: number[] = [a]
    const seen = new Set<number>(nonEmpty ? [] : [a])
    for (let qi = 0; qi < q.length; qi++) {
      const v = q[qi]
      for (let e = g.off[v]; e < g.off[v + 1]; e++) {
        if (!inEdge(e)) continue
        const w = g.to[e]
        if (!inSet(w) || seen.has(w)) continue
        seen.add(w)
        prevNode.set(w, v)
        prevAct.set(w, g.act[e])
        if (w === b) {
          const out: number[] = []
          let cur = b
          do {
            out.push(prevAct.get(cur)!)
            cur = prevNode.get(cur)!
          } while (cur !== a)
          return out.reverse()
        }
        q.push(w)
      }
    }
    throw new Error('internal: no path inside the strongly connected component')
  }

  /** Weak-fairness test of an SCC; returns the waypoints a fair cycle must visit, or null when unfair. */
  private fairWaypoints(members: Int32Array, inC: (v: number) => boolean, inEdge: (e: number) => boolean): ({ node: number } | { edge: number; from: number })[] | null {
    const g = this.g
    const out: ({ node: number } | { edge: number; from: number })[] = []
    for (const set of this.fairSets) {
      // A class passes when one member does; the cycle then also visits what lets the other members pass, where
      // the graph has it, so that a lift (lift.ts) gives each instance its turn.
      const ways = set.map((gi) => this.groupWaypoint(members, inC, inEdge, gi)).filter((w) => w !== null)
      if (ways.length === 0) return null
      out.push(...ways)
    }
    return out
  }

  /** Where group gi is disabled in the SCC (preferred) or first taken inside it; null when neither. */
  private groupWaypoint(members: Int32Array, inC: (v: number) => boolean, inEdge: (e: number) => boolean, gi: number): { node: number } | { edge: number; from: number } | null {
    const g = this.g
    let taken: { edge: number; from: number } | null = null
    for (const v of members) {
      let enabled = false
      for (let e = g.off[v]; e < g.off[v + 1]; e++) {
        if (g.grp[e] !== gi || !inEdge(e)) continue
        enabled = true
        if (!taken && inC(g.to[e])) taken = { edge: e, from: v }
      }
      if (!enabled) return { node: v }
    }
    return taken
  }

  private cycleThrough(s0: number, members: Int32Array, inEdge: (e: number) => boolean): number[] | null {
    const set = new Set(members)
    const inC = (v: number): boolean => set.has(v)
    const ways = this.fairWaypoints(members, inC, inEdge)
    if (!ways) return null
    const cycle: number[] = []
    let cur = s0
    for (const w of ways) {
      if ('node' in w) {
        cycle.push(...this.pathWithin(cur, w.node, inC, inEdge, false))
        cur = w.node
      } else {
        cycle.push(...this.pathWithin(cur, w.from, inC, inEdge, false), this.g.act[w.edge])
        cur = this.g.to[w.edge]
      }
    }
    cycle.push(...this.pathWithin(cur, s0, inC, inEdge, cycle.length === 0))
    return cycle
  }

  private isCycle(members: Int32Array, inEdge: (e: number) => boolean): boolean {
    if (members.length > 1) return true
    const v = members[0]
    for (let e = this.g.off[v]; e < this.g.off[v + 1]; e++) if (this.g.to[e] === v && inEdge(e)) return true
    return false
  }

  private trace(init: number, actions: number[], onState?: (s: unknown) => void): TraceStep[] {
    return replayActions(this.model, this.name, init, actions, null, onState)
  }

  eventually(p: number): Pick<PropertyResult, 'status' | 'trace' | 'loopStart' | 'counterexample'> {
    const g = this.g
    const val = g.values[p]
    const n = g.n
    // States reachable from a root through ¬p states, with BFS prefixes.
    const order = new Int32Array(n).fill(-1)
    const prevNode = new Int32Array(n).fill(-1)
    const prevAct = new Int32Array(n).fill(-1)
    const q: number[] = []
    for (let v = 0; v < n; v++) {
      if (g.parent.get(v) < 0 && !val[v] && order[v] < 0) {
        order[v] = q.length
        q.push(v)
      }
    }
    for (let qi = 0; qi < q.length; qi++) {
      const v = q[qi]
      for (let e = g.off[v]; e < g.off[v + 1]; e++) {
        const w = g.to[e]
        if (val[w] || order[w] >= 0) continue
        order[w] = q.length
        prevNode[w] = v
        prevAct[w] = g.act[e]
        q.push(w)
      }
    }
    const prefix = (v: number): { init: number; actions: number[] } => {
      const actions: number[] = []
      let cur = v
      while (prevNode[cur] >= 0) {
        actions.push(prevAct[cur])
        cur = prevNode[cur]
      }
      return { init: g.via.get(cur), actions: actions.reverse() }
    }
    for (const v of q) {
      if (g.off[v] === g.off[v + 1] && !g.boundary[v]) {
        const path = prefix(v)
        return { status: 'violated', counterexample: 'deadlock', trace: this.trace(path.init, path.actions) }
      }
    }
    const inSub = (v: number): boolean => order[v] >= 0
    const all = (): boolean => true
    const found: { s0: number; cycle: number[] }[] = []
    tarjan(g, inSub, all, (members) => {
      if (!this.isCycle(members, all)) return
      let s0 = members[0]
      for (const v of members) if (order[v] < order[s0]) s0 = v
      const cycle = this.cycleThrough(s0, members.slice(), all)
      if (cycle) found.push({ s0, cycle })
    })
    found.sort((a, b) => order[a.s0] - order[b.s0])
    const lasso = this.firstLasso(found.map((f) => ({ ...prefix(f.s0), cycle: f.cycle })), 'lasso')
    if (lasso) return lasso
    return { status: found.length > 0 || g.partial ? 'unknown' : 'holds' }
  }

  /**
   * The counterexample of the first candidate lasso (in the order given) that is a real one: on a graph without a
   * symmetry reduction the first; on a reduced one the first whose cycle lifts to a fair concrete cycle (lift.ts;
   * at most LIFT_TRIES tried). Null when none is.
   */
  private firstLasso(cands: { init: number; actions: number[]; cycle: number[] }[], kind: 'lasso' | 'oscillation'): Pick<PropertyResult, 'status' | 'trace' | 'loopStart' | 'counterexample'> | null {
    if (cands.length === 0) return null
    if (!this.reduced) return this.lasso({ init: cands[0].init, prefix: cands[0].actions, cycle: cands[0].cycle }, kind)
    for (const c of cands.slice(0, LIFT_TRIES)) {
      const cycle = liftCycle(this.model, { init: c.init, prefix: c.actions, cycle: c.cycle, systemOnly: kind === 'oscillation' })
      if (cycle) return this.lasso({ init: c.init, prefix: c.actions, cycle }, kind)
    }
    return null
  }

  private lasso(l: Lasso, kind: 'lasso' | 'oscillation'): Pick<PropertyResult, 'status' | 'trace' | 'loopStart' | 'counterexample'> {
    // The cycle returns to its start as the checker tells states apart: by fingerprint (a model with a quotient,
    // such as revisions up to renaming, comes back to an equivalent state, not an identical one).
    const keys: string[] = []
    const fp = new Int32Array(2)
    const trace = this.trace(l.init, [...l.prefix, ...l.cycle], (s) => keys.push(stateKey(this.model, s, fp)))
    const loopStart = l.prefix.length
    const same = keys[loopStart] === keys[keys.length - 1]
    if (!same) throw new ModelFailure(`model "${this.name}" is nondeterministic: replaying a cycle did not return to its start (path: ${pathText(trace)})`, trace)
    return { status: 'violated', counterexample: kind, trace, loopStart }
  }

  converges(p: number): Pick<PropertyResult, 'status' | 'trace' | 'loopStart' | 'counterexample' | 'convergence'> {
    const g = this.g
    const goal = g.values[p]
    const n = g.n
    const sys = (e: number): boolean => !this.groups[g.grp[e]]?.environment
    let leaves = -1
    let leavesEdge = -1
    let stuckCount = 0
    let leavesCount = 0
    let firstStuck = -1
    for (let v = 0; v < n; v++) {
      let out = 0
      for (let e = g.off[v]; e < g.off[v + 1]; e++) {
        if (!sys(e)) continue
        out++
        if (goal[v] && !goal[g.to[e]]) {
          leavesCount++
          if (leaves < 0) {
            leaves = v
            leavesEdge = e
          }
        }
      }
      if (!goal[v] && out === 0 && !g.boundary[v]) {
        stuckCount++
        if (firstStuck < 0) firstStuck = v
      }
    }
    const steps = new Float64Array(n) // 0 for goal states; Infinity when a non-goal cycle or a dead end is reachable
    let oscillations = 0
    const found: { s0: number; cycle: number[] }[] = []
    const nonGoal = (v: number): boolean => !goal[v]
    tarjan(g, nonGoal, sys, (members) => {
      const cyc = this.isCycle(members, sys)
      if (cyc) {
        for (const v of members) steps[v] = Infinity
        let s0 = members[0]
        for (const v of members) if (v < s0) s0 = v
        const cycle = this.cycleThrough(s0, members.slice(), sys)
        if (cycle) {
          oscillations++
          found.push({ s0, cycle })
        }
        return
      }
      const v = members[0]
      let worst = -1
      let any = false
      for (let e = g.off[v]; e < g.off[v + 1]; e++) {
        if (!sys(e)) continue
        any = true
        const w = g.to[e]
        const s = goal[w] ? 0 : steps[w]
        if (s > worst) worst = s
      }
      steps[v] = !any ? Infinity : worst + 1
    })
    const histogram: number[] = []
    let unbounded = 0
    let worst = 0
    for (let v = 0; v < n; v++) {
      const s = goal[v] ? 0 : steps[v]
      if (s === Infinity) unbounded++
      else {
        histogram[s] = (histogram[s] ?? 0) + 1
        if (s > worst) worst = s
      }
    }
    for (let i = 0; i < histogram.length; i++) histogram[i] ??= 0
    // The figures describe the whole space: none for a part of it.
    const convergence = g.partial ? undefined : { oscillations, stuck: stuckCount, leavesGoal: leavesCount, worstSteps: worst, unbounded, stepsHistogram: histogram }
    const figures = convergence ? { convergence } : {}
    // Reduced graph: a stuck state or a step leaving the goal is a real counterexample, a fair cycle only a candidate
    // until it lifts to a fair concrete one.
    found.sort((a, b) => a.s0 - b.s0)
    const osc = this.firstLasso(found.map((f) => ({ ...this.treePath(f.s0), cycle: f.cycle })), 'oscillation')
    if (osc) return { ...osc, ...figures }
    if (firstStuck >= 0) {
      const path = this.treePath(firstStuck)
      return { status: 'violated', counterexample: 'stuck', trace: this.trace(path.init, path.actions), ...figures }
    }
    if (leaves >= 0) {
      const path = this.treePath(leaves)
      return { status: 'violated', counterexample: 'leaves-goal', trace: this.trace(path.init, [...path.actions, g.act[leavesEdge]]), ...figures }
    }
    if (!convergence) return { status: 'unknown' }
    return { status: found.length > 0 ? 'unknown' : 'holds', convergence }
  }
}

/** How many liveness passes had to rebuild the graph (no recorded one): read by tests. */
export const graphRebuilds = { count: 0 }

/**
 * Checks every eventually / converges property of the model; keyed by property name. `report` hears how far the
 * pass is: states rebuilt (of `states`, the search's unique count, when known) when there is no recorded graph,
 * then properties checked.
 */
export function checkLiveness(
  model: Model<unknown, unknown>,
  name: string,
  recorded?: Graph,
  report?: (r: PhaseReport) => void,
  states?: number,
): Map<string, PropertyResult> {
  const props = livenessProperties(model)
  const out = new Map<string, PropertyResult>()
  if (props.length === 0) return out
  const phase = 'checking liveness'
  if (!recorded) graphRebuilds.count++
  const onStates = report ? (done: number) => report({ phase, done, ...(states ? { total: states } : {}), unit: 'states' }) : undefined
  const g = recorded ?? buildGraph(model, props, onStates)
  const lc = new LivenessChecker(model, name, g)
  props.forEach((p, i) => {
    report?.({ phase, done: i, total: props.length, unit: 'properties' })
    const base = { name: p.name, kind: p.kind, description: p.description }
    out.set(p.name, { ...base, ...(p.kind === 'eventually' ? lc.eventually(i) : lc.converges(i)) })
  })
  report?.({ phase, done: props.length, total: props.length, unit: 'properties' })
  return out
}
