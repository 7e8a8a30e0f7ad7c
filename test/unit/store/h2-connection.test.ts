// The HTTP/2 connection layer against Node's own HTTP/2 client (nghttp2) and raw sockets on loopback: flow
// control both ways on bodies larger than every window, header blocks split into CONTINUATION frames, ping,
// resets, GOAWAY, and connection errors for input that is not HTTP/2.
import http2 from 'node:http2'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { H2Connection, type H2Stream } from '../../../src-main/store/h2-connection.ts'
import { HpackDecoder, encodeHeaders } from '../../../src-main/store/hpack.ts'

let server: net.Server | null = null
const conns: H2Connection[] = []
const sessions: http2.ClientHttp2Session[] = []
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy()
  for (const c of conns.splice(0)) c.destroy()
  await new Promise((r) => (server ? server.close(r) : r(null)))
  server = null
})

/** A server whose streams go to `handler`; returns its port. */
async function serve(handler: (s: H2Stream) => void): Promise<number> {
  server = net.createServer((socket) => conns.push(new H2Connection(socket, handler)))
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  return (server.address() as net.AddressInfo).port
}

function connect(port: number): http2.ClientHttp2Session {
  const s = http2.connect(`http://127.0.0.1:${port}`)
  s.on('error', () => {})
  sessions.push(s)
  return s
}

/** A request with a body; resolves with the response headers, body and trailers. */
function request(s: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body: Buffer): Promise<{ headers: http2.IncomingHttpHeaders; body: Buffer; trailers: http2.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = s.request({ ':method': 'POST', ':path': '/x', ...headers })
    const chunks: Buffer[] = []
    let head: http2.IncomingHttpHeaders = {}
    let trailers: http2.IncomingHttpHeaders = {}
    req.on('response', (h) => (head = h))
    req.on('trailers', (t) => (trailers = t))
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve({ headers: head, body: Buffer.concat(chunks), trailers }))
    req.on('error', reject)
    req.end(body)
  })
}

const OK = encodeHeaders([[':status', '200'], ['content-type', 'application/octet-stream']])
const TRAILERS = encodeHeaders([['x-done', 'yes']])

/** Read raw frames from a socket until one of `type` arrives. */
function frameOfType(sock: net.Socket, type: number): Promise<{ flags: number; id: number; payload: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0)
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c])
      while (buf.length >= 9 && buf.length >= 9 + buf.readUIntBE(0, 3)) {
        const len = buf.readUIntBE(0, 3)
        const f = { type: buf[3], flags: buf[4], id: buf.readUInt32BE(5), payload: buf.subarray(9, 9 + len) }
        buf = buf.subarray(9 + len)
        if (f.type === type) return resolve(f)
      }
    })
    sock.on('close', () => reject(new Error(`closed before a frame of type ${type}`)))
  })
}

