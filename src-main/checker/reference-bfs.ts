// The reference BFS: single-threaded breadth-first exploration with a visited set and parent links — exact counts,
// shortest counterexamples — that the parallel engine (pool.ts, explorer.ts) is tested against.
// generated = initial states + every successor produced (duplicates and self-loops included); depth(init) = 1.
import type { PropertyResult, TraceStep } from '../../src-shared/types.ts'
import { fingerprintState } from './state-key.ts'
import { IntColumn } from './growable.ts'
import { type Model, type Property, stateProperties } from './model.ts'
import { ModelFailure } from './model-failure.ts'
import { replayActions } from './replay.ts'
import type { ExploreProgress, ExploreResult, StopReason } from './run-types.ts'
import { withRates, type ProgressFigures } from './rates.ts'
import { VisitedSet } from './visited.ts'

export interface ExploreLimits {
  /** 0 = unlimited; states at this depth are not expanded. */
  maxDepth: number
  /** 0 = unlimited. */
  timeoutMs: number
  /** 0 = unlimited; stop once this many unique states are stored. */
  maxStates: number
  stopOnViolation: boolean
}

export interface ExploreHooks {
  /** Polled often; true ends the exploration as "stopped". */
  shouldStop?: () => boolean
  onProgress?: (p: ExploreProgress) => void
  progressEveryMs?: number
}

interface Tracker {
  prop: Property<unknown>
  /** State id of the first violation (always) or witness (sometimes); -1 while none. */
  found: number
}

export function explore<S, A>(model: Model<S, A>, limits: ExploreLimits, hooks: ExploreHooks = {}): ExploreResult {
  const start = performance.now()
  const visited = new VisitedSet()
  const parent = new IntColumn()
  const via = new IntColumn() // action index within actions(parent), or init index for roots
  const fp = new Int32Array(2)
  const histogram: number[] = []
  const trackers: Tracker[] = stateProperties(model).map((p) => ({ prop: p as Property<unknown>, found: -1 }))
  const progressEvery = hooks.progressEveryMs ?? 250

  let generated = 0
  let stopReason: StopReason = 'complete'
  let lastProgress = start
  let violated = false
  let queued = 0

  const memory = (): number => visited.bytes + parent.bytes + via.bytes + queued * 64
  let reported: ExploreProgress | null = null
  const snapshot = (depth: number): ProgressFigures => ({
    elapsedMs: performance.now() - start,
    generated,
    unique: visited.size,
    queue: queued,
    // While a level is expanded the histogram already holds the next one: report the deepest state stored.
    maxDepth: Math.max(depth, histogram.length),
    memoryBytes: memory(),
    depthHistogram: histogram.slice(),
  })

  const checkProps = (state: S, id: number): void => {
    for (const t of trackers) {
      if (t.found >= 0) continue
      const ok = guard(model, 'property', t.prop.name, () => t.prop.check(state), parent, via, id)
      if (t.prop.kind === 'always' ? !ok : ok) {
        t.found = id
        if (t.prop.kind === 'always') violated = true
      }
    }
  }

  /** Stores a state if new; returns its id, or -1 when it was seen before. */
  const admit = (state: S, from: number, index: number, depth: number): number => {
    guard(model, 'encode', describeStep(model, from, index), () => fingerprintState(model as Model<unknown, unknown>, state, fp), parent, via, from)
    const id = visited.size
    if (visited.insert(fp[0], fp[1], id) >= 0) return -1
    parent.push(from)
    via.push(index)
    histogram[depth - 1] = (histogram[depth - 1] ?? 0) + 1
    checkProps(state, id)
    return id
  }

  // Level-synchronous BFS: ids are dense in discovery order, so level k holds ids [levelStart, levelStart + level.length).
  let level: Uint8Array[] = []
  const inits = guard(model, 'init', 'init', () => model.init(), parent, via, -1)
  for (let i = 0; i < inits.length; i++) {
    generated++
    if (admit(inits[i], -1, i, 1) >= 0) level.push(model.encode(inits[i]))
  }
  let depth = level.length > 0 ? 1 : 0
  let levelStart = 0
  queued = level.length

  outer: while (level.length > 0) {
    if (violated && limits.stopOnViolation) {
      stopReason = 'violation'
      break
    }
    if (limits.maxDepth > 0 && depth >= limits.maxDepth) {
      if (hasUnseenSuccessor(model, level, visited, fp)) stopReason = 'depth'
      break
    }
    const nextLevel: Uint8Array[] = []
    for (let k = 0; k < level.length; k++) {
      if ((k & 255) === 0) {
        const now = performance.now()
        if (hooks.shouldStop?.()) {
          stopReason = 'stopped'
          break outer
        }
        if (limits.timeoutMs > 0 && now - start >= limits.timeoutMs) {
          stopReason = 'timeout'
          break outer
        }
        if (now - lastProgress >= progressEvery) {
          lastProgress = now
          queued = level.length - k + nextLevel.length
          reported = withRates(reported, snapshot(depth))
          hooks.onProgress?.(reported)
        }
      }
      const id = levelStart + k
      const state = model.decode(level[k])
      if (model.within && !model.within(state)) continue
      const actions = guard(model, 'actions', 'actions', () => model.actions(state), parent, via, id)
      for (let ai = 0; ai < actions.length; ai++) {
        const action = actions[ai]
        const succ = guard(model, 'next', model.formatAction(action), () => model.next(state, action), parent, via, id)
        if (succ === undefined) continue
        generated++
        const nid = admit(succ, id, ai, depth + 1)
        if (nid >= 0) {
          nextLevel.push(model.encode(succ))
          if (violated && limits.stopOnViolation) {
            stopReason = 'violation'
            break outer
          }
          if (limits.maxStates > 0 && visited.size >= limits.maxStates) {
            stopReason = 'states'
            break outer
          }
        }
      }
    }
    levelStart += level.length
    level = nextLevel
    queued = level.length
    if (level.length > 0) depth++
  }
  if (stopReason !== 'complete') queued = Math.max(queued, level.length)
  else queued = 0

  const complete = stopReason === 'complete'
  const properties: PropertyResult[] = model.properties.map((p) => {
    const t = trackers.find((x) => x.prop === (p as Property<unknown>))
    const base = { name: p.name, kind: p.kind, description: p.description }
    if (!t) return { ...base, status: 'unknown' as const }
    if (t.found >= 0) {
      return { ...base, status: p.kind === 'always' ? ('violated' as const) : ('holds' as const), trace: replay(model, parent, via, t.found) }
    }
    if (!complete) return { ...base, status: 'unknown' as const }
    return { ...base, status: p.kind === 'always' ? ('holds' as const) : ('violated' as const) }
  })

  return {
    unique: visited.size,
    generated,
    maxDepth: depth,
    elapsedMs: performance.now() - start,
    complete,
    stopReason,
    depthHistogram: histogram,
    memoryBytes: memory(),
    properties,
  }
}

