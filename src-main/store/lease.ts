// etcd's Lease semantics: grant, revoke (its keys go with it), keep-alive, time-to-live, and expiry. A lease lives in
// the document, so every replica knows it; the replica that last granted or refreshed it expires it, any replica
// does 5 s later (its owner is down).
import { randomBytes } from 'node:crypto'
import * as grpc from '@grpc/grpc-js'
import { RpcError, type Msg } from './grpc-server.ts'
import { invalid, LEASE_NOT_FOUND } from './kv.ts'
import type { Replica } from './replica.ts'

const ORPHAN_GRACE_MS = 5000

export async function leaseGrant(r: Replica, req: Msg): Promise<Msg> {
  const ttl = Math.max(1, Number(req.TTL ?? 0))
  if (ttl > 9_000_000_000) throw new RpcError(grpc.status.OUT_OF_RANGE, 'etcdserver: too large lease TTL')
  let id = String(req.ID ?? '0')
  if (id === '0') id = (BigInt('0x' + randomBytes(8).toString('hex')) & 0x3fffffffffffffffn | 1n).toString()
  else if (BigInt(id) < 0n) throw invalid('etcdserver: lease ID must be positive')
  if (r.doc.leases.has(id)) throw new RpcError(grpc.status.FAILED_PRECONDITION, 'etcdserver: lease already exists')
  const rev = await r.write((tx) => {
    if (r.doc.leases.has(id)) throw new RpcError(grpc.status.FAILED_PRECONDITION, 'etcdserver: lease already exists')
    tx.putLease({ id, ttl, exp: Date.now() + ttl * 1000, owner: r.memberId })
  })
  return { header: r.header(rev), ID: id, TTL: ttl, error: '' }
}

export async function leaseRevoke(r: Replica, req: Msg): Promise<Msg> {
  const id = String(req.ID ?? '0')
  if (!r.doc.leases.has(id)) throw new RpcError(grpc.status.NOT_FOUND, LEASE_NOT_FOUND)
  return { header: r.header(await revoke(r, id)) }
}

function revoke(r: Replica, id: string): Promise<number> {
  return r.write((tx) => {
    const keys = [...r.doc.kv.values()].filter((e) => e.lease === id).map((e) => e.key)
    for (const k of keys) tx.del(k)
    tx.delLease(id)
  })
}

export async function keepAlive(r: Replica, idText: string): Promise<Msg> {
  const id = String(idText)
  const lease = r.doc.leases.get(id)
  if (!lease) return { header: r.header(), ID: id, TTL: 0 }
  const rev = await r.write((tx) => {
    const cur = r.doc.leases.get(id)
    if (cur) tx.putLease({ ...cur, exp: Date.now() + cur.ttl * 1000, owner: r.memberId })
  })
  return { header: r.header(rev), ID: id, TTL: lease.ttl }
}

export async function timeToLive(r: Replica, req: Msg): Promise<Msg> {
  await r.readBarrier()
  const id = String(req.ID ?? '0')
  const lease = r.doc.leases.get(id)
  if (!lease) return { header: r.header(), ID: id, TTL: -1, grantedTTL: 0, keys: [] }
  const ttl = Math.max(0, Math.ceil((lease.exp - Date.now()) / 1000))
  const keys = req.keys ? [...r.doc.kv.values()].filter((e) => e.lease === id).map((e) => Buffer.from(e.key, 'latin1')) : []
  return { header: r.header(), ID: id, TTL: ttl, grantedTTL: lease.ttl, keys }
}

/** Revokes the leases that are due, one pass at a time (a pass still running skips the next tick). */
export class LeaseExpiry {
  private readonly r: Replica
  private expiring = false

  constructor(r: Replica) {
    this.r = r
  }

  tick(): void {
    const r = this.r
    if (this.expiring || r.log.failure) return
    const now = Date.now()
    const due = [...r.doc.leases.values()].filter((l) => (l.owner === r.memberId ? l.exp <= now : l.exp + ORPHAN_GRACE_MS <= now))
    if (due.length === 0) return
    this.expiring = true
    ;(async () => {
      for (const l of due) if (r.doc.leases.has(l.id)) await revoke(r, l.id)
    })().catch((e: Error) => process.stderr.write(`lease expiry failed: ${e.message}\n`)).finally(() => { this.expiring = false })
  }
}
