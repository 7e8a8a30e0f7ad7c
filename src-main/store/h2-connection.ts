// The server side of one HTTP/2 connection (RFC 9113, cleartext with prior knowledge, as gRPC clients speak
// it) on a plain TCP socket: frames, settings, flow control both ways, and streams handed to the caller.
//
// One client must not stall or exhaust the replica: at most MAX_STREAMS streams (advertised), receive windows
// enforced (FLOW_CONTROL_ERROR), control frames checked for length and stream id, control frames and resets
// rate-limited (ping/settings floods, rapid reset), CONTINUATION bounded, answers not yet sent bounded per
// stream and per server (a watcher that never reads is reset), and the socket's backpressure honoured (while
// the kernel will not take more, the connection stops reading, so unread replies cannot pile up).
//
// Why not node:http2: per call it builds a Duplex stream, header objects and several event listeners. A
// null gRPC answer cost ~17 µs of CPU there against ~4 µs over raw frames (same client, same run), and the
// replica's answers were ~40% of its CPU. This file keeps only what a gRPC server needs: no push, no
// priorities, no HTTP/1.
import type { Socket } from 'node:net'
import { HpackDecoder, HpackError } from './hpack.ts'

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')

const DATA = 0
const HEADERS = 1
const RST_STREAM = 3
const SETTINGS = 4
const PUSH_PROMISE = 5
const PING = 6
const GOAWAY = 7
const WINDOW_UPDATE = 8
const CONTINUATION = 9

const END_STREAM = 0x1
const ACK = 0x1
const END_HEADERS = 0x4
const PADDED = 0x8
const PRIORITY = 0x20
const PRIORITY_FRAME = 2

export const H2_ERROR = {
  NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, FLOW_CONTROL_ERROR: 3, STREAM_CLOSED: 5, FRAME_SIZE_ERROR: 6, REFUSED_STREAM: 7, CANCEL: 8,
  COMPRESSION_ERROR: 9, ENHANCE_YOUR_CALM: 11,
} as const

/** Largest frame we accept (the protocol's default; clients split larger messages). */
const MAX_FRAME = 16_384
/** Receive windows we grant: per stream (SETTINGS_INITIAL_WINDOW_SIZE) and for the connection. */
const STREAM_WINDOW = 1 << 20
const CONN_WINDOW = 16 << 20
/** Largest header block (with CONTINUATIONs) we accept. */
const MAX_HEADER_BLOCK = 64 * 1024
/** CONTINUATION frames after one HEADERS (empty ones cost nothing in bytes). */
const MAX_CONTINUATIONS = 32
const MAX_WINDOW = 2 ** 31 - 1
/** A stream's window until the client acknowledges our SETTINGS (RFC 9113 §6.9.2). */
const DEFAULT_WINDOW = 65_535
/** Streams open at once per connection (SETTINGS_MAX_CONCURRENT_STREAMS); more are refused. */
export const MAX_STREAMS = 1000
/**
 * Control frames that ask for work or a reply (PING, SETTINGS, PRIORITY, unknown types, empty DATA) and
 * resets (RST_STREAM received, streams refused): a burst of this many, refilled at RATE per second. Past it the
 * connection ends with ENHANCE_YOUR_CALM (nghttp2 and Node limit the same floods alike).
 */
const CONTROL_BURST = 1000
const CONTROL_RATE = 200
const RESET_BURST = 1000
const RESET_RATE = 100
/** Answer bytes queued (not yet let out by the client's windows): per stream, and across the server. */
export const STREAM_QUEUE_LIMIT = 16 * 1024 * 1024
export const SERVER_QUEUE_LIMIT = 128 * 1024 * 1024
/** Bytes in the socket's own buffer above which the connection stops reading and sending data. */
const SOCKET_HIGH_WATER = 256 * 1024

/** Answer bytes queued across every connection of a server. */
export interface OutputBudget {
  queued: number
  limit: number
}

/** A token bucket: `take()` is false once more than `burst` were taken faster than `rate` per second. */
class Bucket {
  private tokens: number
  private last = Date.now()
  private readonly burst: number
  private readonly rate: number
  constructor(burst: number, rate: number) {
    this.burst = burst
    this.rate = rate
    this.tokens = burst
  }
  take(): boolean {
    if (this.tokens < 1) {
      const now = Date.now()
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000)
      this.last = now
      if (this.tokens < 1) return false
    }
    this.tokens--
    return true
  }
}

