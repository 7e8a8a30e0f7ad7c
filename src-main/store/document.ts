// The replica's Automerge document and its materialised key-value index.
//
// Layout (root map of one Automerge document, shared by every replica without a genesis change):
//   "k:<key>"  → { v: bytes } | { j: <JSON map>, raw: bytes }, plus ver: int, lease?: string
//   "l:<id>"   → { ttl: int (s), exp: int (ms since epoch), owner: string (member id) }
// Keys are etcd byte strings held as latin1 JS strings, so JS string order is byte order.
//
// Revisions: every change applied on this replica (its own or a peer's) advances the replica's commit
// counter by one; the counter starts at 1 like etcd's. A key's mod_revision is the counter after the
// unit (one local write, or one batch of peer changes) that changed its visible value.
//
// We use Automerge's low-level handle (the wasm `Automerge` object) rather than the immutable JS
// document: materialising a large root map on every change costs O(keys) per write.
import * as A from '@automerge/automerge'

/** The low-level Automerge handle (wasm). Typed loosely: its API is documented in wasm_types.d.ts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handle = any

const HandleClass = (A.getBackend(A.init()) as Handle).constructor as { new: (actor?: string) => Handle }
const META = Symbol.for('_am_meta')
const OBJID = Symbol.for('_am_objectId')

export function newHandle(actor: string): Handle {
  return HandleClass.new(actor)
}

/** A fresh wasm sync state for one peer (the public API only hands out exported copies). */
export function newSyncState(): unknown {
  let captured: unknown = null
  const carrier = { [META]: { handle: { generateSyncMessage: (s: unknown) => { captured = s; return null } } }, [OBJID]: '_root' }
  A.generateSyncMessage(carrier as unknown as A.Doc<unknown>, A.initSyncState())
  if (!captured) throw new Error('could not create an Automerge sync state')
  return captured
}

/** The sender's heads, read from the start of an encoded sync message (type byte, LEB128 count, 32-byte hashes). */
export function headsOfSyncMessage(msg: Uint8Array): string[] | null {
  if (msg.length < 2 || (msg[0] !== 0x42 && msg[0] !== 0x43)) return null
  let count = 0
  let shift = 0
  let i = 1
  for (;;) {
    const b = msg[i++]
    if (b === undefined) return null
    count |= (b & 0x7f) << shift
    if ((b & 0x80) === 0) break
    shift += 7
  }
  if (i + count * 32 > msg.length) return null
  const heads: string[] = []
  for (let h = 0; h < count; h++) heads.push(Buffer.from(msg.subarray(i + h * 32, i + h * 32 + 32)).toString('hex'))
  return heads.sort()
}

export interface KvEntry {
  key: string
  value: Buffer
  create: number
  mod: number
  version: number
  /** Lease id as a decimal string, "0" when none. */
  lease: string
}

export interface StoreEvent {
  type: 'PUT' | 'DELETE'
  kv: KvEntry
  prev: KvEntry | null
}

export interface LeaseInfo {
  id: string
  ttl: number
  exp: number
  owner: string
}

/** One applied unit: a local write, or a batch of peer changes. The persistence record. */
export interface Unit {
  rev: number
  hashes: string[]
  changes: Uint8Array[]
  heads: string[]
  events: StoreEvent[]
}

/** A unit as read back from disk: events carry only type and key. */
export interface StoredUnit {
  hashes: string[]
  changes: Uint8Array[]
  heads: string[]
  events: { type: 'PUT' | 'DELETE'; key: string }[]
}

export type Order = 'equal' | 'before' | 'after' | 'concurrent' | 'unknown'

/** Write operations available inside one local change. */
export interface Tx {
  put(key: string, value: Buffer | null, lease: string | null): void
  del(key: string): boolean
  putLease(info: LeaseInfo): void
  delLease(id: string): void
}

const EMPTY = Buffer.alloc(0)

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a)
    const kb = Object.keys(b)
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
  }
  return false
}

