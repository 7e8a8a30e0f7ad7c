// Three replicas as real processes: visibility, kill -9 under load, partition and heal with JSON
// documents merged field by field, compare() and replication status, a dead peer.
import { describe, expect, it } from 'vitest'
import type { StoreClient } from '../../../src-main/lab/store/client.ts'
import { until, useCluster } from './helpers.ts'

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
  const cluster = useCluster(3)

  it('a write on one replica is visible on the others within 1 s', async () => {
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now()
      await cluster.clients[i].put({ key: b(`vis/${i}`), value: b(`from r${i + 1}`) })
      for (const c of cluster.clients) {
        await until(`vis/${i} everywhere`, async () => (await c.range({ key: b(`vis/${i}`) })).kvs.length === 1, 1000, 10)
      }
      expect(Date.now() - t0).toBeLessThan(1000)
    }
    const members = await cluster.clients[0].memberList({})
    expect(members.members.map((m: { name: string }) => m.name)).toEqual(['r1', 'r2', 'r3'])
  })

  it('partition {r1} | {r2, r3}: concurrent JSON edits merge field by field after heal', async () => {
    await cluster.clients[0].put({ key: b('deploy/web'), value: b(JSON.stringify({ replicas: 1, image: 'v1', paused: false })) })
    await until('doc everywhere', async () => (await converged(cluster.clients)) !== null, 3000)
    cluster.sup.partition([['r1'], ['r2', 'r3']])
    // r1 edits replicas and image; r2 edits paused and image (the same field concurrently).
    const w1 = await cluster.clients[0].put({ key: b('deploy/web'), value: b(JSON.stringify({ replicas: 3, image: 'v2', paused: false })) })
    const w2 = await cluster.clients[1].put({ key: b('deploy/web'), value: b(JSON.stringify({ replicas: 1, image: 'v3', paused: true })) })
    await cluster.clients[2].put({ key: b('side/r3'), value: b('x') })
    await new Promise((r) => setTimeout(r, 1500))
    // Still apart: r1 has not seen r2's write.
    expect(JSON.parse((await cluster.clients[0].range({ key: b('deploy/web') })).kvs[0].value.toString()).paused).toBe(false)
    expect((await cluster.clients[0].range({ key: b('side/r3') })).kvs).toHaveLength(0)
    // During the partition, r1 does not hold r2's change: concurrent, not held.
    const st = await cluster.clients[0].replicationStatus({ heads: w1.header.heads })
    expect(st.replicas[0]).toMatchObject({ name: 'r1', held: true, relation: 'EQUAL' })
    cluster.sup.heal()
    const heads = await until('heads converge after heal', () => converged(cluster.clients), 5000)
    const values = await Promise.all(cluster.clients.map(async (c) => (await c.range({ key: b('deploy/web') })).kvs[0].value.toString()))
    expect(new Set(values).size).toBe(1)
    const merged = JSON.parse(values[0])
    expect(merged.replicas).toBe(3)
    expect(merged.paused).toBe(true)
    expect(['v2', 'v3']).toContain(merged.image)
    const conflicts = await cluster.clients[2].conflicts({ key: b('deploy/web') })
    const image = conflicts.conflicts.find((c: { path: string }) => c.path === 'image')
    expect(image.values.map((v: string) => JSON.parse(v)).sort()).toEqual(['v2', 'v3'])
    expect(JSON.parse(image.values[0])).toBe(merged.image)
    // compare() agrees: the two writes are concurrent, both before the merged heads.
    expect((await cluster.clients[2].compare({ heads_a: w1.header.heads, heads_b: w2.header.heads })).order).toBe('ORDER_CONCURRENT')
    expect((await cluster.clients[2].compare({ heads_a: w1.header.heads, heads_b: heads })).order).toBe('BEFORE')
    expect((await cluster.clients[0].compare({ heads_a: heads, heads_b: w2.header.heads })).order).toBe('AFTER')
    // Replication status: every replica holds both writes and is ahead of each alone.
    await until('peers report merged heads', async () => {
      const s = await cluster.clients[0].replicationStatus({ heads: w2.header.heads })
      return s.replicas.every((r: { held: boolean; relation: string }) => r.held && r.relation === 'AHEAD')
    }, 5000)
    const table = await cluster.sup.durability([...w1.header.heads, ...w2.header.heads])
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
            await cluster.clients[vi].put({ key: b(key), value: b('v') })
            acked.push(key)
          } catch {
            return
          }
        }
      }
      const workers = Array.from({ length: 64 }, (_, w) => worker(w))
      await until('some writes acknowledged', async () => acked.length >= 64 + round * 8, 10_000, 5)
      await cluster.sup.kill(victim)
      stop = true
      await Promise.all(workers)
      await cluster.sup.restart(victim)
      const got = await cluster.clients[vi].range({ key: b(`kill/${round}/`), range_end: b(`kill/${round}0`), count_only: true })
      const present = await cluster.clients[vi].range({ key: b(`kill/${round}/`), range_end: b(`kill/${round}0`), keys_only: true })
      const keys = new Set(present.kvs.map((kv: { key: Buffer }) => kv.key.toString()))
      const missing = acked.filter((k) => !keys.has(k))
      expect(missing).toEqual([])
      expect(Number(got.count)).toBeGreaterThanOrEqual(acked.length)
      await until(`heads converge after restarting ${victim}`, () => converged(cluster.clients), 8000)
    }
  })

  it('a dead peer: the others keep serving, and it catches up on restart', async () => {
    await cluster.sup.kill('r3')
    await cluster.clients[0].put({ key: b('dead/a'), value: b('1') })
    const st = await cluster.clients[0].replicationStatus({ heads: await headsOf(cluster.clients[0]) })
    const r3 = st.replicas.find((r: { name: string }) => r.name === 'r3')
    expect(r3.connected).toBe(false)
    expect(r3.held).toBe(false)
    await expect(cluster.clients[2].range({ key: b('dead/a') })).rejects.toMatchObject({ code: 14 })
    await cluster.sup.restart('r3')
    await until('r3 catches up', async () => (await cluster.clients[2].range({ key: b('dead/a') })).kvs.length === 1, 3000)
    await until('converged', () => converged(cluster.clients), 5000)
  })
})
