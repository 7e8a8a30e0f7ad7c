// A gRPC server on our own HTTP/2 connection layer (h2-connection.ts; cleartext HTTP/2 with prior knowledge,
// as grpc-go and grpc-js clients speak it): the replica's transport. Per null unary call at 64 in flight,
// grpc-js's server spent ~37 µs of CPU, node:http2 ~17–25 µs, raw frames ~4 µs — so the replica answers
// over raw frames and keeps grpc-js for clients only.
//
// Wire format (gRPC over HTTP/2): a POST to /<package.Service>/<Method>, content-type application/grpc,
// messages framed as u8 compressed flag, u32 big-endian length, bytes; the answer's status goes in
// trailers (grpc-status, grpc-message percent-encoded), or in the headers alone when there is no message.
import { EventEmitter } from 'node:events'
import net from 'node:net'
import { inflateSync, gunzipSync } from 'node:zlib'
import { status } from '@grpc/grpc-js'
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js'
import type { Http2Server, ServerHttp2Session } from 'node:http2'
import { H2_ERROR, H2Connection, SERVER_QUEUE_LIMIT, type OutputBudget, type ServerStream } from './h2-connection.ts'
import { createNodeHttp2Server } from './node-h2-transport.ts'
import { encodeHeaders, type HeaderList } from './hpack.ts'

export type Msg = Record<string, any>

/** An error that answers a call with this gRPC status code and message. */
export class RpcError extends Error {
  readonly code: status
  constructor(code: status, message: string) {
    super(message)
    this.code = code
  }
}

/** A streaming call (client, server or both directions), seen by its handler. */
export interface DuplexCall {
  /** Each request message, decoded. */
  on(event: 'data', fn: (m: Msg) => void): this
  /** The client has sent its last message. */
  on(event: 'end', fn: () => void): this
  /** The stream is gone (answered, cancelled, or the connection dropped). */
  on(event: 'close', fn: () => void): this
  readonly writable: boolean
  write(m: Msg): void
  /** Finish with OK. */
  end(): void
  /** Finish with the error's status (an RpcError's code, otherwise INTERNAL). */
  fail(e: unknown): void
}

export type Handler =
  | { kind: 'unary'; fn: (req: Msg) => Msg | Promise<Msg> }
  | { kind: 'stream'; fn: (call: DuplexCall) => void }
  | { kind: 'refuse'; error: RpcError }

export const unary = (fn: (req: Msg) => Msg | Promise<Msg>): Handler => ({ kind: 'unary', fn })
export const streaming = (fn: (call: DuplexCall) => void): Handler => ({ kind: 'stream', fn })
/** Every call of this method fails at once with `error` (whatever its streaming kind). */
export const refuse = (error: RpcError): Handler => ({ kind: 'refuse', error })

interface Route {
  def: MethodDefinition<Msg, Msg>
  handler: Handler
}

const RESPONSE_HEADERS: HeaderList = [[':status', '200'], ['content-type', 'application/grpc'], ['grpc-accept-encoding', 'identity,deflate,gzip']]
// The same on every answer: encoded once.
const RESPONSE_BLOCK = encodeHeaders(RESPONSE_HEADERS)
const OK_TRAILERS = encodeHeaders([['grpc-status', '0']])

/** grpc-message is percent-encoded: bytes outside printable ASCII, and '%' itself. */
function encodeMessage(s: string): string {
  let out = ''
  for (const b of Buffer.from(s, 'utf8')) out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  return out
}

function statusOf(e: unknown): { code: status; message: string } {
  if (e instanceof RpcError) return { code: e.code, message: e.message }
  return { code: status.INTERNAL, message: e instanceof Error ? e.message : String(e) }
}

function errorTrailers(e: unknown): HeaderList {
  const { code, message } = statusOf(e)
  return [['grpc-status', String(code)], ['grpc-message', encodeMessage(message)]]
}

/** Answer with a status and no message (headers only, end of stream). */
function answerError(stream: ServerStream, e: unknown): void {
  if (stream.closed) return
  if (stream.headersSent) {
    stream.reset(H2_ERROR.INTERNAL_ERROR)
    return
  }
  stream.respondAndEnd(encodeHeaders([...RESPONSE_HEADERS, ...errorTrailers(e)]))
}

/** A gRPC message frame: flag 0 (not compressed), u32 length, body. */
export function frameOf(body: Uint8Array): Buffer {
  const f = Buffer.allocUnsafe(5 + body.length)
  f[0] = 0
  f.writeUInt32BE(body.length, 1)
  f.set(body, 5)
  return f
}

/** Splits a request body into messages, decompressing per the call's grpc-encoding. */
class MessageReader {
  private chunks: Buffer[] = []
  private have = 0
  private readonly encoding: string
  private readonly maxBytes: number

  constructor(encoding: string, maxBytes: number) {
    this.encoding = encoding
    this.maxBytes = maxBytes
  }

