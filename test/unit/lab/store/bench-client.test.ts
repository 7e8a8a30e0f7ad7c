// The load generator's own gRPC client against a real replica process and a real etcd (the benchmark's
// reference, Go's gRPC server): its writes read back through grpc-js and its own reads, errors carry the
// server's grpc-status and message, and a dead replica is an error naming the endpoint rather than a hang.
import { afterAll, describe, expect, it } from 'vitest'
import { startEtcd } from '../../../../src-main/lab/store/bench.ts'
import { createBenchClient } from '../../../../src-main/lab/store/bench-client.ts'
import { createStoreClient } from '../../../../src-main/lab/store/client.ts'
import { startCluster } from '../../store/helpers.ts'

describe('the benchmark client', async () => {
  const sup = await startCluster(1)
  const ep = sup.endpoints()[0]
  const bench = createBenchClient(ep)
  const grpcJs = createStoreClient(ep, 5000)
  afterAll(() => {
    bench.close()
    grpcJs.close()
  })

  it('puts and reads back, in agreement with grpc-js', async () => {
    const a = await bench.put({ key: Buffer.from('bc/a'), value: Buffer.from('one') })
    const b = await bench.put({ key: Buffer.from('bc/a'), value: Buffer.from('two'), prev_kv: true })
    expect(Number(b.header.revision)).toBe(Number(a.header.revision) + 1)
    expect(Buffer.from(b.prev_kv.value).toString()).toBe('one')
    // The Dismerge extension travels too: the replica's heads, 64 hex digits each.
    expect(b.header.heads.every((h: string) => /^[0-9a-f]{64}$/.test(h))).toBe(true)
    const mine = await bench.range({ key: Buffer.from('bc/a') })
    const theirs = await grpcJs.range({ key: Buffer.from('bc/a') })
    expect(Buffer.from(mine.kvs[0].value).toString()).toBe('two')
    expect(mine.kvs[0]).toEqual(theirs.kvs[0])
    expect(Number(mine.kvs[0].version)).toBe(2)
  })

  it("keeps 64 calls in flight on one connection; each answer carries its own put's revision", async () => {
    const all = await Promise.all(Array.from({ length: 64 }, (_, i) => bench.put({ key: Buffer.from(`bc/n${i}`), value: Buffer.from(String(i)) })))
    const got = await bench.range({ key: Buffer.from('bc/n'), range_end: Buffer.from('bc/o') })
    expect(Number(got.count)).toBe(64)
    // The puts share group commits (and Automerge changes), yet like etcd each answer's header revision
    // is that put's mod_revision, not the counter after its whole batch: lock recipes rely on it.
    const modOf = new Map(got.kvs.map((kv: { key: Buffer; mod_revision: string }) => [Buffer.from(kv.key).toString(), Number(kv.mod_revision)]))
    all.forEach((r, i) => expect(Number(r.header.revision)).toBe(modOf.get(`bc/n${i}`)))
    expect(new Set(all.map((r) => r.header.revision)).size).toBe(64)
  })

  it("rejects with the replica's grpc-status and message", async () => {
    await expect(bench.range({ key: Buffer.from('bc/a'), revision: 1_000_000_000 })).rejects.toThrow(
      new RegExp(`^Range on ${ep}: grpc-status 11: etcdserver: mvcc: required revision is a future revision$`),
    )
  })

  it('fails calls to a dead replica with an error naming the endpoint', async () => {
    await sup.kill('r1')
    await expect(bench.put({ key: Buffer.from('bc/x'), value: Buffer.from('x') })).rejects.toThrow(`Put on ${ep}: `)
    // The next call opens a new connection, and fails the same way while nobody listens.
    await expect(bench.put({ key: Buffer.from('bc/x'), value: Buffer.from('x') })).rejects.toThrow(`Put on ${ep}: `)
  })
})

describe('the benchmark client against etcd', async () => {
  const etcd = (await startEtcd(1))!
  const ep = etcd.endpoints[0]
  const bench = createBenchClient(ep)
  afterAll(async () => {
    bench.close()
    await etcd.stop()
  })

  it('puts, reads back and gets etcd\'s own errors, with 64 calls in flight', async () => {
    const all = await Promise.all(Array.from({ length: 64 }, (_, i) => bench.put({ key: Buffer.from(`bc/e${i}`), value: Buffer.from(String(i)) })))
    expect(new Set(all.map((r) => r.header.revision)).size).toBe(64)
    const got = await bench.range({ key: Buffer.from('bc/e'), range_end: Buffer.from('bc/f') })
    expect(Number(got.count)).toBe(64)
    expect(got.kvs.map((kv: { value: Buffer }) => Buffer.from(kv.value).toString()).sort()).toEqual(Array.from({ length: 64 }, (_, i) => String(i)).sort())
    await expect(bench.range({ key: Buffer.from('bc/e0'), revision: 1_000_000_000 })).rejects.toThrow(
      new RegExp(`^Range on ${ep}: grpc-status 11: etcdserver: mvcc: required revision is a future revision$`),
    )
  })
})