/** A value is stored as a mergeable JSON document when it is a JSON object; anything else is bytes. */
export function parseJsonObject(value: Buffer): Record<string, unknown> | null {
  let i = 0
  while (i < value.length && (value[i] === 0x20 || value[i] === 0x0a || value[i] === 0x0d || value[i] === 0x09)) i++
  if (value[i] !== 0x7b) return null
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'))
    return isPlainObject(parsed) ? parsed : null
  } catch {
    return null
  }
}

function putScalar(am: Handle, obj: string, prop: string | number, v: unknown, insert: boolean): void {
  const put = (value: unknown, type?: string): void => {
    if (insert) am.insert(obj, prop, value, type)
    else am.put(obj, prop, value, type)
  }
  if (v === null) put(null)
  else if (typeof v === 'boolean') put(v)
  else if (typeof v === 'number') put(v, Number.isInteger(v) ? 'int' : 'f64')
  else put(String(v), 'str')
}

function writeJson(am: Handle, obj: string, prop: string, v: unknown): void {
  const existing = am.getWithType(obj, prop) as [string, unknown] | null
  if (isPlainObject(v)) {
    const id = existing && existing[0] === 'map' ? (existing[1] as string) : (am.putObject(obj, prop, {}) as string)
    reconcileMap(am, id, v)
  } else if (Array.isArray(v)) {
    if (existing && existing[0] === 'list' && deepEqual(am.materialize(existing[1]), v)) return
    const id = am.putObject(obj, prop, []) as string
    v.forEach((x, i) => insertJson(am, id, i, x))
  } else {
    if (existing && existing[0] !== 'map' && existing[0] !== 'list' && existing[0] !== 'text' && existing[1] === v) return
    putScalar(am, obj, prop, v, false)
  }
}

function insertJson(am: Handle, list: string, index: number, v: unknown): void {
  if (isPlainObject(v)) reconcileMap(am, am.insertObject(list, index, {}) as string, v)
  else if (Array.isArray(v)) {
    const id = am.insertObject(list, index, []) as string
    v.forEach((x, i) => insertJson(am, id, i, x))
  } else putScalar(am, list, index, v, true)
}

/** Field-by-field update: only changed fields become operations; fields absent from `next` are deleted. */
function reconcileMap(am: Handle, obj: string, next: Record<string, unknown>): void {
  for (const k of am.keys(obj) as string[]) if (!Object.hasOwn(next, k)) am.delete(obj, k)
  for (const [k, v] of Object.entries(next)) writeJson(am, obj, k, v)
}

function jsonValue(m: Record<string, unknown>): Buffer {
  const json = m.j
  const raw = m.raw instanceof Uint8Array ? Buffer.from(m.raw) : null
  if (raw) {
    try {
      if (deepEqual(JSON.parse(raw.toString('utf8')), json)) return raw
    } catch {
      /* fall through to the normalised form */
    }
  }
  return Buffer.from(JSON.stringify(json))
}

export function entryValue(m: Record<string, unknown>): Buffer {
  if (m.j !== undefined) return jsonValue(m)
  return m.v instanceof Uint8Array ? Buffer.from(m.v) : EMPTY
}

function sameEntry(a: KvEntry, value: Buffer, version: number, lease: string): boolean {
  return a.version === version && a.lease === lease && a.value.equals(value)
}

export class StoreDocument {
  readonly am: Handle
  /** The replica's commit counter (etcd revision). */
  rev = 1
  readonly kv = new Map<string, KvEntry>()
  readonly leases = new Map<string, LeaseInfo>()
  private sorted: string[] | null = null
  private readonly order = new Map<string, number>()
  /** unitRevs[i] is the revision after unit i; unitHeads[i] the heads after it (for reads at a revision). */
  private readonly unitRevs: number[] = [1]
  private readonly unitHeads: string[][] = [[]]
  /** Revision at which this process started; revisions at or below it have no retained events. */
  startRev = 1

  constructor(actor: string) {
    this.am = newHandle(actor)
  }

