// etcd's lock and election recipes need a linearizable store. Replicas that merge concurrent writes grant a
// put-if-absent on both sides of a partition (shown below with a VERSION compare), so the recipes' requests
// (create-revision compares and orders) are refused in a multi-replica cluster except on the replica named
// recipes home, whose own writes are serial: there `etcdctl lock` excludes, through any other it is refused.
import { describe, expect, it } from 'vitest'
import { createStoreClient } from '../../../src-main/lab/store/client.ts'
import { StoreSupervisor } from '../../../src-main/lab/store/supervisor.ts'
import { tempDir } from '../../helpers/tmp.ts'
import { etcdctl, startCluster } from './helpers.ts'
import { afterAll } from 'vitest'

const b = (s: string): Buffer => Buffer.from(s)

describe('lock and election recipes', () => {
  it('a put-if-absent succeeds on both sides of a partition: why recipes need one serial order', async () => {
    const sup = await startCluster(3)
    const [c1, c2] = sup.endpoints().map((e) => createStoreClient(e, 5000))
    try {
      sup.partition([['r1'], ['r2', 'r3']])
      const claim = (holder: string) => ({
        compare: [{ key: b('lock/x'), target: 'VERSION', result: 'EQUAL', version: 0 }],
        success: [{ request_put: { key: b('lock/x'), value: b(holder) } }],
      })
      const [a, bb] = await Promise.all([c1.txn(claim('A')), c2.txn(claim('B'))])
      expect([a.succeeded, bb.succeeded]).toEqual([true, true])
    } finally {
      sup.heal()
      c1.close()
      c2.close()
    }
  })

  it('etcdctl lock through three endpoints is refused with a message saying what to do', async () => {
    const sup = await startCluster(3)
    const r = await etcdctl(sup.endpoints().join(','), ['lock', 'L', 'true'])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('lock and election recipes (a create-revision compare or order) need a linearizable store')
    expect(r.stderr).toContain('--recipes-home')
    const e = await etcdctl(sup.endpoints()[1], ['elect', 'E', 'me'])
    expect(e.code).not.toBe(0)
    expect(e.stderr).toContain('need a linearizable store')
  })

  it('with a recipes home, etcdctl lock there excludes, and another replica refuses naming the home', async () => {
    const sup = new StoreSupervisor({ replicas: 3, dir: tempDir('stabilis-recipes-'), recipesHome: 'r1' })
    afterAll(async () => {
      sup.killAllNow()
      await sup.stopAll()
    })
    await sup.start()
    const [home, other] = sup.endpoints()
    const hold = "echo in $(date +%s%N); sleep 0.4; echo out $(date +%s%N)"
    const runs = await Promise.all([0, 1, 2].map(() => etcdctl(home, ['lock', 'L', '--', 'sh', '-c', hold], undefined, 20_000)))
    const spans = runs.map((r) => {
      expect(r.code).toBe(0)
      const at = (w: string): number => Number(/^(in|out) (\d+)$/m.exec(r.stdout.split('\n').find((l) => l.startsWith(w)) ?? '')?.[2])
      return [at('in '), at('out ')]
    }).sort((x, y) => x[0] - y[0])
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1])
    const r = await etcdctl(other, ['lock', 'L', 'true'])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain(`send them to the recipes home, replica r1 (only its endpoint: --endpoints=${home})`)
  })

  it('refuses a recipes home that is not a replica', async () => {
    const sup = new StoreSupervisor({ replicas: 2, dir: tempDir('stabilis-recipes-'), recipesHome: 'r5' })
    await expect(sup.start()).rejects.toThrow('--recipes-home r5: there are only 2 replicas (r1..r2)')
  })
})
