// The etcd v3 calls live mode makes, on one gRPC channel per endpoint: Range, Txn and a prefix Watch. The same
// client talks to Debian's etcd and to this project's store (wire-compatible), so the controllers' runtime does not
// know which one it is attached to.
import * as grpc from '@grpc/grpc-js'
import { createStoreClient, type Msg, type StoreClient } from '../lab/store/client.ts'
import { loadProtos, protoService } from '../store/protos.ts'

export interface KeyValue {
  key: string
  value: Buffer
  createRevision: number
  modRevision: number
}

export interface WatchEvent {
  type: 'PUT' | 'DELETE'
  kv: KeyValue
}

export interface WatchHandle {
  cancel(): void
}

let protos: grpc.GrpcObject | null = null

/** End of a prefix range: the prefix with its last byte incremented (etcd's convention). */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix)
  b[b.length - 1]++
  return b
}

function toKv(m: Msg): KeyValue {
  return { key: Buffer.from(m.key).toString(), value: Buffer.from(m.value ?? []), createRevision: Number(m.create_revision), modRevision: Number(m.mod_revision) }
}

export class EtcdClient {
  readonly endpoint: string
  private readonly kv: StoreClient
  private readonly watchClient: grpc.Client

  constructor(endpoint: string, deadlineMs = 3000) {
    this.endpoint = endpoint
    this.kv = createStoreClient(endpoint, deadlineMs)
    protos = protos ?? loadProtos()
    this.watchClient = new (protoService(protos, 'etcdserverpb.Watch'))(endpoint, grpc.credentials.createInsecure())
  }

  /** Every key under `prefix` and the store's revision at the read. */
  async list(prefix: string, serializable = false): Promise<{ rev: number; kvs: KeyValue[] }> {
    const r = await this.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix), serializable })
    return { rev: Number(r.header.revision), kvs: (r.kvs ?? []).map(toKv) }
  }

  async get(key: string): Promise<{ rev: number; kv: KeyValue | undefined }> {
    const r = await this.kv.range({ key: Buffer.from(key) })
    return { rev: Number(r.header.revision), kv: r.kvs?.[0] ? toKv(r.kvs[0]) : undefined }
  }

  /** One compare on `key` (CREATE or MOD revision equal to `revision`), then a put of `value` or a delete. */
  async txn(key: string, target: 'CREATE' | 'MOD', revision: number, value: Buffer | null): Promise<{ ok: boolean; rev: number }> {
    const k = Buffer.from(key)
    const compare = target === 'CREATE' ? { target, result: 'EQUAL', key: k, create_revision: String(revision) } : { target, result: 'EQUAL', key: k, mod_revision: String(revision) }
    const op = value === null ? { request_delete_range: { key: k } } : { request_put: { key: k, value } }
    const r = await this.kv.txn({ compare: [compare], success: [op], failure: [] })
    return { ok: Boolean(r.succeeded), rev: Number(r.header.revision) }
  }

  async put(key: string, value: Buffer): Promise<number> {
    const r = await this.kv.put({ key: Buffer.from(key), value })
    return Number(r.header.revision)
  }

  /**
   * Watches every key under `prefix` from `startRevision`. `onEvents` gets each response's events with the revision
   * of its header; `onEnd` is called once when the stream fails or is closed by the server.
   */
  watch(prefix: string, startRevision: number, onEvents: (events: WatchEvent[], rev: number) => void, onEnd: (why: string) => void): WatchHandle {
    const call = (this.watchClient as unknown as { Watch: () => grpc.ClientDuplexStream<Msg, Msg> }).Watch()
    let ended = false
    const end = (why: string): void => {
      if (ended) return
      ended = true
      onEnd(why)
    }
    call.on('data', (m: Msg) => {
      if (m.canceled) return end(m.cancel_reason || 'watch cancelled by the server')
      const events: WatchEvent[] = (m.events ?? []).map((e: Msg) => ({ type: e.type === 'DELETE' ? 'DELETE' : 'PUT', kv: toKv(e.kv) }))
      if (events.length > 0) onEvents(events, Number(m.header?.revision ?? 0))
    })
    call.on('error', (e: Error) => end(e.message))
    call.on('end', () => end('watch stream ended'))
    call.write({ create_request: { key: Buffer.from(prefix), range_end: prefixEnd(prefix), start_revision: String(startRevision) } })
    return {
      cancel() {
        ended = true
        call.cancel()
      },
    }
  }

  close(): void {
    this.kv.close()
    this.watchClient.close()
  }
}