  static restore(actor: string, units: StoredUnit[]): StoreDocument {
    const doc = new StoreDocument(actor)
    const all: Uint8Array[] = []
    for (const u of units) for (const c of u.changes) all.push(c)
    if (all.length > 0) doc.am.applyChanges(all)
    doc.am.updateDiffCursor()
    const meta = new Map<string, { create: number; mod: number }>()
    let rev = 1
    let idx = 0
    for (const u of units) {
      rev += u.changes.length
      for (const h of u.hashes) doc.order.set(h, idx++)
      for (const e of u.events) {
        const m = meta.get(e.key)
        if (e.type === 'PUT') meta.set(e.key, { create: m ? m.create : rev, mod: rev })
        else meta.delete(e.key)
      }
      doc.unitRevs.push(rev)
      doc.unitHeads.push(u.heads)
    }
    doc.rev = rev
    doc.startRev = rev
    for (const prop of doc.am.keys('_root') as string[]) {
      if (prop.startsWith('k:')) {
        const key = prop.slice(2)
        const m = doc.materialize(prop)
        if (!m) continue
        const mm = meta.get(key) ?? { create: rev, mod: rev }
        doc.kv.set(key, { key, value: entryValue(m), create: mm.create, mod: mm.mod, version: Number(m.ver ?? 1), lease: String(m.lease ?? '0') })
      } else if (prop.startsWith('l:')) doc.refreshLease(prop)
    }
    return doc
  }

  heads(): string[] {
    return (this.am.getHeads() as string[]).slice().sort()
  }

  has(hash: string): boolean {
    return this.order.has(hash)
  }

  private materialize(prop: string, heads?: string[]): Record<string, unknown> | null {
    const id = heads ? this.am.get('_root', prop, heads) : this.am.get('_root', prop)
    if (typeof id !== 'string') return null
    const m = heads ? this.am.materialize(id, heads) : this.am.materialize(id)
    return isPlainObject(m) ? m : null
  }

