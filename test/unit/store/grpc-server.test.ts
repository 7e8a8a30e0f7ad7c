// The replica's gRPC transport (on our HTTP/2 connection layer), driven by real grpc-js clients and a raw HTTP/2 client on
// loopback: unary and streaming calls, status codes and messages, compression, limits, non-gRPC requests.
import http2 from 'node:http2'
import { afterEach, describe, expect, it } from 'vitest'
import * as grpc from '@grpc/grpc-js'
import { GrpcServer, RpcError, refuse, streaming, unary, type Msg } from '../../../src-main/store/grpc-server.ts'
import { loadProtos, protoService } from '../../../src-main/store/protos.ts'

const pkg = loadProtos()
const KV = protoService(pkg, 'etcdserverpb.KV')
const Watch = protoService(pkg, 'etcdserverpb.Watch')

let server: GrpcServer | null = null
const clients: grpc.Client[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  await server?.close()
  server = null
})

async function serve(maxMessageBytes?: number): Promise<string> {
  server = new GrpcServer({ maxMessageBytes })
  server.addService(KV.service, {
    Put: unary((req) => ({ header: { revision: String(req.key.length) }, prev_kv: { key: req.key, value: req.value } })),
    Range: unary(async (req) => {
      const k = req.key.toString()
      if (k === 'missing') throw new RpcError(grpc.status.NOT_FOUND, 'clé 100% absente')
      if (k === 'boom') throw new Error('plain failure')
      return { kvs: [{ key: req.key, value: Buffer.from('v') }], count: '1' }
    }),
    DeleteRange: refuse(new RpcError(grpc.status.UNIMPLEMENTED, 'no deletes here')),
  })
  server.addService(Watch.service, {
    Watch: streaming((call) => {
      call.on('data', (m: Msg) => {
        if (m.cancel_request) call.fail(new RpcError(grpc.status.ABORTED, `cancelled ${m.cancel_request.watch_id}`))
        else call.write({ watch_id: String(m.create_request.key.length), created: true })
      })
      call.on('end', () => call.end())
    }),
  })
  await server.listen('127.0.0.1', 0)
  return `127.0.0.1:${server.port}`
}

function client<T extends grpc.Client>(Ctor: grpc.ServiceClientConstructor, ep: string, options: grpc.ChannelOptions = {}): T & Record<string, (...a: unknown[]) => unknown> {
  const c = new Ctor(ep, grpc.credentials.createInsecure(), options)
  clients.push(c)
  return c as T & Record<string, (...a: unknown[]) => unknown>
}

const call = (c: Record<string, (...a: unknown[]) => unknown>, method: string, req: Msg): Promise<Msg> =>
  new Promise((resolve, reject) => c[method](req, (e: grpc.ServiceError | null, r: Msg) => (e ? reject(e) : resolve(r))))

describe('the replica gRPC server', () => {
  it('answers unary calls, with status codes and percent-encoded messages from the handlers', async () => {
    const kv = client(KV, await serve())
    const put = await call(kv, 'Put', { key: Buffer.from('abcd'), value: Buffer.from('x') })
    expect(put.header.revision).toBe('4')
    expect(put.prev_kv.value.toString()).toBe('x')
    expect((await call(kv, 'Range', { key: Buffer.from('k') })).kvs[0].value.toString()).toBe('v')
    await expect(call(kv, 'Range', { key: Buffer.from('missing') })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND, details: 'clé 100% absente' })
    await expect(call(kv, 'Range', { key: Buffer.from('boom') })).rejects.toMatchObject({ code: grpc.status.INTERNAL, details: 'plain failure' })
    await expect(call(kv, 'DeleteRange', { key: Buffer.from('k') })).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED, details: 'no deletes here' })
    // A method of the service with no handler, and a path no service has.
    await expect(call(kv, 'Txn', {})).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED, details: 'stabilis store: unknown method /etcdserverpb.KV/Txn' })
  })

  it('takes gzip-compressed requests and refuses messages over the size limit', async () => {
    const ep = await serve(1024)
    const gz = client(KV, ep, { 'grpc.default_compression_algorithm': 2 })
    expect((await call(gz, 'Put', { key: Buffer.alloc(300, 0x61), value: Buffer.alloc(600, 0x62) })).header.revision).toBe('300')
    const kv = client(KV, ep)
    await expect(call(kv, 'Put', { key: Buffer.from('k'), value: Buffer.alloc(2000) })).rejects.toMatchObject({
      code: grpc.status.RESOURCE_EXHAUSTED, details: expect.stringMatching(/request of 20\d\d bytes is above the limit of 1024 bytes/),
    })
    // Still serving.
    expect((await call(kv, 'Put', { key: Buffer.from('ok'), value: Buffer.from('') })).header.revision).toBe('2')
  })

  it('streams both ways: messages in order, the client ending, a handler failing the call', async () => {
    const w = client(Watch, await serve())
    const s = (w.Watch as () => grpc.ClientDuplexStream<Msg, Msg>)()
    const got: string[] = []
    s.on('data', (m: Msg) => got.push(m.watch_id))
    const ended = new Promise<grpc.StatusObject>((resolve) => s.on('status', resolve))
    for (const k of ['a', 'bb', 'ccc']) s.write({ create_request: { key: Buffer.from(k) } })
    s.end()
    expect((await ended).code).toBe(grpc.status.OK)
    expect(got).toEqual(['1', '2', '3'])

    const f = (w.Watch as () => grpc.ClientDuplexStream<Msg, Msg>)()
    const failed = new Promise<grpc.ServiceError>((resolve) => f.on('error', resolve))
    f.write({ cancel_request: { watch_id: '7' } })
    expect(await failed).toMatchObject({ code: grpc.status.ABORTED, details: 'cancelled 7' })
  })

  it('closing ends open streams with OK and stops listening', async () => {
    const ep = await serve()
    const w = client(Watch, ep)
    const s = (w.Watch as () => grpc.ClientDuplexStream<Msg, Msg>)()
    const created = new Promise((resolve) => s.once('data', resolve))
    const status = new Promise<grpc.StatusObject>((resolve) => s.on('status', resolve))
    s.on('error', () => {})
    s.write({ create_request: { key: Buffer.from('x') } })
    await created
    await server!.close()
    server = null
    expect((await status).code).toBe(grpc.status.OK)
    const kv = client(KV, ep, { 'grpc.initial_reconnect_backoff_ms': 50 })
    await expect(new Promise((resolve, reject) => kv.Put({ key: Buffer.from('k') }, { deadline: Date.now() + 500 }, (e: unknown) => (e ? reject(e) : resolve(null)))))
      .rejects.toMatchObject({ code: expect.any(Number) })
  })

  it('answers a request that is not gRPC with 415 and a reason', async () => {
    const ep = await serve()
    const session = http2.connect(`http://${ep}`)
    try {
      const res = await new Promise<{ status: number; message: string }>((resolve, reject) => {
        const req = session.request({ ':method': 'GET', ':path': '/etcdserverpb.KV/Put' })
        req.on('response', (h) => resolve({ status: Number(h[':status']), message: decodeURIComponent(String(h['grpc-message'])) }))
        req.on('error', reject)
        req.end()
      })
      expect(res).toEqual({ status: 415, message: 'expected a gRPC request (POST, content-type application/grpc)' })
    } finally {
      session.close()
    }
  })
})
