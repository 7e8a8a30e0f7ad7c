// An explorer worker: expands frontier batches (BFS levels), runs a share of a DFS, or seeded random walks,
// against the shared visited set. It keeps the parent links of the states it stored; the coordinator
// (pool.ts) merges them at the end to replay traces from the initial states.
import type { MessagePort } from 'node:worker_threads'
import { encodeState, fingerprintState } from './state-key.ts'
import { CoverageCounter } from './coverage.ts'
import { ChunkWriter, chunkBuffers, packChunk, type Chunk } from './frontier.ts'
import { F64Column, IntColumn } from './growable.ts'
import { livenessProperties, type Model, type Property, stateProperties } from './model.ts'
import {
  H_CODE,
  H_HUNGRY,
  H_MIN_VIOLATION_WALK,
  H_NEXT_WALK,
  H_STOP,
  HALT_STATES,
  HALT_VIOLATION,
  S_GENERATED,
  S_MAXDEPTH,
  S_PROCESSED,
  S_STORED,
  S_CALLS,
  S_HUNTED,
  S_WALK_CALLS,
  S_WALK_DEPTH,
  S_WALK_STEPS,
  S_WALKS,
  S_WORDS,
  type ExplorerInit,
  type FailureInfo,
  type FromExplorer,
  type SimFinding,
  type ToExplorer,
} from './protocol.ts'
import { SharedVisited, VisitedFullError } from './shared-visited.ts'
import { walkLengthOf, workersOf, type CheckRequest } from './run-types.ts'
import { GraphRecorder, graphTransfer, livenessBits } from './state-graph.ts'
import { CycleHunter } from './hunter.ts'
import { mulberry32, walkSeed } from './rng.ts'

/** The bytes of a state held as an object by the explorer that made it (see Explorer.held). */
const HELD = new Uint8Array(0)

/** A model's code failed while this worker expanded a state. */
class Failure extends Error {
  readonly info: FailureInfo
  constructor(info: FailureInfo) {
    super(info.message)
    this.info = info
  }
}

export class Explorer {
  private readonly init: ExplorerInit
  /** The check as the lab asked for it (run-types.ts), with the two figures derived from it. */
  private readonly request: CheckRequest
  private readonly workers: number
  private readonly walkLength: number
  private readonly model: Model<unknown, unknown>
  private readonly post: (m: FromExplorer, transfer?: ArrayBuffer[]) => void
  private readonly visited: SharedVisited
  private readonly halt: Int32Array
  private readonly stats: Float64Array
  private readonly statBase: number
  private readonly parents: F64Column
  private readonly via: IntColumn
  private readonly trackers: Property<unknown>[]
  private readonly isAlways: boolean[]
  /** The transition graph for the liveness pass, when the coordinator asked for it. */
  private readonly rec: GraphRecorder | null
  private readonly liveProps: Property<unknown>[]
  /**
   * BFS (and the portfolio's): the new states an explorer emits stay here as objects (the batch carries their ids
   * only, marked with this explorer as holder) and come back to it in the next level, so they are never encoded or
   * decoded — about a quarter of an orchestration state's cost. Only what must cross threads (states released to
   * an explorer that ran out of its own) or reach a file (a checkpoint) gets bytes.
   */
  private readonly held: Map<number, unknown> | null
  /** Per-action coverage of expanded states (BFS, DFS). */
  private readonly cov: CoverageCounter
  private found: (number | null)[]
  private settled: boolean[] = []
  private readonly fp = new Int32Array(2)
  private out: ChunkWriter
  private probe = false
  private unseen = false
  private generated = 0
  private processed = 0
  private maxDepthSeen = 0
  private cutByDepth = false
  private dead = false
  private walks = 0
  private walkSteps = 0
  private walkDepth = 0
  /** Successor computations (model.next calls): by the walks, and by BFS/DFS expansion; the portfolio balances them. */
  private walkCalls = 0
  private calls = 0
  /** The portfolio's walks ('auto'): swarm-diversified, outside the visited set. */
  private readonly swarm: boolean
  /** DFS: unique states this worker stored, by depth. */
  private readonly hist: number[] = []
  /** The portfolio's cycle hunter, when the coordinator asked for one. */
  private readonly hunter: CycleHunter | null