  sortedKeys(): string[] {
    if (!this.sorted) this.sorted = [...this.kv.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    return this.sorted
  }

  /** A local write: `fn` runs against the handle, the result is committed as one change. Null if nothing changed. */
  write(fn: (tx: Tx) => void): Unit | null {
    const am = this.am
    const touched = new Set<string>()
    const before = am.getHeads() as string[]
    const tx: Tx = {
      put: (key, value, lease) => {
        const prop = 'k:' + key
        touched.add(prop)
        const cur = this.kv.get(key)
        let id = am.get('_root', prop) as unknown
        if (typeof id !== 'string') id = am.putObject('_root', prop, {})
        const obj = id as string
        if (value !== null) {
          const json = parseJsonObject(value)
          if (json) {
            if (am.get(obj, 'v') !== undefined) am.delete(obj, 'v')
            writeJson(am, obj, 'j', json)
            am.put(obj, 'raw', new Uint8Array(value))
          } else {
            if (am.get(obj, 'j') !== undefined) am.delete(obj, 'j')
            if (am.get(obj, 'raw') !== undefined) am.delete(obj, 'raw')
            am.put(obj, 'v', new Uint8Array(value))
          }
        }
        am.put(obj, 'ver', (cur ? cur.version : 0) + 1, 'int')
        if (lease !== null) {
          if (lease === '0') {
            if (am.get(obj, 'lease') !== undefined) am.delete(obj, 'lease')
          } else am.put(obj, 'lease', lease, 'str')
        }
      },
      del: (key) => {
        const prop = 'k:' + key
        if (am.get('_root', prop) === undefined) return false
        touched.add(prop)
        am.delete('_root', prop)
        return true
      },
      putLease: (info) => {
        const prop = 'l:' + info.id
        touched.add(prop)
        let id = am.get('_root', prop) as unknown
        if (typeof id !== 'string') id = am.putObject('_root', prop, {})
        am.put(id, 'ttl', info.ttl, 'int')
        am.put(id, 'exp', info.exp, 'int')
        am.put(id, 'owner', info.owner, 'str')
      },
      delLease: (id) => {
        const prop = 'l:' + id
        if (am.get('_root', prop) === undefined) return
        touched.add(prop)
        am.delete('_root', prop)
      },
    }
    try {
      fn(tx)
    } catch (e) {
      am.rollback()
      throw e
    }
    const hash = am.commit(null, Math.floor(Date.now() / 1000)) as string | null
    am.updateDiffCursor()
    if (!hash) return null
    const change = am.getChangeByHash(hash) as Uint8Array
    this.order.set(hash, this.order.size)
    this.rev += 1
    const events = this.refresh(touched)
    const heads = [hash]
    this.unitRevs.push(this.rev)
    this.unitHeads.push(heads)
    void before
    return { rev: this.rev, hashes: [hash], changes: [change], heads, events }
  }

  /** Apply peer changes (`apply` calls into the handle, e.g. receiveSyncMessage). Null if nothing new. */
  applyRemote(apply: () => void): Unit | null {
    const am = this.am
    const before = am.getHeads() as string[]
    apply()
    const after = am.getHeads() as string[]
    if (after.length === before.length && after.every((h) => before.includes(h))) {
      am.updateDiffCursor()
      return null
    }
    const patches = am.diffIncremental() as { path: (string | number)[] }[]
    const touched = new Set<string>()
    for (const p of patches) if (typeof p.path[0] === 'string') touched.add(p.path[0])
    // The new changes, found by walking back from the new heads to known hashes (O(new), not O(history)),
    // in post-order so that every change comes after its dependencies.
    const hashes: string[] = []
    const changes: Uint8Array[] = []
    const visited = new Set<string>()
    const stack: { h: string; expanded: boolean }[] = after.filter((h) => !this.order.has(h)).map((h) => ({ h, expanded: false }))
    while (stack.length > 0) {
      const top = stack[stack.length - 1]
      if (top.expanded) {
        stack.pop()
        if (this.order.has(top.h)) continue
        this.order.set(top.h, this.order.size)
        hashes.push(top.h)
        changes.push(am.getChangeByHash(top.h) as Uint8Array)
        continue
      }
      top.expanded = true
      if (visited.has(top.h)) {
        stack.pop()
        continue
      }
      visited.add(top.h)
      const meta = am.getChangeMetaByHash(top.h) as { deps: string[] } | null
      for (const d of meta?.deps ?? []) if (!this.order.has(d) && !visited.has(d)) stack.push({ h: d, expanded: false })
    }
    this.rev += hashes.length
    const events = this.refresh(touched)
    const heads = after.slice().sort()
    this.unitRevs.push(this.rev)
    this.unitHeads.push(heads)
    return { rev: this.rev, hashes, changes, heads, events }
  }

  private refresh(touched: Set<string>): StoreEvent[] {
    const events: StoreEvent[] = []
    const rev = this.rev
    for (const prop of touched) {
      if (prop.startsWith('l:')) {
        this.refreshLease(prop)
        continue
      }
      if (!prop.startsWith('k:')) continue
      const key = prop.slice(2)
      const prev = this.kv.get(key) ?? null
      const m = this.materialize(prop)
      if (!m) {
        if (prev) {
          this.kv.delete(key)
          this.sorted = null
          events.push({ type: 'DELETE', kv: { key, value: EMPTY, create: 0, mod: rev, version: 0, lease: '0' }, prev })
        }
        continue
      }
      const value = entryValue(m)
      const version = Number(m.ver ?? 1)
      const lease = String(m.lease ?? '0')
      if (prev && sameEntry(prev, value, version, lease)) continue
      const kv: KvEntry = { key, value, create: prev ? prev.create : rev, mod: rev, version, lease }
      if (!prev) this.sorted = null
      this.kv.set(key, kv)
      events.push({ type: 'PUT', kv, prev })
    }
    return events
  }

  private refreshLease(prop: string): void {
    const id = prop.slice(2)
    const m = this.materialize(prop)
    if (!m) this.leases.delete(id)
    else this.leases.set(id, { id, ttl: Number(m.ttl ?? 0), exp: Number(m.exp ?? 0), owner: String(m.owner ?? '') })
  }

  /** Heads as of a revision (the last unit ending at or before it). */
  headsAtRevision(rev: number): string[] {
    let lo = 0
    let hi = this.unitRevs.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.unitRevs[mid] <= rev) lo = mid
      else hi = mid - 1
    }
    return this.unitHeads[lo]
  }

  /** Key-values in [from, to) (or the single key `from` when `to` is null) as of the given heads. */
  readAt(heads: string[], inRange: (key: string) => boolean): KvEntry[] {
    const out: KvEntry[] = []
    for (const prop of this.am.keys('_root', heads) as string[]) {
      if (!prop.startsWith('k:')) continue
      const key = prop.slice(2)
      if (!inRange(key)) continue
      const m = this.materialize(prop, heads)
      if (!m) continue
      out.push({ key, value: entryValue(m), create: 0, mod: 0, version: Number(m.ver ?? 1), lease: String(m.lease ?? '0') })
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }

  /** Concurrent values per field of one key (winner first), as JSON strings. */
  conflicts(key: string): { path: string; values: string[] }[] {
    const out: { path: string; values: string[] }[] = []
    const show = (type: string, v: unknown): string => {
      if (type === 'map' || type === 'list') return JSON.stringify(this.am.materialize(v))
      if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('utf8'))
      return JSON.stringify(v)
    }
    const walk = (obj: string, prop: string, path: string): void => {
      const all = this.am.getAll(obj, prop) as [string, unknown, string][]
      if (all.length > 1) out.push({ path, values: orderConflicts(all).map(([t, v]) => show(t, v)) })
      const winner = this.am.getWithType(obj, prop) as [string, unknown] | null
      if (winner && winner[0] === 'map') {
        for (const k of this.am.keys(winner[1]) as string[]) walk(winner[1] as string, k, path === '' ? k : `${path}.${k}`)
      }
    }
    const top = this.am.getAll('_root', 'k:' + key) as [string, unknown, string][]
    if (top.length > 1) out.push({ path: '', values: orderConflicts(top).map(([t, v]) => show(t, v)) })
    const id = this.am.get('_root', 'k:' + key)
    if (typeof id !== 'string') return out
    if (this.am.get(id, 'j') !== undefined) walk(id, 'j', '')
    else {
      const all = this.am.getAll(id, 'v') as [string, unknown, string][]
      if (all.length > 1) out.push({ path: '', values: orderConflicts(all).map(([t, v]) => show(t, v)) })
    }
    return out
  }

  /** Is `x` an ancestor of (or one of) `targets`? Undefined when a hash is unknown here. */
  private reaches(x: string, targets: string[]): boolean | undefined {
    const ix = this.order.get(x)
    if (ix === undefined) return undefined
    const stack = [...targets]
    const seen = new Set<string>()
    while (stack.length > 0) {
      const h = stack.pop() as string
      if (h === x) return true
      if (seen.has(h)) continue
      seen.add(h)
      const o = this.order.get(h)
      if (o === undefined) return undefined
      if (o < ix) continue
      const meta = this.am.getChangeMetaByHash(h) as { deps: string[] } | null
      if (meta) for (const d of meta.deps) stack.push(d)
    }
    return false
  }

  /** All of `a` within the history of `b`? */
  leq(a: string[], b: string[]): boolean | undefined {
    for (const h of a) {
      const r = this.reaches(h, b)
      if (r !== true) return r
    }
    return true
  }

  compare(a: string[], b: string[]): Order {
    const sa = [...new Set(a)].sort()
    const sb = [...new Set(b)].sort()
    for (const h of [...sa, ...sb]) if (!this.order.has(h)) return 'unknown'
    if (sa.length === sb.length && sa.every((h, i) => h === sb[i])) return 'equal'
    if (this.leq(sa, sb)) return 'before'
    if (this.leq(sb, sa)) return 'after'
    return 'concurrent'
  }
}

/** Automerge's own winner comes back from getWithType; getAll lists all. Put the winner first. */
function orderConflicts(all: [string, unknown, string][]): [string, unknown, string][] {
  // The winner is the op with the highest (counter, actor); op ids are "counter@actor".
  const key = (id: string): [number, string] => {
    const at = id.indexOf('@')
    return [Number(id.slice(0, at)), id.slice(at + 1)]
  }
  return all.slice().sort((x, y) => {
    const [cx, ax] = key(x[2])
    const [cy, ay] = key(y[2])
    return cy - cx || (ay < ax ? -1 : ay > ax ? 1 : 0)
  })
}
