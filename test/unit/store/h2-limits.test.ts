// One client must not stall or exhaust the HTTP/2 layer: raw frames on a loopback socket against a real
// H2Connection. Stream limit advertised and enforced, receive windows enforced, control frames checked for
// length and stream id, floods of control frames, resets and CONTINUATIONs cut off, answers bounded for a
// client that does not read, and the socket's backpressure honoured.
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { H2Connection, MAX_STREAMS, STREAM_QUEUE_LIMIT, type H2Stream } from '../../../src-main/store/h2-connection.ts'
import { encodeHeaders } from '../../../src-main/store/hpack.ts'

let server: net.Server | null = null
const conns: H2Connection[] = []
const serverSockets: net.Socket[] = []
const clients: net.Socket[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  for (const c of conns.splice(0)) c.destroy()
  serverSockets.length = 0
  await new Promise((r) => (server ? server.close(r) : r(null)))
  server = null
})

async function serve(handler: (s: H2Stream) => void): Promise<number> {
  server = net.createServer((socket) => {
    serverSockets.push(socket)
    conns.push(new H2Connection(socket, handler))
  })
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  return (server.address() as net.AddressInfo).port
}

interface Frame { type: number; flags: number; id: number; payload: Buffer }

function frame(type: number, flags: number, id: number, payload: Buffer = Buffer.alloc(0), length = payload.length): Buffer {
  const h = Buffer.alloc(9)
  h.writeUIntBE(length, 0, 3)
  h[3] = type
  h[4] = flags
  h.writeUInt32BE(id, 5)
  return Buffer.concat([h, payload])
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')
const REQUEST = encodeHeaders([[':method', 'POST'], [':path', '/x'], [':scheme', 'http'], [':authority', 'a'], ['content-type', 'application/grpc']])
const headers = (id: number, end = false): Buffer => frame(1, 0x4 | (end ? 1 : 0), id, REQUEST)
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(v >>> 0)
  return b
}

/** A raw client: preface and empty SETTINGS sent (and ACKed if `ack`); frames received are collected. */
async function rawClient(port: number, ack = true, read = true): Promise<{ sock: net.Socket; frames: Frame[]; closed: Promise<void>; next: (type: number) => Promise<Frame> }> {
  const sock = net.connect(port, '127.0.0.1')
  clients.push(sock)
  sock.on('error', () => {})
  const frames: Frame[] = []
  const waiting: { type: number; resolve: (f: Frame) => void }[] = []
  let buf = Buffer.alloc(0)
  if (read) {
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c])
      while (buf.length >= 9 && buf.length >= 9 + buf.readUIntBE(0, 3)) {
        const len = buf.readUIntBE(0, 3)
        const f = { type: buf[3], flags: buf[4], id: buf.readUInt32BE(5), payload: Buffer.from(buf.subarray(9, 9 + len)) }
        buf = buf.subarray(9 + len)
        frames.push(f)
        for (const w of waiting.splice(0)) {
          if (w.type === f.type) w.resolve(f)
          else waiting.push(w)
        }
      }
    })
  }
  const closed = new Promise<void>((r) => sock.on('close', () => r()))
  await new Promise<void>((r) => sock.on('connect', () => r()))
  sock.write(Buffer.concat([PREFACE, frame(4, 0, 0), ack ? frame(4, 1, 0) : Buffer.alloc(0)]))
  const next = (type: number): Promise<Frame> => {
    const f = frames.find((x) => x.type === type)
    if (f) return Promise.resolve(f)
    return new Promise((resolve, reject) => {
      waiting.push({ type, resolve })
      void closed.then(() => setTimeout(() => reject(new Error(`closed before a frame of type ${type}`)), 50))
    })
  }
  return { sock, frames, closed, next }
}

const goawayCode = (f: Frame): number => f.payload.readUInt32BE(4)
const goawayText = (f: Frame): string => f.payload.subarray(8).toString()

const echo = (s: H2Stream): void => {
  s.onEnd = () => {
    s.respond(encodeHeaders([[':status', '200']]))
    s.end(encodeHeaders([['grpc-status', '0']]))
  }
}