  constructor(init: ExplorerInit, model: Model<unknown, unknown>, post: (m: FromExplorer, transfer?: ArrayBuffer[]) => void) {
    this.init = init
    this.request = init.request
    this.workers = workersOf(init.request)
    this.walkLength = walkLengthOf(init.request)
    this.model = model
    this.post = post
    this.visited = new SharedVisited(init.visited)
    this.halt = new Int32Array(init.halt)
    this.stats = new Float64Array(init.stats)
    this.statBase = init.index * S_WORDS
    this.parents = new F64Column()
    this.via = new IntColumn()
    if (init.parents && init.via) {
      for (let i = 0; i < init.parents.length; i++) this.parents.push(init.parents[i])
      for (let i = 0; i < init.via.length; i++) this.via.push(init.via[i])
    }
    this.trackers = stateProperties(model)
    this.isAlways = this.trackers.map((p) => p.kind === 'always')
    this.found = this.trackers.map(() => null)
    this.liveProps = livenessProperties(model)
    this.rec = init.graph ? new GraphRecorder() : null
    this.held = init.holdStates ? new Map() : null
    this.cov = new CoverageCounter(model)
    this.out = new ChunkWriter()
    this.swarm = init.request.strategy === 'auto'
    this.hunter = init.hunt ? new CycleHunter(model, this.liveProps, init.request.maxDepth, init.request.seed, init.index) : null
    this.publish()
  }

  private halted(): boolean {
    return Atomics.load(this.halt, H_STOP) !== 0 || Atomics.load(this.halt, H_CODE) !== 0
  }

  private setHalt(code: number): void {
    Atomics.compareExchange(this.halt, H_CODE, 0, code)
  }

  private publish(): void {
    const s = this.stats
    const b = this.statBase
    s[b + S_GENERATED] = this.generated
    s[b + S_STORED] = this.parents.length
    s[b + S_PROCESSED] = this.processed
    s[b + S_MAXDEPTH] = this.maxDepthSeen
    s[b + S_WALKS] = this.walks
    s[b + S_WALK_STEPS] = this.walkSteps
    s[b + S_WALK_DEPTH] = this.walkDepth
    s[b + S_WALK_CALLS] = this.walkCalls
    s[b + S_CALLS] = this.calls
    s[b + S_HUNTED] = this.hunter?.expanded ?? 0
  }

  handle(m: ToExplorer): void {
    if (this.dead && m.t !== 'collect' && m.t !== 'snapshot') return
    try {
      switch (m.t) {
        case 'level':
          this.probe = m.probe
          this.unseen = false
          this.settled = m.settled
          this.found = this.trackers.map(() => null)
          return
        case 'chunk':
          this.bfsChunk(m.chunk)
          this.post({ t: 'need' })
          return
        case 'end':
          this.flushOut()
          this.publish()
          this.post({ t: 'level-done', found: this.found, unseen: this.unseen })
          return
        case 'dfs':
          this.settled = m.settled
          this.dfs(m.chunk)
          return
        case 'sim':
          this.settled = m.settled
          this.sim(m.to)
          return
        case 'hunt':
          this.hunt(m.states)
          this.post({ t: 'hunt-done' })
          return
        case 'release': {
          const chunk = this.release(m.chunk)
          this.post({ t: 'released', chunk, for: m.for }, chunkBuffers(chunk))
          return
        }
        case 'collect': {
          const parents = this.parents.trimmed()
          const via = this.via.trimmed()
          const graph = this.rec?.take()
          const hunt = this.hunter?.take()
          const transfer = [parents.buffer as ArrayBuffer, via.buffer as ArrayBuffer, ...(graph ? graphTransfer(graph) : []), ...(hunt ? graphTransfer(hunt) : [])]
          this.post({ t: 'columns', parents, via, actions: this.cov.take(), ...(graph ? { graph } : {}), ...(hunt ? { hunt } : {}) }, transfer)
          return
        }
        case 'snapshot': {
          const parents = this.parents.trimmed()
          const via = this.via.trimmed()
          // A checkpoint needs the frontier as bytes: the states held here are encoded for it (they stay held).
          const held = this.held ? this.encodeHeld() : undefined
          const transfer = [parents.buffer as ArrayBuffer, via.buffer as ArrayBuffer, ...(held ? chunkBuffers(held) : [])]
          this.post({ t: 'columns', parents, via, ...(held ? { held } : {}) }, transfer)
          return
        }
      }
    } catch (err) {
      this.dead = true
      const info: FailureInfo =
        err instanceof Failure
          ? err.info
          : { message: err instanceof Error ? err.message : String(err), phase: 'checker', id: null, action: -1, actionName: null }
      this.post({ t: 'failed', failure: info })
    }
  }