function frameHeader(length: number, type: number, flags: number, id: number): Buffer {
  const h = Buffer.allocUnsafe(9)
  h.writeUIntBE(length, 0, 3)
  h[3] = type
  h[4] = flags
  h.writeUInt32BE(id, 5)
  return h
}

function u32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4)
  b.writeUInt32BE(v, 0)
  return b
}

/** What a gRPC server needs of a request stream: ours (H2Stream) or node:http2's (node-h2-transport.ts). */
export interface ServerStream {
  readonly headers: Record<string, string>
  onData: ((chunk: Buffer) => void) | null
  onEnd: (() => void) | null
  onClose: (() => void) | null
  readonly closed: boolean
  headersSent: boolean
  respond(block: Buffer): void
  respondAndEnd(block: Buffer): void
  write(data: Buffer): void
  end(trailers: Buffer): void
  reset(code?: number): void
}

/** One request stream. The caller sets the callbacks in its stream handler, before any data arrives. */
export class H2Stream implements ServerStream {
  readonly id: number
  /** Request headers; a repeated name's values joined with ", ". */
  readonly headers: Record<string, string>
  onData: ((chunk: Buffer) => void) | null = null
  /** The client sent END_STREAM. */
  onEnd: (() => void) | null = null
  /** The stream is over: answered and ended on both sides, reset, or the connection is gone. */
  onClose: (() => void) | null = null
  headersSent = false
  closed = false
  remoteEnded = false
  localEnded = false
  sendWindow: number
  recvUnacked = 0
  /** What the client may still send on this stream (our receive window; set by the connection). */
  recvWindow = DEFAULT_WINDOW
  queue: Buffer[] = []
  queuedBytes = 0
  /** Trailers to send (with END_STREAM) once the queued data has gone out. */
  pendingEnd: Buffer | null = null
  private readonly conn: H2Connection

  constructor(conn: H2Connection, id: number, headers: Record<string, string>, sendWindow: number) {
    this.conn = conn
    this.id = id
    this.headers = headers
    this.sendWindow = sendWindow
  }

  /** Response headers (an HPACK block); data and trailers follow. */
  respond(block: Buffer): void {
    if (this.closed || this.headersSent) return
    this.headersSent = true
    this.conn.sendHeaders(this, block, false)
  }

  /** Headers that also end the stream (a gRPC trailers-only answer). */
  respondAndEnd(block: Buffer): void {
    if (this.closed || this.headersSent) return
    this.headersSent = true
    this.conn.sendHeaders(this, block, true)
  }

  write(data: Buffer): void {
    if (this.closed || this.localEnded || this.pendingEnd) return
    if (!this.conn.enqueue(this, data)) return
    this.conn.pump(this)
  }

  /** End with trailers (an HPACK block), after the data written so far. */
  end(trailers: Buffer): void {
    if (this.closed || this.localEnded || this.pendingEnd) return
    this.pendingEnd = trailers
    this.conn.pump(this)
  }

  reset(code: number = H2_ERROR.CANCEL): void {
    if (!this.closed) this.conn.resetStream(this, code)
  }
}

/** One client connection; `onStream` is called for each new request stream. */
export class H2Connection {
  private buf: Buffer = Buffer.alloc(0)
  private prefaceSeen = false
  private readonly decoder = new HpackDecoder()
  private readonly streams = new Map<number, H2Stream>()
  private lastStreamId = 0
  private out: Buffer[] = []
  /** Bytes in `out` (frames made this turn, written at its end). */
  private outBytes = 0
  private flushScheduled = false
  private connSendWindow = 65_535
  private peerInitialWindow = 65_535
  private peerMaxFrame = 16_384
  private connRecvUnacked = 0
  /** What the client may still send on the connection (our receive window). */
  private connRecvWindow = CONN_WINDOW
  private pendingBlock: { id: number; endStream: boolean; parts: Buffer[]; bytes: number } | null = null
  private readonly controlBucket = new Bucket(CONTROL_BURST, CONTROL_RATE)
  private readonly resetBucket = new Bucket(RESET_BURST, RESET_RATE)
  private readonly budget: OutputBudget
  /** The socket's buffer is above SOCKET_HIGH_WATER: reading paused, data held until 'drain'. */
  private congested = false
  /** The client has acknowledged our SETTINGS: our larger stream window applies. */
  private settingsAcked = false
  private readonly blocked = new Set<H2Stream>()
  private goingAway = false
  private dead = false
  private readonly socket: Socket
  private readonly onStream: (s: H2Stream) => void
  /** Called once when the socket is gone. */
  onGone: (() => void) | null = null

