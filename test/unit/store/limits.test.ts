// One client must not stall or exhaust a replica: request size limit, and a peer port that checks what
// frames claim before believing it. Real replica processes, real sockets.
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import * as grpc from '@grpc/grpc-js'
import { createStoreClient } from '../../../src-main/lab/store/client.ts'
import { StoreSupervisor } from '../../../src-main/lab/store/supervisor.ts'
import { tempDir } from '../../helpers/tmp.ts'
import { startCluster, until } from './helpers.ts'

const b = (s: string): Buffer => Buffer.from(s)

function peerFrame(type: number, payload: Buffer, claimed = payload.length + 1): Buffer {
  const h = Buffer.alloc(5)
  h.writeUInt32BE(claimed, 0)
  h[4] = type
  return Buffer.concat([h, payload])
}

/** Connect, send, and resolve with whether the replica closed the connection within `ms`. */
function closedBy(port: number, data: Buffer, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(data))
    s.on('error', () => {})
    const timer = setTimeout(() => {
      s.destroy()
      resolve(false)
    }, ms)
    s.on('close', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

describe('request size limit', () => {
  it('refuses a put above 1.5 MiB with RESOURCE_EXHAUSTED naming the limit, takes one below, and keeps serving', async () => {
    const sup = await startCluster(1)
    const c = createStoreClient(sup.endpoints()[0], 10_000)
    try {
      await expect(c.put({ key: b('big'), value: Buffer.alloc(2 * 1024 * 1024, 1) })).rejects.toMatchObject({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: expect.stringMatching(/request of 20971\d\d bytes is above the limit of 1572864 bytes \(raise it with --max-request-bytes\)/),
      })
      await c.put({ key: b('fits'), value: Buffer.alloc(1024 * 1024, 2) })
      expect((await c.range({ key: b('fits') })).kvs[0].value.length).toBe(1024 * 1024)
      expect((await c.range({ key: b('big') })).kvs).toHaveLength(0)
    } finally {
      c.close()
    }
  })

  it('takes larger requests when the limit is raised', async () => {
    const sup = new StoreSupervisor({ replicas: 1, dir: tempDir('stabilis-limit-'), maxRequestBytes: 4 * 1024 * 1024 })
    await sup.start()
    const c = createStoreClient(sup.endpoints()[0], 10_000)
    try {
      await c.put({ key: b('big'), value: Buffer.alloc(2 * 1024 * 1024, 1) })
      expect((await c.range({ key: b('big') })).kvs[0].value.length).toBe(2 * 1024 * 1024)
    } finally {
      c.close()
      sup.killAllNow()
      await sup.stopAll()
    }
  })
})

describe('the peer port', () => {
  it('drops a CHANGES frame whose counts do not fit, an oversized frame before HELLO, and one above the cap after it', async () => {
    const sup = await startCluster(2)
    const port = sup.view()[0].status!.peerPort
    const hello = peerFrame(1, b('r2'))
    // 13 bytes: a CHANGES frame claiming 0xFFFFFFFF heads.
    const lying = peerFrame(4, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]))
    expect(await closedBy(port, Buffer.concat([hello, lying]), 3000)).toBe(true)
    await until('the message in stderr', async () => /bad CHANGES frame of 8 bytes: 4294967295 heads do not fit/.test(sup.lastStderr('r1')), 3000)
    // A 500 MiB frame announced by a connection that has not said who it is: dropped on its first bytes.
    expect(await closedBy(port, peerFrame(2, Buffer.alloc(1000), 500 * 1024 * 1024), 3000)).toBe(true)
    // After HELLO, frames above 256 MiB are refused too.
    expect(await closedBy(port, Buffer.concat([hello, peerFrame(2, Buffer.alloc(1000), 300 * 1024 * 1024)]), 3000)).toBe(true)
    // Connections claiming one peer's name do not pile up: past three, the oldest is dropped.
    const claims = await Promise.all([0, 1, 2, 3, 4].map(() => new Promise<net.Socket>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(hello, () => resolve(s)))
      s.resume()
      s.on('error', () => {})
    })))
    await until('the oldest claims dropped', async () => claims.filter((s) => s.destroyed || s.readableEnded).length >= 2, 3000)
    for (const s of claims) s.destroy()
    // The replica is unharmed and still replicates.
    const [c1, c2] = sup.endpoints().map((e) => createStoreClient(e, 3000))
    try {
      await c1.put({ key: b('after'), value: b('ok') })
      await until('replicated', async () => (await c2.range({ key: b('after') })).kvs.length === 1, 5000)
    } finally {
      c1.close()
      c2.close()
    }
  })
})

describe('a watcher that never reads', () => {
  it('is reset with ENHANCE_YOUR_CALM once its unsent events pass the bound, and the replica goes on', async () => {
    const http2 = await import('node:http2')
    const { loadProtos, protoService } = await import('../../../src-main/store/protos.ts')
    const { frameOf } = await import('../../../src-main/store/grpc-server.ts')
    const sup = await startCluster(1)
    const ep = sup.endpoints()[0]
    const watchDef = protoService(loadProtos(), 'etcdserverpb.Watch').service.Watch
    const session = http2.connect(`http://${ep}`)
    session.on('error', () => {})
    const c = createStoreClient(ep, 10_000)
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/etcdserverpb.Watch/Watch', 'content-type': 'application/grpc', te: 'trailers' })
      stream.on('error', () => {})
      const closed = new Promise<number>((resolve) => stream.on('close', () => resolve(stream.rstCode ?? -1)))
      stream.write(frameOf(watchDef.requestSerialize({ create_request: { key: b('slow/'), range_end: b('slow0') } })))
      // Read the first bytes (the "created" answer), then never again.
      await new Promise<void>((resolve) => stream.once('data', () => resolve()))
      stream.pause()
      const value = Buffer.alloc(1024 * 1024, 7)
      for (let i = 0; i < 24; i++) await c.put({ key: b(`slow/${i}`), value })
      expect(await closed).toBe(11)
      expect((await c.range({ key: b('slow/'), range_end: b('slow0'), count_only: true })).count).toBe('24')
    } finally {
      c.close()
      session.destroy()
    }
  })
})
