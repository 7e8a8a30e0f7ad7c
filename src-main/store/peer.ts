// Peer sync: the Automerge sync protocol between replicas over loopback TCP, full mesh, through a link
// layer the lab controls per directed link (cut, delay, drop rate).
//
// Each replica dials every peer; that outbound connection carries this replica's messages to the peer
// (so the link i→j is the connection i dialled). Inbound connections only deliver the peer's messages.
// Frames: u32 length (of type + payload), u8 type, payload. Types: 1 hello (sender's name),
// 2 Automerge sync message, 3 reset (the sender restarted its sync state: restart ours too), 4 changes
// pushed eagerly (u32 h, h × 32-byte sender heads, u32 n, n × (u32 len, change bytes)), 5 a sync message that
// asks for an answer, 6 heads request (u32 id), 7 heads answer (u32 id, h × 32-byte heads).
//
// Session order (catchUp): before a replica serves a client request it asks every peer it can reach for the
// heads that peer has acknowledged (durable; answered at once), and waits until it holds them. A client that spreads its
// requests over the replicas then reads its own writes and never reads older state than it has seen, while
// the replicas can reach each other. A peer that does not answer within CATCH_UP_MS is skipped until it is
// heard from again, so a partition costs one such wait per peer and the replica stays available.
//
// A replica pushes each durable local unit (one Automerge change per group-commit batch) straight to
// every peer; the sync protocol runs on connect, on a tick and after a heal, and repairs whatever a push
// missed (a cut or lossy link, a restart). Changes whose dependencies are missing wait inside Automerge.
import { connect, createServer, type Server, type Socket } from 'node:net'
import * as A from '@automerge/automerge'
import { headsOfSyncMessage, newSyncState, type StoreDocument, type Unit } from './document.ts'
import { withoutChanges } from './sync-filter.ts'
import { OPEN_LINK, type LinkSpec, type MemberSpec, type PeerStatus, type Relation } from './types.ts'

const HELLO = 1
const SYNC = 2
const RESET = 3
const CHANGES = 4
/**
 * Local changes that become durable within this window go to the peers in one frame. Each frame costs every
 * peer a socket read, an applyChanges call and a share of an fdatasync; on two cores shared by three
 * replicas and the load generator, fewer frames mean more puts. 3 replicas, 64 puts in flight, systems taking
 * turns (7 rounds): 50 ms gave 7,460 puts/s at 141 µs of CPU per put against 6,715 at 170 µs with 10 ms (and
 * 10 ms had beaten 2 ms: 442 against 491 µs per put). Peers see a write up to 50 ms later; reads on the
 * replica that took it, and its acknowledgement, are not delayed.
 */
const PUSH_DELAY_MS = 50
/** A sync message sent during the sender's sync session: the receiver must answer. */
const SYNC_REQ = 5
const HEADS_REQ = 6
const HEADS = 7
/** How long a catch-up waits for a peer's heads, and then for the changes behind them. */
export const CATCH_UP_MS = 500
/** A sync session ends when it has run this long (the next one starts on a later tick if still needed). */
const SESSION_MAX_MS = 3000
/** Without a session, start one when heads differ and the last one began this long ago. */
const SESSION_EVERY_MS = 1000
const RETRY_MS = 200
const TICK_MS = 500
const STALL_MS = 1000

interface Peer {
  name: string
  port: number
  out: Socket | null
  outConnected: boolean
  inbound: Set<Socket>
  sync: unknown
  theirHeads: string[] | null
  link: LinkSpec
  lastProgress: number
  /** Our sync session with this peer: started at, and our heads then (it ends once the peer holds them). */
  session: { started: number; target: string[] } | null
  lastSession: number
  /** theirHeads as seen at the previous tick (a peer whose heads do not move is quiet). */
  headsAtTick: string
  retry: NodeJS.Timeout | null
  /** Did not answer a heads request in time: skipped by catch-ups until any frame arrives from it. */
  silent: boolean
}

function frame(type: number, payload: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(5 + payload.length)
  b.writeUInt32BE(payload.length + 1, 0)
  b[4] = type
  b.set(payload, 5)
  return b
}

