// etcd's KV semantics on a replica's document: Range (at the current state, a past revision or given heads; filters,
// sorting, limits), Put and DeleteRange with their checks, and the helpers Txn and Watch share (key ranges, the
// KeyValue message).
import * as grpc from '@grpc/grpc-js'
import type { KvEntry, StoreDocument, Tx } from './document.ts'
import { RpcError, type Msg } from './grpc-server.ts'
import { checkRecipe } from './recipes.ts'
import type { Replica } from './replica.ts'

export const invalid = (m: string): RpcError => new RpcError(grpc.status.INVALID_ARGUMENT, m)
export const LEASE_NOT_FOUND = 'etcdserver: requested lease not found'
export const EMPTY = Buffer.alloc(0)

/** etcd keys are bytes; the document keys them by their latin1 text (one char a byte, order kept). */
export function latin1(b: Buffer | Uint8Array | undefined): string {
  return b ? Buffer.from(b).toString('latin1') : ''
}

/** etcd's key range: one key (no end), every key from `key` ("\0" end), or [key, end). */
export function rangeTest(key: string, end: string): (k: string) => boolean {
  if (end === '') return (k) => k === key
  if (end === '\0') return (k) => k >= key
  return (k) => k >= key && k < end
}

export function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The entries of a key range at the current state, in key order (a binary search into the sorted keys). */
export function entriesIn(doc: StoreDocument, key: string, end: string): KvEntry[] {
  if (end === '') {
    const e = doc.kv.get(key)
    return e ? [e] : []
  }
  const keys = doc.sortedKeys()
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (keys[mid] < key) lo = mid + 1
    else hi = mid
  }
  const out: KvEntry[] = []
  for (let i = lo; i < keys.length; i++) {
    const k = keys[i]
    if (end !== '\0' && k >= end) break
    const e = doc.kv.get(k)
    if (e) out.push(e)
  }
  return out
}

export function toKv(e: KvEntry, keysOnly = false): Msg {
  return { key: Buffer.from(e.key, 'latin1'), create_revision: e.create, mod_revision: e.mod, version: e.version, value: keysOnly ? EMPTY : e.value, lease: e.lease }
}

/** The entries a Range reads: at given heads, at a past revision, or now. */
function readEntries(doc: StoreDocument, req: Msg, key: string, end: string): KvEntry[] {
  const revision = Number(req.revision ?? 0)
  const heads: string[] = req.heads ?? []
  if (heads.length > 0) {
    for (const h of heads) if (!/^[0-9a-f]{64}$/.test(h)) throw invalid(`stabilis: "${h}" is not a change hash (64 hex digits)`)
    const missing = heads.filter((h) => !doc.has(h))
    if (missing.length > 0) throw new RpcError(grpc.status.FAILED_PRECONDITION, `stabilis: this replica does not hold heads ${missing.join(', ')} (yet)`)
    return doc.readAt(heads, rangeTest(key, end))
  }
  if (revision > 0 && revision < doc.rev) return doc.readAt(doc.headsAtRevision(revision), rangeTest(key, end))
  if (revision > doc.rev) throw new RpcError(grpc.status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision')
  return entriesIn(doc, key, end)
}

/** Range's revision filters and sort order. */
function filterAndSort(entries: KvEntry[], req: Msg): KvEntry[] {
  const minMod = Number(req.min_mod_revision ?? 0)
  const maxMod = Number(req.max_mod_revision ?? 0)
  const minCreate = Number(req.min_create_revision ?? 0)
  const maxCreate = Number(req.max_create_revision ?? 0)
  if (minMod || maxMod || minCreate || maxCreate) {
    entries = entries.filter((e) => (!minMod || e.mod >= minMod) && (!maxMod || e.mod <= maxMod) && (!minCreate || e.create >= minCreate) && (!maxCreate || e.create <= maxCreate))
  }
  const order = String(req.sort_order ?? 'NONE')
  const target = String(req.sort_target ?? 'KEY')
  if (order === 'NONE' && target === 'KEY') return entries
  const by: (a: KvEntry, b: KvEntry) => number =
    target === 'VERSION' ? (a, b) => cmpNum(a.version, b.version)
      : target === 'CREATE' ? (a, b) => cmpNum(a.create, b.create)
        : target === 'MOD' ? (a, b) => cmpNum(a.mod, b.mod)
          : target === 'VALUE' ? (a, b) => Buffer.compare(a.value, b.value)
            : (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  return entries.slice().sort(order === 'DESCEND' ? (a, b) => by(b, a) : by)
}

export function range(r: Replica, req: Msg): Msg {
  checkRecipe(r.config, req, 'range')
  const key = latin1(req.key)
  const end = latin1(req.range_end)
  if (key === '') throw invalid('etcdserver: key is not provided')
  let entries = filterAndSort(readEntries(r.doc, req, key, end), req)
  const count = entries.length
  const limit = Number(req.limit ?? 0)
  if (limit < 0) throw invalid('etcdserver: limit must not be negative')
  const more = limit > 0 && count > limit
  if (limit > 0) entries = entries.slice(0, limit)
  const kvs = req.count_only ? [] : entries.map((e) => toKv(e, req.keys_only === true))
  return { header: r.header(), kvs, more, count }
}

export function checkPut(doc: StoreDocument, req: Msg): void {
  if (latin1(req.key) === '') throw invalid('etcdserver: key is not provided')
  const lease = String(req.lease ?? '0')
  if (lease !== '0' && !req.ignore_lease && !doc.leases.has(lease)) throw new RpcError(grpc.status.NOT_FOUND, LEASE_NOT_FOUND)
  if ((req.ignore_value || req.ignore_lease) && !doc.kv.has(latin1(req.key))) throw invalid('etcdserver: key not found')
  if (req.ignore_value && req.value && req.value.length > 0) throw invalid('etcdserver: value is provided')
}

export function applyPut(tx: Tx, req: Msg): void {
  tx.put(latin1(req.key), req.ignore_value ? null : Buffer.from(req.value ?? EMPTY), req.ignore_lease ? null : String(req.lease ?? '0'))
}

/** The keys a DeleteRange removes (checked; none is an answer, not an error). */
export function checkDelete(doc: StoreDocument, req: Msg): string[] {
  const key = latin1(req.key)
  if (key === '') throw invalid('etcdserver: key is not provided')
  return entriesIn(doc, key, latin1(req.range_end)).map((e) => e.key)
}

// Put and DeleteRange check up front (a bad request is refused at once) and again at apply time, inside the write
// batch, where they see the writes batched before them.

export async function put(r: Replica, req: Msg): Promise<Msg> {
  checkPut(r.doc, req)
  let prev: KvEntry | undefined
  const rev = await r.write((tx) => {
    checkPut(r.doc, req)
    prev = r.doc.kv.get(latin1(req.key))
    applyPut(tx, req)
  })
  return { header: r.header(rev), prev_kv: req.prev_kv && prev ? toKv(prev) : null }
}

export async function deleteRange(r: Replica, req: Msg): Promise<Msg> {
  let keys = checkDelete(r.doc, req)
  let prev: KvEntry[] = []
  const rev = await r.write((tx) => {
    keys = checkDelete(r.doc, req)
    prev = keys.map((k) => r.doc.kv.get(k)).filter((e): e is KvEntry => e !== undefined)
    for (const k of keys) tx.del(k)
  })
  return { header: r.header(rev), deleted: keys.length, prev_kvs: req.prev_kv ? prev.map((e) => toKv(e)) : [] }
}
