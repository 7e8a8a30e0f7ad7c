// Breadth-first search over the explorers, level by level: the coordinator hands out the current level's batches
// on demand (two in flight per explorer) and gathers the next level's. Counts and the per-level histogram are the
// same for every worker count; a violation is found at the smallest depth (a shortest counterexample).
//
// A level can be expanded in slices of an exact number of states (`BfsLevels.slice`), which is how the portfolio
// interleaves BFS with random walks; plain BFS takes each level in one slice.
import { writeCheckpoint } from '../checkpoint.ts'
import type { StopReason } from '../run-types.ts'
import { CHUNK_STATES, chunkBuffers, chunkBytes, packChunk, type Chunk } from '../frontier.ts'
import type { Cols } from '../pool.ts'
import { HALT_FAILED, HALT_VIOLATION, H_CODE } from '../protocol.ts'
import { exhaustiveOutcome,
  anyAlwaysFound,
  mergeFound,
  sliceChunk,
  splitChunk,
  type LiveFigures,
  type SearchContext,
  type SearchOutcome,
  type SearchStrategy,
  type Totals,
} from '../search.ts'

export const STOP_REASONS: Record<number, StopReason> = { 1: 'stopped', 2: 'timeout', 3: 'violation', 4: 'states' }

/** The stop reason a halt code stands for; failures are reported by the pool, not as a stop reason. */
export function haltStopReason(code: number): StopReason | null {
  return code !== 0 && code !== HALT_FAILED ? STOP_REASONS[code] : null
}

interface OpenLevel {
  probe: boolean
  current: Chunk[]
  qi: number
  next: Chunk[]
  unseen: boolean
}

export class BfsLevels {
  private readonly ctx: SearchContext
  private level: OpenLevel | null = null
  /** Ended: the frontier is empty, the depth limit was probed, or the run halted. */
  finished = false
  cutByDepth = false
  /** Depths whose expansion completed (a violation found there is final). */
  levelsDone = 0
  // Live figures of the level being expanded.
  levelStates = 0
  levelProcessedBase = 0
  nextStates = 0
  nextBytes = 0
  private lastCheckpoint = performance.now()
  private checkpointMs = 0
  /** The checkpoint being written, if any, and the error of one that failed. */
  private writing: Promise<void> | null = null
  private writeError: unknown = null

  constructor(ctx: SearchContext) {
    this.ctx = ctx
    this.finished = ctx.queue.length === 0
  }

  /**
   * Expands up to `budget` states of the current level (Infinity: the rest of it), then closes the level if it is
   * exhausted. Returns true when the level was closed by this slice.
   */
  async slice(budget: number): Promise<boolean> {
    if (this.finished) return false
    const lv = this.level ?? this.open()
    if (!lv) return false
    await this.expand(lv, budget)
    if (lv.qi < lv.current.length && this.ctx.haltCode() === 0) return false
    await this.close(lv)
    return true
  }

  private open(): OpenLevel | null {
    const ctx = this.ctx
    const { opts, workers: W } = ctx
    if (opts.stopOnViolation && opts.strategy !== 'auto' && anyAlwaysFound(ctx)) Atomics.compareExchange(ctx.halt, H_CODE, 0, HALT_VIOLATION)
    if (ctx.queue.length === 0 || ctx.haltCode() !== 0) {
      this.finished = true
      return null
    }
    const probe = opts.maxDepth > 0 && ctx.hist.length >= opts.maxDepth
    let current = ctx.queue
    this.levelStates = current.reduce((a, c) => a + c.n, 0)
    // A narrow level in full-size chunks would leave workers idle: cut it finer so each gets a share.
    if (W > 1 && this.levelStates < 4 * W * CHUNK_STATES) {
      const size = Math.max(64, Math.ceil(this.levelStates / (4 * W)))
      current = current.flatMap((c) => splitChunk(c, size))
    }
    ctx.queue = []
    this.levelProcessedBase = ctx.totals().processed
    this.nextStates = 0
    this.nextBytes = 0
    this.level = { probe, current, qi: 0, next: [], unseen: false }
    return this.level
  }

