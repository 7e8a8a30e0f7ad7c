// The switch back to node:http2 (`store up --http2 node`): the same replica on Node's own HTTP/2 server answers
// grpc-js and etcdctl alike — unary calls, errors in trailers, the request limit, a watch.
import { spawn } from 'node:child_process'
import { describe, expect, it, afterAll } from 'vitest'
import * as grpc from '@grpc/grpc-js'
import { createStoreClient } from '../../../src-main/lab/store/client.ts'
import { StoreSupervisor } from '../../../src-main/lab/store/supervisor.ts'
import { tempDir } from '../../helpers/tmp.ts'
import { etcdctl, until } from './helpers.ts'

const b = (s: string): Buffer => Buffer.from(s)

describe('replicas on node:http2', () => {
  it('serve puts, gets, errors, the request limit and a watch', async () => {
    const sup = new StoreSupervisor({ replicas: 2, dir: tempDir('stabilis-nodeh2-'), http2: 'node' })
    afterAll(async () => {
      sup.killAllNow()
      await sup.stopAll()
    })
    await sup.start()
    const [ep1, ep2] = sup.endpoints()
    const c = createStoreClient(ep1, 5000)
    try {
      await c.put({ key: b('n/a'), value: b('1') })
      expect((await c.range({ key: b('n/a') })).kvs[0].value.toString()).toBe('1')
      await expect(c.range({ key: b('') })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'etcdserver: key is not provided' })
      await expect(c.put({ key: b('n/big'), value: Buffer.alloc(2 * 1024 * 1024) })).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED })
      const watch = spawn('etcdctl', [`--endpoints=${ep2}`, 'watch', 'n/w'], { env: { ...process.env, ETCDCTL_API: '3' } })
      let out = ''
      watch.stdout.on('data', (d: Buffer) => (out += d.toString()))
      try {
        await new Promise((r) => setTimeout(r, 500))
        expect((await etcdctl(ep1, ['put', 'n/w', 'hello'])).code).toBe(0)
        await until('the watch event', async () => out.includes('PUT\nn/w\nhello'), 5000)
      } finally {
        watch.kill()
      }
      expect((await etcdctl(ep2, ['get', 'n/a', '--print-value-only'])).stdout.trim()).toBe('1')
    } finally {
      c.close()
    }
  })
})
