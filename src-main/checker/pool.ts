// The coordinator of a parallel check: spawns `workers` explorer threads over one shared visited set, lets a search
// strategy (strategies/: BFS, DFS, simulation, the portfolio) drive them, and turns what it found into the result.
// The pool itself keeps the explorers' lifecycle only: spawn, messages, halt, collecting their columns, ending them.
// Runs in the check worker thread (src-main/checker/check-worker.ts), never on a host's main thread.
//
// State ids: a worker w of W stores its k-th new state as id k·W + w, with its parent id and the index of the
// action within actions(parent); roots (initial states) have id −(init index + 2). Traces are rebuilt by
// replaying those action indices from the initial state, and every replayed state is checked against the
// visited set (a model whose replay reaches an unknown state is nondeterministic).
import { Worker } from 'node:worker_threads'
import type { ActionCoverage, Strategy } from '../../src-shared/types.ts'
import { endThread } from './end-thread.ts'
import { checkpointMismatch, readCheckpoint, type CheckpointData } from './checkpoint.ts'
import { walksOf, workersOf, type CheckRequest, type ExploreProgress, type ExploreResult } from './run-types.ts'
import { withRates, type ProgressFigures } from './rates.ts'
import { loadModel } from './load-model.ts'
import { livenessProperties, type Model, type Property, stateProperties } from './model.ts'
import {
  H_CODE,
  H_MIN_VIOLATION_WALK,
  H_STOP,
  H_WORDS,
  HALT_FAILED,
  HALT_TIMEOUT,
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
  type ToExplorer,
} from './protocol.ts'
import { finishRun, type PhaseReporter } from './result.ts'
import { seedRoots } from './roots.ts'
import type { SearchContext, SearchStrategy, Totals } from './search.ts'
import type { GraphCols } from './state-graph.ts'
import type { Chunk } from './frontier.ts'
import { createSharedVisited, SharedVisited, type SharedVisitedBuffers } from './shared-visited.ts'
import { BfsStrategy } from './strategies/bfs.ts'
import { DfsStrategy } from './strategies/dfs.ts'
import { PortfolioStrategy } from './strategies/portfolio.ts'
import { SimulationStrategy } from './strategies/simulation.ts'

/** What the coordinator thread adds beside the request: the explorers' entry, the stop word and its listeners. */
export interface PoolRuntime {
  /** The worker entry to spawn explorers from (check-worker.ts or its bundled copy). */
  entry: URL | string
  /** Int32 words (H_WORDS); word H_STOP = 1 stops the run. */
  halt?: SharedArrayBuffer
  /** Progress every progressEveryMs (default 250), rates included (rates.ts), and once more, `closing`, from the result. */
  onProgress?: (p: ExploreProgress, closing?: boolean) => void
  /** The explorers are up and the timeout is counting. */
  onArmed?: () => void
  /** The search has ended (what follows: verdicts, traces, liveness). */
  onSearched?: () => void
  progressEveryMs?: number
  /** log2 of the initial visited-set slot count (default 20). */
  initialLog2?: number
}

export interface Cols {
  parents: Float64Array
  via: Int32Array
  /** The transitions the explorer recorded (when the run records the graph). */
  graph?: GraphCols
  /** For a checkpoint: the frontier states the explorer holds as objects, encoded (ids, bytes). */
  held?: Chunk
  /** The explorer's per-action coverage. */
  actions?: ActionCoverage[]
  /** The graph its cycle hunter recorded (the portfolio; hunter.ts). */
  hunt?: GraphCols
}

export interface PoolResult extends ExploreResult {}

export function haltBuffer(): SharedArrayBuffer {
  const b = new SharedArrayBuffer(4 * H_WORDS)
  new Int32Array(b)[H_MIN_VIOLATION_WALK] = 0x7fffffff
  return b
}

