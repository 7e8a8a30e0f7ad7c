// etcd's Watch: the replica's recent events (a bounded history, for watches that start at a past revision) and one
// bidirectional stream per client carrying any number of watchers (create, cancel, progress).
import type { StoreDocument, StoreEvent } from './document.ts'
import type { DuplexCall, Msg } from './grpc-server.ts'
import { latin1, rangeTest, toKv } from './kv.ts'
import type { Replica } from './replica.ts'

export interface HistoryEntry {
  rev: number
  events: StoreEvent[]
}

export type Subscriber = (rev: number, events: StoreEvent[]) => void

export class WatchHistory {
  private readonly history: HistoryEntry[] = []
  private readonly subscribers = new Set<Subscriber>()
  private readonly maxHistory = 20_000

  publish(rev: number, events: StoreEvent[]): void {
    if (events.length === 0) return
    this.history.push({ rev, events })
    if (this.history.length > this.maxHistory * 2) this.history.splice(0, this.history.length - this.maxHistory)
    for (const s of this.subscribers) s(rev, events)
  }

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s)
    return () => this.subscribers.delete(s)
  }

  /** Events with revision >= rev, or the compacted revision when they are no longer retained. */
  since(doc: StoreDocument, rev: number): { entries: HistoryEntry[] } | { compacted: number } {
    const oldest = this.history.length > 0 ? this.history[0].rev : doc.rev + 1
    const floor = Math.max(doc.startRev, oldest - 1)
    if (rev <= floor && doc.startRev > 1) return { compacted: floor + 1 }
    return { entries: this.history.filter((h) => h.rev >= rev) }
  }
}

interface Watcher {
  id: string
  test: (k: string) => boolean
  prevKv: boolean
  noPut: boolean
  noDelete: boolean
  active: boolean
}

function toEvent(w: Watcher, e: StoreEvent): Msg {
  return {
    type: e.type,
    kv: e.type === 'PUT' ? toKv(e.kv) : { key: Buffer.from(e.kv.key, 'latin1'), mod_revision: e.kv.mod },
    prev_kv: w.prevKv && e.prev ? toKv(e.prev) : null,
  }
}

export function watchStream(r: Replica, call: DuplexCall): void {
  const watchers = new Map<string, Watcher>()
  let nextId = 0
  const send = (m: Msg): void => call.write(m)
  const deliver = (w: Watcher, rev: number, events: StoreEvent[]): void => {
    if (!w.active) return
    const mine = events.filter((e) => w.test(e.kv.key) && !(e.type === 'PUT' && w.noPut) && !(e.type === 'DELETE' && w.noDelete))
    if (mine.length === 0) return
    send({ header: { ...r.header(), revision: rev }, watch_id: w.id, events: mine.map((e) => toEvent(w, e)) })
  }
  const unsubscribe = r.subscribe((rev, events) => {
    for (const w of watchers.values()) deliver(w, rev, events)
  })
  const create = (c: Msg): void => {
    const key = latin1(c.key)
    let id = String(c.watch_id ?? '0')
    if (id === '0') {
      while (watchers.has(String(nextId))) nextId++
      id = String(nextId++)
    } else if (watchers.has(id)) {
      send({ header: r.header(), watch_id: id, created: true, canceled: true, cancel_reason: 'etcdserver: duplicate watch ID' })
      return
    }
    if (key === '') {
      send({ header: r.header(), watch_id: id, created: true, canceled: true, cancel_reason: 'etcdserver: key is not provided' })
      return
    }
    const filters: string[] = (c.filters ?? []).map(String)
    const w: Watcher = { id, test: rangeTest(key, latin1(c.range_end)), prevKv: c.prev_kv === true, noPut: filters.includes('NOPUT'), noDelete: filters.includes('NODELETE'), active: false }
    const start = Number(c.start_revision ?? 0)
    if (start > 0 && start <= r.doc.rev) {
      const past = r.eventsSince(start)
      if ('compacted' in past) {
        send({ header: r.header(), watch_id: id, created: true })
        send({ header: r.header(), watch_id: id, canceled: true, compact_revision: past.compacted, cancel_reason: 'etcdserver: mvcc: required revision has been compacted' })
        return
      }
      watchers.set(id, w)
      send({ header: r.header(), watch_id: id, created: true })
      w.active = true
      for (const h of past.entries) deliver(w, h.rev, h.events)
      return
    }
    watchers.set(id, w)
    w.active = true
    send({ header: r.header(), watch_id: id, created: true })
  }
  call.on('data', (req: Msg) => {
    if (req.create_request) create(req.create_request)
    else if (req.cancel_request) {
      const id = String(req.cancel_request.watch_id ?? '0')
      const w = watchers.get(id)
      if (w) w.active = false
      watchers.delete(id)
      send({ header: r.header(), watch_id: id, canceled: true })
    } else if (req.progress_request) {
      send({ header: r.header(), watch_id: '-1' })
    }
  })
  const done = (): void => {
    unsubscribe()
    watchers.clear()
  }
  call.on('end', () => {
    done()
    call.end()
  })
  call.on('close', done)
}
