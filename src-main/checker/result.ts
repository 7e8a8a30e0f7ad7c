// From a search's outcome to the run's result: property verdicts with their traces (rebuilt by replay), liveness
// on a complete exploration, and the figures.
import type { PhaseReport, PropertyResult, TraceStep } from '../../src-shared/types.ts'
import { mergeCoverage } from './coverage.ts'
import { deleteCheckpoint } from './checkpoint.ts'
import type { ExploreResult } from './run-types.ts'
import { collisionProbability } from './fingerprint.ts'
import { checkLiveness, type Graph } from './liveness.ts'
import { assembleGraph } from './state-graph.ts'
import { livenessProperties, type Property } from './model.ts'
import { ModelFailure } from './model-failure.ts'
import type { Cols } from './pool.ts'
import type { FailureInfo } from './protocol.ts'
import { pathText, replayActions } from './replay.ts'
import type { SearchContext, SearchOutcome } from './search.ts'
import { shrinkWalk } from './shrink.ts'

/** The root index and the action indices leading to state `id`. */
function pathTo(id: number, cols: Cols[], W: number): { init: number; actions: number[] } {
  const actions: number[] = []
  let cur = id
  while (cur >= 0) {
    const w = cur % W
    const local = (cur - w) / W
    actions.push(cols[w].via[local])
    cur = cols[w].parents[local]
  }
  actions.reverse()
  return { init: -cur - 2, actions }
}

/** A model's code failed in an explorer: the run fails with the path to the failing state. */
function throwFailure(ctx: SearchContext, f: FailureInfo, replayTo: (id: number) => TraceStep[]): never {
  let trace: TraceStep[] = []
  let where = ''
  if (f.id !== null) {
    try {
      trace = replayTo(f.id)
      where = ` after ${trace.length - 1} step(s) (path: ${pathText(trace)})`
    } catch (err) {
      if (err instanceof ModelFailure) trace = err.trace
    }
  }
  const act = f.actionName !== null ? ` on action "${f.actionName}"` : ''
  throw new ModelFailure(`model "${ctx.opts.model}": ${f.phase}${act} threw${where}: ${f.message}`, trace)
}

/** Reports the analysis's phases: liveness (states rebuilt, then properties), then traces built of those to build. */
export type PhaseReporter = (r: PhaseReport) => void

function verdicts(
  ctx: SearchContext,
  outcome: SearchOutcome,
  cols: Cols[],
  replayTo: (id: number) => TraceStep[],
  report: PhaseReporter,
): PropertyResult[] {
  const { model, trackers } = ctx
  const name = ctx.opts.model
  const complete = outcome.complete
  const properties: PropertyResult[] = []
  const livenessProps = livenessProperties(model)
  const recorded = (partial: boolean): Graph | null => {
    if (!cols.every((c) => c.graph)) return null
    return assembleGraph(model, livenessProps, cols.map((c) => c.graph!), partial)
  }
  // A search cut short by a limit still has a recorded graph of what it expanded: counterexamples found in it are
  // real (liveness.ts, Graph.partial). Not after a stop at a violation or by the user (both asked to end there), nor
  // without a record.
  const limited = outcome.stopReason === 'timeout' || outcome.stopReason === 'states' || outcome.stopReason === 'depth'
  const cut = !complete && limited && cols.length > 0 && cols.every((c) => c.graph)
  const pass = livenessProps.length > 0 && (complete || cut)
  // Assembling the recorded graph comes first and takes its time on a large one: the phase is told before it.
  if (pass) report({ phase: 'checking liveness', done: 0, total: livenessProps.length, unit: 'properties' })
  // Complete without a record: checkLiveness rebuilds the graph; cut short, only the record will do.
  const graph = pass ? (recorded(cut) ?? undefined) : undefined
  const live = pass && (complete || graph) ? checkLiveness(model, name, graph, report, ctx.visited.size) : null
  // Cut short by a limit, the cycle hunters' deeper graphs may hold what the BFS's did not.
  const undecided = livenessProps.filter((p) => (live?.get(p.name)?.status ?? 'unknown') === 'unknown')
  const hunted = !complete && limited ? huntedLiveness(ctx, cols, livenessProps, undecided, report) : new Map<string, PropertyResult>()
  const traces = trackers.filter((_, i) => outcome.walks[i] || ctx.found[i] !== null).length
  let built = 0
  const tracePhase = (): void => report({ phase: 'building traces', done: built, total: traces, unit: 'traces' })
  if (traces > 0) tracePhase()
  for (const p of model.properties) {
    const base = { name: p.name, kind: p.kind, description: p.description }
    if (p.kind === 'eventually' || p.kind === 'converges') {
      properties.push(hunted.get(p.name) ?? live?.get(p.name) ?? { ...base, status: 'unknown' })
      continue
    }
    const i = trackers.indexOf(p as Property<unknown>)
    const decided = p.kind === 'always' ? 'violated' : 'holds'
    const walk = outcome.walks[i]
    const id = ctx.found[i]
    if (walk) {
      const trace = outcome.shrink
        ? shrinkWalk(model, name, trackers[i], walk.init, walk.actions)
        : replayActions(model, name, walk.init, walk.actions, outcome.walksInVisited ? ctx.visited : null)
      properties.push({ ...base, status: decided, trace, walk: walk.walk })
      built++
      tracePhase()
    } else if (id !== null) {
      properties.push({ ...base, status: decided, trace: replayTo(id) })
      built++
      tracePhase()
    } else if (!complete) properties.push({ ...base, status: 'unknown' })
    else properties.push({ ...base, status: p.kind === 'always' ? 'holds' : 'violated' })
  }
  return properties
}