  /** Every held state as bytes, for a checkpoint (they stay held). */
  private encodeHeld(): Chunk {
    const ids = [...this.held!.keys()]
    return this.packHeld(ids, new Int32Array(ids.length), false)
  }

  /** Held states handed over as bytes: another explorer expands them (a level's work evened out, bfs.ts). */
  private release(c: Chunk): Chunk {
    return this.packHeld(c.ids, c.depths, true)
  }

  private packHeld(ids: ArrayLike<number>, depths: ArrayLike<number>, remove: boolean): Chunk {
    const parts: Uint8Array[] = []
    for (let k = 0; k < ids.length; k++) {
      const state = this.held!.get(ids[k])
      if (state === undefined) throw new Error(`explorer ${this.init.index} was asked for state ${ids[k]}, which it does not hold`)
      if (remove) this.held!.delete(ids[k])
      parts.push(encodeState(this.model, state))
    }
    return packChunk(ids, depths, parts)
  }

  private flushOut(): void {
    if (this.out.n === 0) return
    const chunk = this.out.take()
    if (this.held) chunk.holder = this.init.index
    this.post({ t: 'out', chunk }, chunkBuffers(chunk))
  }

  private checkProps(state: unknown, id: number): void {
    const tr = this.trackers
    for (let p = 0; p < tr.length; p++) {
      if (this.found[p] !== null || this.settled[p]) continue
      let ok: boolean
      try {
        ok = tr[p].check(state)
      } catch (err) {
        throw new Failure({
          message: `property "${tr[p].name}" threw: ${err instanceof Error ? err.message : String(err)}`,
          phase: `property "${tr[p].name}"`,
          id,
          action: -1,
          actionName: null,
        })
      }
      if (this.isAlways[p] ? !ok : ok) {
        this.found[p] = id
        // The portfolio decides at slice ends (a deterministic answer); the others halt at once.
        if (this.isAlways[p] && this.request.stopOnViolation && !this.swarm) this.setHalt(HALT_VIOLATION)
      }
    }
  }

