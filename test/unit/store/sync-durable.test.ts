// A replica's sync messages never carry its local changes whose log append has not completed (a write whose
// fdatasync then fails must not reach a peer): two real Automerge documents running the sync protocol, one change
// held back, delivered once it is released.
import * as A from '@automerge/automerge'
import { describe, expect, it } from 'vitest'
import { StoreDocument, newSyncState } from '../../../src-main/store/document.ts'
import { splitChunks, withoutChanges } from '../../../src-main/store/sync-filter.ts'

/**
 * Run the sync protocol from a to b until neither has anything to send; `held` is withheld from a's messages.
 * `states` carries the sync states over from an earlier exchange (fresh ones by default).
 */
function sync(a: StoreDocument, b: StoreDocument, held: ReadonlySet<string>, states = { sa: newSyncState(), sb: newSyncState() }): void {
  const { sa, sb } = states
  for (let round = 0; round < 10; round++) {
    let m = a.am.generateSyncMessage(sa) as Uint8Array | null
    if (m && held.size > 0) m = withoutChanges(m, held)
    if (m) b.applyRemote(() => b.am.receiveSyncMessage(sb, m))
    const r = b.am.generateSyncMessage(sb) as Uint8Array | null
    if (r) a.applyRemote(() => a.am.receiveSyncMessage(sa, r))
    if (!m && !r) return
  }
}

describe('sync messages and undurable changes', () => {
  it('leave out the changes held back, and the peer gets them once they are released', () => {
    const a = new StoreDocument('aa'.repeat(16))
    const b = new StoreDocument('bb'.repeat(16))
    const first = a.write((tx) => tx.put('k1', Buffer.from('durable'), '0'))!
    const second = a.write((tx) => tx.put('k2', Buffer.from('in flight'), '0'))!
    sync(a, b, new Set(second.hashes))
    expect(b.has(first.hashes[0])).toBe(true)
    expect(b.has(second.hashes[0])).toBe(false)
    expect(b.kv.get('k2')).toBeUndefined()
    sync(a, b, new Set())
    expect(b.kv.get('k2')?.value.toString()).toBe('in flight')
    expect(b.heads()).toEqual(a.heads())
  })

  it('returns the message unchanged when nothing in it is held back', () => {
    const a = new StoreDocument('cc'.repeat(16))
    a.write((tx) => tx.put('k', Buffer.from('v'), '0'))
    const msg = a.am.generateSyncMessage(newSyncState()) as Uint8Array
    expect(withoutChanges(msg, new Set(['00'.repeat(32)]))).toBe(msg)
  })

  it('filters a v2 message that carries several changes as one entry (peers already in sync once)', () => {
    const a = new StoreDocument('dd'.repeat(16))
    const b = new StoreDocument('ee'.repeat(16))
    a.write((tx) => tx.put('k0', Buffer.from('first'), '0'))
    const states = { sa: newSyncState(), sb: newSyncState() }
    sync(a, b, new Set(), states)
    expect(b.kv.get('k0')?.value.toString()).toBe('first')
    const units = [1, 2, 3].map((i) => a.write((tx) => tx.put(`k${i}`, Buffer.from(`v${i}`), '0'))!)
    // What Automerge sends now: the three changes back to back in one entry, which is not one change.
    const msg = a.am.generateSyncMessage(states.sa) as Uint8Array
    const entries = A.decodeSyncMessage(msg).changes
    expect(entries).toHaveLength(1)
    expect(splitChunks(entries[0]).map((c) => c.type)).toEqual([1, 1, 1])
    const held = new Set(units[2].hashes)
    const filtered = withoutChanges(msg, held)
    expect(A.decodeSyncMessage(filtered).changes).toHaveLength(2)
    b.applyRemote(() => b.am.receiveSyncMessage(states.sb, filtered))
    sync(a, b, held, states)
    expect(b.kv.get('k1')?.value.toString()).toBe('v1')
    expect(b.kv.get('k2')?.value.toString()).toBe('v2')
    expect(b.kv.get('k3')).toBeUndefined()
    sync(a, b, new Set())
    expect(b.kv.get('k3')?.value.toString()).toBe('v3')
    expect(b.heads()).toEqual(a.heads())
  })

  it('names the offset of an entry that is not made of Automerge chunks', () => {
    expect(() => splitChunks(new Uint8Array([0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, 0x7f]))).toThrow(/runs past the end/)
    expect(() => splitChunks(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toThrow(/no Automerge chunk at byte 0/)
  })
})
