// One replica: document + durable log + peer mesh, serving the etcd-compatible gRPC services and the Replication
// extension service on 127.0.0.1. The semantics live beside it — kv.ts, txn.ts, lease.ts, watch.ts — the write path
// in write-pipeline.ts and the services' routes in routes.ts; this class holds the state they share and its
// lifecycle. Its process entry is replica-main.ts.
import { randomBytes } from 'node:crypto'
import { StoreDocument, type StoreEvent, type Tx } from './document.ts'
import { GrpcServer, type Msg } from './grpc-server.ts'
import { LeaseExpiry } from './lease.ts'
import { ChangeLog, loadIdentity, readLog, type Identity } from './log.ts'
import { PeerMesh } from './peer.ts'
import { loadProtos, PROTO_DIR } from './protos.ts'
import { addServices } from './routes.ts'
import { DEFAULT_MAX_REQUEST_BYTES, stableId, type LinkSpec, type Relation, type ReplicaConfig, type ReplicaStatus } from './types.ts'
import { WatchHistory, type HistoryEntry, type Subscriber } from './watch.ts'
import { WritePipeline } from './write-pipeline.ts'

function freshActor(): string {
  return randomBytes(16).toString('hex')
}

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
  private readonly pipeline: WritePipeline
  private readonly history = new WatchHistory()
  private readonly leases = new LeaseExpiry(this)
  private leaseTimer: NodeJS.Timeout | null = null
  private fenced = false

  constructor(config: ReplicaConfig) {
    this.config = config
    this.memberId = stableId(`${config.clusterToken}/${config.name}`)
    this.clusterId = stableId(config.clusterToken)
    this.identity = loadIdentity(config.dataDir, config.name, this.memberId)
    this.log = new ChangeLog(config.dataDir)
    const units = this.log.open()
    // A fresh actor on every start (see Identity.actor): a sequence number is never reused.
    this.doc = StoreDocument.restore(freshActor(), units)
    this.pipeline = new WritePipeline({
      doc: () => this.doc,
      log: this.log,
      pushToPeers: (unit) => this.mesh.push(unit),
      publish: (rev: number, events: StoreEvent[]) => this.history.publish(rev, events),
      fence: () => this.fence(),
      name: config.name,
    }, this.doc.heads())
    this.mesh = new PeerMesh(config.name, config.members, config.links ?? {}, this.doc, (u) => this.pipeline.persistRemote(u), () => this.pipeline.ackedHeads, () => this.pipeline.undurable)
  }

  /** Revisions written locally. */
  get writes(): number {
    return this.pipeline.writes
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
    this.leaseTimer = setInterval(() => this.leases.tick(), 250)
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

  /** A local write through the pipeline (write-pipeline.ts): resolves with its revision once durable. */
  write(fn: (tx: Tx) => void): Promise<number> {
    return this.pipeline.write(fn)
  }

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

  subscribe(s: Subscriber): () => void {
    return this.history.subscribe(s)
  }

  /** Events with revision >= rev, or the compacted revision when they are no longer retained. */
  eventsSince(rev: number): { entries: HistoryEntry[] } | { compacted: number } {
    return this.history.since(this.doc, rev)
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

  // ---- the Replication extension service and Cluster.MemberList ----

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