describe('the HTTP/2 connection layer', () => {
  it('moves bodies larger than every window both ways, intact, with trailers after the data', async () => {
    const port = await serve((s) => {
      const got: Buffer[] = []
      s.onData = (c) => got.push(Buffer.from(c))
      s.onEnd = () => {
        const body = Buffer.concat(got)
        s.respond(OK)
        // Echo it back twice, in uneven pieces, so the answer (6 MiB) is 96× the client's 64 KiB window.
        for (let i = 0; i < body.length; i += 70_001) s.write(body.subarray(i, i + 70_001))
        s.write(body)
        s.end(TRAILERS)
      }
    })
    const body = Buffer.alloc(3 << 20)
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 12)) & 0xff
    // 3 MiB in: above the 1 MiB stream window we grant, so the client needs our WINDOW_UPDATEs.
    const r = await request(connect(port), {}, body)
    expect(r.headers[':status']).toBe(200)
    expect(r.body.length).toBe(6 << 20)
    expect(r.body.subarray(0, 3 << 20).equals(body)).toBe(true)
    expect(r.body.subarray(3 << 20).equals(body)).toBe(true)
    expect(r.trailers['x-done']).toBe('yes')
  })

  it('reads and writes header blocks split over CONTINUATION frames, and many streams on one connection', async () => {
    const port = await serve((s) => {
      // Our answer echoes the big value too: a header block we split into CONTINUATION frames.
      s.onEnd = () => s.respondAndEnd(encodeHeaders([[':status', '200'], ['x-len', String(s.headers['x-big']?.length ?? 0)], ['x-n', s.headers['x-n'] ?? ''], ['x-echo', s.headers['x-big'] ?? '']]))
    })
    const session = connect(port)
    // 40 kB of header value: more than two 16 kB frames.
    const big = 'v'.repeat(40_000)
    const r = await request(session, { 'x-big': big }, Buffer.alloc(0))
    expect(r.headers['x-len']).toBe('40000')
    expect(r.headers['x-echo']).toBe(big)
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => request(session, { 'x-n': String(i) }, Buffer.from('x'))))
    expect(all.map((a) => a.headers['x-n'])).toEqual(Array.from({ length: 200 }, (_, i) => String(i)))
  })

  it('answers pings, and tells the handler when the client resets a stream', async () => {
    let closed: () => void = () => {}
    const wasClosed = new Promise<void>((r) => (closed = r))
    const port = await serve((s) => {
      s.respond(OK)
      s.onClose = () => closed()
    })
    const session = connect(port)
    await new Promise((r) => session.once('connect', r))
    await new Promise<void>((resolve, reject) => session.ping((err) => (err ? reject(err) : resolve())))
    const req = session.request({ ':method': 'POST', ':path': '/x' })
    req.on('error', () => {})
    await new Promise((r) => req.once('response', r))
    req.close(http2.constants.NGHTTP2_CANCEL)
    await wasClosed
  })

  it('after GOAWAY finishes the open stream, then closes the connection', async () => {
    let held: H2Stream | null = null
    const port = await serve((s) => {
      held = s
    })
    const session = connect(port)
    const first = request(session, {}, Buffer.from('a'))
    await new Promise((r) => setTimeout(r, 50))
    conns[0].goAway()
    await new Promise((r) => setTimeout(r, 50))
    held!.respond(OK)
    held!.write(Buffer.from('late'))
    held!.end(TRAILERS)
    const r = await first
    expect(r.body.toString()).toBe('late')
    const gone = new Promise((resolve) => session.once('close', resolve))
    await gone
    expect(conns[0].streamCount).toBe(0)
  })

  it('resets only the stream whose handler throws; the connection goes on', async () => {
    const port = await serve((s) => {
      s.onEnd = () => {
        if (s.headers['x-throw']) throw new Error('handler bug')
        s.respondAndEnd(OK)
      }
    })
    const session = connect(port)
    await expect(request(session, { 'x-throw': '1' }, Buffer.from('a'))).rejects.toThrow(/NGHTTP2_INTERNAL_ERROR/)
    expect((await request(session, {}, Buffer.from('b'))).headers[':status']).toBe(200)
  })

  it('hangs up on a client that does not speak HTTP/2, and answers a bad frame with GOAWAY', async () => {
    const port = await serve(() => {})
    const http1 = net.connect(port, '127.0.0.1')
    http1.on('error', () => {})
    http1.resume()
    http1.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await new Promise((r) => http1.once('close', r))

    const raw = net.connect(port, '127.0.0.1')
    raw.on('error', () => {})
    const goaway = frameOfType(raw, 7)
    const tooBig = Buffer.alloc(9)
    tooBig.writeUIntBE(20_000, 0, 3)
    tooBig[3] = 0
    tooBig.writeUInt32BE(1, 5)
    raw.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]), tooBig]))
    const f = await goaway
    expect(f.payload.readUInt32BE(4)).toBe(6) // FRAME_SIZE_ERROR
    expect(f.payload.subarray(8).toString()).toBe('frame of 20000 bytes, above 16384')
    raw.destroy()
  })

  it('answers a header block that is not valid HPACK with COMPRESSION_ERROR', async () => {
    const port = await serve(() => {})
    const raw = net.connect(port, '127.0.0.1')
    raw.on('error', () => {})
    const goaway = frameOfType(raw, 7)
    // HEADERS on stream 1 with END_HEADERS, referring to dynamic-table entry 62 of an empty table.
    raw.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]), Buffer.from([0, 0, 1, 1, 4, 0, 0, 0, 1, 0xbe])]))
    const f = await goaway
    expect(f.payload.readUInt32BE(4)).toBe(9)
    expect(f.payload.subarray(8).toString()).toBe('header index 62 is not in the table')
    // The decoder is not left half-way: a fresh decoder still reads what we encode.
    expect(new HpackDecoder().decode(OK)).toEqual([[':status', '200'], ['content-type', 'application/octet-stream']])
    raw.destroy()
  })
})