/**
 * An explorer allocates a successor per action and keeps few of them: a larger young generation than V8's default
 * lets most die before a scavenge copies them. replicaset-scale × monotonic-session × 1 (auto, 1 worker): 27.5 s →
 * 21.7–25.2 s to a complete verdict at 64–128 MB, for about 200 MB more resident memory per explorer.
 */
const EXPLORER_YOUNG_MB = 64

/** The explorer threads: spawned at once, addressed by index, each with one replaceable message handler. */
export class WorkerPool {
  readonly size: number
  readonly ready: Promise<void>
  private readonly workers: Worker[] = []
  private readonly exited: boolean[] = []
  private readonly handlers: ((m: FromExplorer) => void)[] = []
  private readonly halt: Int32Array
  private crash: Error | null = null
  private crashNotify: (() => void) | null = null
  private finished = false

  constructor(size: number, entry: URL | string, initOf: (w: number) => ExplorerInit, halt: Int32Array) {
    this.size = size
    this.halt = halt
    const ready: Promise<void>[] = []
    const url = typeof entry === 'string' && entry.startsWith('file:') ? new URL(entry) : entry
    for (let w = 0; w < size; w++) {
      const worker = new Worker(url, { workerData: initOf(w), resourceLimits: { maxYoungGenerationSizeMb: EXPLORER_YOUNG_MB } })
      this.workers.push(worker)
      this.exited.push(false)
      ready.push(new Promise<void>((resolve) => (this.handlers[w] = (m) => m.t === 'ready' && resolve())))
      worker.on('message', (m: FromExplorer) => this.handlers[w](m))
      worker.on('error', (err) => this.crashed(err))
      worker.on('exit', (code) => {
        this.exited[w] = true
        if (!this.finished) this.crashed(new Error(`explorer worker ${w} exited with code ${code}`))
      })
    }
    this.ready = Promise.race([Promise.all(ready).then(() => {}), this.run(() => {})])
  }

  private crashed(err: Error): void {
    this.crash ??= err
    Atomics.compareExchange(this.halt, H_CODE, 0, HALT_FAILED)
    this.crashNotify?.()
  }

  on(w: number, handler: (m: FromExplorer) => void): void {
    this.handlers[w] = handler
  }

  send(w: number, m: ToExplorer, transfer: ArrayBuffer[] = []): void {
    this.workers[w].postMessage(m, transfer)
  }

  /** Lets `install` set handlers and send work; resolves when it calls wake(), rejects if a worker crashes. */
  run(install: (wake: () => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.crashNotify = () => reject(this.crash)
      if (this.crash) reject(this.crash)
      install(resolve)
    })
  }

  /** Every explorer's parent links; `copy` keeps the explorers' own (a checkpoint), else they hand them over. */
  async collect(copy: boolean): Promise<Cols[]> {
    const cols: Cols[] = new Array(this.size)
    let got = 0
    await this.run((wake) => {
      for (let w = 0; w < this.size; w++) {
        this.on(w, (m) => {
          if (m.t === 'columns') {
            // The message's fields are the columns (the optional ones only when sent).
            const { t: _, ...col } = m
            cols[w] = col
            if (++got === this.size) wake()
          }
        })
        this.send(w, { t: copy ? 'snapshot' : 'collect' })
      }
    })
    return cols
  }

  /** Asked to leave, an explorer closes its port and its thread ends. */
  async end(): Promise<void> {
    this.finished = true
    await Promise.all(this.workers.map((worker, w) => endThread(worker, this.exited[w], () => worker.postMessage({ t: 'exit' } satisfies ToExplorer))))
  }
}

export function strategyFor(name: Strategy): SearchStrategy {
  switch (name) {
    case 'bfs':
      return new BfsStrategy()
    case 'dfs':
      return new DfsStrategy()
    case 'sim':
      return new SimulationStrategy()
    case 'auto':
      return new PortfolioStrategy()
  }
}

