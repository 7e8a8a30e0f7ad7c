// Depth-first search over the explorers: each runs a local stack; an idle explorer raises the shared "hungry" count
// and a busy one gives away the bottom half of its stack, which the coordinator passes on. Unique and generated
// equal BFS's; depths are DFS depths.
import { chunkBuffers, type Chunk } from '../frontier.ts'
import { H_CODE, H_HUNGRY, HALT_VIOLATION } from '../protocol.ts'
import { exhaustiveOutcome,
  anyAlwaysFound,
  mergeChunks,
  mergeFound,
  mergeHist,
  splitChunk,
  type LiveFigures,
  type SearchContext,
  type SearchOutcome,
  type SearchStrategy,
  type Totals,
} from '../search.ts'
import { haltStopReason } from './bfs.ts'

export class DfsStrategy implements SearchStrategy {
  readonly name = 'dfs' as const
  /** Per explorer: unique states it stored, by depth (as last reported). */
  private hists: number[][] = []

  async run(ctx: SearchContext): Promise<SearchOutcome> {
    const W = ctx.workers
    const { halt, pool } = ctx
    const idle = new Array<boolean>(W).fill(true)
    const waiting: number[] = []
    const shares: Chunk[] = ctx.queue
    ctx.queue = []
    this.hists = new Array(W).fill(null).map(() => [])
    const outstanding = new Array<number>(W).fill(0)
    let cutByDepth = false
    let firstViolationMs: number | undefined
    await pool.run((wake) => {
      const give = (w: number, c: Chunk): void => {
        idle[w] = false
        outstanding[w]++
        pool.send(w, { t: 'dfs', chunk: c, settled: ctx.settled() }, chunkBuffers(c))
      }
      const check = (): void => {
        if (idle.every((x) => x) && (shares.length === 0 || ctx.haltCode() !== 0)) wake()
      }
      const becameIdle = (w: number): void => {
        if (ctx.haltCode() === 0 && shares.length > 0) give(w, shares.shift()!)
        else {
          idle[w] = true
          if (ctx.haltCode() === 0) {
            waiting.push(w)
            Atomics.add(halt, H_HUNGRY, 1)
          }
          check()
        }
      }
      for (let w = 0; w < W; w++) {
        pool.on(w, (m) => {
          if (m.t === 'idle' || m.t === 'failed') {
            if (m.t === 'failed') {
              ctx.failed(m.failure)
              outstanding[w] = 0
            } else {
              outstanding[w]--
              this.hists[w] = m.hist
              if (m.cutByDepth) cutByDepth = true
              mergeFound(ctx.found, m.found)
              if (anyAlwaysFound(ctx)) {
                firstViolationMs ??= ctx.elapsedMs()
                if (ctx.opts.stopOnViolation) Atomics.compareExchange(halt, H_CODE, 0, HALT_VIOLATION)
              }
            }
            if (outstanding[w] <= 0) becameIdle(w)
          } else if (m.t === 'share') {
            const wi = waiting.shift()
            if (wi !== undefined) give(wi, m.chunk)
            else shares.push(m.chunk)
          }
        })
      }
      // Roots: one chunk per worker while they last; the rest queue as shares.
      const roots = shares.splice(0)
      const merged = roots.length > 0 ? mergeChunks(roots) : null
      const parts = merged ? splitChunk(merged, Math.max(1, Math.ceil(merged.n / W))) : []
      for (let w = 0; w < W; w++) {
        if (w < parts.length) give(w, parts[w])
        else becameIdle(w)
      }
      check()
    })
    Atomics.store(halt, H_HUNGRY, 0)
    const merged = this.histogram(ctx)
    ctx.hist.length = 0
    ctx.hist.push(...merged)
    const stopReason = haltStopReason(ctx.haltCode()) ?? (cutByDepth ? 'depth' : 'complete')
    return exhaustiveOutcome(ctx, stopReason, firstViolationMs)
  }

  /** The explorers' histograms plus the roots, which the coordinator stored. */
  private histogram(ctx: SearchContext): number[] {
    const h = mergeHist(this.hists)
    h[0] = (h[0] ?? 0) + (ctx.hist[0] ?? 0)
    return h
  }

  live(ctx: SearchContext, t: Totals): LiveFigures {
    return {
      depthHistogram: this.histogram(ctx),
      maxDepth: t.maxDepth,
      queue: Math.max(0, ctx.visited.size - t.processed),
      queuedBytes: 0,
    }
  }
}
