// child: node nullsrv.ts grpcjs|raw port
import * as grpc from '/work/main/node_modules/@grpc/grpc-js/build/src/index.js'
import http2 from 'node:http2'
import { loadProtos } from '/work/main/src-main/store/server.ts'
const [mode, port] = [process.argv[2], Number(process.argv[3])]
const pkg = loadProtos() as any
const svc = pkg.etcdserverpb.KV.service
const header = { cluster_id: '1', member_id: '2', revision: '3', raft_term: '1', heads: [] }
if (mode === 'grpcjs') {
  const s = new grpc.Server()
  s.addService(svc, { Put: (call: any, cb: any) => { Promise.resolve().then(() => ({ header })).then((r) => cb(null, r)) } })
  s.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), () => process.send!('up'))
} else {
  const put = svc.Put
  const s = http2.createServer()
  s.on('stream', (stream, headers) => {
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('end', () => {
      const b = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
      const req = put.requestDeserialize(b.subarray(5))
      Promise.resolve().then(() => ({ header })).then((r) => {
        const body = put.responseSerialize(r) as Buffer
        const f = Buffer.allocUnsafe(5 + body.length); f[0] = 0; f.writeUInt32BE(body.length, 1); body.copy(f, 5)
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': '' }))
        stream.end(f)
      })
    })
  })
  s.listen(port, '127.0.0.1', () => process.send!('up'))
}
process.on('message', (m) => { if (m === 'cpu') { const u = process.cpuUsage(); process.send!({ cpu: (u.user + u.system) / 1e6 }) } })
