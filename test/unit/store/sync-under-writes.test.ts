// Three replicas as real processes, one taking a stream of writes while the other two stay quiet: its sync
// sessions towards them (their heads behind its own) carry several changes at once — Automerge v2 puts them in one
// entry, back to back — while some of its writes are still on their way to disk. Filtering those out of such a
// message once threw from a timer and ended the replica (its clients saw "14 UNAVAILABLE: Connection dropped").
import { describe, expect, it } from 'vitest'
import type { StoreClient } from '../../../src-main/lab/store/client.ts'
import { until, useCluster } from './helpers.ts'

const b = (s: string): Buffer => Buffer.from(s)

describe('a replica syncing while its writes are in flight', () => {
  const cluster = useCluster(3)

  it('keeps serving through 5 s of writes, and every peer ends up with all of them', async () => {
    // 32 writes in flight on r1 for 5 s: about one sync session a second per quiet peer.
    let n = 0
    const failures: string[] = []
    const deadline = Date.now() + 5000
    const worker = async (): Promise<void> => {
      while (Date.now() < deadline && failures.length === 0) {
        const i = n++
        try {
          await cluster.clients[0].put({ key: b(`w/${i}`), value: b(String(i)) })
        } catch (e) {
          failures.push(`w/${i}: ${(e as Error).message}`)
        }
      }
    }
    await Promise.all(Array.from({ length: 32 }, worker))
    expect(failures).toEqual([])
    // No replica ended, held a message back, or failed to apply one.
    for (const r of ['r1', 'r2', 'r3']) expect(cluster.sup.lastStderr(r)).not.toMatch(/Error|deps should already be|held back|failed/)
    await cluster.clients[0].put({ key: b('w/last'), value: b('end') })
    expect(cluster.sup.isUp('r1')).toBe(true)
    expect(n).toBeGreaterThan(200)
    const count = async (c: StoreClient): Promise<number> => Number((await c.range({ key: b('w/'), range_end: b('w0'), count_only: true })).count)
    for (const c of cluster.clients.slice(1)) await until('a peer holds every write of r1', async () => (await count(c)) === n + 1, 8000, 50)
    expect(await Promise.all(cluster.clients.map(count))).toEqual([n + 1, n + 1, n + 1])
  })
})