  /**
   * One round of the explorers over the next `budget` states of the level (a fixed set, whoever expands them).
   * States held as objects go to their holder; one that runs out of its own takes a batch, as bytes, released by
   * the explorer with the most left (asked while it still has a batch in flight, so the wait is hidden).
   */
  private async expand(lv: OpenLevel, budget: number): Promise<void> {
    const ctx = this.ctx
    const W = ctx.workers
    const own: Chunk[][] = Array.from({ length: W }, () => [])
    const free: Chunk[] = []
    for (let left = budget; lv.qi < lv.current.length && left > 0; ) {
      let c = lv.current[lv.qi]
      if (c.n > left) {
        lv.current[lv.qi] = sliceChunk(c, left, c.n)
        c = sliceChunk(c, 0, left)
      } else lv.current[lv.qi++] = null as unknown as Chunk
      left -= c.n
      if (c.holder !== undefined && c.holder < W) own[c.holder].push(c)
      else free.push(c)
    }
    let doneCount = 0
    const endSent = new Array<boolean>(W).fill(false)
    /** Releases asked for and not yet answered: [for, from]. A failed explorer answers none of its own. */
    const asked: [number, number][] = []
    const awaits = (w: number): boolean => asked.some(([f]) => f === w)
    const settled = ctx.settled()
    const give = (w: number, chunk: Chunk): void => ctx.pool.send(w, { t: 'chunk', chunk }, chunkBuffers(chunk))
    /** Asks `from` for the last of its batches not yet handed out, as bytes, for `to`. */
    const release = (from: number, to: number): void => {
      const chunk = own[from].pop()!
      asked.push([to, from])
      ctx.pool.send(from, { t: 'release', chunk, for: to }, chunkBuffers(chunk))
    }
    await ctx.pool.run((wake) => {
      const feed = (w: number): void => {
        if (ctx.haltCode() === 0) {
          const c = own[w].shift() ?? free.shift()
          if (c) return give(w, c)
          let from = -1
          for (let v = 0; v < W; v++) if (own[v].length > 0 && (from < 0 || own[v].length > own[from].length)) from = v
          if (from >= 0) return release(from, w)
        }
        if (!endSent[w] && !awaits(w)) {
          endSent[w] = true
          ctx.pool.send(w, { t: 'end' })
        }
      }
      for (let w = 0; w < W; w++) {
        ctx.pool.on(w, (m) => {
          if (m.t === 'need') feed(w)
          else if (m.t === 'released') {
            asked.splice(asked.findIndex(([f, v]) => f === m.for && v === w), 1)
            if (ctx.haltCode() === 0) give(m.for, m.chunk)
            else feed(m.for)
          } else if (m.t === 'out') {
            lv.next.push(m.chunk)
            this.nextStates += m.chunk.n
            this.nextBytes += chunkBytes(m.chunk)
          } else if (m.t === 'level-done' || m.t === 'failed') {
            if (m.t === 'failed') {
              ctx.failed(m.failure)
              for (let k = asked.length - 1; k >= 0; k--) {
                if (asked[k][1] !== w) continue
                const [f] = asked.splice(k, 1)[0]
                feed(f)
              }
            } else {
              if (m.unseen) lv.unseen = true
              mergeFound(ctx.found, m.found)
            }
            if (++doneCount === W) wake()
          }
        })
        ctx.pool.send(w, { t: 'level', probe: lv.probe, settled })
      }
      evenOut(own, release)
      for (let w = 0; w < W; w++) feed(w)
      for (let w = 0; w < W; w++) if (!endSent[w]) feed(w)
    })
  }

  private async close(lv: OpenLevel): Promise<void> {
    const ctx = this.ctx
    this.level = null
    if (lv.probe) {
      if (lv.unseen) this.cutByDepth = true
      this.finished = true
      return
    }
    const added = lv.next.reduce((a, c) => a + c.n, 0)
    if (ctx.haltCode() !== 0) {
      if (added > 0) ctx.hist.push(ctx.visited.size - ctx.hist.reduce((a, b) => a + b, 0))
      ctx.queue = lv.next
      this.finished = true
      return
    }
    if (added > 0) ctx.hist.push(added)
    this.levelsDone++
    ctx.queue = lv.next
    this.nextStates = 0
    this.nextBytes = 0
    if (ctx.queue.length === 0) this.finished = true
    else await this.maybeCheckpoint()
  }

  private async maybeCheckpoint(): Promise<void> {
    const ctx = this.ctx
    const ck = ctx.opts.checkpoint
    // The explorers wait only while the frontier is gathered (held states are encoded for it, explorer.ts): that
    // pause is kept to about a tenth of the run. The file is written beside the next levels, one at a time; everyMs
    // 0 asks for one at every level end (waiting for the previous one).
    if (!ck) return
    if (this.writeError !== null) throw this.writeError
    if (this.writing) {
      if (ck.everyMs > 0) return
      await this.settleCheckpoint()
    }
    const spacing = ck.everyMs > 0 ? Math.max(ck.everyMs, 10 * this.checkpointMs) : 0
    if (performance.now() - this.lastCheckpoint < spacing) return
    const started = performance.now()
    const cols = await ctx.pool.collect(true)
    const t = ctx.totals()
    const depth = ctx.hist.length
    const data = {
      meta: {
        version: 1 as const,
        model: ctx.opts.model,
        params: ctx.opts.params,
        workers: ctx.workers,
        hist: ctx.hist.slice(),
        generated: t.generated,
        found: ctx.found.slice(),
        elapsedMs: ctx.elapsedMs(),
        key: ck.key,
      },
      visited: ctx.visited.snapshot(),
      cols: cols.map((c) => ({ parents: c.parents, via: c.via })),
      // The frontier's buffers are handed to the explorers at the next level: the file gets its own copy.
      queue: withHeldBytes(ctx.queue, cols),
    }
    this.lastCheckpoint = performance.now()
    this.checkpointMs = this.lastCheckpoint - started
    const delay = ctx.opts.testCheckpointDelayMs ?? 0
    const begin = delay > 0 ? new Promise<void>((r) => setTimeout(r, delay)) : Promise.resolve()
    this.writing = begin.then(() => writeCheckpoint(ck.file, data)).then(
      () => {
        this.writing = null
        if (ctx.opts.testCrashAfterCheckpointDepth === depth) process.exit(75)
      },
      (err: unknown) => {
        this.writing = null
        this.writeError ??= err
      },
    )
  }