  /** Expands state (id, depth), given as bytes or (held, see `held`) as the object; new successors go to `emit`. */
  private expand(id: number, depth: number, bytes: Uint8Array, emit: (nid: number, d: number, succ: unknown, enc: Uint8Array | null) => void): void {
    const model = this.model
    let phase = 'decode'
    let ai = -1
    let actions: readonly unknown[] = []
    try {
      let state = this.held?.get(id)
      if (state === undefined) state = model.decode(bytes)
      else this.held!.delete(id)
      const rec = this.rec
      rec?.expanding(id)
      if (model.within) {
        phase = 'within'
        if (!model.within(state)) {
          rec?.boundary()
          return
        }
      }
      phase = 'actions'
      actions = model.actions(state)
      this.calls += actions.length
      phase = 'action label'
      const cov = this.cov
      const label = cov.idsFor(actions)
      const visited = this.visited
      const fp = this.fp
      const W = this.workers
      const w = this.init.index
      const hasProps = this.trackers.length > 0
      for (ai = 0; ai < actions.length; ai++) {
        phase = 'next'
        const succ = model.next(state, actions[ai])
        if (succ === undefined) continue
        if (!this.probe) {
          this.generated++
          cov.enabled[label[ai]]++
        }
        phase = 'encode'
        const enc = fingerprintState(model, succ, fp)
        if (rec) rec.successor(fp[0], fp[1], ai, model.groupOf ? model.groupOf(actions[ai]) : 0)
        if (this.probe) {
          if (!visited.has(fp[0], fp[1])) this.unseen = true
          continue
        }
        if (visited.insert(fp[0], fp[1])) {
          cov.fresh[label[ai]]++
          const nid = this.parents.length * W + w
          this.parents.push(id)
          this.via.push(ai)
          if (rec) {
            phase = 'property'
            rec.stored(fp[0], fp[1], livenessBits(this.liveProps, succ))
          }
          if (hasProps) {
            phase = 'property'
            this.checkProps(succ, nid)
          }
          phase = 'encode'
          emit(nid, depth + 1, succ, enc)
        }
      }
    } catch (err) {
      if (err instanceof Failure || err instanceof VisitedFullError) throw err
      let actionName: string | null = null
      if (ai >= 0 && ai < actions.length) {
        try {
          actionName = model.formatAction(actions[ai])
        } catch {
          actionName = `#${ai}`
        }
      }
      const msg = err instanceof Error ? err.message : String(err)
      throw new Failure({ message: msg, phase, id, action: ai, actionName })
    }
  }

  private bfsChunk(c: Chunk): void {
    const visited = this.visited
    const held = this.held
    const emit = (nid: number, d: number, succ: unknown, enc: Uint8Array | null): void => {
      if (held) {
        held.set(nid, succ)
        this.out.push(nid, d, HELD)
      } else this.out.push(nid, d, enc ?? encodeState(this.model, succ))
      if (this.out.full) this.flushOut()
    }
    const maxStates = this.request.maxStates ?? 0
    let inside = false
    try {
      for (let k = 0; k < c.n; k++) {
        if ((k & 255) === 0) {
          if (inside) {
            visited.leave()
            inside = false
            this.publish()
            if (maxStates > 0 && visited.size >= maxStates) this.setHalt(HALT_STATES)
          }
          if (this.halted()) return
          visited.enter()
          inside = true
        }
        this.processed++
        this.expand(c.ids[k], c.depths[k], c.data.subarray(c.offs[k], c.offs[k + 1]), emit)
      }
    } finally {
      if (inside) visited.leave()
      this.publish()
    }
    // Also at a batch's end: narrow levels come in batches shorter than the 256 states between checks.
    if (maxStates > 0 && visited.size >= maxStates) this.setHalt(HALT_STATES)
  }

  // ---- DFS: a local stack; idle workers are fed with the bottom half of a busy worker's stack.

