// The coordinator of a parallel check: spawns `workers` explorer threads over one shared visited set and drives
// them level by level (BFS), by work sharing (DFS) or as independent seeded walks (simulation). Runs in the
// check worker thread (src-main/lab/check-worker.ts), never on a host's main thread.
//
// State ids: a worker w of W stores its k-th new state as id k·W + w, with its parent id and the index of the
// action within actions(parent); roots (initial states) have id −(init index + 2). Traces are rebuilt by
// replaying those action indices from the initial state, and every replayed state is checked against the
// visited set (a model whose replay reaches an unknown state is nondeterministic).
import { Worker } from 'node:worker_threads'
import type { ParamValues, PropertyResult, Strategy, TraceStep } from '../../src-shared/types.ts'
import { endThread } from './end-thread.ts'
import { deleteCheckpoint, readCheckpoint, writeCheckpoint, type CheckpointData } from './checkpoint.ts'
import type { ExploreProgress, ExploreResult, StopReason } from './explore.ts'
import { ModelFailure } from './model-failure.ts'
import { collisionProbability, fingerprint } from './fingerprint.ts'
import { CHUNK_STATES, chunkBuffers, chunkBytes, ChunkWriter, type Chunk } from './frontier.ts'
import { checkLiveness } from './liveness.ts'
import { loadModel } from './load-model.ts'
import { pathText, replayActions } from './replay.ts'
import type { Model, Property } from './model.ts'
import {
  H_CODE,
  H_HUNGRY,
  H_MIN_VIOLATION_WALK,
  H_STOP,
  H_WORDS,
  HALT_FAILED,
  HALT_STATES,
  HALT_TIMEOUT,
  HALT_VIOLATION,
  S_GENERATED,
  S_MAXDEPTH,
  S_PROCESSED,
  S_STORED,
  S_WORDS,
  type ExplorerInit,
  type FailureInfo,
  type FromExplorer,
  type SimFinding,
  type ToExplorer,
} from './protocol.ts'
import { createSharedVisited, SharedVisited, type SharedVisitedBuffers } from './shared-visited.ts'

export interface PoolOptions {
  model: string
  params: ParamValues
  /** A module whose default export is a ModelDefinition; else `model` is looked up in the registry. */
  modelModule?: string
  workers: number
  strategy: Strategy
  /** 0 = unlimited; depth counts the initial state as 1. */
  maxDepth: number
  /** 0 = unlimited. */
  timeoutMs: number
  /** 0 = unlimited; stop once about this many unique states are stored (exact with one worker). */
  maxStates: number
  stopOnViolation: boolean
  seed: number
  /** Simulation: number of walks (default 1000 without a timeout, unlimited with one). */
  walks?: number
  /** Simulation: states per walk (default maxDepth, or 1000). */
  walkLength?: number
  /** The worker entry to spawn explorers from (check-worker.ts or its bundled copy). */
  entry: URL | string
  /** Int32 words (H_WORDS); word H_STOP = 1 stops the run. */
  halt?: SharedArrayBuffer
  onProgress?: (p: ExploreProgress) => void
  progressEveryMs?: number
  /** BFS checkpoints: written at level ends at most every everyMs into file; resume continues from it. */
  checkpoint?: { file: string; everyMs: number; resume?: boolean; keep?: boolean }
  /** log2 of the initial visited-set slot count (default 20). */
  initialLog2?: number
  /** For tests: exit the thread (a crash) right after the checkpoint with this many levels is written. */
  testCrashAfterCheckpointDepth?: number
}

interface Slot {
  worker: Worker
  index: number
  exited: boolean
}

interface Cols {
  parents: Float64Array
  via: Int32Array
}

export interface PoolResult extends ExploreResult {}

export function haltBuffer(): SharedArrayBuffer {
  const b = new SharedArrayBuffer(4 * H_WORDS)
  new Int32Array(b)[H_MIN_VIOLATION_WALK] = 0x7fffffff
  return b
}

const STOP_REASONS: Record<number, StopReason> = {
  1: 'stopped',
  2: 'timeout',
  3: 'violation',
  4: 'states',
}

