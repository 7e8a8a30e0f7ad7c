// Simulation: seeded random walks, handed out to the explorers by walk index through a shared counter. Walk i uses
// its own PRNG seeded from (seed, i), so a seed reproduces every walk on any number of workers, and the reported
// evidence per property is the lowest-numbered walk that has it.
//
// Shards (`shard: {index, count}`): shard i of n takes the global walk numbers i, i+n, i+2n, … (below `walks`
// when the walk count is fixed), so the shards of one seed are disjoint and together are exactly the walks of one
// unsharded run.
import { H_MIN_VIOLATION_WALK, H_NEXT_WALK } from '../protocol.ts'
import { everyExplorer, type LiveFigures, type SearchContext, type SearchOutcome, type SearchStrategy, type Totals, type WalkEvidence } from '../search.ts'
import { haltStopReason } from './bfs.ts'

/** Runs the walks with local numbers [from, to) on every explorer; returns the lowest walk per property. */
export async function runWalks(
  ctx: SearchContext,
  from: number,
  to: number,
  settled: boolean[] = ctx.settled(),
): Promise<(WalkEvidence | null)[]> {
  Atomics.store(ctx.halt, H_NEXT_WALK, from)
  const perWorker = (await everyExplorer(ctx, { t: 'sim', settled, to }, 'sim-done')).map((m) => m.found)
  // Walks numbered above a violating walk may or may not have run (the explorers stop taking them): what they
  // found is dropped, so the answer does not depend on timing.
  const cut = Atomics.load(ctx.halt, H_MIN_VIOLATION_WALK)
  return ctx.trackers.map((_, p) => {
    let best: WalkEvidence | null = null
    for (const f of perWorker) if (f[p] && f[p]!.walk <= cut && (best === null || f[p]!.walk < best.walk)) best = f[p]
    return best
  })
}

/** How many walks this shard runs (its local walk numbers are 0 … count−1). */
export function shardWalks(total: number, shard: { index: number; count: number } | undefined): number {
  if (!shard || total >= Number.MAX_SAFE_INTEGER) return total
  return Math.max(0, Math.ceil((total - shard.index) / shard.count))
}

export class SimulationStrategy implements SearchStrategy {
  readonly name = 'sim' as const

  async run(ctx: SearchContext): Promise<SearchOutcome> {
    const walks = await runWalks(ctx, 0, shardWalks(ctx.walks, ctx.opts.shard))
    let stopReason = haltStopReason(ctx.haltCode()) ?? 'complete'
    const violated = walks.some((f, p) => f !== null && ctx.trackers[p].kind === 'always')
    if (ctx.opts.stopOnViolation && violated) stopReason = 'violation'
    const t = ctx.totals()
    const hist: number[] = t.maxDepth > 0 ? new Array(t.maxDepth).fill(0) : []
    return {
      stopReason,
      complete: false,
      depthHistogram: hist,
      maxDepth: t.maxDepth,
      walks,
      walksInVisited: true,
      shrink: false,
      coverage: { walks: t.walks, walkSteps: t.walkSteps, walkDepth: t.maxDepth },
    }
  }

  live(ctx: SearchContext, t: Totals): LiveFigures {
    return { depthHistogram: [ctx.hist[0] ?? 0], maxDepth: t.maxDepth, queue: 0, queuedBytes: 0 }
  }
}