  constructor(socket: Socket, onStream: (s: H2Stream) => void, budget: OutputBudget = { queued: 0, limit: SERVER_QUEUE_LIMIT }) {
    this.socket = socket
    this.onStream = onStream
    this.budget = budget
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('error', () => {})
    socket.on('close', () => this.gone())
    socket.on('drain', () => this.drained())
    // Our SETTINGS (no push, a stream limit, a larger stream window) and a larger connection window.
    const settings = Buffer.allocUnsafe(18)
    settings.writeUInt16BE(2, 0) // ENABLE_PUSH
    settings.writeUInt32BE(0, 2)
    settings.writeUInt16BE(3, 6) // MAX_CONCURRENT_STREAMS
    settings.writeUInt32BE(MAX_STREAMS, 8)
    settings.writeUInt16BE(4, 12) // INITIAL_WINDOW_SIZE
    settings.writeUInt32BE(STREAM_WINDOW, 14)
    this.send(SETTINGS, 0, 0, settings)
    this.send(WINDOW_UPDATE, 0, 0, u32(CONN_WINDOW - 65_535))
  }

  get streamCount(): number {
    return this.streams.size
  }

  /** Stop taking new streams (GOAWAY); the connection ends once the open ones are done. */
  goAway(): void {
    if (this.goingAway || this.dead) return
    this.goingAway = true
    this.sendGoaway(H2_ERROR.NO_ERROR, '')
    if (this.streams.size === 0) this.endSocket()
  }

  destroy(): void {
    this.socket.destroy()
    this.gone()
  }

  // ---- receiving ----

  private receive(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
    if (!this.prefaceSeen) {
      if (this.buf.length < PREFACE.length) {
        if (!PREFACE.subarray(0, this.buf.length).equals(this.buf)) this.destroy()
        return
      }
      if (!this.buf.subarray(0, PREFACE.length).equals(PREFACE)) return this.destroy()
      this.prefaceSeen = true
      this.buf = this.buf.subarray(PREFACE.length)
    }
    let p = 0
    const b = this.buf
    while (!this.dead && b.length - p >= 9) {
      const len = b.readUIntBE(p, 3)
      if (len > MAX_FRAME) return this.fail(H2_ERROR.FRAME_SIZE_ERROR, `frame of ${len} bytes, above ${MAX_FRAME}`)
      if (b.length - p < 9 + len) break
      const type = b[p + 3]
      const flags = b[p + 4]
      const id = b.readUInt32BE(p + 5) & 0x7fffffff
      const payload = b.subarray(p + 9, p + 9 + len)
      p += 9 + len
      try {
        this.frame(type, flags, id, payload)
      } catch (e) {
        if (e instanceof HpackError) return this.fail(H2_ERROR.COMPRESSION_ERROR, e.message)
        // A stream's handler threw: that stream ends with INTERNAL_ERROR; the connection and the process go on.
        this.handlerFailed(id, e)
      }
    }
    this.buf = p === b.length ? Buffer.alloc(0) : b.subarray(p)
  }