/** Largest peer frame: a first sync of a large history goes in one Automerge sync message. */
export const MAX_PEER_FRAME = 256 * 1024 * 1024
/** Inbound connections kept per peer name. */
const MAX_INBOUND_PER_PEER = 3
/** Largest frame before a connection has said which member it is (a HELLO is a name). */
const MAX_HELLO_FRAME = 1024

/**
 * Splits a byte stream into frames. A frame's length is checked against `maxLength()` from its first four
 * bytes, and its chunks are kept in a list and joined once (joining on every chunk cost quadratic time on a
 * frame of hundreds of megabytes).
 */
export function framer(onFrame: (type: number, payload: Buffer) => void, maxLength: () => number = () => MAX_PEER_FRAME): (chunk: Buffer) => void {
  let chunks: Buffer[] = []
  let have = 0
  let need = -1
  return (chunk) => {
    chunks.push(chunk)
    have += chunk.length
    for (;;) {
      if (need < 0) {
        if (have < 4) return
        const head = chunks[0].length >= 4 ? chunks[0] : Buffer.concat(chunks)
        const len = head.readUInt32BE(0)
        const max = maxLength()
        if (len === 0 || len > max) throw new Error(`bad peer frame length ${len} (1..${max})`)
        need = 4 + len
      }
      if (have < need) return
      const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
      const type = all[4]
      const payload = all.subarray(5, need)
      const rest = all.subarray(need)
      chunks = rest.length > 0 ? [rest] : []
      have = rest.length
      need = -1
      onFrame(type, payload)
    }
  }
}

const NONE: ReadonlySet<string> = new Set()

/** A CHANGES frame's payload (see decodeChanges). */
export function encodeChanges(heads: string[], changes: Uint8Array[]): Buffer {
  let size = 8 + heads.length * 32
  for (const c of changes) size += 4 + c.length
  const b = Buffer.allocUnsafe(size)
  let off = 0
  b.writeUInt32BE(heads.length, off)
  off += 4
  for (const h of heads) off += b.write(h, off, 'hex')
  b.writeUInt32BE(changes.length, off)
  off += 4
  for (const c of changes) {
    b.writeUInt32BE(c.length, off)
    off += 4
    b.set(c, off)
    off += c.length
  }
  return b
}

/** A CHANGES frame's payload: u32 h, h × 32-byte heads, u32 n, n × (u32 len, change). Counts and lengths are checked against the payload. */
export function decodeChanges(payload: Buffer): { heads: string[]; changes: Uint8Array[] } {
  const bad = (why: string): Error => new Error(`bad CHANGES frame of ${payload.length} bytes: ${why}`)
  if (payload.length < 8) throw bad('shorter than its two counts')
  let off = 0
  const nh = payload.readUInt32BE(off)
  off += 4
  if (nh > (payload.length - 8) / 32) throw bad(`${nh} heads do not fit`)
  const heads: string[] = []
  for (let i = 0; i < nh; i++, off += 32) heads.push(payload.subarray(off, off + 32).toString('hex'))
  const n = payload.readUInt32BE(off)
  off += 4
  if (n > (payload.length - off) / 4) throw bad(`${n} changes do not fit`)
  const changes: Uint8Array[] = []
  for (let i = 0; i < n; i++) {
    if (off + 4 > payload.length) throw bad(`change ${i} has no length`)
    const len = payload.readUInt32BE(off)
    off += 4
    if (len > payload.length - off) throw bad(`change ${i} of ${len} bytes runs past the end`)
    changes.push(new Uint8Array(payload.buffer, payload.byteOffset + off, len).slice())
    off += len
  }
  if (off !== payload.length) throw bad(`${payload.length - off} bytes after the last change`)
  return { heads, changes }
}

export class PeerMesh {
  private readonly peers = new Map<string, Peer>()
  private server: Server | null = null
  private tick: NodeJS.Timeout | null = null
  private closing = false
  private readonly doc: StoreDocument
  private readonly self: string
  private readonly onUnit: (unit: Unit) => void
  messagesIn = 0
  messagesOut = 0