export async function runPool(request: CheckRequest, runtime: PoolRuntime): Promise<ExploreResult> {
  const start = performance.now()
  const W = workersOf(request)
  const model = (await loadModel(request.model, request.params, request.modelModule)) as Model<unknown, unknown>
  const haltBuf = runtime.halt ?? haltBuffer()
  const halt = new Int32Array(haltBuf)
  Atomics.store(halt, H_MIN_VIOLATION_WALK, 0x7fffffff)
  const stats = new SharedArrayBuffer(8 * S_WORDS * W)
  const statsView = new Float64Array(stats)
  const trackers = stateProperties(model)

  let ckpt: CheckpointData | null = null
  if (request.checkpoint?.resume) {
    ckpt = readCheckpoint(request.checkpoint.file)
    const why = checkpointMismatch(ckpt.meta, { key: request.checkpoint.key, model: request.model, params: request.params, workers: W })
    if (why) throw new Error(`the checkpoint ${request.checkpoint.file} cannot resume this run: ${why}`)
  }
  const visitedBufs: SharedVisitedBuffers = ckpt ? SharedVisited.restore(ckpt.visited, W) : createSharedVisited(runtime.initialLog2 ?? 20, 28, W)
  const visited = new SharedVisited(visitedBufs)
  const found: (number | null)[] = ckpt ? ckpt.meta.found.slice() : trackers.map(() => null)
  const hist: number[] = ckpt ? ckpt.meta.hist.slice() : []
  const roots = ckpt ? null : seedRoots(model, request.model, visited, trackers, found, W)
  if (roots && roots.count > 0) hist.push(roots.count)
  const elapsedBase = ckpt ? ckpt.meta.elapsedMs : 0

  // The graph for liveness is recorded while exploring; not after a resume (the levels before it were not recorded:
  // the liveness pass then rebuilds it), not by plain simulation (no complete search), at most 31 properties (bits).
  const livenessCount = livenessProperties(model).length
  const livenessBitsFit = livenessCount > 0 && livenessCount <= 31
  const recordGraph = !ckpt && request.strategy !== 'sim' && livenessBitsFit
  // The portfolio hunts for cycles beside its BFS (hunter.ts); after a resume too (the hunter starts again).
  const hunt = request.strategy === 'auto' && livenessBitsFit
  const walks = walksOf(request)
  const initOf = (w: number): ExplorerInit => ({
    role: 'explorer',
    request,
    index: w,
    visited: visitedBufs,
    halt: haltBuf,
    stats,
    graph: recordGraph,
    hunt,
    holdStates: request.strategy === 'bfs' || request.strategy === 'auto',
    parents: ckpt?.cols[w].parents,
    via: ckpt?.cols[w].via,
  })
  const pool = new WorkerPool(W, runtime.entry, initOf, halt)
  let failure: FailureInfo | null = null
  const ctx: SearchContext = {
    opts: request,
    workers: W,
    model,
    pool,
    halt,
    visited,
    trackers,
    found,
    hist,
    queue: ckpt ? ckpt.queue : (roots?.queue ?? []),
    generatedBase: ckpt ? ckpt.meta.generated : (roots?.generated ?? 0),
    walks,
    hunt,
    totals: () => sumStats(statsView, W, ctx.generatedBase),
    haltCode: () => (Atomics.load(halt, H_STOP) !== 0 ? 1 : Atomics.load(halt, H_CODE)),
    failed: (f) => {
      failure ??= f
      Atomics.compareExchange(halt, H_CODE, 0, HALT_FAILED)
    },
    elapsedMs: () => elapsedBase + performance.now() - start,
    settled: () => found.map((f) => f !== null),
  }
  const strategy = strategyFor(request.strategy)
  const progress = (): ProgressFigures => {
    const t = ctx.totals()
    const live = strategy.live(ctx, t)
    const unique = visited.size
    // Recorded graph: 16 B per transition, 12 B per stored state (state-graph.ts).
    const mem = visited.bytes + t.stored * 12 + live.queuedBytes + (recordGraph ? t.generated * 16 + t.stored * 12 : 0)
    return {
      elapsedMs: ctx.elapsedMs(),
      generated: t.generated,
      unique,
      queue: live.queue,
      maxDepth: live.maxDepth,
      memoryBytes: mem,
      depthHistogram: live.depthHistogram,
      bytesPerState: unique > 0 ? mem / unique : 0,
      visitedBytes: visited.bytes,
    }
  }

  let last: ExploreProgress | null = null
  const report = (p: ProgressFigures, closing = false): void => {
    last = withRates(last, p)
    runtime.onProgress?.(last, closing)
  }

  let timer: NodeJS.Timeout | null = null
  let progressTimer: NodeJS.Timeout | null = null
  try {
    await pool.ready
    if (request.timeout > 0) timer = setTimeout(() => Atomics.compareExchange(halt, H_CODE, 0, HALT_TIMEOUT), request.timeout * 1000)
    if (runtime.onProgress) progressTimer = setInterval(() => report(progress()), runtime.progressEveryMs ?? 250)
    runtime.onArmed?.()
    const outcome = await strategy.run(ctx)
    runtime.onSearched?.()
    if (timer) clearTimeout(timer)
    if (progressTimer) clearInterval(progressTimer)
    const final = progress()
    // The search's closing figures, so even a search shorter than one interval has its sample before the analysis.
    report(final)
    const cols = await pool.collect(false)
    const phases = phaseReporter(runtime, final, ctx.elapsedMs, report)
    const result = finishRun(ctx, outcome, cols, failure, final.memoryBytes, phases)
    phases({ phase: 'done' })
    // A closing report from the result (its time includes the analysis): saved with the run, not sent as live.
    const { elapsedMs, generated, unique, maxDepth, memoryBytes, depthHistogram, bytesPerState, visitedBytes } = result
    report({ elapsedMs, generated, unique, queue: 0, maxDepth, memoryBytes, depthHistogram, bytesPerState, visitedBytes }, true)
    return result
  } finally {
    if (timer) clearTimeout(timer)
    if (progressTimer) clearInterval(progressTimer)
    await pool.end()
  }
}