describe('HTTP/2 limits', () => {
  it('advertises SETTINGS_MAX_CONCURRENT_STREAMS and refuses streams past it', async () => {
    const port = await serve(() => {})
    const c = await rawClient(port)
    const settings = await c.next(4)
    const values = new Map<number, number>()
    for (let i = 0; i < settings.payload.length; i += 6) values.set(settings.payload.readUInt16BE(i), settings.payload.readUInt32BE(i + 2))
    expect(values.get(3)).toBe(MAX_STREAMS)
    const opens: Buffer[] = []
    for (let i = 0; i <= MAX_STREAMS; i++) opens.push(headers(1 + 2 * i))
    c.sock.write(Buffer.concat(opens))
    const rst = await c.next(3)
    expect(rst.id).toBe(1 + 2 * MAX_STREAMS)
    expect(rst.payload.readUInt32BE(0)).toBe(7) // REFUSED_STREAM
    expect(conns[0].streamCount).toBe(MAX_STREAMS)
  })

  it('enforces the receive window: a client sending past 65,535 bytes before acknowledging our SETTINGS gets FLOW_CONTROL_ERROR', async () => {
    const port = await serve(() => {})
    const c = await rawClient(port, false)
    const data: Buffer[] = [headers(1)]
    for (let i = 0; i < 5; i++) data.push(frame(0, 0, 1, Buffer.alloc(16_000)))
    c.sock.write(Buffer.concat(data))
    const rst = await c.next(3)
    expect(rst.id).toBe(1)
    expect(rst.payload.readUInt32BE(0)).toBe(3) // FLOW_CONTROL_ERROR
  })

  it.each([
    ['a short WINDOW_UPDATE', frame(8, 0, 0, Buffer.from([0, 1])), 6, /WINDOW_UPDATE of 2 bytes/],
    ['a WINDOW_UPDATE of zero', frame(8, 0, 0, u32(0)), 1, /WINDOW_UPDATE of 0/],
    ['a window overflow', frame(8, 0, 0, u32(0x7fffffff)), 3, /above 2\^31-1/],
    ['a short PING', frame(6, 0, 0, Buffer.alloc(7)), 6, /PING of 7 bytes/],
    ['a PING on a stream', frame(6, 0, 1, Buffer.alloc(8)), 1, /PING on stream 1/],
    ['SETTINGS on a stream', frame(4, 0, 3, Buffer.alloc(0)), 1, /SETTINGS on stream 3/],
    ['a SETTINGS ACK with a payload', frame(4, 1, 0, Buffer.alloc(6)), 6, /ACK with a payload/],
    ['a short RST_STREAM', Buffer.concat([headers(1), frame(3, 0, 1, Buffer.alloc(3))]), 6, /RST_STREAM of 3 bytes/],
    ['RST_STREAM on stream 0', frame(3, 0, 0, u32(8)), 1, /RST_STREAM on stream 0/],
    ['RST_STREAM on an idle stream', frame(3, 0, 9, u32(8)), 1, /idle stream 9/],
    ['a short GOAWAY', frame(7, 0, 0, Buffer.alloc(4)), 6, /GOAWAY of 4 bytes/],
    ['a PRIORITY of 4 bytes', frame(2, 0, 1, Buffer.alloc(4)), 6, /PRIORITY of 4 bytes/],
  ])('ends the connection on %s with the right error code, and counts no handler failure', async (_name, bad, code, text) => {
    const port = await serve(echo)
    const c = await rawClient(port)
    c.sock.write(bad)
    const goaway = await c.next(7)
    expect(goawayCode(goaway)).toBe(code)
    expect(goawayText(goaway)).toMatch(text)
    await c.closed
  })

  it('ends a PING flood (replies never read) with ENHANCE_YOUR_CALM', async () => {
    const port = await serve(echo)
    const c = await rawClient(port)
    const pings: Buffer[] = []
    for (let i = 0; i < 5000; i++) pings.push(frame(6, 0, 0, Buffer.alloc(8, i & 0xff)))
    c.sock.write(Buffer.concat(pings))
    const goaway = await c.next(7)
    expect(goawayCode(goaway)).toBe(11)
    expect(goawayText(goaway)).toBe('too many control frames')
    expect(c.frames.filter((f) => f.type === 6).length).toBeLessThan(1100)
  })

  it('ends a SETTINGS flood with ENHANCE_YOUR_CALM', async () => {
    const port = await serve(echo)
    const c = await rawClient(port)
    const floods: Buffer[] = []
    for (let i = 0; i < 5000; i++) floods.push(frame(4, 0, 0))
    c.sock.write(Buffer.concat(floods))
    const goaway = await c.next(7)
    expect(goawayCode(goaway)).toBe(11)
    expect(c.frames.filter((f) => f.type === 4 && f.flags === 1).length).toBeLessThan(1100)
  })

  it('ends a rapid-reset attack (streams opened and reset at once) with ENHANCE_YOUR_CALM', async () => {
    let opened = 0
    const port = await serve(() => { opened++ })
    const c = await rawClient(port)
    const frames: Buffer[] = []
    for (let i = 0; i < 3000; i++) frames.push(headers(1 + 2 * i), frame(3, 0, 1 + 2 * i, u32(8)))
    c.sock.write(Buffer.concat(frames))
    const goaway = await c.next(7)
    expect(goawayCode(goaway)).toBe(11)
    expect(goawayText(goaway)).toBe('too many stream resets')
    expect(opened).toBeLessThan(3000)
  })

  it('ends a CONTINUATION flood of empty frames', async () => {
    const port = await serve(echo)
    const c = await rawClient(port)
    const frames: Buffer[] = [frame(1, 0, 1, REQUEST)]
    for (let i = 0; i < 100; i++) frames.push(frame(9, 0, 1))
    c.sock.write(Buffer.concat(frames))
    const goaway = await c.next(7)
    expect(goawayCode(goaway)).toBe(11)
    expect(goawayText(goaway)).toMatch(/more than 32 CONTINUATION frames/)
  })

  it('resets a stream whose unsent answers pass the bound (a reader that never grants window)', async () => {
    let closedStream: H2Stream | null = null
    const port = await serve((s) => {
      s.respond(encodeHeaders([[':status', '200']]))
      s.onClose = () => (closedStream = s)
      // A watcher's events, 64 KiB at a time, to a client that never reads them.
      for (let i = 0; i < (STREAM_QUEUE_LIMIT >> 16) + 8 && !s.closed; i++) s.write(Buffer.alloc(65_536))
    })
    const c = await rawClient(port)
    c.sock.write(headers(1))
    const rst = await c.next(3)
    expect(rst.id).toBe(1)
    expect(rst.payload.readUInt32BE(0)).toBe(11) // ENHANCE_YOUR_CALM
    expect(closedStream).not.toBeNull()
    expect(closedStream!.queuedBytes).toBe(0)
  })

  it('stops reading and sending while the client does not read its socket, and resumes when it does', async () => {
    const port = await serve((s) => {
      s.respond(encodeHeaders([[':status', '200']]))
      for (let i = 0; i < 256; i++) s.write(Buffer.alloc(65_536, i))
      s.end(encodeHeaders([['grpc-status', '0']]))
    })
    const c = await rawClient(port, true, false)
    // Windows wide open (2^31-1 for the stream, and the connection), then the client reads nothing.
    const settings = Buffer.alloc(6)
    settings.writeUInt16BE(4, 0)
    settings.writeUInt32BE(0x7fffffff, 2)
    c.sock.write(Buffer.concat([frame(4, 0, 0, settings), frame(8, 0, 0, u32(0x7fffffff - 65_535)), headers(1, true)]))
    await new Promise((r) => setTimeout(r, 500))
    // 16 MiB answered; what sits in the server's socket buffer stays near the high-water mark.
    expect(serverSockets[0].writableLength).toBeLessThan(2 * 1024 * 1024)
    expect(serverSockets[0].isPaused()).toBe(true)
    // Reading now drains everything: 16 MiB of data then the trailers.
    let bytes = 0
    const done = new Promise<void>((resolve) => {
      c.sock.on('data', (d: Buffer) => {
        bytes += d.length
        if (bytes >= 16 * 1024 * 1024) resolve()
      })
    })
    c.sock.resume()
    await done
    expect(bytes).toBeGreaterThanOrEqual(16 * 1024 * 1024)
  })
})