/**
 * Liveness counterexamples in the portfolio's cycle hunters' graphs (hunter.ts) for the properties in `undecided`,
 * searched in explorer order: each graph is a partial one, so a property is only ever found violated there.
 */
function huntedLiveness(
  ctx: SearchContext,
  cols: Cols[],
  props: readonly Property<unknown>[],
  undecided: readonly Property<unknown>[],
  report: PhaseReporter,
): Map<string, PropertyResult> {
  const out = new Map<string, PropertyResult>()
  for (const c of cols) {
    if (!c.hunt || out.size === undecided.length) continue
    const g = assembleGraph(ctx.model, props, [c.hunt], true)
    if (!g) continue
    const found = checkLiveness(ctx.model, ctx.opts.model, g, report, g.n)
    for (const p of undecided) {
      const r = found.get(p.name)
      if (!out.has(p.name) && r && r.status !== 'unknown') out.set(p.name, r)
    }
  }
  return out
}

export function finishRun(
  ctx: SearchContext,
  outcome: SearchOutcome,
  cols: Cols[],
  failure: FailureInfo | null,
  memoryBytes: number,
  report: PhaseReporter = () => {},
): ExploreResult {
  const { opts, visited } = ctx
  const replayTo = (id: number): TraceStep[] => {
    const path = pathTo(id, cols, ctx.workers)
    return replayActions(ctx.model, opts.model, path.init, path.actions, visited)
  }
  if (failure) throwFailure(ctx, failure, replayTo)
  const properties = verdicts(ctx, outcome, cols, replayTo, report)
  if (opts.checkpoint && !opts.checkpoint.keep && outcome.stopReason !== 'stopped') deleteCheckpoint(opts.checkpoint.file)
  const t = ctx.totals()
  const unique = visited.size
  // Coverage is of a whole BFS / DFS search: not of random walks, nor after a resume (the counts before it are gone).
  const counted = (opts.strategy === 'bfs' || opts.strategy === 'dfs') && !opts.checkpoint?.resume
  return {
    unique,
    generated: t.generated,
    maxDepth: outcome.maxDepth,
    elapsedMs: ctx.elapsedMs(),
    complete: outcome.complete,
    stopReason: outcome.stopReason,
    depthHistogram: outcome.depthHistogram,
    memoryBytes,
    bytesPerState: unique > 0 ? memoryBytes / unique : 0,
    visitedBytes: visited.bytes,
    collisionProbability: collisionProbability(unique),
    workers: ctx.workers,
    strategy: opts.strategy,
    properties,
    ...(outcome.firstViolationMs !== undefined ? { firstViolationMs: outcome.firstViolationMs } : {}),
    ...(outcome.coverage ? { coverage: outcome.coverage } : {}),
    ...(counted ? { actions: mergeCoverage(cols.map((c) => c.actions ?? [])) } : {}),
  }
}