  private frame(type: number, flags: number, id: number, p: Buffer): void {
    if (this.pendingBlock && type !== CONTINUATION) return this.fail(H2_ERROR.PROTOCOL_ERROR, 'expected CONTINUATION')
    switch (type) {
      case DATA:
        if (p.length === 0 && !(flags & END_STREAM) && !this.calm()) return
        return this.data(flags, id, p)
      case HEADERS: {
        if (id === 0) return this.fail(H2_ERROR.PROTOCOL_ERROR, 'HEADERS on stream 0')
        let start = 0
        let end = p.length
        if (flags & PADDED) {
          if (p.length < 1) return this.fail(H2_ERROR.FRAME_SIZE_ERROR, 'padded HEADERS without a pad length')
          start = 1
          end -= p[0]
        }
        if (flags & PRIORITY) start += 5
        if (start > end) return this.fail(H2_ERROR.PROTOCOL_ERROR, 'HEADERS padding longer than the frame')
        this.pendingBlock = { id, endStream: (flags & END_STREAM) !== 0, parts: [p.subarray(start, end)], bytes: end - start }
        if (flags & END_HEADERS) this.headerBlockDone()
        return
      }
      case CONTINUATION: {
        const pb = this.pendingBlock
        if (!pb || pb.id !== id) return this.fail(H2_ERROR.PROTOCOL_ERROR, 'CONTINUATION without HEADERS')
        pb.parts.push(p)
        pb.bytes += p.length
        if (pb.bytes > MAX_HEADER_BLOCK) return this.fail(H2_ERROR.PROTOCOL_ERROR, `header block above ${MAX_HEADER_BLOCK} bytes`)
        if (pb.parts.length > MAX_CONTINUATIONS + 1) return this.fail(H2_ERROR.ENHANCE_YOUR_CALM, `more than ${MAX_CONTINUATIONS} CONTINUATION frames in one header block`)
        if (flags & END_HEADERS) this.headerBlockDone()
        return
      }
      case RST_STREAM: {
        if (id === 0) return this.fail(H2_ERROR.PROTOCOL_ERROR, 'RST_STREAM on stream 0')
        if (p.length !== 4) return this.fail(H2_ERROR.FRAME_SIZE_ERROR, `RST_STREAM of ${p.length} bytes (4)`)
        if (id > this.lastStreamId) return this.fail(H2_ERROR.PROTOCOL_ERROR, `RST_STREAM on idle stream ${id}`)
        if (!this.resetBucket.take()) return this.fail(H2_ERROR.ENHANCE_YOUR_CALM, 'too many stream resets')
        const s = this.streams.get(id)
        if (s) this.close(s)
        return
      }
      case SETTINGS:
        if (id !== 0) return this.fail(H2_ERROR.PROTOCOL_ERROR, `SETTINGS on stream ${id}`)
        if (flags & ACK) {
          if (p.length !== 0) return this.fail(H2_ERROR.FRAME_SIZE_ERROR, 'SETTINGS ACK with a payload')
          if (!this.settingsAcked) {
            this.settingsAcked = true
            for (const s of this.streams.values()) s.recvWindow += STREAM_WINDOW - DEFAULT_WINDOW
          }
          return
        }
        if (!this.calm()) return
        return this.settings(p)
      case PUSH_PROMISE:
        return this.fail(H2_ERROR.PROTOCOL_ERROR, 'a client cannot push')
      case PING:
        if (id !== 0) return this.fail(H2_ERROR.PROTOCOL_ERROR, `PING on stream ${id}`)
        if (p.length !== 8) return this.fail(H2_ERROR.FRAME_SIZE_ERROR, `PING of ${p.length} bytes (8)`)
        if (flags & ACK) return
        if (!this.calm()) return
        this.send(PING, ACK, 0, Buffer.from(p))
        return
      case GOAWAY:
        if (id !== 0) return this.fail(H2_ERROR.PROTOCOL_ERROR, `GOAWAY on stream ${id}`)
        if (p.length < 8) return this.fail(H2_ERROR.FRAME_SIZE_ERROR, `GOAWAY of ${p.length} bytes (at least 8)`)
        this.goingAway = true
        if (this.streams.size === 0) this.endSocket()
        return
      case WINDOW_UPDATE:
        return this.windowUpdate(id, p)
      case PRIORITY_FRAME:
        if (id === 0) return this.fail(H2_ERROR.PROTOCOL_ERROR, 'PRIORITY on stream 0')
        if (p.length !== 5) return this.fail(H2_ERROR.FRAME_SIZE_ERROR, `PRIORITY of ${p.length} bytes (5)`)
        this.calm()
        return
      default:
        // Unknown frame types carry nothing a gRPC server needs (but count against the flood limit).
        this.calm()
        return
    }
  }