  /**
   * The messages completed by this chunk; throws an RpcError on a bad frame or one above the limit (known from
   * its first five bytes, before the rest arrives). Chunks are joined once per message, not once per chunk.
   */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk)
    this.have += chunk.length
    const out: Buffer[] = []
    while (this.have >= 5) {
      const head = this.chunks[0].length >= 5 ? this.chunks[0] : this.join()
      const len = head.readUInt32BE(1)
      if (len > this.maxBytes) throw new RpcError(status.RESOURCE_EXHAUSTED, `stabilis store: request of ${len} bytes is above the limit of ${this.maxBytes} bytes (raise it with --max-request-bytes)`)
      if (this.have < 5 + len) break
      const buf = this.join()
      out.push(this.decode(buf[0], buf.subarray(5, 5 + len)))
      const rest = buf.subarray(5 + len)
      this.chunks = rest.length > 0 ? [rest] : []
      this.have = rest.length
    }
    return out
  }

  private join(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)]
    return this.chunks[0]
  }

  /** Bytes of an unfinished message left at the end of the stream. */
  get leftover(): number {
    return this.have
  }

  private decode(flag: number, body: Buffer): Buffer {
    if (flag === 0) return body
    if (flag !== 1) throw new RpcError(status.INTERNAL, `bad message frame: compressed flag ${flag}`)
    if (this.encoding === 'gzip') return gunzipSync(body, { maxOutputLength: this.maxBytes })
    if (this.encoding === 'deflate') return inflateSync(body, { maxOutputLength: this.maxBytes })
    if (this.encoding === 'identity') throw new RpcError(status.INTERNAL, 'compressed message without a grpc-encoding')
    throw new RpcError(status.UNIMPLEMENTED, `grpc-encoding "${this.encoding}" is not supported (identity, deflate, gzip are)`)
  }
}

function deserialize(def: MethodDefinition<Msg, Msg>, bytes: Buffer): Msg {
  try {
    return def.requestDeserialize(bytes)
  } catch (e) {
    throw new RpcError(status.INTERNAL, `Error deserializing request: ${(e as Error).message}`)
  }
}

class Call extends EventEmitter implements DuplexCall {
  private finished = false
  private readonly stream: ServerStream
  private readonly def: MethodDefinition<Msg, Msg>

  constructor(stream: ServerStream, def: MethodDefinition<Msg, Msg>) {
    super()
    this.stream = stream
    this.def = def
    stream.respond(RESPONSE_BLOCK)
  }

  get writable(): boolean {
    return !this.finished && !this.stream.closed
  }

  write(m: Msg): void {
    if (this.writable) this.stream.write(frameOf(this.def.responseSerialize(m)))
  }

  end(): void {
    if (!this.writable) return
    this.finished = true
    this.stream.end(OK_TRAILERS)
  }

  fail(e: unknown): void {
    if (!this.writable) return
    this.finished = true
    this.stream.end(encodeHeaders(errorTrailers(e)))
  }
}

export interface GrpcServerOptions {
  /** Largest request message accepted (bytes, after decompression). */
  maxMessageBytes?: number
  /** HTTP/2 implementation: ours on raw sockets (default) or node:http2 (the switch back). */
  http2?: 'raw' | 'node'
}

export class GrpcServer {
  private readonly routes = new Map<string, Route>()
  private readonly connections = new Set<H2Connection>()
  private readonly calls = new Set<Call>()
  private server: net.Server | null = null
  private nodeServer: Http2Server | null = null
  private readonly nodeSessions = new Set<ServerHttp2Session>()
  private readonly maxBytes: number
  private readonly http2: 'raw' | 'node'
  /** Answer bytes waiting for clients' windows, over every connection (bounded: see h2-connection.ts). */
  readonly budget: OutputBudget = { queued: 0, limit: SERVER_QUEUE_LIMIT }

  constructor(opts: GrpcServerOptions = {}) {
    this.maxBytes = opts.maxMessageBytes ?? 4 * 1024 * 1024
    this.http2 = opts.http2 ?? 'raw'
  }

  /** Serve every method of the service; a method without a handler answers UNIMPLEMENTED. */
  addService(service: ServiceDefinition, handlers: Record<string, Handler>): void {
    for (const [name, def] of Object.entries(service) as [string, MethodDefinition<Msg, Msg>][]) {
      const handler = handlers[name]
      if (!handler) continue
      const streams = def.requestStream || def.responseStream
      if ((handler.kind === 'unary' && streams) || (handler.kind === 'stream' && !streams)) {
        throw new Error(`${def.path}: a ${handler.kind} handler for a ${streams ? 'streaming' : 'unary'} method`)
      }
      this.routes.set(def.path, { def, handler })
    }
  }

  /** The port listened on (useful after listening on port 0), or 0 when not listening. */
  get port(): number {
    const a = (this.server ?? this.nodeServer)?.address()
    return typeof a === 'object' && a ? a.port : 0
  }