/** At the depth limit: is there anything beyond it? Decides whether a depth-bounded run is still complete. */
function hasUnseenSuccessor<S, A>(model: Model<S, A>, level: Uint8Array[], visited: VisitedSet, fp: Int32Array): boolean {
  for (const bytes of level) {
    const state = model.decode(bytes)
    if (model.within && !model.within(state)) continue
    for (const action of model.actions(state)) {
      const succ = model.next(state, action)
      if (succ === undefined) continue
      fingerprintState(model as Model<unknown, unknown>, succ, fp)
      if (!visited.has(fp[0], fp[1])) return true
    }
  }
  return false
}

function describeStep<S, A>(model: Model<S, A>, from: number, index: number): string {
  return from < 0 ? `initial state ${index}` : `successor via action #${index}`
}

/** Runs model code; a throw becomes a ModelFailure naming the model step and carrying the path to `id`. */
function guard<S, A, T>(
  model: Model<S, A>,
  what: string,
  name: string,
  fn: () => T,
  parent: IntColumn,
  via: IntColumn,
  id: number,
): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof ModelFailure) throw err
    const msg = err instanceof Error ? err.message : String(err)
    let trace: TraceStep[] = []
    try {
      if (id >= 0) trace = replay(model, parent, via, id)
    } catch {
      // the path itself cannot be rebuilt; report the failure without it
    }
    throw new ModelFailure(`${what} "${name}" threw after ${trace.length} step(s): ${msg}`, trace)
  }
}

/** Rebuilds the path to state `id` by replaying recorded action indices from the initial state. */
function replay<S, A>(model: Model<S, A>, parent: IntColumn, via: IntColumn, id: number): TraceStep[] {
  const chain: number[] = []
  for (let cur = id; cur >= 0; cur = parent.get(cur)) chain.push(cur)
  chain.reverse()
  return replayActions(model as Model<unknown, unknown>, 'model', via.get(chain[0]), chain.slice(1).map((c) => via.get(c)), null)
}
