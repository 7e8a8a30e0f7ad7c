// One replica against Debian's etcdctl (package etcd-client) and the etcd3 npm client.
import { describe, expect, it, beforeAll } from 'vitest'
import { Etcd3 } from 'etcd3'
import * as grpc from '@grpc/grpc-js'
import type { StoreSupervisor } from '../../../src-main/lab/store/supervisor.ts'
import { createStoreClient } from '../../../src-main/lab/store/client.ts'
import { etcdctl, startCluster } from './helpers.ts'

describe('store replica speaks etcd v3', () => {
  let sup: StoreSupervisor
  let ep: string
  beforeAll(async () => {
    sup = await startCluster(1)
    ep = sup.endpoints()[0]
  })

  it('etcdctl put, get, get --prefix, del', async () => {
    expect((await etcdctl(ep, ['put', 'foo', 'bar'])).stdout).toBe('OK\n')
    expect((await etcdctl(ep, ['get', 'foo'])).stdout).toBe('foo\nbar\n')
    await etcdctl(ep, ['put', 'dir/a', '1'])
    await etcdctl(ep, ['put', 'dir/b', '2'])
    await etcdctl(ep, ['put', 'dis', 'x'])
    expect((await etcdctl(ep, ['get', '--prefix', 'dir/'])).stdout).toBe('dir/a\n1\ndir/b\n2\n')
    expect((await etcdctl(ep, ['get', '--prefix', 'dir/', '--keys-only'])).stdout).toBe('dir/a\n\ndir/b\n\n')
    const limited = JSON.parse((await etcdctl(ep, ['get', '--prefix', 'dir/', '--limit=1', '-w', 'json'])).stdout)
    expect(limited.kvs).toHaveLength(1)
    expect(limited.more).toBe(true)
    expect(limited.count).toBe(2)
    expect((await etcdctl(ep, ['put', 'foo', 'baz', '--prev-kv'])).stdout).toBe('OK\nfoo\nbar\n')
    const json = JSON.parse((await etcdctl(ep, ['get', 'foo', '-w', 'json'])).stdout)
    expect(json.kvs[0].version).toBe(2)
    expect(json.kvs[0].mod_revision).toBe(json.header.revision)
    expect(json.kvs[0].create_revision).toBeLessThan(json.kvs[0].mod_revision)
    expect((await etcdctl(ep, ['del', '--prefix', 'dir/'])).stdout).toBe('2\n')
    expect((await etcdctl(ep, ['get', '--prefix', 'dir/'])).stdout).toBe('')
    // A read at an older revision sees the old value.
    expect((await etcdctl(ep, ['get', 'foo', `--rev=${json.kvs[0].mod_revision - 1}`])).stdout).toBe('foo\nbar\n')
  })

  it('etcdctl txn compares value, version, create and mod revision', async () => {
    await etcdctl(ep, ['put', 'tx', 'v1'])
    const kv = JSON.parse((await etcdctl(ep, ['get', 'tx', '-w', 'json'])).stdout).kvs[0]
    const ok = await etcdctl(ep, ['txn'], `value("tx") = "v1"\nversion("tx") = "1"\nmod("tx") = "${kv.mod_revision}"\ncreate("tx") = "${kv.create_revision}"\n\nput tx v2\n\nput tx nope\n\n`)
    expect(ok.stdout).toBe('SUCCESS\n\nOK\n')
    const fail = await etcdctl(ep, ['txn'], 'value("tx") = "v1"\n\nput tx v3\n\nget tx\n\n')
    expect(fail.stdout).toBe('FAILURE\n\ntx\nv2\n')
    expect((await etcdctl(ep, ['get', 'tx', '--print-value-only'])).stdout).toBe('v2\n')
  })

  it('etcdctl member list and endpoint status', async () => {
    const members = await etcdctl(ep, ['member', 'list'])
    expect(members.stdout).toMatch(/^[0-9a-f]+, started, r1, http:\/\/127\.0\.0\.1:\d+, http:\/\/127\.0\.0\.1:\d+, false\n$/)
    const status = await etcdctl(ep, ['endpoint', 'status'])
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(new RegExp(`^${ep.replace(/\./g, '\\.')}, [0-9a-f]+, 3\\.5\\.0, [\\d.]+ (B|kB|MB), true, false, 1, \\d+, \\d+, \n$`))
  })

  it('etcdctl watch (bounded) sees puts and deletes with prev kv, and from a start revision', async () => {
    await etcdctl(ep, ['put', 'w/old', 'o'])
    const rev = JSON.parse((await etcdctl(ep, ['get', 'w/old', '-w', 'json'])).stdout).header.revision
    const watching = etcdctl(ep, ['watch', '--prefix', 'w/', '--prev-kv'], undefined, 2500)
    await new Promise((r) => setTimeout(r, 600))
    await etcdctl(ep, ['put', 'w/a', '1'])
    await etcdctl(ep, ['put', 'w/a', '2'])
    await etcdctl(ep, ['del', 'w/a'])
    const out = (await watching).stdout
    expect(out).toBe('PUT\nw/a\n1\nPUT\nw/a\n1\nw/a\n2\nDELETE\nw/a\n2\nw/a\n\n')
    const history = (await etcdctl(ep, ['watch', '--prefix', 'w/', `--rev=${rev}`], undefined, 1500)).stdout
    expect(history.startsWith('PUT\nw/old\no\nPUT\nw/a\n1\n')).toBe(true)
  })

  it('etcdctl lease grant, keep-alive, timetolive, revoke; keys go at expiry', async () => {
    const grant = await etcdctl(ep, ['lease', 'grant', '30'])
    const m = /^lease ([0-9a-f]+) granted with TTL\(30s\)\n$/.exec(grant.stdout)
    expect(m).not.toBeNull()
    const id = m![1]
    expect((await etcdctl(ep, ['put', '--lease', id, 'leased', 'v'])).stdout).toBe('OK\n')
    expect((await etcdctl(ep, ['lease', 'timetolive', id, '--keys'])).stdout).toMatch(new RegExp(`^lease ${id} granted with TTL\\(30s\\), remaining\\((29|30)s\\), attached keys\\(\\[leased\\]\\)\n$`))
    expect((await etcdctl(ep, ['lease', 'keep-alive', '--once', id])).stdout).toBe(`lease ${id} keepalived with TTL(30)\n`)
    expect((await etcdctl(ep, ['lease', 'revoke', id])).stdout).toBe(`lease ${id} revoked\n`)
    expect((await etcdctl(ep, ['get', 'leased'])).stdout).toBe('')
    const short = /lease ([0-9a-f]+) granted/.exec((await etcdctl(ep, ['lease', 'grant', '1'])).stdout)![1]
    await etcdctl(ep, ['put', '--lease', short, 'brief', 'v'])
    expect((await etcdctl(ep, ['get', 'brief'])).stdout).toBe('brief\nv\n')
    await new Promise((r) => setTimeout(r, 1600))
    expect((await etcdctl(ep, ['get', 'brief'])).stdout).toBe('')
    expect((await etcdctl(ep, ['lease', 'timetolive', short])).stdout).toBe(`lease ${short} already expired\n`)
  })

  it('the etcd3 npm client works: put, get, prefix, delete, lease, watch', async () => {
    const client = new Etcd3({ hosts: `http://${ep}` })
    try {
      await client.put('npm/a').value('alpha')
      await client.put('npm/b').value('beta')
      expect(await client.get('npm/a').string()).toBe('alpha')
      expect(await client.getAll().prefix('npm/').strings()).toEqual({ 'npm/a': 'alpha', 'npm/b': 'beta' })
      expect(await client.getAll().prefix('npm/').count()).toBe(2)
      await client.delete().key('npm/a')
      expect(await client.get('npm/a').string()).toBeNull()
      const watcher = await client.watch().prefix('npm/').create()
      const seen = new Promise<string>((resolve) => watcher.on('put', (kv) => resolve(kv.value.toString())))
      await client.put('npm/c').value('gamma')
      expect(await seen).toBe('gamma')
      await watcher.cancel()
      const lease = client.lease(10, { autoKeepAlive: false })
      await lease.put('npm/leased').value('x')
      expect(await client.get('npm/leased').string()).toBe('x')
      await lease.revoke()
      expect(await client.get('npm/leased').string()).toBeNull()
      const members = await client.cluster.memberList({})
      expect(members.members.map((x) => x.name)).toEqual(['r1'])
      const res = await client.if('npm/b', 'Value', '==', 'beta').then(client.put('npm/b').value('b2')).commit()
      expect(res.succeeded).toBe(true)
      expect(await client.get('npm/b').string()).toBe('b2')
    } finally {
      client.close()
    }
  })

  it('response headers carry heads; JSON documents are kept byte for byte', async () => {
    const c = createStoreClient(ep)
    try {
      const put = await c.put({ key: Buffer.from('doc'), value: Buffer.from('{"b": 1, "a": [1, "x"]}') })
      expect(put.header.heads).toHaveLength(1)
      expect(put.header.heads[0]).toMatch(/^[0-9a-f]{64}$/)
      const got = await c.range({ key: Buffer.from('doc') })
      expect(got.kvs[0].value.toString()).toBe('{"b": 1, "a": [1, "x"]}')
      // A read at the heads of that write.
      await c.put({ key: Buffer.from('doc'), value: Buffer.from('{"b": 2}') })
      const old = await c.range({ key: Buffer.from('doc'), heads: put.header.heads })
      expect(old.kvs[0].value.toString()).toBe('{"b": 1, "a": [1, "x"]}')
      expect((await c.compare({ heads_a: put.header.heads, heads_b: got.header.heads })).order).toBe('ORDER_EQUAL')
      const now = (await c.range({ key: Buffer.from('doc') })).header.heads
      expect((await c.compare({ heads_a: put.header.heads, heads_b: now })).order).toBe('BEFORE')
      expect((await c.compare({ heads_a: now, heads_b: put.header.heads })).order).toBe('AFTER')
    } finally {
      c.close()
    }
  })

  it('bad input gets clear gRPC errors and the replica stays up', async () => {
    const c = createStoreClient(ep)
    try {
      await expect(c.put({ key: Buffer.alloc(0), value: Buffer.from('x') })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'etcdserver: key is not provided' })
      await expect(c.put({ key: Buffer.from('k'), value: Buffer.from('x'), lease: '12345' })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND, details: 'etcdserver: requested lease not found' })
      await expect(c.range({ key: Buffer.from('k'), revision: 1_000_000 })).rejects.toMatchObject({ code: grpc.status.OUT_OF_RANGE })
      await expect(c.range({ key: Buffer.from('k'), heads: ['zz'] })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT })
      await expect(c.range({ key: Buffer.from('k'), heads: ['ab'.repeat(32)] })).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION })
      // An unknown key range: empty, not an error.
      expect((await c.range({ key: Buffer.from('zzz'), range_end: Buffer.from('zzzz') })).kvs).toEqual([])
      // A malformed request: bytes that are not a protobuf message.
      const raw = new grpc.Client(ep, grpc.credentials.createInsecure())
      const err = await new Promise<grpc.ServiceError>((resolve) =>
        raw.makeUnaryRequest('/etcdserverpb.KV/Put', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), (e) => resolve(e as grpc.ServiceError)))
      raw.close()
      expect(err.code).toBe(grpc.status.INTERNAL)
      expect(err.details).toMatch(/deserializ/i)
      // Unsupported RPCs.
      const add = await etcdctl(ep, ['member', 'add', 'x', '--peer-urls=http://127.0.0.1:1'])
      expect(add.stderr).toContain('Unimplemented desc = stabilis store: Cluster.MemberAdd is not supported')
      const auth = await etcdctl(ep, ['auth', 'enable'])
      expect(auth.stderr).toContain('Unimplemented desc = stabilis store: Auth.AuthEnable is not supported')
      expect((await etcdctl(ep, ['put', 'still', 'up'])).stdout).toBe('OK\n')
      expect(sup.isUp('r1')).toBe(true)
    } finally {
      c.close()
    }
  })
})
