// The document's batched write path (one Automerge change per group-commit batch): per-write revisions,
// events, restore from the log, failing writes inside a batch, and peer changes applied incrementally.
import { describe, expect, it } from 'vitest'
import { StoreDocument, type Tx, type Unit } from '../../../src-main/store/document.ts'
import { encodeUnit, readLog } from '../../../src-main/store/log.ts'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../../helpers/tmp.ts'

const v = (s: string): Buffer => Buffer.from(s)
const put = (key: string, value: string) => (tx: Tx): void => tx.put(key, v(value), '0')

function roundTrip(actor: string, units: Unit[]): StoreDocument {
  const file = join(tempDir('stabilis-batch-'), 'changes.log')
  writeFileSync(file, Buffer.concat(units.map(encodeUnit)))
  return StoreDocument.restore(actor, readLog(file).units)
}

describe('batched local writes', () => {
  it('one change per batch, one revision per write, events carry their own revision', () => {
    const d = new StoreDocument('aa'.repeat(16))
    const b1 = d.writeBatch([put('a', '1'), put('b', '2'), put('a', '3')])
    expect(b1.unit?.changes.length).toBe(1)
    expect(b1.unit?.revs).toBe(3)
    expect(b1.results.map((r) => ('rev' in r ? r.rev : -1))).toEqual([2, 3, 4])
    expect(d.rev).toBe(4)
    const a = d.kv.get('a')
    expect(a && { value: a.value.toString(), version: a.version, create: a.create, mod: a.mod }).toEqual({ value: '3', version: 2, create: 2, mod: 4 })
    const b2 = d.writeBatch([put('b', '4'), (tx) => { tx.del('a') }, put('c', '{"x":1}')])
    expect(b2.unit?.revs).toBe(3)
    expect(d.kv.has('a')).toBe(false)
    expect(d.kv.get('b')?.value.toString()).toBe('4')
    expect(d.kv.get('c')?.value.toString()).toBe('{"x":1}')
    // Restored from the log: same revisions and metadata.
    const r = roundTrip('aa'.repeat(16), [b1.unit as Unit, b2.unit as Unit])
    expect(r.rev).toBe(d.rev)
    for (const k of ['b', 'c']) expect(r.kv.get(k)).toEqual(d.kv.get(k))
  })

  it('a write that throws is skipped; the others in its batch commit', () => {
    const d = new StoreDocument('bb'.repeat(16))
    d.writeBatch([put('x', 'old')])
    const b = d.writeBatch([
      put('x', 'new'),
      () => { throw new Error('refused before touching') },
      (tx) => { tx.put('y', v('half'), '0'); throw new Error('refused half-way') },
      put('z', 'z'),
    ])
    expect(b.results.map((r) => ('error' in r ? (r.error as Error).message : r.rev))).toEqual([3, 'refused before touching', 'refused half-way', 4])
    expect(d.kv.get('x')?.value.toString()).toBe('new')
    expect(d.kv.has('y')).toBe(false)
    expect(d.kv.get('z')?.value.toString()).toBe('z')
  })

  it('peer changes apply incrementally and converge (values, versions, deletes, JSON)', () => {
    const a = new StoreDocument('cc'.repeat(16))
    const b = new StoreDocument('dd'.repeat(16))
    const ship = (u: Unit | null): void => {
      if (u) b.applyRemote(() => b.am.applyChanges(u.changes))
    }
    ship(a.writeBatch([put('k1', 'v1'), put('k2', 'v2'), put('j', '{"f":1,"g":2}')]).unit)
    ship(a.writeBatch([put('k1', 'v1b'), (tx) => { tx.del('k2') }, put('j', '{"f":3}')]).unit)
    for (const k of ['k1', 'k2', 'j']) {
      const ea = a.kv.get(k)
      const eb = b.kv.get(k)
      expect(eb && { value: eb.value.toString(), version: eb.version }).toEqual(ea && { value: ea.value.toString(), version: ea.version })
    }
    expect(b.heads()).toEqual(a.heads())
  })

  it('moves a hot key to a fresh object now and then, keeping value, version, create revision and lease', () => {
    const a = new StoreDocument('ee'.repeat(16))
    const peer = new StoreDocument('ff'.repeat(16))
    const units: Unit[] = []
    const keep = (u: Unit | null): void => {
      if (!u) return
      units.push(u)
      peer.applyRemote(() => peer.am.applyChanges(u.changes), u.changes)
    }
    keep(a.writeBatch([(tx) => tx.putLease({ id: '7', ttl: 60, exp: Date.now() + 60_000, owner: 'x' })]).unit)
    keep(a.writeBatch([(tx) => tx.put('hot', v('w0'), '7')]).unit)
    const created = a.kv.get('hot')!.create
    const firstObj = a.am.get('_root', 'k:hot')
    // 299 more writes, 10 per batch, keeping the lease (null): past two moves.
    for (let i = 1; i < 300; i += 10) keep(a.writeBatch(Array.from({ length: Math.min(10, 300 - i) }, (_, j) => (tx: Tx) => tx.put('hot', v(`w${i + j}`), null))).unit)
    expect(a.am.get('_root', 'k:hot')).not.toBe(firstObj)
    const want = { value: 'w299', version: 300, create: created, lease: '7' }
    const view = (d: StoreDocument): unknown => {
      const e = d.kv.get('hot')!
      return { value: e.value.toString(), version: e.version, create: e.create, lease: e.lease }
    }
    expect(view(a)).toEqual(want)
    // The lease is on the key's current object, so revoking it still finds the key.
    expect(a.am.materialize(a.am.get('_root', 'k:hot'))).toMatchObject({ lease: '7' })
    const restored = roundTrip('ee'.repeat(16), units)
    expect(view(restored)).toEqual(want)
    expect({ ...(view(peer) as object), create: 0 }).toEqual({ ...want, create: 0 })
    expect(peer.heads()).toEqual(a.heads())
  })

  it('a move concurrent with a write elsewhere converges to one winner on both replicas', () => {
    const a = new StoreDocument('aa'.repeat(16))
    const b = new StoreDocument('bb'.repeat(16))
    const base = a.writeBatch([put('k', 'base')]).unit!
    b.applyRemote(() => b.am.applyChanges(base.changes), base.changes)
    const fromA: Uint8Array[] = []
    const fromB: Uint8Array[] = []
    // a writes the key past a move; b, not having seen them, writes it once.
    for (let i = 0; i < 140; i++) fromA.push(...a.writeBatch([put('k', `a${i}`)]).unit!.changes)
    fromB.push(...b.writeBatch([put('k', 'b')]).unit!.changes)
    a.applyRemote(() => a.am.applyChanges(fromB), fromB)
    b.applyRemote(() => b.am.applyChanges(fromA), fromA)
    expect(a.heads()).toEqual(b.heads())
    expect(a.kv.get('k')!.value.toString()).toBe(b.kv.get('k')!.value.toString())
    expect(['a139', 'b']).toContain(a.kv.get('k')!.value.toString())
  })
})

