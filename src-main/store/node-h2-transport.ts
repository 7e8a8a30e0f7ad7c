// The switch back to node:http2 for the replica's gRPC transport (`--http2 node`): the same GrpcServer on Node's
// own HTTP/2 server (nghttp2) instead of h2-connection.ts. Slower (a null answer ~17–25 µs of CPU against ~4 µs) but
// a second, independent implementation of the protocol: for comparing behaviour, and a way out if ours misbehaves
// with some client. Node's server brings its own limits (session memory, invalid frames, rejected streams, resets).
import http2 from 'node:http2'
import { HpackDecoder, type HeaderList } from './hpack.ts'
import type { ServerStream } from './h2-connection.ts'
import { MAX_STREAMS } from './h2-connection.ts'

/** Our answers' header blocks use no dynamic table, so any fresh decoder reads them. */
function headersOf(block: Buffer): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {}
  for (const [n, v] of new HpackDecoder().decode(block) as HeaderList) out[n] = v
  return out
}

class NodeStream implements ServerStream {
  readonly headers: Record<string, string>
  onData: ((chunk: Buffer) => void) | null = null
  onEnd: (() => void) | null = null
  onClose: (() => void) | null = null
  headersSent = false
  private readonly s: http2.ServerHttp2Stream

  constructor(s: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) {
    this.s = s
    this.headers = {}
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) this.headers[k] = Array.isArray(v) ? v.join(', ') : String(v)
    s.on('data', (c: Buffer) => this.onData?.(c))
    s.on('end', () => this.onEnd?.())
    s.on('close', () => this.onClose?.())
    s.on('error', () => {})
  }

  get closed(): boolean {
    return this.s.closed || this.s.destroyed
  }

  respond(block: Buffer): void {
    if (this.closed || this.headersSent) return
    this.headersSent = true
    this.s.respond(headersOf(block), { waitForTrailers: true })
  }

  respondAndEnd(block: Buffer): void {
    if (this.closed || this.headersSent) return
    this.headersSent = true
    this.s.respond(headersOf(block), { endStream: true })
  }

  write(data: Buffer): void {
    if (!this.closed) this.s.write(data)
  }

  end(trailers: Buffer): void {
    if (this.closed) return
    this.s.once('wantTrailers', () => this.s.sendTrailers(headersOf(trailers)))
    this.s.end()
  }

  reset(code = http2.constants.NGHTTP2_CANCEL): void {
    if (!this.closed) this.s.close(code)
  }
}

/** An HTTP/2 server (cleartext, prior knowledge) handing each request stream to `onStream`. */
export function createNodeHttp2Server(onStream: (s: ServerStream) => void): http2.Http2Server {
  const server = http2.createServer({ settings: { maxConcurrentStreams: MAX_STREAMS, enablePush: false }, maxSessionMemory: 64 })
  server.on('stream', (s, headers) => onStream(new NodeStream(s, headers)))
  server.on('sessionError', () => {})
  return server
}
