// The transition graph recorded during the search, so that liveness (liveness.ts) needs no second exploration.
//
// Each explorer records, for every state it expands, the fingerprint, action index and fairness group of every
// successor (the successors are computed anyway), and for every new state it stores, its fingerprint and the values
// of the liveness properties on it (computed in parallel, where the state object is at hand). After a complete
// search the coordinator resolves fingerprints to states and renumbers the graph by a BFS from the initial states
// in action order: the same ids, BFS tree and edge order as a single-threaded build (liveness.ts buildGraph) would
// give, whatever the worker count or the order the explorers ran in, so the liveness verdicts, counterexamples and
// steps-to-converge stay deterministic. Cost: 16 B per transition and 12 B per state in the explorers while the
// search runs (the graph the liveness pass needs anyway, built earlier), against re-expanding every state
// single-threaded after the search (which took as long as the search itself on orchestration models).
import { IntColumn } from './growable.ts'
import type { Graph } from './liveness.ts'
import type { Model, Property } from './model.ts'
import { fingerprintState } from './state-key.ts'
import { VisitedSet } from './visited.ts'

/** What one explorer recorded (transferred to the coordinator at the end). */
export interface GraphCols {
  /** Per expanded state: its global id and its number of recorded successors (−1: outside `within`, not expanded). */
  from: Int32Array
  count: Int32Array
  /** Per successor: fingerprint lanes (2 words), action index, fairness group. */
  fp: Int32Array
  act: Int32Array
  grp: Int32Array
  /** Per state this explorer stored (its parents-column order): fingerprint lanes and liveness values (bit p). */
  sfp: Int32Array
  sval: Int32Array
}

/** Bit p set when liveness property p holds in s. */
export function livenessBits(props: readonly Property<unknown>[], s: unknown): number {
  let bits = 0
  for (let p = 0; p < props.length; p++) if (props[p].check(s)) bits |= 1 << p
  return bits
}

/** The explorer's side: appends as it expands and stores states. */
export class GraphRecorder {
  private readonly from = new IntColumn()
  private readonly count = new IntColumn()
  private readonly fp = new IntColumn()
  private readonly act = new IntColumn()
  private readonly grp = new IntColumn()
  private readonly sfp = new IntColumn()
  private readonly sval = new IntColumn()

  /** Starts the record of state `id`'s successors. */
  expanding(id: number): void {
    this.from.push(id)
    this.count.push(0)
  }

  /** The state being expanded lies outside `within`: it has no successors in the graph. */
  boundary(): void {
    this.count.data[this.count.length - 1] = -1
  }

  successor(lo: number, hi: number, action: number, group: number): void {
    this.fp.push(lo)
    this.fp.push(hi)
    this.act.push(action)
    this.grp.push(group)
    this.count.data[this.count.length - 1]++
  }

  stored(lo: number, hi: number, bits: number): void {
    this.sfp.push(lo)
    this.sfp.push(hi)
    this.sval.push(bits)
  }

  get bytes(): number {
    return this.from.bytes + this.count.bytes + this.fp.bytes + this.act.bytes + this.grp.bytes + this.sfp.bytes + this.sval.bytes
  }

  take(): GraphCols {
    return {
      from: this.from.trimmed(),
      count: this.count.trimmed(),
      fp: this.fp.trimmed(),
      act: this.act.trimmed(),
      grp: this.grp.trimmed(),
      sfp: this.sfp.trimmed(),
      sval: this.sval.trimmed(),
    }
  }
}

export function graphTransfer(g: GraphCols): ArrayBuffer[] {
  return [g.from, g.count, g.fp, g.act, g.grp, g.sfp, g.sval].map((a) => a.buffer as ArrayBuffer)
}

/**
 * The coordinator's side: the explorers' records as the liveness graph, or null when they do not cover the whole
 * search (a state never expanded, a successor never stored: the caller then builds the graph the slow way).
 * `partial` (a search cut short): states never expanded, or expanded only to probe the depth bound, are allowed,
 * as states whose successors are unknown (`boundary`), and the graph is marked partial.
 * Explorer w's k-th stored state has global id k·W + w; roots have −(init index + 2) (pool.ts).
 */
