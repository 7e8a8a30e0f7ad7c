// Session order for a client that spreads its requests over every replica (as a stock etcd client balancing
// over its endpoints does): while the replicas can reach each other it reads its own writes, never reads
// older state than it has seen, and a delete covers every put it saw acknowledged, on any replica. Under a
// partition each side stays available.
import { describe, expect, it } from 'vitest'
import { until, useCluster } from './helpers.ts'

const b = (s: string): Buffer => Buffer.from(s)

describe('session order over three endpoints', () => {
  const cluster = useCluster(3)

  it('reads its own writes and reads monotonically, whichever replica answers', async () => {
    let stale = 0
    for (let i = 0; i < 150; i++) {
      await cluster.clients[i % 3].put({ key: b('ryw/k'), value: b(String(i)) })
      const got = await cluster.clients[(i + 1) % 3].range({ key: b('ryw/k') })
      if (got.kvs[0]?.value.toString() !== String(i)) stale++
      const again = await cluster.clients[(i + 2) % 3].range({ key: b('ryw/k') })
      if (Number(again.kvs[0]?.value.toString() ?? -1) < i) stale++
    }
    expect(stale).toBe(0)
  })

  it('a prefix delete on one replica removes every put acknowledged before it by the others', async () => {
    for (let round = 0; round < 5; round++) {
      const puts = []
      for (let i = 0; i < 60; i++) puts.push(cluster.clients[i % 3].put({ key: b(`perf/${round}/${i}`), value: b('x') }))
      await Promise.all(puts)
      const del = await cluster.clients[(round + 1) % 3].deleteRange({ key: b(`perf/${round}/`), range_end: b(`perf/${round}0`) })
      expect(Number(del.deleted)).toBe(60)
    }
    for (const x of cluster.clients) {
      await until('no survivors', async () => (await x.range({ key: b('perf/'), range_end: b('perf0'), count_only: true })).count === '0', 3000)
    }
  })

  it('stays available on both sides of a partition', async () => {
    cluster.sup.partition([['r1'], ['r2', 'r3']])
    try {
      await cluster.clients[0].put({ key: b('split/a'), value: b('1') })
      await cluster.clients[1].put({ key: b('split/b'), value: b('2') })
      expect((await cluster.clients[0].range({ key: b('split/a') })).kvs).toHaveLength(1)
      expect((await cluster.clients[2].range({ key: b('split/b') })).kvs).toHaveLength(1)
      // r1 is cut off: it cannot have r2's write.
      expect((await cluster.clients[0].range({ key: b('split/b') })).kvs).toHaveLength(0)
    } finally {
      cluster.sup.heal()
    }
    await until('healed', async () => (await cluster.clients[0].range({ key: b('split/b') })).kvs.length === 1, 5000)
  })
})