  private dfs(c: Chunk): void {
    const ids: number[] = []
    const depths: number[] = []
    const states: Uint8Array[] = []
    for (let k = 0; k < c.n; k++) {
      ids.push(c.ids[k])
      depths.push(c.depths[k])
      states.push(c.data.slice(c.offs[k], c.offs[k + 1]))
    }
    const maxDepth = this.request.maxDepth
    const visited = this.visited
    const hist = this.hist
    const emit = (nid: number, d: number, succ: unknown, enc: Uint8Array | null): void => {
      ids.push(nid)
      depths.push(d)
      states.push(enc ? enc.slice() : encodeState(this.model, succ))
      hist[d - 1] = (hist[d - 1] ?? 0) + 1
      if (d > this.maxDepthSeen) this.maxDepthSeen = d
    }
    for (let k = 0; k < c.n; k++) if (c.depths[k] > this.maxDepthSeen) this.maxDepthSeen = c.depths[k]
    let inside = false
    let step = 0
    try {
      while (ids.length > 0) {
        if ((step++ & 15) === 0) {
          if (inside) {
            visited.leave()
            inside = false
            this.publish()
            if ((this.request.maxStates ?? 0) > 0 && visited.size >= this.request.maxStates!) this.setHalt(HALT_STATES)
          }
          if (this.halted()) break
          if (ids.length >= 2 && Atomics.load(this.halt, H_HUNGRY) > 0) {
            const h = Atomics.load(this.halt, H_HUNGRY)
            if (h > 0 && Atomics.compareExchange(this.halt, H_HUNGRY, h, h - 1) === h) {
              const give = ids.length >> 1
              const chunk = packChunk(ids.splice(0, give), depths.splice(0, give), states.splice(0, give))
              this.post({ t: 'share', chunk }, chunkBuffers(chunk))
            }
          }
          visited.enter()
          inside = true
        }
        const id = ids.pop()!
        const d = depths.pop()!
        const bytes = states.pop()!
        this.processed++
        if (maxDepth > 0 && d >= maxDepth) {
          if (!this.cutByDepth) {
            this.probe = true
            this.unseen = false
            this.expand(id, d, bytes, emit)
            this.probe = false
            if (this.unseen) this.cutByDepth = true
          }
          continue
        }
        this.expand(id, d, bytes, emit)
      }
    } finally {
      if (inside) visited.leave()
      this.publish()
    }
    this.post({ t: 'idle', found: this.found, cutByDepth: this.cutByDepth, hist: this.hist })
  }

  /** The cycle hunter's share of a round; a model's code failing in it fails the run like anywhere else. */
  private hunt(states: number): void {
    if (!this.hunter) return
    try {
      this.hunter.run(states)
    } catch (err) {
      throw new Failure({ message: err instanceof Error ? err.message : String(err), phase: 'cycle hunter', id: null, action: -1, actionName: null })
    } finally {
      this.publish()
    }
  }

  // ---- Simulation: seeded random walks, walk numbers handed out through a shared counter.
  // Plain simulation stores every state it meets in the visited set (its unique count). The portfolio's swarm
  // walks ('auto') leave the visited set to the BFS beside them, diversify each walk's depth bound and action
  // choice (swarm testing: a walk may leave out a share of the action slots), and stop at a violating walk.

  private sim(to: number): void {
    const halt = this.halt
    const found: (SimFinding | null)[] = this.trackers.map(() => null)
    const inits = this.model.init()
    const shard = this.request.shard
    for (;;) {
      if (this.halted()) break
      const local = Atomics.add(halt, H_NEXT_WALK, 1)
      if (local >= to) break
      const walk = shard ? local * shard.count + shard.index : local
      if (walk > Atomics.load(halt, H_MIN_VIOLATION_WALK)) break
      this.walk(walk, inits, found)
      this.walks++
      if (!this.swarm) this.processed++
      this.publish()
    }
    this.publish()
    this.post({ t: 'sim-done', found })
  }

  /** The successor swarmNext chose. */
  private picked: unknown = undefined
  private readonly slots: number[] = []

  /** A random enabled action's index (its successor in `picked`), kept slots first; −1 when none is enabled. */
  private swarmNext(state: unknown, actions: readonly unknown[], rng: () => number, salt: number, omit: number): number {
    const slots = this.slots
    slots.length = 0
    for (let ai = 0; ai < actions.length; ai++) if (omit === 0 || !dropsSlot(salt, omit, ai)) slots.push(ai)
    const kept = slots.length
    for (let ai = 0; ai < actions.length; ai++) if (omit !== 0 && dropsSlot(salt, omit, ai)) slots.push(ai)
    // Draw without replacement from the kept slots, then from the others.
    for (let phase = 0; phase < 2; phase++) {
      const lo = phase === 0 ? 0 : kept
      for (let hi = phase === 0 ? kept : slots.length; hi > lo; hi--) {
        const j = lo + (rng() % (hi - lo))
        const ai = slots[j]
        slots[j] = slots[hi - 1]
        this.walkCalls++
        const succ = this.model.next(state, actions[ai])
        if (succ !== undefined) {
          this.picked = succ
          return ai
        }
      }
    }
    return -1
  }

