// One replica: document + durable log + peer mesh + the etcd-compatible gRPC services and the
// Replication extension service, all on 127.0.0.1.
import { randomBytes } from 'node:crypto'
import * as grpc from '@grpc/grpc-js'
import { StoreDocument, type KvEntry, type StoreEvent, type Tx, type Unit } from './document.ts'
import { GrpcServer, RpcError, refuse, streaming, unary, type DuplexCall, type Handler, type Msg } from './grpc-server.ts'
import { ChangeLog, encodeUnit, loadIdentity, readLog, type Identity } from './log.ts'
import { PeerMesh } from './peer.ts'
import { loadProtos, protoService, PROTO_DIR } from './protos.ts'
import { DEFAULT_MAX_REQUEST_BYTES, stableId, type LinkSpec, type Relation, type ReplicaConfig, type ReplicaStatus } from './types.ts'

const invalid = (m: string): RpcError => new RpcError(grpc.status.INVALID_ARGUMENT, m)
const LEASE_NOT_FOUND = 'etcdserver: requested lease not found'
const EMPTY = Buffer.alloc(0)

function latin1(b: Buffer | Uint8Array | undefined): string {
  return b ? Buffer.from(b).toString('latin1') : ''
}

function rangeTest(key: string, end: string): (k: string) => boolean {
  if (end === '') return (k) => k === key
  if (end === '\0') return (k) => k >= key
  return (k) => k >= key && k < end
}

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0
}

interface HistoryEntry {
  rev: number
  events: StoreEvent[]
}

type Subscriber = (rev: number, events: StoreEvent[]) => void

export class Replica {
  readonly config: ReplicaConfig
  readonly identity: Identity
  readonly memberId: string
  readonly clusterId: string
  /** Replaced only when a failed log append rolls memory back to what is on disk (fence). */
  doc: StoreDocument
  readonly log: ChangeLog
  readonly mesh: PeerMesh
  private server: GrpcServer | null = null
  /**
   * Heads after the last unit whose log append completed: appends complete in log order, so this is the durable
   * state — what this replica has acknowledged and may show a client (peers catch up with it: PeerMesh.catchUp).
   */
  private ackedHeads: string[]
  /** Hashes of local changes applied but not yet durable (kept out of sync messages: PeerMesh.syncTo). */
  private readonly undurable = new Set<string>()
  private readonly history: HistoryEntry[] = []
  private readonly subscribers = new Set<Subscriber>()
  private leaseTimer: NodeJS.Timeout | null = null
  private readonly maxHistory = 20_000
  writes = 0

  constructor(config: ReplicaConfig) {
    this.config = config
    this.memberId = stableId(`${config.clusterToken}/${config.name}`)
    this.clusterId = stableId(config.clusterToken)
    this.identity = loadIdentity(config.dataDir, config.name, this.memberId)
    this.log = new ChangeLog(config.dataDir)
    const units = this.log.open()
    // A fresh actor on every start (see Identity.actor): a sequence number is never reused.
    this.doc = StoreDocument.restore(freshActor(), units)
    this.ackedHeads = this.doc.heads()
    this.mesh = new PeerMesh(config.name, config.members, config.links ?? {}, this.doc, (u) => this.persistRemote(u), () => this.ackedHeads, () => this.undurable)
  }

  async start(protoDir = PROTO_DIR): Promise<void> {
    // A replica that cannot write its log takes no part in replication: what it cannot persist it must not hold.
    if (this.log.failure) this.fence()
    else await this.mesh.listen(this.config.peerPort)
    const server = new GrpcServer({ maxMessageBytes: this.config.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES, http2: this.config.http2 ?? 'raw' })
    addServices(server, this, loadProtos(protoDir))
    await this.mesh.connected(1000)
    await server.listen('127.0.0.1', this.config.clientPort)
    this.server = server
    this.leaseTimer = setInterval(() => this.expireLeases(), 250)
    this.leaseTimer.unref()
  }

  async stop(): Promise<void> {
    if (this.leaseTimer) clearInterval(this.leaseTimer)
    const server = this.server
    if (server) await server.close()
    await this.mesh.close()
    await (this.log.barrier() ?? Promise.resolve())
    this.log.close()
  }

  /** A response header; a write's answer carries the write's own revision, as etcd's does (lock recipes use it). */
  header(rev = this.doc.rev): Msg {
    return { cluster_id: this.clusterId, member_id: this.memberId, revision: rev, raft_term: 1, heads: this.doc.heads() }
  }