  /** Take a control-frame token; false (and the connection ends) during a flood. */
  private calm(): boolean {
    if (this.controlBucket.take()) return true
    this.fail(H2_ERROR.ENHANCE_YOUR_CALM, 'too many control frames')
    return false
  }

  private windowUpdate(id: number, p: Buffer): void {
    if (p.length !== 4) return this.fail(H2_ERROR.FRAME_SIZE_ERROR, `WINDOW_UPDATE of ${p.length} bytes (4)`)
    const inc = p.readUInt32BE(0) & 0x7fffffff
    if (id === 0) {
      if (inc === 0) return this.fail(H2_ERROR.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0 on the connection')
      if (this.connSendWindow + inc > MAX_WINDOW) return this.fail(H2_ERROR.FLOW_CONTROL_ERROR, 'connection window above 2^31-1')
      this.connSendWindow += inc
      this.pumpBlocked()
      return
    }
    if (id > this.lastStreamId) return this.fail(H2_ERROR.PROTOCOL_ERROR, `WINDOW_UPDATE on idle stream ${id}`)
    const s = this.streams.get(id)
    if (!s) return
    if (inc === 0) return this.resetStream(s, H2_ERROR.PROTOCOL_ERROR)
    if (s.sendWindow + inc > MAX_WINDOW) return this.resetStream(s, H2_ERROR.FLOW_CONTROL_ERROR)
    s.sendWindow += inc
    this.pump(s)
  }

  private data(flags: number, id: number, p: Buffer): void {
    if (id > this.lastStreamId || id === 0) return this.fail(H2_ERROR.PROTOCOL_ERROR, `DATA on idle stream ${id}`)
    // Flow control counts the whole payload, padding included; a client may not send past our windows.
    if (p.length > this.connRecvWindow) return this.fail(H2_ERROR.FLOW_CONTROL_ERROR, `DATA of ${p.length} bytes with ${this.connRecvWindow} left in the connection window`)
    this.connRecvWindow -= p.length
    this.connRecvUnacked += p.length
    if (this.connRecvUnacked >= CONN_WINDOW / 2) {
      this.send(WINDOW_UPDATE, 0, 0, u32(this.connRecvUnacked))
      this.connRecvWindow += this.connRecvUnacked
      this.connRecvUnacked = 0
    }
    const s = this.streams.get(id)
    if (!s || s.remoteEnded) return
    if (p.length > s.recvWindow) return this.resetStream(s, H2_ERROR.FLOW_CONTROL_ERROR)
    s.recvWindow -= p.length
    let body = p
    if (flags & PADDED) {
      if (p.length === 0 || p[0] >= p.length) return this.fail(H2_ERROR.PROTOCOL_ERROR, 'DATA padding longer than the frame')
      body = p.subarray(1, p.length - p[0])
    }
    if (body.length > 0) s.onData?.(body)
    if (flags & END_STREAM) this.remoteEnd(s)
    else if (!s.closed) {
      s.recvUnacked += p.length
      if (s.recvUnacked >= STREAM_WINDOW / 2) {
        this.send(WINDOW_UPDATE, 0, id, u32(s.recvUnacked))
        s.recvWindow += s.recvUnacked
        s.recvUnacked = 0
      }
    }
  }

  private headerBlockDone(): void {
    const pb = this.pendingBlock!
    this.pendingBlock = null
    const list = this.decoder.decode(pb.parts.length === 1 ? pb.parts[0] : Buffer.concat(pb.parts))
    const existing = this.streams.get(pb.id)
    if (existing) {
      // Request trailers: nothing in them matters to gRPC but the end of the stream.
      if (pb.endStream && !existing.remoteEnded) this.remoteEnd(existing)
      return
    }
    if (pb.id % 2 === 0 || pb.id <= this.lastStreamId) return this.fail(H2_ERROR.PROTOCOL_ERROR, `HEADERS opening stream ${pb.id} out of order`)
    this.lastStreamId = pb.id
    if (this.goingAway || this.streams.size >= MAX_STREAMS) {
      if (!this.goingAway && !this.resetBucket.take()) return this.fail(H2_ERROR.ENHANCE_YOUR_CALM, 'too many streams refused')
      this.send(RST_STREAM, 0, pb.id, u32(H2_ERROR.REFUSED_STREAM))
      return
    }
    const headers: Record<string, string> = {}
    for (const [n, v] of list) headers[n] = headers[n] === undefined ? v : `${headers[n]}, ${v}`
    const s = new H2Stream(this, pb.id, headers, this.peerInitialWindow)
    s.recvWindow = this.settingsAcked ? STREAM_WINDOW : DEFAULT_WINDOW
    this.streams.set(pb.id, s)
    this.onStream(s)
    if (pb.endStream && !s.closed) this.remoteEnd(s)
  }

  /** The client has sent END_STREAM on `s`. */
  private remoteEnd(s: H2Stream): void {
    s.remoteEnded = true
    s.onEnd?.()
    this.closeIfDone(s)
  }

  private settings(p: Buffer): void {
    if (p.length % 6 !== 0) return this.fail(H2_ERROR.FRAME_SIZE_ERROR, 'SETTINGS length not a multiple of 6')
    for (let i = 0; i < p.length; i += 6) {
      const key = p.readUInt16BE(i)
      const value = p.readUInt32BE(i + 2)
      if (key === 2 && value > 1) return this.fail(H2_ERROR.PROTOCOL_ERROR, `ENABLE_PUSH ${value}`)
      if (key === 4) {
        if (value > MAX_WINDOW) return this.fail(H2_ERROR.FLOW_CONTROL_ERROR, 'initial window above 2^31-1')
        const delta = value - this.peerInitialWindow
        this.peerInitialWindow = value
        for (const s of this.streams.values()) {
          if (s.sendWindow + delta > MAX_WINDOW) return this.fail(H2_ERROR.FLOW_CONTROL_ERROR, `stream ${s.id} window above 2^31-1`)
          s.sendWindow += delta
        }
      } else if (key === 5) {
        if (value < 16_384 || value > 16_777_215) return this.fail(H2_ERROR.PROTOCOL_ERROR, `max frame size ${value}`)
        this.peerMaxFrame = value
      }
      // HEADER_TABLE_SIZE needs nothing: our encoder never uses the dynamic table.
    }
    this.send(SETTINGS, ACK, 0, Buffer.alloc(0))
    this.pumpBlocked()
  }

  // ---- sending ----

  sendHeaders(s: H2Stream, block: Buffer, endStream: boolean): void {
    const max = this.peerMaxFrame
    let first = true
    let off = 0
    do {
      const part = block.subarray(off, off + max)
      off += part.length
      const last = off >= block.length
      const flags = (last ? END_HEADERS : 0) | (first && endStream ? END_STREAM : 0)
      this.send(first ? HEADERS : CONTINUATION, flags, s.id, part)
      first = false
    } while (off < block.length)
    if (endStream) {
      s.localEnded = true
      this.closeIfDone(s)
    }
  }

  /**
   * Queue answer data on a stream; false when data already waits and this would pass the stream's or the
   * server's bound (a reader far behind: a watcher that does not read): the stream is reset
   * (ENHANCE_YOUR_CALM) and its queue freed. One answer of any size is taken on an empty queue (a large Range).
   */
  enqueue(s: H2Stream, data: Buffer): boolean {
    if (s.queuedBytes > 0 && (s.queuedBytes + data.length > STREAM_QUEUE_LIMIT || this.budget.queued + data.length > this.budget.limit)) {
      this.resetStream(s, H2_ERROR.ENHANCE_YOUR_CALM)
      return false
    }
    s.queue.push(data)
    s.queuedBytes += data.length
    this.budget.queued += data.length
    return true
  }

  /** Send what the windows allow of the stream's data, then its trailers once the data is out. */
  pump(s: H2Stream): void {
    if (s.closed || this.dead) return
    while (s.queue.length > 0) {
      const chunk = s.queue[0]
      const n = Math.min(chunk.length, s.sendWindow, this.connSendWindow, this.peerMaxFrame)
      if ((n <= 0 && chunk.length > 0) || this.congested || this.outBytes + this.socket.writableLength > SOCKET_HIGH_WATER) {
        this.blocked.add(s)
        return
      }
      this.send(DATA, 0, s.id, n === chunk.length ? chunk : chunk.subarray(0, n))
      s.sendWindow -= n
      this.connSendWindow -= n
      s.queuedBytes -= n
      this.budget.queued -= n
      if (n === chunk.length) s.queue.shift()
      else s.queue[0] = chunk.subarray(n)
    }
    this.blocked.delete(s)
    if (s.pendingEnd) {
      const t = s.pendingEnd
      s.pendingEnd = null
      this.sendHeaders(s, t, true)
    }
  }

  /** Streams whose data waited for window: try again after a window grew. */
  private pumpBlocked(): void {
    for (const s of [...this.blocked]) this.pump(s)
  }

  resetStream(s: H2Stream, code: number): void {
    this.send(RST_STREAM, 0, s.id, u32(code))
    this.close(s)
  }

  private closeIfDone(s: H2Stream): void {
    if (!s.localEnded || s.closed) return
    // Answered while the client still sends: tell it to stop (as grpc-go does), and the stream is over.
    if (!s.remoteEnded) this.send(RST_STREAM, 0, s.id, u32(H2_ERROR.NO_ERROR))
    this.close(s)
  }

  private close(s: H2Stream): void {
    if (s.closed) return
    s.closed = true
    this.budget.queued -= s.queuedBytes
    s.queuedBytes = 0
    s.queue = []
    s.pendingEnd = null
    this.streams.delete(s.id)
    this.blocked.delete(s)
    try {
      s.onClose?.()
    } catch (e) {
      this.handlerFailed(s.id, e)
    }
    if (this.goingAway && this.streams.size === 0) this.endSocket()
  }

  private handlerFailed(id: number, e: unknown): void {
    process.stderr.write(`stabilis store: the handler of HTTP/2 stream ${id} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    const s = this.streams.get(id)
    if (s) this.resetStream(s, H2_ERROR.INTERNAL_ERROR)
  }

  private send(type: number, flags: number, id: number, payload: Buffer): void {
    if (this.dead) return
    this.out.push(frameHeader(payload.length, type, flags, id))
    if (payload.length > 0) this.out.push(payload)
    this.outBytes += 9 + payload.length
    if (!this.flushScheduled) {
      this.flushScheduled = true
      // Frames made in one turn of the event loop leave in one write.
      setImmediate(() => this.flush())
    }
  }

  private flush(): void {
    this.flushScheduled = false
    if (this.dead || this.out.length === 0) return
    const data = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out)
    this.out = []
    this.outBytes = 0
    this.socket.write(data)
    if (!this.congested && this.socket.writableLength > SOCKET_HIGH_WATER) {
      // The client is not reading: stop reading its frames (no more replies to pile up) and hold data.
      this.congested = true
      this.socket.pause()
    } else if (!this.congested && this.blocked.size > 0) this.pumpBlocked()
  }

  private drained(): void {
    if (!this.congested || this.dead) return
    this.congested = false
    this.socket.resume()
    this.pumpBlocked()
  }

  private sendGoaway(code: number, message: string): void {
    const p = Buffer.alloc(8 + Buffer.byteLength(message))
    p.writeUInt32BE(this.lastStreamId, 0)
    p.writeUInt32BE(code, 4)
    p.write(message, 8)
    this.send(GOAWAY, 0, 0, p)
  }

  private endSocket(): void {
    setImmediate(() => {
      this.flush()
      this.endAndDestroy()
    })
  }

  /** Close our side once written; the socket goes even if the peer never closes its side. */
  private endAndDestroy(): void {
    this.socket.end(() => this.socket.destroy())
  }

  /** A connection error: GOAWAY with the code and why, then the connection ends. */
  private fail(code: number, message: string): void {
    if (this.dead) return
    this.sendGoaway(code, message)
    this.flush()
    this.endAndDestroy()
    this.gone()
  }

  private gone(): void {
    if (this.dead) return
    this.dead = true
    this.out = []
    this.outBytes = 0
    for (const s of [...this.streams.values()]) this.close(s)
    this.onGone?.()
  }
}