  /** The heads of everything this replica has made durable (what it has acknowledged or may show a client). */
  private readonly ackedHeads: () => string[]
  /** Hashes of local changes applied here whose log append has not completed: never sent to a peer. */
  private readonly undurable: () => ReadonlySet<string>

  constructor(
    self: string, members: MemberSpec[], links: Record<string, LinkSpec>, doc: StoreDocument, onUnit: (unit: Unit) => void,
    ackedHeads: () => string[] = () => doc.heads(), undurable: () => ReadonlySet<string> = () => NONE,
  ) {
    this.self = self
    this.doc = doc
    this.ackedHeads = ackedHeads
    this.undurable = undurable
    this.onUnit = (unit) => {
      onUnit(unit)
      this.checkWaiters()
    }
    for (const m of members) {
      if (m.name === self) continue
      this.peers.set(m.name, {
        name: m.name, port: m.peerPort, out: null, outConnected: false, inbound: new Set(), sync: newSyncState(),
        theirHeads: null, link: { ...OPEN_LINK, ...(links[m.name] ?? {}) }, lastProgress: Date.now(), retry: null,
        session: null, lastSession: 0, headsAtTick: '', silent: false,
      })
    }
  }

  async listen(port: number): Promise<void> {
    const server = createServer((socket) => this.accept(socket))
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', (e) => process.stderr.write(`peer listener: ${e.message}\n`))
    for (const p of this.peers.values()) this.dial(p)
    this.tick = setInterval(() => this.onTick(), TICK_MS)
    this.tick.unref()
  }

