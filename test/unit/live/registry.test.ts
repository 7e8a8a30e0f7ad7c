// The API-server mapping against a real etcd (Debian's etcd-server, one member on loopback): objects as JSON under
// /registry/<resource>/default/<name>, resourceVersion = mod_revision, creates / updates / deletes as Txns whose
// compares turn a stale write into a rejection, and an informer that follows by Watch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEtcdBackend, type Backend } from '../../../src-main/live/backends.ts'
import { EtcdClient } from '../../../src-main/live/etcd-client.ts'
import { Informer } from '../../../src-main/live/informer.ts'
import { apiWrite, decodeObject, keyOf, parseKey, seedCluster, type Identity } from '../../../src-main/live/registry.ts'
import { liveScenario } from '../../../src-main/live/scenario-setup.ts'
import { clone, newMeta, type Pod } from '../../../src-main/models/orchestration/resources.ts'

let backend: Backend
let client: EtcdClient
let n = 0
const id: Identity = { uid: () => `u${String(++n).padStart(4, '0')}`, suffix: () => `x${n}` }

beforeAll(async () => {
  backend = await startEtcdBackend(1)
  client = new EtcdClient(backend.endpoints[0])
})
afterAll(async () => {
  client?.close()
  await backend?.close()
})

const pod = (name: string): Pod => ({ meta: newMeta(name, { app: 'web' }), spec: { image: 'nginx:1' }, status: { phase: 'Pending', ready: false } })

describe('the registry layout and API writes on etcd', () => {
  it('lays keys out as the API server does and parses them back', () => {
    expect(keyOf('Pod', 'web-1')).toBe('/registry/pods/default/web-1')
    expect(keyOf('StatefulSet', 'db')).toBe('/registry/statefulsets/default/db')
    expect(parseKey('/registry/replicasets/default/web')).toEqual({ kind: 'ReplicaSet', name: 'web' })
    expect(parseKey('/registry/secrets/default/x')).toBeUndefined()
    expect(parseKey('/other/pods/default/x')).toBeUndefined()
  })

  it('creates, updates with optimistic concurrency, and deletes through Txns', async () => {
    const created = await apiWrite(client, { op: 'create', kind: 'Pod', obj: pod('p') }, id)
    expect(created.ok).toBe(true)
    const again = await apiWrite(client, { op: 'create', kind: 'Pod', obj: pod('p') }, id)
    expect(again).toMatchObject({ ok: false, reason: 'AlreadyExists Pod/p' })

    const got = await client.get(keyOf('Pod', 'p'))
    const stored = JSON.parse(got.kv!.value.toString())
    expect(stored.meta.rv).toBeUndefined() // resourceVersion is not stored: it is the key's mod_revision
    const p = decodeObject(got.kv!) as Pod
    expect(p.meta.rv).toBe(got.kv!.modRevision)
    expect(p.meta.rv).toBe(created.rev)
    expect(p.meta.uid).toMatch(/^u[0-9]+$/)

    const bound = clone(p)
    bound.spec.nodeName = 'node1'
    const upd = await apiWrite(client, { op: 'update', kind: 'Pod', obj: bound }, id)
    expect(upd.ok).toBe(true)
    const after = decodeObject((await client.get(keyOf('Pod', 'p'))).kv!) as Pod
    expect(after.meta.generation).toBe(2) // spec changed
    expect(after.meta.rv).toBe(upd.rev)

    // A write from the old view (stale resourceVersion) is rejected and changes nothing.
    const stale = clone(p)
    stale.spec.nodeName = 'node2'
    const rej = await apiWrite(client, { op: 'update', kind: 'Pod', obj: stale }, id)
    expect(rej.ok).toBe(false)
    expect(rej.reason).toMatch(/Conflict Pod\/p: stale resourceVersion/)
    expect((decodeObject((await client.get(keyOf('Pod', 'p'))).kv!) as Pod).spec.nodeName).toBe('node1')

    // A bound pod is deleted gracefully (marked terminating), then the kubelet's force delete removes the key.
    const soft = await apiWrite(client, { op: 'delete', kind: 'Pod', name: 'p', uid: p.meta.uid }, id)
    expect(soft.ok).toBe(true)
    expect(decodeObject((await client.get(keyOf('Pod', 'p'))).kv!).meta.deletion).toBeGreaterThan(0)
    const wrongUid = await apiWrite(client, { op: 'delete', kind: 'Pod', name: 'p', uid: 'u9999', force: true }, id)
    expect(wrongUid).toMatchObject({ ok: false, reason: 'Conflict Pod/p: uid precondition' })
    const hard = await apiWrite(client, { op: 'delete', kind: 'Pod', name: 'p', uid: p.meta.uid, force: true }, id)
    expect(hard.ok).toBe(true)
    expect((await client.get(keyOf('Pod', 'p'))).kv).toBeUndefined()
  })

  it('gives generateName creates a fresh suffix', async () => {
    const w = await apiWrite(client, { op: 'create', kind: 'Pod', obj: pod(''), generateName: 'web-' }, id)
    expect(w.ok).toBe(true)
    expect(w.name).toMatch(/^web-x[0-9]+$/)
    expect((await client.get(keyOf('Pod', w.name))).kv).toBeDefined()
  })

  it('an informer lists, then follows every change by Watch; a seeded scenario keeps its objects', async () => {
    const inf = new Informer(client, { keep: 16 })
    let changes = 0
    inf.onChange(() => changes++)
    inf.start()
    const until = async (f: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 10))
      expect(f()).toBe(true)
    }
    await until(() => inf.synced)
    const sc = liveScenario('statefulset-scale')
    const rev = await seedCluster(client, sc.initial)
    await until(() => inf.rev >= rev)
    expect(Object.keys(inf.cluster.objs.StatefulSet)).toEqual(['db'])
    expect(Object.keys(inf.cluster.objs.Node)).toEqual(['node1'])
    expect(inf.cluster.objs.StatefulSet.db.meta.uid).toBe('u0-StatefulSet-db')
    // Seeded in kind order (Node before StatefulSet), one revision each.
    expect(inf.cluster.objs.StatefulSet.db.meta.rv).toBe(rev)
    expect(inf.cluster.objs.Node.node1.meta.rv).toBe(rev - 1)
    expect(inf.at(rev)).toBe(inf.cluster)
    expect(changes).toBeGreaterThanOrEqual(2)
    await expect(seedCluster(client, sc.initial)).rejects.toThrow(/already holds/)
    inf.stop()
  })

  it('an informer with lagMs applies each watch event that much later (stale reads on purpose)', async () => {
    const inf = new Informer(client, { lagMs: 400 })
    inf.start()
    for (let i = 0; i < 200 && !inf.synced; i++) await new Promise((r) => setTimeout(r, 10))
    const w = await apiWrite(client, { op: 'create', kind: 'Pod', obj: pod('lagged') }, id)
    expect(w.ok).toBe(true)
    expect(inf.cluster.objs.Pod.lagged).toBeUndefined()
    expect(inf.rev).toBeLessThan(w.rev)
    for (let i = 0; i < 200 && inf.rev < w.rev; i++) await new Promise((r) => setTimeout(r, 10))
    expect(inf.cluster.objs.Pod.lagged).toBeDefined()
    inf.stop()
  })
})
