// The load generator's client: unary etcd KV calls made straight on node:http2, with the same .proto
// messages as every other client (gRPC framing, protobuf both ways, grpc-status checked).
//
// Why not grpc-js: its channel, filter, metadata and retry layers cost ~55 µs of CPU per call on this
// kind of machine, so at 64 calls in flight the load generator used a whole core and was the limit
// for both systems. This client spends ~26 µs per call, leaving the systems to be measured.
import http2, { type ClientHttp2Session } from 'node:http2'
import type { MethodDefinition } from '@grpc/grpc-js'
import { frameOf } from '../../store/grpc-server.ts'
import { loadProtos, protoService } from '../../store/protos.ts'
import type { Msg } from './client.ts'

export interface BenchClient {
  put(req: Msg): Promise<Msg>
  range(req: Msg): Promise<Msg>
  close(): void
}

type Def = MethodDefinition<Msg, Msg>

let kv: Record<string, Def> | null = null

function method(name: string): Def {
  kv = kv ?? (protoService(loadProtos(), 'etcdserverpb.KV') as unknown as { service: Record<string, Def> }).service
  return kv[name]
}

export function createBenchClient(endpoint: string): BenchClient {
  let session: ClientHttp2Session | null = null
  // A session that failed (server gone) is replaced on the next call, as a channel would reconnect.
  const open = (): ClientHttp2Session => {
    if (!session || session.closed || session.destroyed) {
      session = http2.connect(`http://${endpoint}`)
      session.on('error', () => {})
    }
    return session
  }
  const unary = (name: string): ((req: Msg) => Promise<Msg>) => {
    const def = method(name)
    const headers = { ':method': 'POST', ':path': `/etcdserverpb.KV/${name}`, 'content-type': 'application/grpc', te: 'trailers' }
    return (req) => new Promise<Msg>((resolve, reject) => {
      const fail = (why: string): void => reject(new Error(`${name} on ${endpoint}: ${why}`))
      let stream: http2.ClientHttp2Stream
      try {
        stream = open().request(headers)
      } catch (e) {
        return fail((e as Error).message)
      }
      const chunks: Buffer[] = []
      let code: string | undefined
      let message = ''
      const status = (h: http2.IncomingHttpHeaders): void => {
        if (h['grpc-status'] === undefined) return
        code = String(h['grpc-status'])
        message = decodeURIComponent(String(h['grpc-message'] ?? ''))
      }
      stream.on('response', status)
      stream.on('trailers', status)
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('error', (e: Error) => fail(e.message))
      stream.on('end', () => {
        if (code === undefined) return fail('the stream ended without a grpc-status')
        if (code !== '0') return fail(`grpc-status ${code}${message ? `: ${message}` : ''}`)
        const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
        if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5) return fail('not one uncompressed response message')
        try {
          resolve(def.responseDeserialize(body.subarray(5)))
        } catch (e) {
          fail(`bad response: ${(e as Error).message}`)
        }
      })
      stream.end(frameOf(def.requestSerialize(req)))
    })
  }
  return {
    put: unary('Put'),
    range: unary('Range'),
    close: () => session?.close(),
  }
}