  private dial(p: Peer): void {
    if (this.closing) return
    const socket = connect({ host: '127.0.0.1', port: p.port })
    socket.setNoDelay(true)
    p.out = socket
    socket.on('connect', () => {
      p.outConnected = true
      socket.write(frame(HELLO, Buffer.from(this.self, 'utf8')))
      this.restart(p, true)
    })
    socket.on('data', () => {
      /* the outbound connection carries our messages only */
    })
    socket.on('error', () => {
      /* a dead peer: close follows, and we retry */
    })
    socket.on('close', () => {
      p.outConnected = false
      if (p.out === socket) p.out = null
      if (!this.closing && !p.retry) {
        p.retry = setTimeout(() => {
          p.retry = null
          this.dial(p)
        }, RETRY_MS)
      }
    })
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true)
    let peer: Peer | null = null
    const onData = framer((type, payload) => {
      if (type === HELLO) {
        peer = this.peers.get(payload.toString('utf8')) ?? null
        if (!peer) {
          socket.destroy()
          return
        }
        // A peer holds one live inbound connection (a few while reconnecting): the oldest goes, so connections
        // claiming one name cannot pile up frame buffers.
        if (peer.inbound.size >= MAX_INBOUND_PER_PEER) {
          const oldest = peer.inbound.values().next().value as Socket
          peer.inbound.delete(oldest)
          oldest.destroy()
        }
        peer.inbound.add(socket)
        // The peer (re)connected: it may have restarted and forgotten what it had told us.
        this.restart(peer, false)
        return
      }
      if (!peer) return
      peer.silent = false
      if (type === SYNC || type === SYNC_REQ) this.receive(peer, payload, type === SYNC_REQ)
      else if (type === HEADS_REQ) this.answerHeads(peer, payload)
      else if (type === HEADS) this.headsAnswered(peer, payload)
      else if (type === CHANGES) this.receiveChanges(peer, payload)
      else if (type === RESET) this.restart(peer, false)
    }, () => (peer ? MAX_PEER_FRAME : MAX_HELLO_FRAME))
    socket.on('data', (chunk: Buffer) => {
      try {
        onData(chunk)
      } catch (e) {
        process.stderr.write(`peer ${peer?.name ?? '?'}: ${(e as Error).message}\n`)
        socket.destroy()
      }
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      if (peer) peer.inbound.delete(socket)
    })
  }

  private receive(p: Peer, msg: Buffer, answer: boolean): void {
    this.messagesIn++
    p.lastProgress = Date.now()
    const heads = headsOfSyncMessage(msg)
    if (heads) p.theirHeads = heads
    let unit: Unit | null = null
    try {
      unit = this.doc.applyRemote(() => this.doc.am.receiveSyncMessage(p.sync, new Uint8Array(msg)))
    } catch (e) {
      process.stderr.write(`sync from ${p.name} failed: ${(e as Error).message}; restarting sync\n`)
      this.restart(p, true)
      return
    }
    if (unit) this.onUnit(unit)
    this.checkSession(p)
    // Answer while either side runs a session; otherwise the exchange ends here.
    if (answer || p.session) this.syncTo(p)
  }

  /** End our session once the peer reports holding everything we had when it began. */
  private checkSession(p: Peer): void {
    const s = p.session
    if (!s) return
    if (Date.now() - s.started > SESSION_MAX_MS) p.session = null
    else if (p.theirHeads && (s.target.length === 0 || this.doc.leq(s.target, p.theirHeads) === true)) p.session = null
  }

  private startSession(p: Peer): void {
    const now = Date.now()
    p.session = { started: now, target: this.doc.heads() }
    p.lastSession = now
    this.syncTo(p)
  }

  private receiveChanges(p: Peer, payload: Buffer): void {
    this.messagesIn++
    p.lastProgress = Date.now()
    const { heads, changes } = decodeChanges(payload)
    p.theirHeads = heads.sort()
    // Applied together with whatever else arrives in this turn of the event loop: applyChanges has a
    // sizeable fixed cost per call.
    for (const c of changes) this.inbox.push(c)
    this.inboxFrom.add(p)
    if (!this.inboxScheduled) {
      this.inboxScheduled = true
      setImmediate(() => this.applyInbox())
    }
  }

  private inbox: Uint8Array[] = []
  private inboxFrom = new Set<Peer>()
  private inboxScheduled = false

  private applyInbox(): void {
    this.inboxScheduled = false
    const changes = this.inbox
    const from = this.inboxFrom
    this.inbox = []
    this.inboxFrom = new Set()
    if (changes.length === 0 || this.closing) return
    let unit: Unit | null = null
    try {
      unit = this.doc.applyRemote(() => this.doc.am.applyChanges(changes), changes)
    } catch (e) {
      process.stderr.write(`changes from ${[...from].map((p) => p.name).join(', ')} failed: ${(e as Error).message}; restarting sync\n`)
      for (const p of from) this.restart(p, true)
      return
    }
    if (unit) this.onUnit(unit)
    // A pushed change whose dependencies never arrived (a lost push, a partial partition): pull by sync.
    if ((this.doc.am.getMissingDeps() as string[]).length > 0) for (const p of from) if (!p.session) this.startSession(p)
  }

  // ---- session order ----

  private round: Promise<void> | null = null
  private nextRound: Promise<void> | null = null
  private requestId = 0
  private readonly asked = new Map<string, (heads: string[] | null) => void>()
  private waiters: { hashes: string[]; resolve: () => void }[] = []

  private reachable(p: Peer): boolean {
    return p.outConnected && p.inbound.size > 0 && !p.link.cut && !p.silent
  }

  /**
   * Resolves once this replica holds what every reachable peer had acknowledged when it was asked; null when
   * no peer is reachable (nothing to wait for). Requests arriving while a round is under way share the next one.
   */
  catchUp(): Promise<void> | null {
    if (this.closing) return null
    if (this.round) {
      this.nextRound = this.nextRound ?? this.round.then(() => {
        this.nextRound = null
        return this.catchUp() ?? undefined
      })
      return this.nextRound
    }
    const peers = [...this.peers.values()].filter((p) => this.reachable(p))
    if (peers.length === 0) return null
    const round = this.runRound(peers).finally(() => {
      this.round = null
    })
    this.round = round
    return round
  }

  private async runRound(peers: Peer[]): Promise<void> {
    const answers = await Promise.all(peers.map((p) => this.askHeads(p)))
    const missing = new Set<string>()
    answers.forEach((heads, i) => {
      if (!heads) return
      const lacking = heads.filter((h) => !this.doc.has(h))
      for (const h of lacking) missing.add(h)
      // The changes are usually on their way already (the peer pushes before it answers); pull if not.
      if (lacking.length > 0 && !peers[i].session) setTimeout(() => this.pullIfMissing(peers[i], lacking), 20)
    })
    if (missing.size === 0) return
    await new Promise<void>((resolve) => {
      const w = { hashes: [...missing], resolve }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w)
        resolve()
      }, CATCH_UP_MS)
      w.resolve = () => {
        clearTimeout(timer)
        resolve()
      }
      this.waiters.push(w)
    })
  }

  /**
   * Resolves once every peer is connected both ways, or after `ms` (peers that are down). A restarted replica
   * waits for this before it serves, so its first requests catch up with its peers too.
   */
  async connected(ms: number): Promise<void> {
    const deadline = Date.now() + ms
    while (!this.closing && Date.now() < deadline && [...this.peers.values()].some((p) => !p.link.cut && !(p.outConnected && p.inbound.size > 0))) {
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  private pullIfMissing(p: Peer, hashes: string[]): void {
    if (!this.closing && !p.session && hashes.some((h) => !this.doc.has(h))) this.startSession(p)
  }

  private checkWaiters(): void {
    if (this.waiters.length === 0) return
    const still: typeof this.waiters = []
    for (const w of this.waiters) {
      if (w.hashes.every((h) => this.doc.has(h))) w.resolve()
      else still.push(w)
    }
    this.waiters = still
  }

  private askHeads(p: Peer): Promise<string[] | null> {
    const id = ++this.requestId >>> 0
    const key = `${p.name}/${id}`
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.asked.delete(key)
        p.silent = true
        resolve(null)
      }, CATCH_UP_MS)
      this.asked.set(key, (heads) => {
        clearTimeout(timer)
        this.asked.delete(key)
        resolve(heads)
      })
      const b = Buffer.allocUnsafe(4)
      b.writeUInt32BE(id, 0)
      this.send(p, HEADS_REQ, b)
    })
  }

  /**
   * A peer asks for our acknowledged heads: push the durable changes still waiting in the outbox (so they arrive
   * first, on the same connection), then answer at once with the heads of what is durable here.
   */
  private answerHeads(p: Peer, payload: Buffer): void {
    if (payload.length !== 4) throw new Error(`bad HEADS_REQ frame of ${payload.length} bytes`)
    const id = payload.readUInt32BE(0)
    const heads = this.ackedHeads()
    this.flushOutbox()
    const b = Buffer.allocUnsafe(4 + heads.length * 32)
    b.writeUInt32BE(id, 0)
    heads.forEach((h, i) => b.write(h, 4 + i * 32, 'hex'))
    this.send(p, HEADS, b)
  }

  private headsAnswered(p: Peer, payload: Buffer): void {
    if (payload.length < 4 || (payload.length - 4) % 32 !== 0) throw new Error(`bad HEADS frame of ${payload.length} bytes`)
    const id = payload.readUInt32BE(0)
    const heads: string[] = []
    for (let off = 4; off < payload.length; off += 32) heads.push(payload.subarray(off, off + 32).toString('hex'))
    this.asked.get(`${p.name}/${id}`)?.(heads)
  }

  private outbox: Uint8Array[] = []
  private outboxHeads: string[] = []
  private outboxTimer: NodeJS.Timeout | null = null

  /** Push a durable local unit to every connected peer (units durable within PUSH_DELAY_MS share a frame). */
  push(unit: Unit): void {
    for (const c of unit.changes) this.outbox.push(c)
    this.outboxHeads = unit.heads
    if (!this.outboxTimer) this.outboxTimer = setTimeout(() => this.flushOutbox(), PUSH_DELAY_MS)
  }

  private flushOutbox(): void {
    if (this.outboxTimer) clearTimeout(this.outboxTimer)
    this.outboxTimer = null
    const changes = this.outbox
    const heads = this.outboxHeads
    this.outbox = []
    if (changes.length === 0) return
    this.sendChanges(heads, changes)
  }

  private sendChanges(heads: string[], changes: Uint8Array[]): void {
    const b = encodeChanges(heads, changes)
    for (const p of this.peers.values()) this.send(p, CHANGES, b)
  }

  /** Forget what we know of the peer's state and start the protocol over. */
  private restart(p: Peer, tellPeer: boolean): void {
    const old = p.sync as { free?: () => void }
    p.sync = newSyncState()
    old.free?.()
    if (tellPeer) this.send(p, RESET, new Uint8Array(0))
    this.startSession(p)
  }

  private syncTo(p: Peer): void {
    if (!p.outConnected) return
    let msg = this.doc.am.generateSyncMessage(p.sync) as Uint8Array | null
    // Local changes whose log append has not completed stay here (they go in a push once durable).
    const held = this.undurable()
    if (msg && held.size > 0) {
      try {
        msg = withoutChanges(msg, held)
      } catch (e) {
        // A message we cannot filter is not sent (it may carry undurable changes); the protocol repairs the gap
        // on a later tick. Never a reason to end the replica: this runs from timers.
        process.stderr.write(`sync to ${p.name} held back: ${(e as Error).message}\n`)
        return
      }
    }
    if (msg) this.send(p, p.session ? SYNC_REQ : SYNC, msg)
    else p.session = null
  }

  private send(p: Peer, type: number, payload: Uint8Array): void {
    const socket = p.out
    if (!socket || !p.outConnected) return
    if (p.link.cut) return
    if (p.link.dropRate > 0 && Math.random() < p.link.dropRate) return
    const f = frame(type, payload)
    this.messagesOut++
    if (p.link.delayMs > 0) setTimeout(() => { if (!socket.destroyed) socket.write(f) }, p.link.delayMs)
    else socket.write(f)
  }

  private onTick(): void {
    const ours = this.doc.heads()
    const now = Date.now()
    for (const p of this.peers.values()) {
      if (!p.outConnected) continue
      const inSync = p.theirHeads !== null && p.theirHeads.length === ours.length && p.theirHeads.every((h, i) => h === ours[i])
      // While a peer keeps pushing, its pushes keep both sides current; the sync protocol is for quiet
      // peers whose heads differ from ours (and for missing dependencies, see applyInbox).
      const headsKey = p.theirHeads ? p.theirHeads.join() : ''
      const quiet = headsKey === p.headsAtTick
      p.headsAtTick = headsKey
      if (!inSync && now - p.lastProgress > STALL_MS) {
        // Messages were lost (a cut or lossy link): restart the protocol on both sides.
        p.lastProgress = now
        this.restart(p, true)
      } else if (p.session) {
        this.checkSession(p)
        if (p.session) this.syncTo(p)
      } else if (!inSync && quiet && now - p.lastSession >= SESSION_EVERY_MS) this.startSession(p)
    }
  }

  setLink(name: string, link: LinkSpec): void {
    const p = this.peers.get(name)
    if (!p) throw new Error(`no peer named ${name}`)
    const healed = (p.link.cut || p.link.dropRate > 0) && !link.cut
    p.link = { ...link }
    if (healed) this.restart(p, true)
  }

  relationOf(theirHeads: string[] | null): Relation {
    if (!theirHeads) return 'unknown'
    const o = this.doc.compare(theirHeads, this.doc.heads())
    return o === 'equal' ? 'equal' : o === 'before' ? 'behind' : o === 'after' ? 'ahead' : o === 'concurrent' ? 'concurrent' : 'unknown'
  }

  status(): PeerStatus[] {
    return [...this.peers.values()].map((p) => ({
      name: p.name,
      connectedOut: p.outConnected,
      connectedIn: p.inbound.size > 0,
      theirHeads: p.theirHeads,
      relation: this.relationOf(p.theirHeads),
      link: { ...p.link },
    }))
  }

  peerHeads(name: string): string[] | null {
    return this.peers.get(name)?.theirHeads ?? null
  }

  isConnected(name: string): boolean {
    return this.peers.get(name)?.outConnected ?? false
  }

  async close(): Promise<void> {
    this.closing = true
    for (const w of this.waiters) w.resolve()
    this.waiters = []
    for (const answer of [...this.asked.values()]) answer(null)
    if (this.tick) clearInterval(this.tick)
    if (this.outboxTimer) clearTimeout(this.outboxTimer)
    this.outboxTimer = null
    for (const p of this.peers.values()) {
      if (p.retry) clearTimeout(p.retry)
      p.out?.destroy()
      for (const s of p.inbound) s.destroy()
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }
}