  private walk(walk: number, inits: unknown[], found: (SimFinding | null)[]): void {
    const model = this.model
    const swarm = this.swarm
    const visited = this.visited
    const fp = this.fp
    const rng = mulberry32(walkSeed(this.request.seed, walk))
    const i0 = rng() % inits.length
    let state = inits[i0]
    const actionsTaken: number[] = []
    const succAi: number[] = []
    const succs: unknown[] = []
    let bound = this.walkLength
    let salt = 0
    let omit = 0
    if (swarm) {
      bound = Math.max(4, bound >> (rng() % 4))
      salt = rng()
      omit = salt % 3 // 0: every action slot; 1: about a quarter left out; 2: about half
    }
    const stopWalks = this.request.stopOnViolation || swarm
    if (!swarm) visited.enter()
    try {
      for (let depth = 1; ; depth++) {
        if (!swarm) {
          this.generated += depth === 1 ? 1 : 0
          fingerprintState(model, state, fp)
          visited.insert(fp[0], fp[1])
        }
        if (!swarm && depth > this.maxDepthSeen) this.maxDepthSeen = depth
        if (depth > this.walkDepth) this.walkDepth = depth
        for (let p = 0; p < this.trackers.length; p++) {
          if (this.settled[p] || (found[p] !== null && found[p]!.walk <= walk)) continue
          const ok = this.trackers[p].check(state)
          if (this.isAlways[p] ? !ok : ok) {
            found[p] = { walk, init: i0, actions: actionsTaken.slice() }
            if (this.isAlways[p] && stopWalks) lowerTo(this.halt, H_MIN_VIOLATION_WALK, walk)
          }
        }
        if (depth >= bound || ((depth & 15) === 0 && this.halted())) break
        if (model.within && !model.within(state)) break
        const actions = model.actions(state)
        this.walkSteps++
        if (swarm) {
          // Actions tried in random order until one is enabled: uniform over the enabled ones (within the kept
          // slots first), at a fraction of the cost of computing every successor.
          const ai = this.swarmNext(state, actions, rng, salt, omit)
          if (ai < 0) break
          state = this.picked
          actionsTaken.push(ai)
          continue
        }
        succAi.length = 0
        succs.length = 0
        for (let ai = 0; ai < actions.length; ai++) {
          const s = model.next(state, actions[ai])
          if (s === undefined) continue
          this.generated++
          succAi.push(ai)
          succs.push(s)
        }
        if (succs.length === 0) break
        const pick = rng() % succs.length
        state = succs[pick]
        actionsTaken.push(succAi[pick])
      }
    } catch (err) {
      throw new Failure({
        message: err instanceof Error ? err.message : String(err),
        phase: 'simulation',
        id: null,
        action: -1,
        actionName: `walk ${walk} after actions [${actionsTaken.join(', ')}]`,
      })
    } finally {
      if (!swarm) visited.leave()
    }
  }
}

/** Lowers a shared word to `value` if it is higher (compare-and-swap loop). */
function lowerTo(words: Int32Array, index: number, value: number): void {
  for (let cur = Atomics.load(words, index); value < cur; cur = Atomics.load(words, index)) {
    if (Atomics.compareExchange(words, index, cur, value) === cur) break
  }
}

/** Swarm testing: whether a walk with this salt leaves out action slot `ai` (omit 1: about a quarter, 2: half). */
function dropsSlot(salt: number, omit: number, ai: number): boolean {
  const h = Math.imul(salt ^ Math.imul(ai + 1, 0x9e3779b1), 0x85ebca6b) >>> 16
  return omit === 1 ? (h & 3) === 0 : (h & 1) === 0
}

/** Wires an Explorer to a message port (the worker entry calls this). */
export function runExplorer(init: ExplorerInit, model: Model<unknown, unknown>, port: MessagePort): void {
  const ex = new Explorer(init, model, (m, transfer) => port.postMessage(m, transfer ?? []))
  port.on('message', (m: ToExplorer) => (m.t === 'exit' ? port.close() : ex.handle(m)))
  port.postMessage({ t: 'ready' } satisfies FromExplorer)
}