/**
 * After the search the figures stand still: the analysis reports its phase on them, at once when the phase
 * changes and at most every progressEveryMs within one (it runs on this thread, between no other events).
 */
function phaseReporter(runtime: PoolRuntime, final: ProgressFigures, elapsedMs: () => number, report: (p: ProgressFigures) => void): PhaseReporter {
  const every = runtime.progressEveryMs ?? 250
  let lastPhase = ''
  let lastAt = 0
  return (phase) => {
    if (!runtime.onProgress) return
    const now = performance.now()
    const key = `${phase.phase}/${phase.unit ?? ''}`
    if (key === lastPhase && now - lastAt < every && phase.done !== phase.total) return
    lastPhase = key
    lastAt = now
    report({ ...final, elapsedMs: elapsedMs(), phase })
  }
}

function sumStats(s: Float64Array, W: number, generatedBase: number): Totals {
  const t: Totals = { generated: generatedBase, stored: 0, processed: 0, maxDepth: 0, walks: 0, walkSteps: 0, walkDepth: 0, walkCalls: 0, calls: 0, hunted: 0 }
  for (let w = 0; w < W; w++) {
    const b = w * S_WORDS
    t.generated += s[b + S_GENERATED]
    t.stored += s[b + S_STORED]
    t.processed += s[b + S_PROCESSED]
    t.maxDepth = Math.max(t.maxDepth, s[b + S_MAXDEPTH])
    t.walks += s[b + S_WALKS]
    t.walkSteps += s[b + S_WALK_STEPS]
    t.walkDepth = Math.max(t.walkDepth, s[b + S_WALK_DEPTH])
    t.walkCalls += s[b + S_WALK_CALLS]
    t.calls += s[b + S_CALLS]
    t.hunted += s[b + S_HUNTED]
  }
  return t
}