export function assembleGraph(model: Model<unknown, unknown>, props: readonly Property<unknown>[], cols: readonly GraphCols[], partial = false): Graph | null {
  const W = cols.length
  // Temporary ids: distinct roots first (init order, as the coordinator stored them), then each explorer's states.
  const index = new VisitedSet()
  const fp = new Int32Array(2)
  const rootTemp: number[] = []
  const rootVia: number[] = []
  const rootBits: number[] = []
  const inits = model.init()
  for (let i = 0; i < inits.length; i++) {
    fingerprintState(model, inits[i], fp)
    if (index.insert(fp[0], fp[1], rootVia.length) >= 0) {
      rootTemp.push(-1)
      continue
    }
    rootTemp.push(rootVia.length)
    rootVia.push(i)
    rootBits.push(livenessBits(props, inits[i]))
  }
  const R = rootVia.length
  const base: number[] = []
  let n = R
  for (const c of cols) {
    base.push(n)
    n += c.sval.length
  }
  const bits = new Int32Array(n)
  for (let r = 0; r < R; r++) bits[r] = rootBits[r]
  for (let w = 0; w < W; w++) {
    const c = cols[w]
    for (let k = 0; k < c.sval.length; k++) {
      const t = base[w] + k
      if (index.insert(c.sfp[2 * k], c.sfp[2 * k + 1], t) >= 0) return null
      bits[t] = c.sval[k]
    }
  }
  const tempOf = (id: number): number => {
    if (id < 0) return rootTemp[-id - 2] ?? -1
    const w = id % W
    return base[w] + (id - w) / W
  }
  // Where each state's successors are: explorer, first successor, count (−1: boundary, −2: never expanded).
  const worker = new Int32Array(n)
  const first = new Int32Array(n)
  const count = new Int32Array(n).fill(-2)
  for (let w = 0; w < W; w++) {
    const c = cols[w]
    let e = 0
    for (let k = 0; k < c.from.length; k++) {
      const t = tempOf(c.from[k])
      if (t < 0 || t >= n || count[t] !== -2) return null
      worker[t] = w
      first[t] = e
      count[t] = c.count[k]
      if (c.count[k] > 0) e += c.count[k]
    }
  }
  const allStored = (c: GraphCols, from: number, k: number): boolean => {
    for (let e = from; e < from + k; e++) if (index.get(c.fp[2 * e], c.fp[2 * e + 1]) < 0) return false
    return true
  }
  // Renumber by BFS from the roots, successors in action order: buildGraph's ids.
  const canon = new Int32Array(n).fill(-1)
  const order = new Int32Array(n)
  let next = 0
  const parent = new IntColumn(Math.max(1, n))
  const via = new IntColumn(Math.max(1, n))
  for (let r = 0; r < R; r++) {
    canon[r] = next
    order[next++] = r
    parent.push(-1)
    via.push(rootVia[r])
  }
  const off = new Int32Array(n + 1)
  const to = new IntColumn()
  const act = new IntColumn()
  const grp = new IntColumn()
  const boundary = new Uint8Array(n)
  for (let v = 0; v < next; v++) {
    const t = order[v]
    off[v] = to.length
    if (count[t] === -2 && !partial) return null
    const c = cols[worker[t]]
    // Cut short, a state expanded only to probe the depth bound has successors that were never stored: its edges are
    // unknown, as if it had not been expanded.
    if (count[t] < 0 || (partial && !allStored(c, first[t], count[t]))) {
      boundary[v] = 1
      continue
    }
    for (let e = first[t]; e < first[t] + count[t]; e++) {
      const s = index.get(c.fp[2 * e], c.fp[2 * e + 1])
      if (s < 0) return null
      if (canon[s] < 0) {
        canon[s] = next
        order[next++] = s
        parent.push(v)
        via.push(c.act[e])
      }
      to.push(canon[s])
      act.push(c.act[e])
      grp.push(c.grp[e])
    }
  }
  if (next !== n) return null
  off[n] = to.length
  const values = props.map((_, p) => {
    const out = new Uint8Array(n)
    for (let v = 0; v < n; v++) out[v] = (bits[order[v]] >>> p) & 1
    return out
  })
  return { n, parent, via, off, to: to.trimmed(), act: act.trimmed(), grp: grp.trimmed(), boundary, values, ...(partial ? { partial } : {}) }
}
