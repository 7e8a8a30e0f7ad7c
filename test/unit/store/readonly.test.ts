// A full disk simulated by a read-only data folder: writes fail with a clear gRPC error, reads keep working.
import { execFileSync } from 'node:child_process'
import { chmodSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, afterAll } from 'vitest'
import * as grpc from '@grpc/grpc-js'
import { createStoreClient } from '../../../src-main/lab/store/client.ts'
import { startCluster, until } from './helpers.ts'

function setReadOnly(dir: string, on: boolean): void {
  const paths = [dir, ...readdirSync(dir).map((f) => join(dir, f))]
  if (process.getuid?.() === 0) {
    // root ignores permission bits: use the immutable attribute instead.
    execFileSync('chattr', [on ? '+i' : '-i', ...paths.reverse()])
  } else for (const p of paths) chmodSync(p, on ? 0o555 : 0o755)
}

describe('read-only data folder', () => {
  it('refuses writes with UNAVAILABLE and a clear message; the replica stays up and serves reads', async () => {
    const sup = await startCluster(1)
    const dir = join(sup.options.dir, 'r1')
    let c = createStoreClient(sup.endpoints()[0], 3000)
    await c.put({ key: Buffer.from('ro/a'), value: Buffer.from('1') })
    c.close()
    await sup.stop('r1')
    setReadOnly(dir, true)
    afterAll(() => setReadOnly(dir, false))
    await sup.restart('r1')
    c = createStoreClient(sup.endpoints()[0], 3000)
    try {
      const got = await until('reads', () => c.range({ key: Buffer.from('ro/a') }), 3000)
      expect(got.kvs[0].value.toString()).toBe('1')
      await expect(c.put({ key: Buffer.from('ro/b'), value: Buffer.from('2') })).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
        details: expect.stringMatching(/^stabilis store: writes refused: the data folder is read-only \((EPERM|EACCES|EROFS) on .*changes\.log\)$/),
      })
      const status = await c.status({})
      expect(status.errors[0]).toContain('read-only')
      expect(sup.isUp('r1')).toBe(true)
      expect((await c.range({ key: Buffer.from('ro/a') })).kvs).toHaveLength(1)
    } finally {
      c.close()
      setReadOnly(dir, false)
    }
  })
})
