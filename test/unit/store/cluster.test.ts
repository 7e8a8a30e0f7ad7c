// Three replicas as real processes: visibility, kill -9 under load, partition and heal with JSON
// documents merged field by field, compare() and replication status, a dead peer.
import { describe, expect, it, beforeAll } from 'vitest'
import type { StoreSupervisor } from '../../../src-main/lab/store/supervisor.ts'
import { createStoreClient, type StoreClient } from '../../../src-main/lab/store/client.ts'
import { startCluster, until } from './helpers.ts'

const b = (s: string): Buffer => Buffer.from(s)

async function headsOf(c: StoreClient): Promise<string[]> {
  return (await c.range({ key: b('\0'), count_only: true })).header.heads as string[]
}

async function converged(clients: StoreClient[]): Promise<string[] | null> {
  const all = await Promise.all(clients.map(headsOf))
  const first = JSON.stringify(all[0])
  return all.every((h) => JSON.stringify(h) === first) ? all[0] : null
}

describe('three replicas', () => {
  let sup: StoreSupervisor
  let clients: StoreClient[]
  beforeAll(async () => {
    sup = await startCluster(3)
    clients = sup.endpoints().map((e) => createStoreClient(e, 5000))
    return () => clients.forEach((c) => c.close())
  })

  it('a write on one replica is visible on the others within 1 s', async () => {
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now()
      await clients[i].put({ key: b(`vis/${i}`), value: b(`from r${i + 1}`) })
      for (const c of clients) {
        await until(`vis/${i} everywhere`, async () => (await c.range({ key: b(`vis/${i}`) })).kvs.length === 1, 1000, 10)
      }
      expect(Date.now() - t0).toBeLessThan(1000)
    }
    const members = await clients[0].memberList({})
    expect(members.members.map((m: { name: string }) => m.name)).toEqual(['r1', 'r2', 'r3'])
  })

  it('partition {r1} | {r2, r3}: concurrent JSON edits merge field by field after heal', async () => {
    await clients[0].put({ key: b('deploy/web'), value: b(JSON.stringify({ replicas: 1, image: 'v1', paused: false })) })
    await until('doc everywhere', async () => (await converged(clients)) !== null, 3000)
    sup.partition([['r1'], ['r2', 'r3']])
    // r1 edits replicas and image; r2 edits paused and image (the same field concurrently).
    const w1 = await clients[0].put({ key: b('deploy/web'), value: b(JSON.stringify({ replicas: 3, image: 'v2', paused: false })) })
    const w2 = await clients[1].put({ key: b('deploy/web'), value: b(JSON.stringify({ replicas: 1, image: 'v3', paused: true })) })
    await clients[2].put({ key: b('side/r3'), value: b('x') })
    await new Promise((r) => setTimeout(r, 1500))
    // Still apart: r1 has not seen r2's write.
    expect(JSON.parse((await clients[0].range({ key: b('deploy/web') })).kvs[0].value.toString()).paused).toBe(false)
    expect((await clients[0].range({ key: b('side/r3') })).kvs).toHaveLength(0)
    // During the partition, r1 does not hold r2's change: concurrent, not held.
    const st = await clients[0].replicationStatus({ heads: w1.header.heads })
    expect(st.replicas[0]).toMatchObject({ name: 'r1', held: true, relation: 'EQUAL' })
    sup.heal()
    const heads = await until('heads converge after heal', () => converged(clients), 5000)
    const values = await Promise.all(clients.map(async (c) => (await c.range({ key: b('deploy/web') })).kvs[0].value.toString()))
    expect(new Set(values).size).toBe(1)
    const merged = JSON.parse(values[0])
    expect(merged.replicas).toBe(3)
    expect(merged.paused).toBe(true)
    expect(['v2', 'v3']).toContain(merged.image)
    const conflicts = await clients[2].conflicts({ key: b('deploy/web') })
    const image = conflicts.conflicts.find((c: { path: string }) => c.path === 'image')
    expect(image.values.map((v: string) => JSON.parse(v)).sort()).toEqual(['v2', 'v3'])
    expect(JSON.parse(image.values[0])).toBe(merged.image)
    // compare() agrees: the two writes are concurrent, both before the merged heads.
    expect((await clients[2].compare({ heads_a: w1.header.heads, heads_b: w2.header.heads })).order).toBe('ORDER_CONCURRENT')
    expect((await clients[2].compare({ heads_a: w1.header.heads, heads_b: heads })).order).toBe('BEFORE')
    expect((await clients[0].compare({ heads_a: heads, heads_b: w2.header.heads })).order).toBe('AFTER')
    // Replication status: every replica holds both writes and is ahead of each alone.
    await until('peers report merged heads', async () => {
      const s = await clients[0].replicationStatus({ heads: w2.header.heads })
      return s.replicas.every((r: { held: boolean; relation: string }) => r.held && r.relation === 'AHEAD')
    }, 5000)
    const table = await sup.durability([...w1.header.heads, ...w2.header.heads])
    expect(table).toEqual({ r1: [true, true], r2: [true, true], r3: [true, true] })
  })

  it('kill -9 under 64 writes in flight, restart: every acknowledged write survives and heads converge (x10)', async () => {
    for (let round = 0; round < 10; round++) {
      const victim = `r${(round % 3) + 1}`
      const vi = round % 3
      const acked: string[] = []
      let stop = false
      const worker = async (w: number): Promise<void> => {
        for (let i = 0; !stop; i++) {
          const key = `kill/${round}/${w}/${i}`
          try {
            await clients[vi].put({ key: b(key), value: b('v') })
            acked.push(key)
          } catch {
            return
          }
        }
      }
      const workers = Array.from({ length: 64 }, (_, w) => worker(w))
      await until('some writes acknowledged', async () => acked.length >= 64 + round * 8, 10_000, 5)
      await sup.kill(victim)
      stop = true
      await Promise.all(workers)
      await sup.restart(victim)
      const got = await clients[vi].range({ key: b(`kill/${round}/`), range_end: b(`kill/${round}0`), count_only: true })
      const present = await clients[vi].range({ key: b(`kill/${round}/`), range_end: b(`kill/${round}0`), keys_only: true })
      const keys = new Set(present.kvs.map((kv: { key: Buffer }) => kv.key.toString()))
      const missing = acked.filter((k) => !keys.has(k))
      expect(missing).toEqual([])
      expect(Number(got.count)).toBeGreaterThanOrEqual(acked.length)
      await until(`heads converge after restarting ${victim}`, () => converged(clients), 8000)
    }
  })

  it('a dead peer: the others keep serving, and it catches up on restart', async () => {
    await sup.kill('r3')
    await clients[0].put({ key: b('dead/a'), value: b('1') })
    const st = await clients[0].replicationStatus({ heads: await headsOf(clients[0]) })
    const r3 = st.replicas.find((r: { name: string }) => r.name === 'r3')
    expect(r3.connected).toBe(false)
    expect(r3.held).toBe(false)
    await expect(clients[2].range({ key: b('dead/a') })).rejects.toMatchObject({ code: 14 })
    await sup.restart('r3')
    await until('r3 catches up', async () => (await clients[2].range({ key: b('dead/a') })).kvs.length === 1, 3000)
    await until('converged', () => converged(clients), 5000)
  })
})
