// A replica's local writes, from request to durable answer: queued, applied in batches (ONE Automerge change per
// batch, sharing the log's group commit), answered once their batch is on disk; and peers' changes persisted as they
// arrive. What is applied but not yet durable is kept out of sync messages and out of what clients are shown.
import * as grpc from '@grpc/grpc-js'
import type { StoreDocument, StoreEvent, Tx, Unit } from './document.ts'
import { RpcError } from './grpc-server.ts'
import { encodeUnit, type ChangeLog } from './log.ts'

export interface PipelineHost {
  /** The current document (replaced when the replica fences). */
  doc(): StoreDocument
  readonly log: ChangeLog
  /** A durable local unit, for the peers. */
  pushToPeers(unit: Unit): void
  /** Events of a durable write, for watchers. */
  publish(rev: number, events: StoreEvent[]): void
  /** The log failed: stop replicating and roll memory back to what is on disk. */
  fence(): void
  readonly name: string
}

interface Queued {
  fn: (tx: Tx) => void
  resolve: (rev: number) => void
  reject: (e: unknown) => void
}

type BatchResult = ReturnType<StoreDocument['writeBatch']>['results'][number]

export class WritePipeline {
  private readonly host: PipelineHost
  /**
   * Heads after the last unit whose log append completed: appends complete in log order, so this is the durable
   * state — what this replica has acknowledged and may show a client (peers catch up with it: PeerMesh.catchUp).
   */
  ackedHeads: string[]
  /** Hashes of local changes applied but not yet durable (kept out of sync messages: PeerMesh.syncTo). */
  readonly undurable = new Set<string>()
  /** Revisions written locally. */
  writes = 0
  private queue: Queued[] = []
  /** Batches applied to the document whose log append has not completed yet. */
  private outstanding = 0
  private kickScheduled = false
  /**
   * At most this many batches in flight to the log (the next one is applied while earlier ones sync), of at
   * most `maxBatch` writes each. Bounded batches keep a pipeline: with one batch of everything in flight, all
   * answers went back in one burst and the clients and this replica took turns instead of overlapping
   * (measured at 64 puts in flight: ~4.2k ops/s with 2 unbounded batches, ~6k with 4 of ≤32).
   */
  private readonly maxOutstanding = 4
  private readonly maxBatch = 32

  constructor(host: PipelineHost, ackedHeads: string[]) {
    this.host = host
    this.ackedHeads = ackedHeads
  }

  /**
   * A local write: queued, and applied together with every other write that arrived in the meantime — the whole
   * batch is ONE Automerge change and shares the log's group commit (fdatasync). Each write still gets its own
   * revision. Resolves with its revision once its batch is durable and its events are published; `fn` runs at
   * apply time, so checks inside it see the state left by the writes before it.
   */
  write(fn: (tx: Tx) => void): Promise<number> {
    const failure = this.host.log.failure
    if (failure) return Promise.reject(new RpcError(grpc.status.UNAVAILABLE, failure.message))
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ fn, resolve, reject })
      this.kick()
    })
  }

  private kick(): void {
    if (this.kickScheduled || this.outstanding >= this.maxOutstanding || this.queue.length === 0) return
    this.kickScheduled = true
    setImmediate(() => {
      this.kickScheduled = false
      this.drain()
    })
  }

  private drain(): void {
    while (this.queue.length > 0 && this.outstanding < this.maxOutstanding) {
      const items = this.queue.splice(0, this.maxBatch)
      const failure = this.host.log.failure
      if (failure) {
        const err = new RpcError(grpc.status.UNAVAILABLE, failure.message)
        for (const it of items) it.reject(err)
        continue
      }
      let batch: ReturnType<StoreDocument['writeBatch']>
      try {
        batch = this.host.doc().writeBatch(items.map((it) => it.fn))
      } catch (e) {
        for (const it of items) it.reject(e)
        continue
      }
      this.outstanding++
      if (batch.unit) this.persist(batch.unit, items, batch.results)
      else (this.host.log.barrier() ?? Promise.resolve()).then(() => this.answer(items, batch.results), () => this.answer(items, batch.results))
    }
  }

  /** Each write of a settled batch gets its answer: its revision (events published first) or its own error. */
  private answer(items: Queued[], results: BatchResult[]): void {
    results.forEach((r, i) => {
      if ('error' in r) items[i].reject(r.error)
      else {
        this.host.publish(r.rev, r.events)
        items[i].resolve(r.rev)
      }
    })
    this.outstanding--
    this.kick()
  }

  /** Appends a batch's unit to the log; once durable it is acknowledged, sent to peers and answered. */
  private persist(unit: Unit, items: Queued[], results: BatchResult[]): void {
    this.writes += unit.revs
    for (const h of unit.hashes) this.undurable.add(h)
    const settled = (): void => {
      for (const h of unit.hashes) this.undurable.delete(h)
    }
    this.host.log.append(encodeUnit(unit)).then(
      () => {
        settled()
        this.ackedHeads = unit.heads
        this.host.pushToPeers(unit)
        this.answer(items, results)
      },
      (e: Error) => {
        settled()
        this.host.fence()
        const err = new RpcError(grpc.status.UNAVAILABLE, e.message)
        results.forEach((r, i) => items[i].reject('error' in r ? r.error : err))
        this.outstanding--
        this.kick()
      },
    )
  }

  /** A unit of changes from a peer: persisted, then acknowledged and published. */
  persistRemote(unit: Unit): void {
    this.host.log.append(encodeUnit(unit), true).then(
      () => {
        this.ackedHeads = unit.heads
        this.host.publish(unit.rev, unit.events)
      },
      (e: Error) => {
        this.host.fence()
        process.stderr.write(`${this.host.name}: could not persist peer changes: ${e.message}\n`)
      },
    )
  }
}
