// The portfolio ('auto'): swarm random walks and cycle hunters beside an exhaustive BFS, in rounds on the same
// explorers.
//
// A round is a BFS slice of exactly SLICE_STATES states (a level may span several rounds), then a batch of walks
// sized so that walks have made as many successor computations (model.next calls) as walkBudget allows: as many as
// the BFS for its first EVEN_CALLS calls (half the work each), then a quarter of what the BFS adds. Deep violations
// are mostly found early (every violation of the matrix's 30 s cells within its first 7 s), while a BFS that has
// run long is the one that can still end in "holds": the walks' share of the time falls from about a fifth to
// about a twentieth once the BFS has made EVEN_CALLS calls.
// A walk step tries actions in random order until one is enabled, so it costs a fraction of a BFS expansion. Walks are diversified per walk
// (depth bound, swarm choice of action slots; explorer.ts) and leave the visited set to the BFS.
// The run ends at the first round that knows a violation of an always property — from a walk of the round's batch
// (the lowest-numbered one), or from a BFS level completed in the round (preferred: it is a shortest trace) — and
// the walk's trace is shrunk (shrink.ts). "holds" comes only from a BFS that completes; otherwise a property is
// unknown and the result says what was covered (BFS depth and states, walks and their steps and depth).
//
// Last in a round, each explorer's cycle hunter (hunter.ts) expands HUNT_STATES / W states of its own depth-first
// search: what the liveness pass of a search cut short reads beside the BFS's shallow graph (result.ts).
//
// Determinism: rounds are measured in states and walks, never in time, and a BFS finding counts only once its
// level is complete, so the same seed and worker count give the same answer (with one worker, the same trace).
// Time limits and stops end the search between or within rounds: the answer is then "unknown", except for the
// violations the BFS level in progress had found (real, with shortest traces; which ones depends on timing).
import { HALT_VIOLATION, H_CODE } from '../protocol.ts'
import { everyExplorer, type LiveFigures, type SearchContext, type SearchOutcome, type SearchStrategy, type Totals, type WalkEvidence } from '../search.ts'
import { BfsLevels, haltStopReason, levelsLive } from './bfs.ts'
import { runWalks } from './simulation.ts'

/** BFS states expanded per round. */
export const SLICE_STATES = 2048
/** Cycle hunters' states per round, over all explorers: an eighth of the BFS's. */
export const HUNT_STATES = SLICE_STATES / 8
/** Walks per batch, at most. */
const MAX_BATCH = 4096
/** BFS calls over which walks keep pace with the BFS call for call; after it they get a quarter of its further calls. */
export const EVEN_CALLS = 250_000

/** Successor computations the walks may have made once the BFS has made `bfsCalls`. */
export function walkBudget(bfsCalls: number): number {
  return bfsCalls <= EVEN_CALLS ? bfsCalls : EVEN_CALLS + Math.floor((bfsCalls - EVEN_CALLS) / 4)
}

export class PortfolioStrategy implements SearchStrategy {
  readonly name = 'auto' as const
  private levels: BfsLevels | null = null

  async run(ctx: SearchContext): Promise<SearchOutcome> {
    const levels = new BfsLevels(ctx)
    this.levels = levels
    const W = ctx.workers
    const trackers = ctx.trackers
    const walks: (WalkEvidence | null)[] = trackers.map(() => null)
    // BFS findings as of the last completed level: what the answer may use.
    let confirmed = ctx.found.slice()
    let levelsDone = levels.levelsDone
    let nextWalk = 0
    let violated = trackers.some((p, i) => p.kind === 'always' && confirmed[i] !== null)
    let firstViolationMs: number | undefined = violated ? ctx.elapsedMs() : undefined
    const confirm = (): void => {
      if (levels.levelsDone === levelsDone && !(levels.finished && levels.stopReason() === 'complete')) return
      levelsDone = levels.levelsDone
      confirmed = ctx.found.slice()
      violated = trackers.some((p, i) => p.kind === 'always' && confirmed[i] !== null)
    }
    while (!violated && ctx.haltCode() === 0 && !levels.finished) {
      // The BFS part of the round: SLICE_STATES states, across level ends.
      for (let budget = SLICE_STATES; budget > 0 && !violated && !levels.finished && ctx.haltCode() === 0; ) {
        const before = ctx.totals().processed
        const closed = await levels.slice(budget)
        budget -= ctx.totals().processed - before
        confirm()
        if (!closed) break
      }
      if (violated) {
        firstViolationMs = ctx.elapsedMs()
        break
      }
      if (ctx.haltCode() !== 0) break
      const t = ctx.totals()
      const deficit = walkBudget(t.calls) - t.walkCalls
      if (!levels.finished && nextWalk < ctx.walks && deficit > 0) {
        const mean = t.walks > 0 ? Math.max(1, t.walkCalls / t.walks) : 64
        const n = Math.min(ctx.walks - nextWalk, Math.max(W, Math.min(MAX_BATCH, Math.ceil(deficit / mean))))
        const settled = trackers.map((_, i) => confirmed[i] !== null || walks[i] !== null)
        const found = await runWalks(ctx, nextWalk, nextWalk + n, settled)
        nextWalk += n
        found.forEach((f, i) => (walks[i] ??= f))
      }
      violated = trackers.some((p, i) => p.kind === 'always' && (confirmed[i] !== null || walks[i] !== null))
      if (violated) firstViolationMs = ctx.elapsedMs()
      else if (ctx.hunt && !levels.finished && ctx.haltCode() === 0) await everyExplorer(ctx, { t: 'hunt', states: Math.ceil(HUNT_STATES / W) }, 'hunt-done')
    }
    await levels.settleCheckpoint()
    // Only confirmed BFS findings count, unless a limit or a stop cut the search (not a violation): then the level in
    // progress may hold violations too. Each is real and has a shortest trace (every shallower level completed
    // without one); which of them was found depends on timing, as all a search cut by time reports does. The stop
    // reason stays the limit's, so the liveness pass of a cut search still runs (result.ts).
    // A BFS trace is preferred to a walk's.
    if (!violated && ctx.haltCode() !== 0) {
      confirmed = ctx.found.slice()
      if (trackers.some((p, i) => p.kind === 'always' && confirmed[i] !== null)) firstViolationMs ??= ctx.elapsedMs()
    }
    confirmed.forEach((f, i) => {
      ctx.found[i] = f
      if (f !== null) walks[i] = null
    })
    if (violated) Atomics.compareExchange(ctx.halt, H_CODE, 0, HALT_VIOLATION)
    const bfsStop = levels.finished ? levels.stopReason() : haltStopReason(ctx.haltCode())
    const stopReason = violated ? 'violation' : (bfsStop ?? 'complete')
    const t = ctx.totals()
    const complete = !violated && levels.finished && stopReason === 'complete'
    return {
      stopReason,
      complete,
      depthHistogram: ctx.hist,
      maxDepth: ctx.hist.length,
      walks,
      walksInVisited: false,
      shrink: true,
      coverage: {
        walks: t.walks,
        walkSteps: t.walkSteps,
        walkDepth: t.walkDepth,
        bfsDepth: complete ? ctx.hist.length : Math.min(ctx.hist.length, levels.levelsDone + 1),
        ...(ctx.hunt ? { huntStates: t.hunted } : {}),
      },
      ...(firstViolationMs !== undefined ? { firstViolationMs } : {}),
    }
  }

  live(ctx: SearchContext, t: Totals): LiveFigures {
    return levelsLive(this.levels, ctx, t)
  }
}
