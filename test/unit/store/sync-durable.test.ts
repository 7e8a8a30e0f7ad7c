// A replica's sync messages never carry its local changes whose log append has not completed (a write whose
// fdatasync then fails must not reach a peer): two real Automerge documents running the sync protocol, one change
// held back, delivered once it is released.
import { describe, expect, it } from 'vitest'
import { StoreDocument, newSyncState } from '../../../src-main/store/document.ts'
import { withoutChanges } from '../../../src-main/store/peer.ts'

/** Run the sync protocol from a to b until neither has anything to send; `held` is withheld from a's messages. */
function sync(a: StoreDocument, b: StoreDocument, held: ReadonlySet<string>): void {
  const sa = newSyncState()
  const sb = newSyncState()
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
})