  /**
   * Waits for a checkpoint being written; every strategy on BFS levels calls it before its outcome is read (and the
   * checkpoint deleted or kept). A failed write fails the run, here or at the next level end.
   */
  async settleCheckpoint(): Promise<void> {
    if (this.writing) await this.writing
    if (this.writeError !== null) throw this.writeError
  }

  /** Why the BFS ended: a halt, the depth limit, or complete. */
  stopReason(): StopReason {
    return haltStopReason(this.ctx.haltCode()) ?? (this.cutByDepth ? 'depth' : 'complete')
  }

  live(t: Totals): LiveFigures {
    const ctx = this.ctx
    const histogram = ctx.hist.slice()
    const partial = ctx.visited.size - ctx.hist.reduce((a, b) => a + b, 0)
    if (partial > 0) histogram.push(partial)
    const waiting = this.level ? Math.max(0, this.levelStates - (t.processed - this.levelProcessedBase)) : 0
    const held = (cs: Chunk[]): number => cs.reduce((a, c) => a + (c ? chunkBytes(c) : 0), 0)
    const queuedBytes = this.nextBytes + held(ctx.queue) + (this.level ? held(this.level.current) : 0)
    return { depthHistogram: histogram, maxDepth: histogram.length, queue: waiting + this.nextStates, queuedBytes }
  }
}

/**
 * Before a round starts every explorer is idle, so a release is answered at once: one holding less than its share
 * of the round gets batches released by the one holding the most, as long as that leaves the giver its share.
 */
function evenOut(own: Chunk[][], release: (from: number, to: number) => void): void {
  const W = own.length
  const held = own.map((q) => q.reduce((a, c) => a + c.n, 0))
  const share = held.reduce((a, b) => a + b, 0) / W
  for (let to = 0; to < W; to++) {
    for (;;) {
      let from = 0
      for (let v = 1; v < W; v++) if (held[v] > held[from]) from = v
      const last = own[from][own[from].length - 1]
      if (!last || held[to] + last.n > share + last.n / 2 || held[from] - last.n < share - last.n / 2) break
      held[from] -= last.n
      held[to] += last.n
      release(from, to)
    }
  }
}

/** The frontier in new buffers, with the bytes of states an explorer held as objects (empty in the batches) filled in. */
function withHeldBytes(queue: Chunk[], cols: Cols[]): Chunk[] {
  const held = new Map<number, Uint8Array>()
  for (const c of cols) if (c.held) for (let k = 0; k < c.held.n; k++) held.set(c.held.ids[k], c.held.data.subarray(c.held.offs[k], c.held.offs[k + 1]))
  if (held.size === 0) return queue.map((c) => sliceChunk(c, 0, c.n))
  return queue.map((c) => {
    const parts: Uint8Array[] = []
    for (let k = 0; k < c.n; k++) parts.push(held.get(c.ids[k]) ?? c.data.subarray(c.offs[k], c.offs[k + 1]))
    return packChunk(c.ids, c.depths, parts)
  })
}

export class BfsStrategy implements SearchStrategy {
  readonly name = 'bfs' as const
  private levels: BfsLevels | null = null

  async run(ctx: SearchContext): Promise<SearchOutcome> {
    const levels = new BfsLevels(ctx)
    this.levels = levels
    let firstViolationMs: number | undefined
    while (!levels.finished) {
      await levels.slice(Infinity)
      if (firstViolationMs === undefined && anyAlwaysFound(ctx)) firstViolationMs = ctx.elapsedMs()
    }
    await levels.settleCheckpoint()
    const stopReason = levels.stopReason()
    return exhaustiveOutcome(ctx, stopReason, firstViolationMs)
  }

  live(ctx: SearchContext, t: Totals): LiveFigures {
    return levelsLive(this.levels, ctx, t)
  }
}

/** Live figures of a strategy built on BFS levels (BFS, the portfolio); before the first level, the roots'. */
export function levelsLive(levels: BfsLevels | null, ctx: SearchContext, t: Totals): LiveFigures {
  return levels ? levels.live(t) : { depthHistogram: ctx.hist.slice(), maxDepth: ctx.hist.length, queue: 0, queuedBytes: 0 }
}
