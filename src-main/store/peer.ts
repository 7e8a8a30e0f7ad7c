// Peer sync: the Automerge sync protocol between replicas over loopback TCP, full mesh, through a link
// layer the lab controls per directed link (cut, delay, drop rate).
//
// Each replica dials every peer; that outbound connection carries this replica's messages to the peer
// (so the link i→j is the connection i dialled). Inbound connections only deliver the peer's messages.
// Frames: u32 length (of type + payload), u8 type, payload. Types: 1 hello (sender's name),
// 2 Automerge sync message, 3 reset (the sender restarted its sync state: restart ours too).
import { connect, createServer, type Server, type Socket } from 'node:net'
import { headsOfSyncMessage, newSyncState, type StoreDocument, type Unit } from './document.ts'
import { OPEN_LINK, type LinkSpec, type MemberSpec, type PeerStatus, type Relation } from './types.ts'

const HELLO = 1
const SYNC = 2
const RESET = 3
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
  retry: NodeJS.Timeout | null
}

function frame(type: number, payload: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(5 + payload.length)
  b.writeUInt32BE(payload.length + 1, 0)
  b[4] = type
  b.set(payload, 5)
  return b
}

/** Splits a byte stream into frames. */
function framer(onFrame: (type: number, payload: Buffer) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0)
  return (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
    while (buf.length >= 4) {
      const len = buf.readUInt32BE(0)
      if (len === 0 || len > 512 * 1024 * 1024) throw new Error(`bad peer frame length ${len}`)
      if (buf.length < 4 + len) break
      const type = buf[4]
      const payload = buf.subarray(5, 4 + len)
      buf = buf.subarray(4 + len)
      onFrame(type, payload)
    }
  }
}

export class PeerMesh {
  private readonly peers = new Map<string, Peer>()
  private server: Server | null = null
  private scheduled = false
  private tick: NodeJS.Timeout | null = null
  private closing = false
  private readonly doc: StoreDocument
  private readonly self: string
  private readonly onUnit: (unit: Unit) => void
  messagesIn = 0
  messagesOut = 0

  constructor(self: string, members: MemberSpec[], links: Record<string, LinkSpec>, doc: StoreDocument, onUnit: (unit: Unit) => void) {
    this.self = self
    this.doc = doc
    this.onUnit = onUnit
    for (const m of members) {
      if (m.name === self) continue
      this.peers.set(m.name, {
        name: m.name, port: m.peerPort, out: null, outConnected: false, inbound: new Set(), sync: newSyncState(),
        theirHeads: null, link: { ...OPEN_LINK, ...(links[m.name] ?? {}) }, lastProgress: Date.now(), retry: null,
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
        peer.inbound.add(socket)
        // The peer (re)connected: it may have restarted and forgotten what it had told us.
        this.restart(peer, false)
        return
      }
      if (!peer) return
      if (type === SYNC) this.receive(peer, payload)
      else if (type === RESET) this.restart(peer, false)
    })
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

  private receive(p: Peer, msg: Buffer): void {
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
    if (unit) {
      this.onUnit(unit)
      this.schedule()
    }
    this.syncTo(p)
  }

  /** Forget what we know of the peer's state and start the protocol over. */
  private restart(p: Peer, tellPeer: boolean): void {
    const old = p.sync as { free?: () => void }
    p.sync = newSyncState()
    old.free?.()
    if (tellPeer) this.send(p, RESET, new Uint8Array(0))
    this.syncTo(p)
  }

  private syncTo(p: Peer): void {
    if (!p.outConnected) return
    const msg = this.doc.am.generateSyncMessage(p.sync) as Uint8Array | null
    if (msg) this.send(p, SYNC, msg)
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

  /** Offer new local changes to every peer (coalesced). */
  schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      for (const p of this.peers.values()) this.syncTo(p)
    })
  }

  private onTick(): void {
    const ours = this.doc.heads()
    const now = Date.now()
    for (const p of this.peers.values()) {
      if (!p.outConnected) continue
      const inSync = p.theirHeads !== null && p.theirHeads.length === ours.length && p.theirHeads.every((h, i) => h === ours[i])
      if (!inSync && now - p.lastProgress > STALL_MS) {
        // Messages were lost (a cut or lossy link): restart the protocol on both sides.
        p.lastProgress = now
        this.restart(p, true)
      } else this.syncTo(p)
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
    if (this.tick) clearInterval(this.tick)
    for (const p of this.peers.values()) {
      if (p.retry) clearTimeout(p.retry)
      p.out?.destroy()
      for (const s of p.inbound) s.destroy()
    }
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }
}