  /**
   * Session order for a client that spreads its requests over the replicas: first hold what every reachable
   * peer has acknowledged (PeerMesh.catchUp), then serve. Under a partition a replica serves what it has.
   */
  caughtUp(): Promise<void> | null {
    return this.mesh.catchUp()
  }

  /** Wait until nothing written so far is still in flight to disk (reads never see undurable data). */
  async readBarrier(): Promise<void> {
    const b = this.log.barrier()
    if (b) await b
  }

  private queue: { fn: (tx: Tx) => void; resolve: (rev: number) => void; reject: (e: unknown) => void }[] = []
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

  /**
   * A local write: queued, and applied together with every other write that arrived in the meantime —
   * the whole batch is ONE Automerge change and shares the log's group commit (fdatasync). Each write
   * still gets its own revision. Resolves with its revision once its batch is durable
   * and its events are published; `fn` runs at apply time, so checks inside it see the state left by
   * the writes before it.
   */
  write(fn: (tx: Tx) => void): Promise<number> {
    if (this.log.failure) return Promise.reject(new RpcError(grpc.status.UNAVAILABLE, this.log.failure.message))
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
      if (this.log.failure) {
        const err = new RpcError(grpc.status.UNAVAILABLE, this.log.failure.message)
        for (const it of items) it.reject(err)
        continue
      }
      let batch: ReturnType<StoreDocument['writeBatch']>
      try {
        batch = this.doc.writeBatch(items.map((it) => it.fn))
      } catch (e) {
        for (const it of items) it.reject(e)
        continue
      }
      const { unit, results } = batch
      this.outstanding++
      const done = (): void => {
        results.forEach((r, i) => {
          if ('error' in r) items[i].reject(r.error)
          else {
            this.publishEvents(r.rev, r.events)
            items[i].resolve(r.rev)
          }
        })
        this.outstanding--
        this.kick()
      }
      if (unit) {
        this.writes += unit.revs
        for (const h of unit.hashes) this.undurable.add(h)
        const settled = (): void => {
          for (const h of unit.hashes) this.undurable.delete(h)
        }
        this.log.append(encodeUnit(unit)).then(
          () => {
            settled()
            this.ackedHeads = unit.heads
            this.mesh.push(unit)
            done()
          },
          (e: Error) => {
            settled()
            this.fence()
            const err = new RpcError(grpc.status.UNAVAILABLE, e.message)
            results.forEach((r, i) => items[i].reject('error' in r ? r.error : err))
            this.outstanding--
            this.kick()
          },
        )
      } else (this.log.barrier() ?? Promise.resolve()).then(done, done)
    }
  }

  private persistRemote(unit: Unit): void {
    this.log.append(encodeUnit(unit), true).then(
      () => {
        this.ackedHeads = unit.heads
        this.publish(unit)
      },
      (e: Error) => {
        this.fence()
        process.stderr.write(`${this.config.name}: could not persist peer changes: ${e.message}\n`)
      },
    )
  }

  private fenced = false

  /**
   * The log failed: writes answered UNAVAILABLE must not stay applied. Runs before the event loop turns again
   * (a rejected append's callback), so no peer has been sent what failed: leave the mesh, and roll memory back
   * to the records an fdatasync has confirmed. Reads keep working on that state; writes are refused.
   */
  private fence(): void {
    if (this.fenced) return
    this.fenced = true
    void this.mesh.close()
    try {
      this.doc = StoreDocument.restore(freshActor(), readLog(this.log.file, this.log.durableBytes).units)
    } catch (e) {
      process.stderr.write(`${this.config.name}: could not reload ${this.log.file}: ${(e as Error).message}\n`)
    }
  }

  private publish(unit: Unit): void {
    this.publishEvents(unit.rev, unit.events)
  }

  private publishEvents(rev: number, events: StoreEvent[]): void {
    if (events.length === 0) return
    this.history.push({ rev, events })
    if (this.history.length > this.maxHistory * 2) this.history.splice(0, this.history.length - this.maxHistory)
    for (const s of this.subscribers) s(rev, events)
  }

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s)
    return () => this.subscribers.delete(s)
  }

  /** Events with revision >= rev, or null when they are no longer retained (the compacted revision). */
  eventsSince(rev: number): { entries: HistoryEntry[] } | { compacted: number } {
    const oldest = this.history.length > 0 ? this.history[0].rev : this.doc.rev + 1
    const floor = Math.max(this.doc.startRev, oldest - 1)
    if (rev <= floor && this.doc.startRev > 1) return { compacted: floor + 1 }
    return { entries: this.history.filter((h) => h.rev >= rev) }
  }

  setLink(peer: string, link: LinkSpec): void {
    this.mesh.setLink(peer, link)
  }

  status(): ReplicaStatus {
    return {
      name: this.config.name, memberId: this.memberId, clientPort: this.config.clientPort, peerPort: this.config.peerPort,
      pid: process.pid, revision: this.doc.rev, heads: this.doc.heads(), keys: this.doc.kv.size, changes: this.doc.rev - 1,
      storageError: this.log.failure?.message ?? null, peers: this.mesh.status(),
    }
  }

  // ---- key-value operations ----

  private entriesIn(key: string, end: string): KvEntry[] {
    if (end === '') {
      const e = this.doc.kv.get(key)
      return e ? [e] : []
    }
    const keys = this.doc.sortedKeys()
    let lo = 0
    let hi = keys.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (keys[mid] < key) lo = mid + 1
      else hi = mid
    }
    const out: KvEntry[] = []
    for (let i = lo; i < keys.length; i++) {
      const k = keys[i]
      if (end !== '\0' && k >= end) break
      const e = this.doc.kv.get(k)
      if (e) out.push(e)
    }
    return out
  }

  toKv(e: KvEntry, keysOnly = false): Msg {
    return { key: Buffer.from(e.key, 'latin1'), create_revision: e.create, mod_revision: e.mod, version: e.version, value: keysOnly ? EMPTY : e.value, lease: e.lease }
  }

  range(req: Msg): Msg {
    this.checkRecipe(req, 'range')
    const key = latin1(req.key)
    const end = latin1(req.range_end)
    if (key === '') throw invalid('etcdserver: key is not provided')
    const revision = Number(req.revision ?? 0)
    const heads: string[] = req.heads ?? []
    let entries: KvEntry[]
    if (heads.length > 0) {
      for (const h of heads) if (!/^[0-9a-f]{64}$/.test(h)) throw invalid(`stabilis: "${h}" is not a change hash (64 hex digits)`)
      const missing = heads.filter((h) => !this.doc.has(h))
      if (missing.length > 0) throw new RpcError(grpc.status.FAILED_PRECONDITION, `stabilis: this replica does not hold heads ${missing.join(', ')} (yet)`)
      entries = this.doc.readAt(heads, rangeTest(key, end))
    } else if (revision > 0 && revision < this.doc.rev) {
      entries = this.doc.readAt(this.doc.headsAtRevision(revision), rangeTest(key, end))
    } else if (revision > this.doc.rev) {
      throw new RpcError(grpc.status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision')
    } else entries = this.entriesIn(key, end)
    const minMod = Number(req.min_mod_revision ?? 0)
    const maxMod = Number(req.max_mod_revision ?? 0)
    const minCreate = Number(req.min_create_revision ?? 0)
    const maxCreate = Number(req.max_create_revision ?? 0)
    if (minMod || maxMod || minCreate || maxCreate) {
      entries = entries.filter((e) => (!minMod || e.mod >= minMod) && (!maxMod || e.mod <= maxMod) && (!minCreate || e.create >= minCreate) && (!maxCreate || e.create <= maxCreate))
    }
    const order = String(req.sort_order ?? 'NONE')
    const target = String(req.sort_target ?? 'KEY')
    if (order !== 'NONE' || target !== 'KEY') {
      const by: (a: KvEntry, b: KvEntry) => number =
        target === 'VERSION' ? (a, b) => cmpNum(a.version, b.version)
          : target === 'CREATE' ? (a, b) => cmpNum(a.create, b.create)
            : target === 'MOD' ? (a, b) => cmpNum(a.mod, b.mod)
              : target === 'VALUE' ? (a, b) => Buffer.compare(a.value, b.value)
                : (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
      entries = entries.slice().sort(order === 'DESCEND' ? (a, b) => by(b, a) : by)
    }
    const count = entries.length
    const limit = Number(req.limit ?? 0)
    if (limit < 0) throw invalid('etcdserver: limit must not be negative')
    const more = limit > 0 && count > limit
    if (limit > 0) entries = entries.slice(0, limit)
    const kvs = req.count_only ? [] : entries.map((e) => this.toKv(e, req.keys_only === true))
    return { header: this.header(), kvs, more, count }
  }

  private checkPut(req: Msg): void {
    if (latin1(req.key) === '') throw invalid('etcdserver: key is not provided')
    const lease = String(req.lease ?? '0')
    if (lease !== '0' && !req.ignore_lease && !this.doc.leases.has(lease)) throw new RpcError(grpc.status.NOT_FOUND, LEASE_NOT_FOUND)
    if ((req.ignore_value || req.ignore_lease) && !this.doc.kv.has(latin1(req.key))) throw invalid('etcdserver: key not found')
    if (req.ignore_value && req.value && req.value.length > 0) throw invalid('etcdserver: value is provided')
  }

  private applyPut(tx: Tx, req: Msg): void {
    tx.put(latin1(req.key), req.ignore_value ? null : Buffer.from(req.value ?? EMPTY), req.ignore_lease ? null : String(req.lease ?? '0'))
  }

  private checkDelete(req: Msg): string[] {
    const key = latin1(req.key)
    if (key === '') throw invalid('etcdserver: key is not provided')
    return this.entriesIn(key, latin1(req.range_end)).map((e) => e.key)
  }

  async put(req: Msg): Promise<Msg> {
    this.checkPut(req)
    let prev: KvEntry | undefined
    const rev = await this.write((tx) => {
      this.checkPut(req)
      prev = this.doc.kv.get(latin1(req.key))
      this.applyPut(tx, req)
    })
    return { header: this.header(rev), prev_kv: req.prev_kv && prev ? this.toKv(prev) : null }
  }

  async deleteRange(req: Msg): Promise<Msg> {
    let keys = this.checkDelete(req)
    let prev: KvEntry[] = []
    const rev = await this.write((tx) => {
      keys = this.checkDelete(req)
      prev = keys.map((k) => this.doc.kv.get(k)).filter((e): e is KvEntry => e !== undefined)
      for (const k of keys) tx.del(k)
    })
    return { header: this.header(rev), deleted: keys.length, prev_kvs: req.prev_kv ? prev.map((e) => this.toKv(e)) : [] }
  }

  private compare(c: Msg): boolean {
    const key = latin1(c.key)
    const end = latin1(c.range_end)
    const entries = end === '' ? [this.doc.kv.get(key) ?? null] : this.entriesIn(key, end)
    const target = String(c.target)
    const result = String(c.result)
    const test = (e: KvEntry | null): boolean => {
      let d: number
      if (target === 'VALUE') {
        if (!e) return false
        d = Buffer.compare(e.value, Buffer.from(c.value ?? EMPTY))
      } else if (target === 'VERSION') d = cmpNum(e?.version ?? 0, Number(c.version ?? 0))
      else if (target === 'CREATE') d = cmpNum(e?.create ?? 0, Number(c.create_revision ?? 0))
      else if (target === 'MOD') d = cmpNum(e?.mod ?? 0, Number(c.mod_revision ?? 0))
      else if (target === 'LEASE') {
        const a = BigInt(e?.lease ?? '0')
        const b = BigInt(c.lease ?? '0')
        d = a < b ? -1 : a > b ? 1 : 0
      } else throw invalid(`etcdserver: unknown compare target ${target}`)
      return result === 'EQUAL' ? d === 0 : result === 'GREATER' ? d > 0 : result === 'LESS' ? d < 0 : d !== 0
    }
    return entries.every(test)
  }

  /** Txn: compares and reads see the state before the transaction; all writes form one change. */
  /**
   * etcd's lock and election recipes (clientv3/concurrency) order contenders by create revision: a Txn
   * comparing a key's CREATE revision, a Range sorted by or bounded on create revision. Their mutual exclusion
   * needs one serial order of every contender's writes, which replicas that merge concurrent writes do not
   * have (both sides of a partition would grant the lock). So in a cluster of more than one replica these
   * requests are served only by the replica named `recipesHome`, whose own writes are serial; every other
   * replica refuses them with FAILED_PRECONDITION saying where to go.
   */
  checkRecipe(req: Msg, kind: 'txn' | 'range'): void {
    const members = this.config.members.length
    if (members <= 1 || this.config.allowRecipes || this.config.recipesHome === this.config.name || !isRecipe(req, kind)) return
    const home = this.config.members.find((m) => m.name === this.config.recipesHome)
    const where = home
      ? `send them to the recipes home, replica ${home.name} (only its endpoint: --endpoints=127.0.0.1:${home.clientPort})`
      : 'start the store with --recipes-home NAME and send them to that replica only (etcdctl --endpoints=ONE)'
    throw new RpcError(grpc.status.FAILED_PRECONDITION, `stabilis store: lock and election recipes (a create-revision compare or order) need a linearizable store, and these ${members} replicas merge concurrent writes (two clients could both hold a lock); ${where}. See docs/store.md, "Locks, elections and leases"`)
  }

  async txn(req: Msg): Promise<Msg> {
    this.checkRecipe(req, 'txn')
    type Plan = { kind: 'range'; resp: Msg } | { kind: 'put'; req: Msg; prev: KvEntry | undefined } | { kind: 'del'; req: Msg; keys: string[]; prev: KvEntry[] } | { kind: 'txn'; succeeded: boolean; plans: Plan[] }
    const seen = new Set<string>()
    const plan = (r: Msg): { succeeded: boolean; plans: Plan[] } => {
      const succeeded = (r.compare ?? []).every((c: Msg) => this.compare(c))
      const ops: Msg[] = (succeeded ? r.success : r.failure) ?? []
      const plans: Plan[] = ops.map((op): Plan => {
        if (op.request_range) return { kind: 'range', resp: this.range(op.request_range) }
        if (op.request_put) {
          this.checkPut(op.request_put)
          const k = latin1(op.request_put.key)
          if (seen.has(k)) throw invalid('etcdserver: duplicate key given in txn request')
          seen.add(k)
          return { kind: 'put', req: op.request_put, prev: this.doc.kv.get(k) }
        }
        if (op.request_delete_range) {
          const keys = this.checkDelete(op.request_delete_range)
          for (const k of keys) {
            if (seen.has(k)) throw invalid('etcdserver: duplicate key given in txn request')
            seen.add(k)
          }
          return { kind: 'del', req: op.request_delete_range, keys, prev: keys.map((k) => this.doc.kv.get(k)).filter((e): e is KvEntry => !!e) }
        }
        if (op.request_txn) return { kind: 'txn', ...plan(op.request_txn) }
        throw invalid('etcdserver: empty request op in txn')
      })
      return { succeeded, plans }
    }
    let top: { succeeded: boolean; plans: Plan[] } = { succeeded: false, plans: [] }
    const apply = (tx: Tx, plans: Plan[]): void => {
      for (const p of plans) {
        if (p.kind === 'put') this.applyPut(tx, p.req)
        else if (p.kind === 'del') for (const k of p.keys) tx.del(k)
        else if (p.kind === 'txn') apply(tx, p.plans)
      }
    }
    // Compares, reads and checks run at apply time, inside the write batch: the txn is atomic with respect
    // to the writes batched before and after it.
    const rev = await this.write((tx) => {
      seen.clear()
      top = plan(req)
      apply(tx, top.plans)
    })
    const respond = (t: { succeeded: boolean; plans: Plan[] }): Msg => ({
      header: this.header(rev),
      succeeded: t.succeeded,
      responses: t.plans.map((p) =>
        p.kind === 'range' ? { response_range: p.resp }
          : p.kind === 'put' ? { response_put: { header: this.header(rev), prev_kv: p.req.prev_kv && p.prev ? this.toKv(p.prev) : null } }
            : p.kind === 'del' ? { response_delete_range: { header: this.header(rev), deleted: p.keys.length, prev_kvs: p.req.prev_kv ? p.prev.map((e) => this.toKv(e)) : [] } }
              : { response_txn: respond(p) }),
    })
    return respond(top)
  }

  // ---- leases ----

  async leaseGrant(req: Msg): Promise<Msg> {
    const ttl = Math.max(1, Number(req.TTL ?? 0))
    if (ttl > 9_000_000_000) throw new RpcError(grpc.status.OUT_OF_RANGE, 'etcdserver: too large lease TTL')
    let id = String(req.ID ?? '0')
    if (id === '0') id = (BigInt('0x' + randomBytes(8).toString('hex')) & 0x3fffffffffffffffn | 1n).toString()
    else if (BigInt(id) < 0n) throw invalid('etcdserver: lease ID must be positive')
    if (this.doc.leases.has(id)) throw new RpcError(grpc.status.FAILED_PRECONDITION, 'etcdserver: lease already exists')
    const rev = await this.write((tx) => {
      if (this.doc.leases.has(id)) throw new RpcError(grpc.status.FAILED_PRECONDITION, 'etcdserver: lease already exists')
      tx.putLease({ id, ttl, exp: Date.now() + ttl * 1000, owner: this.memberId })
    })
    return { header: this.header(rev), ID: id, TTL: ttl, error: '' }
  }

  async leaseRevoke(req: Msg): Promise<Msg> {
    const id = String(req.ID ?? '0')
    if (!this.doc.leases.has(id)) throw new RpcError(grpc.status.NOT_FOUND, LEASE_NOT_FOUND)
    return { header: this.header(await this.revoke(id)) }
  }

  private revoke(id: string): Promise<number> {
    return this.write((tx) => {
      const keys = [...this.doc.kv.values()].filter((e) => e.lease === id).map((e) => e.key)
      for (const k of keys) tx.del(k)
      tx.delLease(id)
    })
  }

  async keepAlive(idText: string): Promise<Msg> {
    const id = String(idText)
    const lease = this.doc.leases.get(id)
    if (!lease) return { header: this.header(), ID: id, TTL: 0 }
    const rev = await this.write((tx) => {
      const cur = this.doc.leases.get(id)
      if (cur) tx.putLease({ ...cur, exp: Date.now() + cur.ttl * 1000, owner: this.memberId })
    })
    return { header: this.header(rev), ID: id, TTL: lease.ttl }
  }

  async timeToLive(req: Msg): Promise<Msg> {
    await this.readBarrier()
    const id = String(req.ID ?? '0')
    const lease = this.doc.leases.get(id)
    if (!lease) return { header: this.header(), ID: id, TTL: -1, grantedTTL: 0, keys: [] }
    const ttl = Math.max(0, Math.ceil((lease.exp - Date.now()) / 1000))
    const keys = req.keys ? [...this.doc.kv.values()].filter((e) => e.lease === id).map((e) => Buffer.from(e.key, 'latin1')) : []
    return { header: this.header(), ID: id, TTL: ttl, grantedTTL: lease.ttl, keys }
  }

  private expiring = false
  /** The replica that last granted or refreshed a lease expires it; any replica does 5 s later (owner down). */
  private expireLeases(): void {
    if (this.expiring || this.log.failure) return
    const now = Date.now()
    const due = [...this.doc.leases.values()].filter((l) => (l.owner === this.memberId ? l.exp <= now : l.exp + 5000 <= now))
    if (due.length === 0) return
    this.expiring = true
    ;(async () => {
      for (const l of due) if (this.doc.leases.has(l.id)) await this.revoke(l.id)
    })().catch((e: Error) => process.stderr.write(`lease expiry failed: ${e.message}\n`)).finally(() => { this.expiring = false })
  }

  // ---- extension service ----

  relation(heads: string[] | null, target: string[]): Relation {
    if (!heads) return 'unknown'
    const o = this.doc.compare(heads, target)
    if (o === 'equal') return 'equal'
    if (o === 'after') return 'ahead'
    if (o === 'before') return 'behind'
    if (o === 'concurrent') return 'concurrent'
    // Some of `target` is unknown here. If `heads` is within the known part, the holder is behind.
    if (heads.every((h) => this.doc.has(h))) {
      const known = target.filter((h) => this.doc.has(h))
      if (known.length > 0 && this.doc.leq(heads, known) === true) return 'behind'
      if (known.length === 0 && heads.length === 0) return 'behind'
    }
    return 'unknown'
  }

  replicationStatus(heads: string[]): Msg {
    const own = this.doc.heads()
    const replicas: Msg[] = [{
      member_id: this.memberId, name: this.config.name, self: true, connected: true, heads: own,
      held: heads.every((h) => this.doc.has(h)), relation: this.relation(own, heads).toUpperCase(),
    }]
    for (const m of this.config.members) {
      if (m.name === this.config.name) continue
      const theirs = this.mesh.peerHeads(m.name)
      const held = theirs !== null && heads.every((h) => this.doc.has(h)) && theirs.every((h) => this.doc.has(h)) && this.doc.leq(heads, theirs) === true
      replicas.push({
        member_id: stableId(`${this.config.clusterToken}/${m.name}`), name: m.name, self: false, connected: this.mesh.isConnected(m.name),
        heads: theirs ?? [], held, relation: this.relation(theirs, heads).toUpperCase(),
      })
    }
    return { header: this.header(), replicas }
  }

  members(): Msg[] {
    return this.config.members.map((m) => ({
      ID: stableId(`${this.config.clusterToken}/${m.name}`), name: m.name, peerURLs: [`http://127.0.0.1:${m.peerPort}`],
      clientURLs: [`http://127.0.0.1:${m.clientPort}`], isLearner: false,
    }))
  }
}

/** A request of etcd's lock / election recipes (see Replica.checkRecipe); nested txns and ranges included. */
function isRecipe(req: Msg, kind: 'txn' | 'range'): boolean {
  if (kind === 'range') return String(req.sort_target ?? 'KEY') === 'CREATE' || Number(req.max_create_revision ?? 0) > 0
  if ((req.compare ?? []).some((c: Msg) => String(c.target) === 'CREATE')) return true
  return [...(req.success ?? []), ...(req.failure ?? [])].some((op: Msg) => (op.request_range && isRecipe(op.request_range, 'range')) || (op.request_txn && isRecipe(op.request_txn, 'txn')))
}

/** A unary handler served in session order: after the replica has caught up with its peers (when it has any to ask). */
function inSession(r: Replica, fn: (req: Msg) => Msg | Promise<Msg>): Handler {
  return unary((req) => {
    const c = r.caughtUp()
    return c ? c.then(() => fn(req)) : fn(req)
  })
}

function freshActor(): string {
  return randomBytes(16).toString('hex')
}

function unsupported(service: string, method: string, why: string): Handler {
  return refuse(new RpcError(grpc.status.UNIMPLEMENTED, `stabilis store: ${service}.${method} is not supported (${why})`))
}

const serviceOf = (pkg: grpc.GrpcObject, name: string): grpc.ServiceDefinition => protoService(pkg, name).service

function addServices(server: GrpcServer, r: Replica, pkg: grpc.GrpcObject): void {
  server.addService(serviceOf(pkg, 'etcdserverpb.KV'), {
    Range: inSession(r, async (req) => {
      await r.readBarrier()
      return r.range(req)
    }),
    Put: inSession(r, (req) => r.put(req)),
    DeleteRange: inSession(r, (req) => r.deleteRange(req)),
    Txn: inSession(r, (req) => r.txn(req)),
    Compact: unary((req) => {
      const rev = Number(req.revision ?? 0)
      if (rev > r.doc.rev) throw new RpcError(grpc.status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision')
      // History is the CRDT's own and is kept; compaction is accepted and does nothing.
      return { header: r.header() }
    }),
  })

  server.addService(serviceOf(pkg, 'etcdserverpb.Watch'), {
    Watch: streaming((call) => watchStream(r, call)),
  })

  server.addService(serviceOf(pkg, 'etcdserverpb.Lease'), {
    LeaseGrant: inSession(r, (req) => r.leaseGrant(req)),
    LeaseRevoke: inSession(r, (req) => r.leaseRevoke(req)),
    LeaseKeepAlive: streaming((call) => {
      let chain = Promise.resolve()
      call.on('data', (req: Msg) => {
        chain = chain.then(() => r.keepAlive(String(req.ID ?? '0'))).then(
          (resp) => call.write(resp),
          (e: unknown) => call.fail(e),
        )
      })
      call.on('end', () => { chain.then(() => call.end(), () => {}) })
    }),
    LeaseTimeToLive: inSession(r, (req) => r.timeToLive(req)),
    LeaseLeases: inSession(r, async () => {
      await r.readBarrier()
      return { header: r.header(), leases: [...r.doc.leases.keys()].map((ID) => ({ ID })) }
    }),
  })

  const fixed = 'membership is fixed when the replicas start; the lab supervisor adds and removes replicas'
  server.addService(serviceOf(pkg, 'etcdserverpb.Cluster'), {
    MemberAdd: unsupported('Cluster', 'MemberAdd', fixed),
    MemberRemove: unsupported('Cluster', 'MemberRemove', fixed),
    MemberUpdate: unsupported('Cluster', 'MemberUpdate', fixed),
    MemberPromote: unsupported('Cluster', 'MemberPromote', 'there are no raft learners'),
    MemberList: unary(() => ({ header: r.header(), members: r.members() })),
  })

  server.addService(serviceOf(pkg, 'etcdserverpb.Maintenance'), {
    Alarm: unary((req) => {
      if (req.action && req.action !== 'GET') throw new RpcError(grpc.status.UNIMPLEMENTED, 'stabilis store: Maintenance.Alarm supports only GET')
      return { header: r.header(), alarms: r.log.failure ? [{ memberID: r.memberId, alarm: 'NOSPACE' }] : [] }
    }),
    Status: unary(() => {
      const size = r.log.size()
      return {
        header: r.header(), version: '3.5.0', dbSize: size, leader: r.memberId, raftIndex: r.doc.rev, raftTerm: 1,
        raftAppliedIndex: r.doc.rev, errors: r.log.failure ? [r.log.failure.message] : [], dbSizeInUse: size, isLearner: false,
      }
    }),
    Defragment: unsupported('Maintenance', 'Defragment', 'the store keeps an append-only change log'),
    Hash: unsupported('Maintenance', 'Hash', 'compare heads with the Replication service instead'),
    HashKV: unsupported('Maintenance', 'HashKV', 'compare heads with the Replication service instead'),
    Snapshot: unsupported('Maintenance', 'Snapshot', 'copy the replica data folder instead'),
    MoveLeader: unsupported('Maintenance', 'MoveLeader', 'there is no leader: replicas merge with a CRDT'),
    Downgrade: unsupported('Maintenance', 'Downgrade', 'there is one protocol version'),
  })

  const authMethods = ['AuthEnable', 'AuthDisable', 'AuthStatus', 'Authenticate', 'UserAdd', 'UserGet', 'UserList', 'UserDelete', 'UserChangePassword',
    'UserGrantRole', 'UserRevokeRole', 'RoleAdd', 'RoleGet', 'RoleList', 'RoleDelete', 'RoleGrantPermission', 'RoleRevokePermission']
  server.addService(serviceOf(pkg, 'etcdserverpb.Auth'), Object.fromEntries(authMethods.map((m) => [m, unsupported('Auth', m, 'authentication is not implemented; the store listens on 127.0.0.1 only')])))

  server.addService(serviceOf(pkg, 'stabilis.store.v1.Replication'), {
    ReplicationStatus: unary(async (req) => {
      await r.readBarrier()
      return r.replicationStatus(req.heads ?? [])
    }),
    Compare: unary(async (req) => {
      await r.readBarrier()
      const o = r.doc.compare(req.heads_a ?? [], req.heads_b ?? [])
      const order = o === 'equal' ? 'ORDER_EQUAL' : o === 'before' ? 'BEFORE' : o === 'after' ? 'AFTER' : o === 'concurrent' ? 'ORDER_CONCURRENT' : 'ORDER_UNKNOWN'
      return { header: r.header(), order }
    }),
    Conflicts: unary(async (req) => {
      await r.readBarrier()
      return { header: r.header(), conflicts: r.doc.conflicts(latin1(req.key)) }
    }),
  })
}

function watchStream(r: Replica, call: DuplexCall): void {
  interface W { id: string; test: (k: string) => boolean; prevKv: boolean; noPut: boolean; noDelete: boolean; active: boolean }
  const watchers = new Map<string, W>()
  let nextId = 0
  const send = (m: Msg): void => call.write(m)
  const toEvent = (w: W, e: StoreEvent): Msg => ({
    type: e.type,
    kv: e.type === 'PUT' ? r.toKv(e.kv) : { key: Buffer.from(e.kv.key, 'latin1'), mod_revision: e.kv.mod },
    prev_kv: w.prevKv && e.prev ? r.toKv(e.prev) : null,
  })
  const deliver = (w: W, rev: number, events: StoreEvent[]): void => {
    if (!w.active) return
    const mine = events.filter((e) => w.test(e.kv.key) && !(e.type === 'PUT' && w.noPut) && !(e.type === 'DELETE' && w.noDelete))
    if (mine.length === 0) return
    send({ header: { ...r.header(), revision: rev }, watch_id: w.id, events: mine.map((e) => toEvent(w, e)) })
  }
  const unsubscribe = r.subscribe((rev, events) => {
    for (const w of watchers.values()) deliver(w, rev, events)
  })
  call.on('data', (req: Msg) => {
    if (req.create_request) {
      const c = req.create_request
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
      const w: W = { id, test: rangeTest(key, latin1(c.range_end)), prevKv: c.prev_kv === true, noPut: filters.includes('NOPUT'), noDelete: filters.includes('NODELETE'), active: false }
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
    } else if (req.cancel_request) {
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
