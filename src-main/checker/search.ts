// The scheduling interface between the coordinator (pool.ts, which owns the explorer threads) and a search strategy
// (strategies/*.ts, which decides what the explorers do next). A strategy drives the explorers through the context
// and returns what it found; the pool turns that into property verdicts and the run's result.
import type { SearchCoverage, Strategy } from '../../src-shared/types.ts'
import type { StopReason } from './run-types.ts'
import { packChunk, type Chunk } from './frontier.ts'
import type { Model, Property } from './model.ts'
import type { WorkerPool } from './pool.ts'
import type { CheckRequest } from './run-types.ts'
import type { FailureInfo, FromExplorer, ToExplorer } from './protocol.ts'
import type { SharedVisited } from './shared-visited.ts'

export interface Totals {
  generated: number
  stored: number
  processed: number
  maxDepth: number
  /** Random walks finished, states they expanded, and the deepest step reached (portfolio and simulation). */
  walks: number
  walkSteps: number
  walkDepth: number
  /** Successor computations (model.next calls) by walks and by BFS/DFS expansion: what the portfolio balances. */
  walkCalls: number
  calls: number
  /** States the portfolio's cycle hunters expanded (hunter.ts). */
  hunted: number
}

/** What the coordinator offers a strategy: the explorers, the shared words and the figures gathered so far. */
export interface SearchContext {
  /** The check's request, unchanged. */
  readonly opts: CheckRequest
  readonly workers: number
  readonly model: Model<unknown, unknown>
  readonly pool: WorkerPool
  readonly halt: Int32Array
  readonly visited: SharedVisited
  /** always / sometimes properties, in model order: the explorers check these on every state. */
  readonly trackers: Property<unknown>[]
  /** Per tracker: the id of the first violating (always) or witnessing (sometimes) stored state, or null. */
  readonly found: (number | null)[]
  /** Unique states per completed depth (roots first). */
  readonly hist: number[]
  /** Frontier batches: the roots, or the level restored from a checkpoint. */
  queue: Chunk[]
  /** Counted before the explorers started (roots, or a checkpoint's figures). */
  readonly generatedBase: number
  /** Walks to run (simulation; a bound for the portfolio's walks), resolved from the options. */
  readonly walks: number
  /** The portfolio: the explorers have cycle hunters (hunter.ts). */
  readonly hunt: boolean
  totals(): Totals
  /** 0 while running; else why the run halts (1 = stop asked from outside, HALT_* otherwise). */
  haltCode(): number
  /** The first failure of a model's code ends the run. */
  failed(f: FailureInfo): void
  elapsedMs(): number
  /** Per tracker, whether it is settled (found): explorers skip settled properties. */
  settled(): boolean[]
}

/** A random walk that reached a violation (always) or a witness (sometimes): the walk and its action indices. */
export interface WalkEvidence {
  walk: number
  init: number
  actions: number[]
}

export interface SearchOutcome {
  stopReason: StopReason
  /** Every reachable state (within the limits) was explored: a property without evidence is decided. */
  complete: boolean
  depthHistogram: number[]
  maxDepth: number
  /** Per tracker: a walk's evidence; else `found` (a stored state) is used. */
  walks: (WalkEvidence | null)[]
  /** Walk traces are replayed against the visited set (simulation stores its states; the portfolio's walks do not). */
  walksInVisited: boolean
  /** Shrink walk evidence to a short counterexample before reporting it. */
  shrink: boolean
  coverage?: SearchCoverage
  firstViolationMs?: number
}

/** Live figures a strategy computes from the totals. */
export interface LiveFigures {
  depthHistogram: number[]
  maxDepth: number
  queue: number
  /** Bytes of frontier batches held by the coordinator. */
  queuedBytes: number
}

export interface SearchStrategy {
  readonly name: Strategy
  /** Drives the explorers until the search ends (done, a limit, a stop, or a violation when asked to stop there). */
  run(ctx: SearchContext): Promise<SearchOutcome>
  live(ctx: SearchContext, t: Totals): LiveFigures
}

export function mergeHist(hs: number[][]): number[] {
  const out: number[] = []
  for (const h of hs) h.forEach((n, i) => (out[i] = (out[i] ?? 0) + (n ?? 0)))
  for (let i = 0; i < out.length; i++) out[i] ??= 0
  return out
}

export function splitChunk(c: Chunk, size: number): Chunk[] {
  if (c.n <= size) return [c]
  const out: Chunk[] = []
  for (let s = 0; s < c.n; s += size) out.push(sliceChunk(c, s, Math.min(c.n, s + size)))
  return out
}

/** States [from, to) of a batch as a batch of their own. */
export function sliceChunk(c: Chunk, from: number, to: number): Chunk {
  const base = c.offs[from]
  const offs = new Int32Array(to - from + 1)
  for (let k = from; k <= to; k++) offs[k - from] = c.offs[k] - base
  const out: Chunk = { n: to - from, ids: c.ids.slice(from, to), depths: c.depths.slice(from, to), offs, data: c.data.slice(base, c.offs[to]) }
  if (c.holder !== undefined) out.holder = c.holder
  return out
}

export function mergeChunks(cs: Chunk[]): Chunk {
  const ids: number[] = []
  const depths: number[] = []
  const parts: Uint8Array[] = []
  for (const c of cs) for (let k = 0; k < c.n; k++) {
    ids.push(c.ids[k])
    depths.push(c.depths[k])
    parts.push(c.data.subarray(c.offs[k], c.offs[k + 1]))
  }
  return packChunk(ids, depths, parts)
}

/** Records a worker's findings: the first id per property wins. */
export function mergeFound(into: (number | null)[], from: readonly (number | null)[]): void {
  from.forEach((f, i) => {
    if (f !== null && into[i] === null) into[i] = f
  })
}

export function anyAlwaysFound(ctx: SearchContext): boolean {
  return ctx.trackers.some((p, i) => p.kind === 'always' && ctx.found[i] !== null)
}

/** What an exhaustive search (BFS, DFS) found: evidence is stored states, complete when nothing stopped it. */
export function exhaustiveOutcome(ctx: SearchContext, stopReason: StopReason, firstViolationMs: number | undefined): SearchOutcome {
  return {
    stopReason,
    complete: stopReason === 'complete',
    depthHistogram: ctx.hist,
    maxDepth: ctx.hist.length,
    walks: ctx.trackers.map(() => null),
    walksInVisited: true,
    shrink: false,
    ...(firstViolationMs !== undefined ? { firstViolationMs } : {}),
  }
}

/**
 * Sends `msg` to every explorer and waits for one reply of type `reply` from each; a failure counts as that explorer's
 * reply and fails the run. The replies in the order they came (failed explorers left out).
 */
export async function everyExplorer<T extends FromExplorer['t']>(ctx: SearchContext, msg: ToExplorer, reply: T): Promise<Extract<FromExplorer, { t: T }>[]> {
  const replies: Extract<FromExplorer, { t: T }>[] = []
  let answered = 0
  await ctx.pool.run((wake) => {
    for (let w = 0; w < ctx.workers; w++) {
      ctx.pool.on(w, (m) => {
        if (m.t !== reply && m.t !== 'failed') return
        if (m.t === 'failed') ctx.failed(m.failure)
        else replies.push(m as Extract<FromExplorer, { t: T }>)
        if (++answered === ctx.workers) wake()
      })
      ctx.pool.send(w, msg)
    }
  })
  return replies
}