export async function runPool(opts: PoolOptions): Promise<ExploreResult> {
  const start = performance.now()
  const W = Math.max(1, opts.workers | 0)
  const model = (await loadModel(opts.model, opts.params, opts.modelModule)) as Model<unknown, unknown>
  const haltBuf = opts.halt ?? haltBuffer()
  const halt = new Int32Array(haltBuf)
  Atomics.store(halt, H_MIN_VIOLATION_WALK, 0x7fffffff)
  const stats = new SharedArrayBuffer(8 * S_WORDS * W)
  const statsView = new Float64Array(stats)
  const trackers = model.properties.filter((p) => p.kind === 'always' || p.kind === 'sometimes') as Property<unknown>[]
  const found: (number | null)[] = trackers.map(() => null)
  let simFound: (SimFinding | null)[] = trackers.map(() => null)
  const progressEvery = opts.progressEveryMs ?? 250

  // ---- restore or start
  let ckpt: CheckpointData | null = null
  if (opts.checkpoint?.resume) {
    ckpt = readCheckpoint(opts.checkpoint.file)
    if (ckpt.meta.workers !== W) throw new Error(`the checkpoint was written with ${ckpt.meta.workers} workers, not ${W}`)
  }
  const visitedBufs: SharedVisitedBuffers = ckpt
    ? SharedVisited.restore(ckpt.visited, W)
    : createSharedVisited(opts.initialLog2 ?? 20, 28, W)
  const visited = new SharedVisited(visitedBufs)
  const hist: number[] = ckpt ? ckpt.meta.hist.slice() : []
  let generatedBase = ckpt ? ckpt.meta.generated : 0
  let queue: Chunk[] = ckpt ? ckpt.queue : []
  if (ckpt) ckpt.meta.found.forEach((f, i) => (found[i] = f))
  const elapsedBase = ckpt ? ckpt.meta.elapsedMs : 0

  const modelName = opts.model
  const fail = (message: string, trace: TraceStep[]): never => {
    throw new ModelFailure(`model "${modelName}": ${message}`, trace)
  }

  if (!ckpt) {
    let inits: unknown[]
    try {
      inits = model.init()
    } catch (err) {
      return fail(`init threw: ${msg(err)}`, [])
    }
    const roots = new ChunkWriter(Math.max(1, inits.length))
    const fp = new Int32Array(2)
    visited.enter()
    try {
      for (let i = 0; i < inits.length; i++) {
        generatedBase++
        let enc: Uint8Array
        try {
          enc = model.encode(inits[i])
          if (!(enc instanceof Uint8Array)) throw new Error(`encode returned ${enc === null ? 'null' : typeof enc}, not bytes`)
        } catch (err) {
          return fail(`encode of initial state ${i} threw: ${msg(err)}`, [])
        }
        if (model.fingerprint) model.fingerprint(inits[i], fp)
        else fingerprint(enc, fp)
        if (!visited.insert(fp[0], fp[1])) continue
        const id = -(i + 2)
        roots.push(id, 1, enc)
        for (let p = 0; p < trackers.length; p++) {
          if (found[p] !== null) continue
          let ok: boolean
          try {
            ok = trackers[p].check(inits[i])
          } catch (err) {
            return fail(`property "${trackers[p].name}" threw on initial state ${i}: ${msg(err)}`, [])
          }
          if (trackers[p].kind === 'always' ? !ok : ok) found[p] = id
        }
      }
    } finally {
      visited.leave()
    }
    if (roots.n > 0) {
      hist.push(roots.n)
      // Split the roots so that every worker gets a share of a wide first level.
      const all = roots.take()
      queue = splitChunk(all, Math.max(1, Math.ceil(all.n / (W * 4))))
    }
  }

  // ---- workers
  const walks = opts.walks ?? (opts.timeoutMs > 0 ? Number.MAX_SAFE_INTEGER : 1000)
  const walkLength = opts.walkLength ?? (opts.maxDepth > 0 ? opts.maxDepth : 1000)
  const slots: Slot[] = []
  const handlers: ((m: FromExplorer) => void)[] = []
  let crash: Error | null = null
  let crashNotify: (() => void) | null = null
  const ready: Promise<void>[] = []
  for (let w = 0; w < W; w++) {
    const init: ExplorerInit = {
      role: 'explorer',
      index: w,
      workers: W,
      model: opts.model,
      params: opts.params,
      modelModule: opts.modelModule,
      visited: visitedBufs,
      halt: haltBuf,
      stats,
      strategy: opts.strategy,
      maxDepth: opts.maxDepth,
      maxStates: opts.maxStates,
      stopOnViolation: opts.stopOnViolation,
      seed: opts.seed,
      walks,
      walkLength,
      parents: ckpt?.cols[w].parents,
      via: ckpt?.cols[w].via,
    }
    const entry = typeof opts.entry === 'string' && opts.entry.startsWith('file:') ? new URL(opts.entry) : opts.entry
    const worker = new Worker(entry, { workerData: init })
    const slot: Slot = { worker, index: w, exited: false }
    slots.push(slot)
    ready.push(
      new Promise<void>((resolve) => {
        handlers[w] = (m) => {
          if (m.t === 'ready') resolve()
        }
      }),
    )
    worker.on('message', (m: FromExplorer) => handlers[w](m))
    const onCrash = (err: Error): void => {
      crash ??= err
      Atomics.compareExchange(halt, H_CODE, 0, HALT_FAILED)
      crashNotify?.()
    }
    worker.on('error', onCrash)
    worker.on('exit', (code) => {
      slot.exited = true
      if (!finished) onCrash(new Error(`explorer worker ${w} exited with code ${code}`))
    })
  }
  let finished = false
  const send = (w: number, m: ToExplorer, transfer: ArrayBuffer[] = []): void => slots[w].worker.postMessage(m, transfer)
  /** Waits until cond() holds, re-checked after each worker message; rejects if a worker crashes. */
  const until = (install: (wake: () => void) => void): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      crashNotify = () => reject(crash)
      if (crash) reject(crash)
      install(resolve)
    })

  let failure: FailureInfo | null = null
  let timer: NodeJS.Timeout | null = null
  let progressTimer: NodeJS.Timeout | null = null
  let queuedStates = 0
  let levelStates = 0
  let levelProcessedBase = 0
  let nextStates = 0
  let nextBytes = 0
  let dfsHist: number[][] = []
  const totals = (): { generated: number; stored: number; processed: number; maxDepth: number } => {
    let generated = generatedBase
    let stored = 0
    let processed = 0
    let maxDepth = 0
    for (let w = 0; w < W; w++) {
      generated += statsView[w * S_WORDS + S_GENERATED]
      stored += statsView[w * S_WORDS + S_STORED]
      processed += statsView[w * S_WORDS + S_PROCESSED]
      maxDepth = Math.max(maxDepth, statsView[w * S_WORDS + S_MAXDEPTH])
    }
    return { generated, stored, processed, maxDepth }
  }
  const memory = (stored: number): number => visited.bytes + stored * 12 + nextBytes + queue.reduce((a, c) => a + (c ? chunkBytes(c) : 0), 0)

  const progress = (): ExploreProgress => {
    const t = totals()
    const unique = visited.size
    let histogram = hist.slice()
    let maxDepth = hist.length
    let queueNow = 0
    if (opts.strategy === 'bfs') {
      const partial = unique - hist.reduce((a, b) => a + b, 0)
      if (partial > 0) histogram.push(partial)
      maxDepth = histogram.length
      queueNow = Math.max(0, levelStates - (t.processed - levelProcessedBase)) + nextStates
    } else {
      maxDepth = t.maxDepth
      histogram = mergeHist(dfsHist)
      histogram[0] = (histogram[0] ?? 0) + (hist[0] ?? 0)
      queueNow = opts.strategy === 'dfs' ? Math.max(0, unique - t.processed) : 0
    }
    return {
      elapsedMs: elapsedBase + performance.now() - start,
      generated: t.generated,
      unique,
      queue: queueNow,
      maxDepth,
      memoryBytes: memory(t.stored),
      depthHistogram: histogram,
      bytesPerState: unique > 0 ? memory(t.stored) / unique : 0,
      visitedBytes: visited.bytes,
    }
  }

  try {
    await Promise.race([Promise.all(ready), until(() => {})])
    if (opts.timeoutMs > 0) timer = setTimeout(() => Atomics.compareExchange(halt, H_CODE, 0, HALT_TIMEOUT), opts.timeoutMs)
    if (opts.onProgress) progressTimer = setInterval(() => opts.onProgress!(progress()), progressEvery)
    const settled = (): boolean[] => found.map((f) => f !== null)
    const onFailed = (f: FailureInfo): void => {
      failure ??= f
      Atomics.compareExchange(halt, H_CODE, 0, HALT_FAILED)
    }
    const haltCode = (): number => (Atomics.load(halt, H_STOP) !== 0 ? 1 : Atomics.load(halt, H_CODE))
    let stopReason: StopReason = 'complete'
    let cutByDepth = false

    if (opts.strategy === 'bfs') {
      let lastCheckpoint = performance.now()
      const violated = (): boolean => trackers.some((p, i) => p.kind === 'always' && found[i] !== null)
      while (queue.length > 0) {
        if (opts.stopOnViolation && violated()) {
          Atomics.compareExchange(halt, H_CODE, 0, HALT_VIOLATION)
        }
        if (haltCode() !== 0) break
        const probe = opts.maxDepth > 0 && hist.length >= opts.maxDepth
        const next: Chunk[] = []
        let unseen = false
        levelStates = queue.reduce((a, c) => a + c.n, 0)
        // A narrow level in full-size chunks would leave workers idle: cut it finer so each gets a share.
        if (W > 1 && levelStates < 4 * W * CHUNK_STATES) {
          const size = Math.max(64, Math.ceil(levelStates / (4 * W)))
          queue = queue.flatMap((c) => splitChunk(c, size))
        }
        levelProcessedBase = totals().processed
        nextStates = 0
        nextBytes = 0
        const current = queue
        let qi = 0
        let doneCount = 0
        const endSent = new Array<boolean>(W).fill(false)
        const levelSettled = settled()
        await until((wake) => {
          const feed = (w: number): void => {
            if (qi < current.length && haltCode() === 0) {
              const c = current[qi]
              current[qi++] = null as unknown as Chunk
              send(w, { t: 'chunk', chunk: c }, chunkBuffers(c))
            } else if (!endSent[w]) {
              endSent[w] = true
              send(w, { t: 'end' })
            }
          }
          for (let w = 0; w < W; w++) {
            handlers[w] = (m) => {
              if (m.t === 'need') feed(w)
              else if (m.t === 'out') {
                next.push(m.chunk)
                nextStates += m.chunk.n
                nextBytes += chunkBytes(m.chunk)
              } else if (m.t === 'level-done' || m.t === 'failed') {
                if (m.t === 'failed') onFailed(m.failure)
                else {
                  if (m.unseen) unseen = true
                  m.found.forEach((f, i) => {
                    if (f !== null && found[i] === null) found[i] = f
                  })
                }
                if (++doneCount === W) wake()
              }
            }
            send(w, { t: 'level', probe, settled: levelSettled })
          }
          for (let w = 0; w < W; w++) feed(w)
          for (let w = 0; w < W; w++) if (!endSent[w]) feed(w)
        })
        queue = []
        if (probe) {
          if (unseen) cutByDepth = true
          break
        }
        const added = next.reduce((a, c) => a + c.n, 0)
        if (haltCode() !== 0) {
          if (added > 0) hist.push(visited.size - hist.reduce((a, b) => a + b, 0))
          queue = next
          break
        }
        if (added > 0) hist.push(added)
        queue = next
        nextStates = 0
        nextBytes = 0
        if (opts.checkpoint && queue.length > 0 && performance.now() - lastCheckpoint >= opts.checkpoint.everyMs) {
          const cols = await collect(true)
          const t = totals()
          writeCheckpoint(opts.checkpoint.file, {
            meta: {
              version: 1,
              model: opts.model,
              params: opts.params,
              workers: W,
              hist,
              generated: t.generated,
              found,
              elapsedMs: elapsedBase + performance.now() - start,
            },
            visited: visited.snapshot(),
            cols,
            queue,
          })
          lastCheckpoint = performance.now()
          if (opts.testCrashAfterCheckpointDepth === hist.length) process.exit(75)
        }
      }
      const code = haltCode()
      if (code !== 0 && code !== HALT_FAILED) stopReason = STOP_REASONS[code]
      else if (cutByDepth) stopReason = 'depth'
    } else if (opts.strategy === 'dfs') {
      const idle = new Array<boolean>(W).fill(true)
      const waiting: number[] = []
      const shares: Chunk[] = queue
      queue = []
      dfsHist = new Array(W).fill(null).map(() => [])
      let outstanding = new Array<number>(W).fill(0)
      await until((wake) => {
        const give = (w: number, c: Chunk): void => {
          idle[w] = false
          outstanding[w]++
          send(w, { t: 'dfs', chunk: c, settled: settled() }, chunkBuffers(c))
        }
        const check = (): void => {
          if (idle.every((x) => x) && (shares.length === 0 || haltCode() !== 0)) wake()
        }
        const becameIdle = (w: number): void => {
          if (haltCode() === 0 && shares.length > 0) give(w, shares.shift()!)
          else {
            idle[w] = true
            if (haltCode() === 0) {
              waiting.push(w)
              Atomics.add(halt, H_HUNGRY, 1)
            }
            check()
          }
        }
        for (let w = 0; w < W; w++) {
          handlers[w] = (m) => {
            if (m.t === 'idle' || m.t === 'failed') {
              if (m.t === 'failed') {
                onFailed(m.failure)
                outstanding[w] = 0
              } else {
                outstanding[w]--
                dfsHist[w] = m.hist
                if (m.cutByDepth) cutByDepth = true
                m.found.forEach((f, i) => {
                  if (f !== null && found[i] === null) found[i] = f
                })
                if (opts.stopOnViolation && trackers.some((p, i) => p.kind === 'always' && found[i] !== null)) {
                  Atomics.compareExchange(halt, H_CODE, 0, HALT_VIOLATION)
                }
              }
              if (outstanding[w] <= 0) becameIdle(w)
            } else if (m.t === 'share') {
              const wi = waiting.shift()
              if (wi !== undefined) give(wi, m.chunk)
              else shares.push(m.chunk)
            }
          }
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
      const merged = mergeHist(dfsHist)
      merged[0] = (merged[0] ?? 0) + (hist[0] ?? 0) // roots were stored by the coordinator
      hist.length = 0
      hist.push(...merged)
      const code = haltCode()
      if (code !== 0 && code !== HALT_FAILED) stopReason = STOP_REASONS[code]
      else if (cutByDepth) stopReason = 'depth'
    } else {
      const perWorker: (SimFinding | null)[][] = []
      let doneCount = 0
      await until((wake) => {
        for (let w = 0; w < W; w++) {
          handlers[w] = (m) => {
            if (m.t === 'sim-done' || m.t === 'failed') {
              if (m.t === 'failed') onFailed(m.failure)
              else perWorker.push(m.found)
              if (++doneCount === W) wake()
            }
          }
          send(w, { t: 'sim', settled: found.map((f) => f !== null) })
        }
      })
      simFound = trackers.map((_, p) => {
        let best: SimFinding | null = null
        for (const f of perWorker) if (f[p] && (best === null || f[p]!.walk < best.walk)) best = f[p]
        return best
      })
      const code = haltCode()
      if (code !== 0 && code !== HALT_FAILED) stopReason = STOP_REASONS[code]
      if (opts.stopOnViolation && simFound.some((f, p) => f !== null && trackers[p].kind === 'always')) stopReason = 'violation'
      const t = totals()
      hist.length = 0
      if (t.maxDepth > 0) hist.push(...new Array(t.maxDepth).fill(0))
    }

    if (timer) clearTimeout(timer)
    if (progressTimer) clearInterval(progressTimer)
    const cols = await collect(false)
    const t = totals()
    const unique = visited.size
    const parentOf = (id: number): [number, number] => {
      const w = id % W
      const local = (id - w) / W
      return [cols[w].parents[local], cols[w].via[local]]
    }
    const replayTo = (id: number): TraceStep[] => replayPath(model, modelName, pathTo(id, parentOf), visited)

    if (failure) {
      const f: FailureInfo = failure
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
      fail(`${f.phase}${act} threw${where}: ${f.message}`, trace)
    }

    const complete = stopReason === 'complete' && opts.strategy !== 'sim'
    const properties: PropertyResult[] = []
    const livenessProps = model.properties.filter((p) => p.kind === 'eventually' || p.kind === 'converges')
    const live = complete && livenessProps.length > 0 ? checkLiveness(model, modelName) : null
    for (const p of model.properties) {
      const base = { name: p.name, kind: p.kind, description: p.description }
      if (p.kind === 'eventually' || p.kind === 'converges') {
        const r = live?.get(p.name)
        properties.push(r ?? { ...base, status: 'unknown' })
        continue
      }
      const i = trackers.indexOf(p as Property<unknown>)
      const always = p.kind === 'always'
      if (opts.strategy === 'sim') {
        const f = simFound[i]
        if (f) properties.push({ ...base, status: always ? 'violated' : 'holds', trace: replayActions(model, modelName, f.init, f.actions, visited) })
        else properties.push({ ...base, status: 'unknown' })
        continue
      }
      if (found[i] !== null) {
        properties.push({ ...base, status: always ? 'violated' : 'holds', trace: replayTo(found[i]!) })
      } else if (!complete) properties.push({ ...base, status: 'unknown' })
      else properties.push({ ...base, status: always ? 'holds' : 'violated' })
    }
    if (opts.checkpoint && !opts.checkpoint.keep && stopReason !== 'stopped') deleteCheckpoint(opts.checkpoint.file)
    const mem = memory(t.stored)
    return {
      unique,
      generated: t.generated,
      maxDepth: opts.strategy === 'sim' ? t.maxDepth : hist.length,
      elapsedMs: elapsedBase + performance.now() - start,
      complete,
      stopReason,
      depthHistogram: hist,
      memoryBytes: mem,
      bytesPerState: unique > 0 ? mem / unique : 0,
      visitedBytes: visited.bytes,
      collisionProbability: collisionProbability(unique),
      workers: W,
      strategy: opts.strategy,
      properties,
    }
  } finally {
    finished = true
    if (timer) clearTimeout(timer)
    if (progressTimer) clearInterval(progressTimer)
    // Asked to leave, an explorer closes its port and its thread ends.
    await Promise.all(slots.map((s) => endThread(s.worker, s.exited, () => s.worker.postMessage({ t: 'exit' } satisfies ToExplorer))))
  }

  async function collect(copy: boolean): Promise<Cols[]> {
    const cols: Cols[] = new Array(W)
    let got = 0
    await until((wake) => {
      for (let w = 0; w < W; w++) {
        handlers[w] = (m) => {
          if (m.t === 'columns') {
            cols[w] = { parents: m.parents, via: m.via }
            if (++got === W) wake()
          }
        }
        send(w, { t: copy ? 'snapshot' : 'collect' })
      }
    })
    return cols
  }
}

function msg(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function mergeHist(hs: number[][]): number[] {
  const out: number[] = []
  for (const h of hs) h.forEach((n, i) => (out[i] = (out[i] ?? 0) + (n ?? 0)))
  for (let i = 0; i < out.length; i++) out[i] ??= 0
  return out
}

function splitChunk(c: Chunk, size: number): Chunk[] {
  if (c.n <= size) return [c]
  const out: Chunk[] = []
  for (let s = 0; s < c.n; s += size) {
    const w = new ChunkWriter(Math.min(size, c.n - s))
    for (let k = s; k < Math.min(c.n, s + size); k++) w.push(c.ids[k], c.depths[k], c.data.subarray(c.offs[k], c.offs[k + 1]))
    out.push(w.take())
  }
  return out
}

function mergeChunks(cs: Chunk[]): Chunk {
  const w = new ChunkWriter(Math.max(1, cs.reduce((a, c) => a + c.n, 0)))
  for (const c of cs) for (let k = 0; k < c.n; k++) w.push(c.ids[k], c.depths[k], c.data.subarray(c.offs[k], c.offs[k + 1]))
  return w.take()
}

/** The root index and the action indices leading to state `id`. */
function pathTo(id: number, parentOf: (id: number) => [number, number]): { init: number; actions: number[] } {
  const actions: number[] = []
  let cur = id
  while (cur >= 0) {
    const [p, a] = parentOf(cur)
    actions.push(a)
    cur = p
  }
  actions.reverse()
  return { init: -cur - 2, actions }
}

function replayPath(
  model: Model<unknown, unknown>,
  name: string,
  path: { init: number; actions: number[] },
  visited: SharedVisited,
): TraceStep[] {
  return replayActions(model, name, path.init, path.actions, visited)
}