  async listen(host: string, port: number): Promise<void> {
    if (this.http2 === 'node') return this.listenNode(host, port)
    const server = net.createServer((socket) => {
      const c = new H2Connection(socket, (stream) => this.onStream(stream), this.budget)
      this.connections.add(c)
      c.onGone = () => this.connections.delete(c)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.server = server
  }

  private async listenNode(host: string, port: number): Promise<void> {
    const server = createNodeHttp2Server((stream) => this.onStream(stream))
    server.on('session', (s) => {
      this.nodeSessions.add(s)
      s.on('close', () => this.nodeSessions.delete(s))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.nodeServer = server
  }

  /** Stop listening, finish streaming calls with OK, let answers under way go out, then drop what is left. */
  async close(graceMs = 1000): Promise<void> {
    const node = this.nodeServer
    if (node) {
      this.nodeServer = null
      for (const c of this.calls) c.end()
      const closed = new Promise<void>((resolve) => node.close(() => resolve()))
      for (const s of this.nodeSessions) s.close()
      const timer = setTimeout(() => {
        for (const s of this.nodeSessions) s.destroy()
      }, graceMs)
      await closed
      clearTimeout(timer)
      return
    }
    const server = this.server
    if (!server) return
    this.server = null
    for (const c of this.calls) c.end()
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const c of this.connections) c.goAway()
    const timer = setTimeout(() => {
      for (const c of this.connections) c.destroy()
    }, graceMs)
    await closed
    clearTimeout(timer)
  }

  private onStream(stream: ServerStream): void {
    const headers = stream.headers
    const type = headers['content-type']
    if (headers[':method'] !== 'POST' || typeof type !== 'string' || !type.startsWith('application/grpc')) {
      stream.respondAndEnd(encodeHeaders([[':status', '415'], ['content-type', 'text/plain'], ['grpc-status', String(status.INTERNAL)], ['grpc-message', encodeMessage('expected a gRPC request (POST, content-type application/grpc)')]]))
      return
    }
    const path = headers[':path'] ?? ''
    const route = this.routes.get(path)
    if (!route) return answerError(stream, new RpcError(status.UNIMPLEMENTED, `stabilis store: unknown method ${path}`))
    const { def, handler } = route
    if (handler.kind === 'refuse') return answerError(stream, handler.error)
    const reader = new MessageReader(String(headers['grpc-encoding'] ?? 'identity'), this.maxBytes)
    if (handler.kind === 'unary') this.unaryCall(stream, def, handler.fn, reader)
    else this.streamCall(stream, def, handler.fn, reader)
  }

  private unaryCall(stream: ServerStream, def: MethodDefinition<Msg, Msg>, fn: (req: Msg) => Msg | Promise<Msg>, reader: MessageReader): void {
    const messages: Buffer[] = []
    let failed = false
    stream.onData = (chunk) => {
      if (failed) return
      try {
        for (const m of reader.push(chunk)) messages.push(m)
      } catch (e) {
        failed = true
        answerError(stream, e)
      }
    }
    stream.onEnd = () => {
      if (failed) return
      let req: Msg
      try {
        if (messages.length !== 1 || reader.leftover > 0) throw new RpcError(status.INTERNAL, `a unary call takes one request message, got ${messages.length}${reader.leftover > 0 ? ' and a partial one' : ''}`)
        req = deserialize(def, messages[0])
      } catch (e) {
        return answerError(stream, e)
      }
      let out: Msg | Promise<Msg>
      try {
        out = fn(req)
      } catch (e) {
        return answerError(stream, e)
      }
      if (out instanceof Promise) out.then((r) => this.answer(stream, def, r), (e: unknown) => answerError(stream, e))
      else this.answer(stream, def, out)
    }
  }

  private answer(stream: ServerStream, def: MethodDefinition<Msg, Msg>, r: Msg): void {
    if (stream.closed) return
    let body: Buffer
    try {
      body = frameOf(def.responseSerialize(r))
    } catch (e) {
      return answerError(stream, new RpcError(status.INTERNAL, `Error serializing response: ${(e as Error).message}`))
    }
    stream.respond(RESPONSE_BLOCK)
    stream.write(body)
    stream.end(OK_TRAILERS)
  }

  private streamCall(stream: ServerStream, def: MethodDefinition<Msg, Msg>, fn: (call: DuplexCall) => void, reader: MessageReader): void {
    const call = new Call(stream, def)
    this.calls.add(call)
    stream.onClose = () => {
      this.calls.delete(call)
      call.emit('close')
    }
    try {
      fn(call)
    } catch (e) {
      call.fail(e)
      return
    }
    stream.onData = (chunk) => {
      try {
        for (const m of reader.push(chunk)) call.emit('data', deserialize(def, m))
      } catch (e) {
        call.fail(e)
      }
    }
    stream.onEnd = () => call.emit('end')
  }
}
