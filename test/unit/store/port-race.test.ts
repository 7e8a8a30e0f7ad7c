// A port the OS called free can be taken before a replica binds it (tests and other programs run side by side):
// the supervisor then starts the whole cluster again on new ports; with fixed ports it says which one is taken. The
// benchmark's etcd starts again on new ports too (a real etcd member that cannot bind exits at start).
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStoreClient } from '../../../src-main/lab/store/client.ts'
import { startEtcd } from '../../../src-main/lab/store/bench.ts'
import { freePort, startOnFreePorts, startTempCluster } from '../../../src-main/lab/store/supervisor.ts'

describe('a replica port taken between choosing and binding', () => {
  let holder: Server
  let taken: number
  // The etcd start's readiness probe connects to the taken port before the member's exit is seen: the holder (another
  // program) drops such connections when it closes.
  const sockets = new Set<Socket>()
  beforeAll(async () => {
    holder = createServer((s) => {
      sockets.add(s)
      s.once('close', () => sockets.delete(s))
    })
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    taken = (holder.address() as { port: number }).port
  })
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        holder.close(() => resolve())
      }),
  )

  it('the cluster starts again on fresh ports', async () => {
    let picks = 0
    // The first port handed out is one another process listens on: that start fails with EADDRINUSE.
    const pickPort = async (): Promise<number> => (picks++ === 0 ? taken : freePort())
    const { sup, close } = await startTempCluster('stabilis-port-race-', { replicas: 2, pickPort })
    try {
      expect(picks).toBe(8)
      expect(sup.view().map((v) => v.up)).toEqual([true, true])
      expect(sup.endpoints()).not.toContain(`127.0.0.1:${taken}`)
    } finally {
      await close()
    }
  })

  it('the benchmark\'s etcd starts again on fresh ports, and answers', async () => {
    let picks = 0
    const pickPort = async (): Promise<number> => (picks++ === 0 ? taken : freePort())
    const etcd = (await startEtcd(1, 'etcd', undefined, pickPort))!
    try {
      expect(picks).toBe(4)
      expect(etcd.endpoints).toHaveLength(1)
      expect(etcd.endpoints[0]).not.toBe(`127.0.0.1:${taken}`)
      const c = createStoreClient(etcd.endpoints[0], 2000)
      try {
        await c.put({ key: Buffer.from('k'), value: Buffer.from('v') })
        const got = await c.range({ key: Buffer.from('k') })
        expect((got.kvs as { value: Uint8Array }[]).map((kv) => Buffer.from(kv.value).toString())).toEqual(['v'])
      } finally {
        c.close()
      }
    } finally {
      await etcd.stop()
    }
  })

  it('startOnFreePorts retries only a lost port race, at most 3 starts', async () => {
    const failing = (messages: string[]): { start: () => Promise<string>; calls: () => number } => {
      let n = 0
      return { start: async () => (n < messages.length ? Promise.reject(new Error(messages[n++])) : (n++, 'up')), calls: () => n }
    }
    const twice = failing(['listen tcp 127.0.0.1:1: bind: address already in use', 'etcd member e1 exited at start (code 1, signal null)'])
    expect(await startOnFreePorts(twice.start)).toBe('up')
    expect(twice.calls()).toBe(3)
    const always = failing(['EADDRINUSE 1', 'EADDRINUSE 2', 'EADDRINUSE 3', 'EADDRINUSE 4'])
    await expect(startOnFreePorts(always.start)).rejects.toThrow('EADDRINUSE 3')
    expect(always.calls()).toBe(3)
    const other = failing(['cannot run etcd: spawn etcd ENOENT'])
    await expect(startOnFreePorts(other.start)).rejects.toThrow('cannot run etcd')
    expect(other.calls()).toBe(1)
  })

  it('with fixed ports the start fails, naming the taken port', async () => {
    await expect(startTempCluster('stabilis-port-race-', { replicas: 1, basePort: taken })).rejects.toThrow(new RegExp(`EADDRINUSE.*${taken}`))
  })
})
