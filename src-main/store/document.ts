// The replica's Automerge document and its materialised key-value index.
//
// Layout (root map of one Automerge document, shared by every replica without a genesis change):
//   "k:<key>"  → { b: u32le version + value bytes } | { j: <JSON map>, raw: bytes, ver: int }, plus lease?: string
//              (older logs: { v: bytes, ver: int }, still read); a bytes key gets a fresh object now and then (ROTATE_EVERY)
//   "l:<id>"   → { ttl: int (s), exp: int (ms since epoch), owner: string (member id) }
// Keys are etcd byte strings held as latin1 JS strings, so JS string order is byte order.
//
// Revisions: every change applied on this replica (its own or a peer's) advances the replica's commit
// counter by one; the counter starts at 1 like etcd's. Local writes are batched into one change, each
// write still advancing the counter by one. A key's mod_revision is the counter after the write (or the
// batch of peer changes) that changed its visible value.
//
// We use Automerge's low-level handle (the wasm `Automerge` object) rather than the immutable JS
// document: materialising a large root map on every change costs O(keys) per write.
import * as A from '@automerge/automerge'
import { compareHeads, leq } from './causal-order.ts'
import { isPlainObject, jsonValue, parseJsonObject, writeJson } from './json-merge.ts'

/** The low-level Automerge handle (wasm). Typed loosely: its API is documented in wasm_types.d.ts. */
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
  /** Revisions this unit advances the counter by (one per local write; one per change from a peer). */
  revs: number
  hashes: string[]
  changes: Uint8Array[]
  heads: string[]
  events: StoreEvent[]
}

/** A unit as read back from disk: events carry only type and key. */
export interface StoredUnit {
  /** Revisions the unit advanced (absent in old records: one per change). */
  revs?: number
  /** Revision of each event (absent in old records: the unit's last revision). */
  eventRevs?: number[]
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


export function entryValue(m: Record<string, unknown>): Buffer {
  if (m.j !== undefined) return jsonValue(m)
  if (m.b instanceof Uint8Array && m.b.length >= 4) return Buffer.from(m.b.subarray(4))
  return m.v instanceof Uint8Array ? Buffer.from(m.v) : EMPTY
}

/** etcd version of a materialised entry: the prefix of `b` for bytes values, else `ver`. */
export function entryVersion(m: Record<string, unknown>): number {
  if (m.j === undefined && m.b instanceof Uint8Array && m.b.length >= 4) return Buffer.from(m.b.buffer, m.b.byteOffset, 4).readUInt32LE(0)
  return Number(m.ver ?? 1)
}

/** A bytes value with its version: one register, one operation per write. */
function encodeB(version: number, value: Buffer): Uint8Array {
  const b = new Uint8Array(4 + value.length)
  new DataView(b.buffer).setUint32(0, version >>> 0, true)
  b.set(value, 4)
  return b
}

/** Does a materialised entry hold only `b` (and maybe `lease`)? */
function isPlain(m: Record<string, unknown>): boolean {
  return m.b !== undefined && m.j === undefined && m.raw === undefined && m.v === undefined && m.ver === undefined
}

function sameEntry(a: KvEntry, value: Buffer, version: number, lease: string): boolean {
  return a.version === version && a.lease === lease && a.value.equals(value)
}

interface DecodedChange {
  hash: string
  deps: string[]
  actor: string
  startOp: number
  ops: { action: string; obj: string; key?: unknown }[]
}

interface KeyMeta {
  obj: string
  /** Holds only `b` (a bytes value with its version) and maybe `lease`. */
  plain: boolean
  /** Holds `lease`. */
  lease: boolean
  /** Writes into `obj` by this replica since it was made or read (see ROTATE_EVERY). */
  writes: number
}

/** One write's answer in a batch: its revision and events, or the error it threw. */
export type BatchResult = { rev: number; events: StoreEvent[] } | { error: unknown }

/** A writeBatch under way: what it has produced, and how to undo the open segment (the writes since the last commit). */
interface Batch {
  readonly time: number
  readonly startRev: number
  readonly results: BatchResult[]
  readonly events: StoreEvent[]
  readonly hashes: string[]
  readonly changes: Uint8Array[]
  /** Root properties written by writes that were rolled back: refreshed once the batch is committed. */
  readonly lateRefresh: Set<string>
  undoKv: Map<string, KvEntry | undefined>
  undoMeta: Map<string, KeyMeta | undefined>
  undoLease: Map<string, LeaseInfo | undefined>
  /** Where the open segment starts: in results, in revisions, in events. */
  segStart: number
  segRev: number
  segEvents: number
  /** The current write: root properties it touched, and entries / leases it wrote (known without materialising). */
  touched: Set<string>
  known: Map<string, KvEntry | null>
  knownLease: Map<string, LeaseInfo | null>
}

/**
 * A plain key's value moves to a fresh object after this many writes into one. Automerge keeps every op,
 * and reading or overwriting a register scans all the ops ever written to it: one key written 1,050 times
 * cost 35 µs per put against 7.7 µs at 250. A fresh object starts the scan over. Concurrent writes to a key
 * stay last-writer-wins: one replacing object, or one write, wins everywhere alike. JSON values stay put
 * (their fields merge within one object).
 */
const ROTATE_EVERY = 128

export class StoreDocument {
  readonly am: Handle
  /** The replica's commit counter (etcd revision). */
  rev = 1
  readonly kv = new Map<string, KvEntry>()
  readonly leases = new Map<string, LeaseInfo>()
  /** Per key: its object id and which optional fields it holds (saves lookups in the handle on a put). */
  private readonly meta = new Map<string, KeyMeta>()
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
      rev += u.revs ?? u.changes.length
      for (const h of u.hashes) doc.order.set(h, idx++)
      for (let i = 0; i < u.events.length; i++) {
        const e = u.events[i]
        const at = u.eventRevs?.[i] ?? rev
        const m = meta.get(e.key)
        if (e.type === 'PUT') meta.set(e.key, { create: m ? m.create : at, mod: at })
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
        if (doc.lastObj !== null) doc.objRoot.set(doc.lastObj, prop)
        if (doc.lastObj !== null) doc.meta.set(key, { obj: doc.lastObj, plain: isPlain(m), lease: m.lease !== undefined, writes: 0 })
        doc.kv.set(key, { key, value: entryValue(m), create: mm.create, mod: mm.mod, version: entryVersion(m), lease: String(m.lease ?? '0') })
      } else if (prop.startsWith('l:')) doc.refreshLease(prop)
    }
    return doc
  }

  private headsCache: string[] | null = null

  /** Current heads, sorted (cached until the next change; do not modify the array). */
  heads(): string[] {
    if (!this.headsCache) {
      this.dirtyRead = true
      this.headsCache = (this.am.getHeads() as string[]).slice().sort()
    }
    return this.headsCache
  }

  has(hash: string): boolean {
    return this.order.has(hash)
  }

  /** Object id of the last current-state materialize() (for the key metadata cache). */
  private lastObj: string | null = null

  /** Set by reads that may close the handle's open transaction (an implicit commit). */
  private dirtyRead = false

  private materialize(prop: string, heads?: string[]): Record<string, unknown> | null {
    this.dirtyRead = true
    const id = heads ? this.am.get('_root', prop, heads) : this.am.get('_root', prop)
    if (!heads) this.lastObj = typeof id === 'string' ? id : null
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
    const b = this.writeBatch([fn])
    const r = b.results[0]
    if ('error' in r) throw r.error
    return b.unit
  }

  /**
   * Several local writes in ONE Automerge change (one transaction, one commit). Each write that changes
   * something gets its own revision (the commit counter advances once per write, so a unit may span
   * several revisions); its events carry that revision. A write whose `fn` throws before touching the
   * document is skipped with its error; one that throws half-way makes the batch start over without it.
   *
   * Reads that materialise or list (materialize, keys, getHeads) close the handle's open transaction, so a write
   * that needs one (a JSON value, a new key, a lease) ends the current change first (a segment); the new changes
   * are collected by walking back from the heads, which also catches such implicit commits.
   */
  writeBatch(fns: ((tx: Tx) => void)[]): { unit: Unit | null; results: BatchResult[] } {
    this.headsCache = null
    this.dirtyRead = false
    const b: Batch = {
      time: Math.floor(Date.now() / 1000), startRev: this.rev, results: [], events: [], hashes: [], changes: [], lateRefresh: new Set(),
      undoKv: new Map(), undoMeta: new Map(), undoLease: new Map(), segStart: 0, segRev: this.rev, segEvents: 0,
      touched: new Set(), known: new Map(), knownLease: new Map(),
    }
    const tx: Tx = {
      put: (key, value, lease) => this.txPut(b, key, value, lease),
      del: (key) => this.txDel(b, key),
      putLease: (info) => this.txPutLease(b, info),
      delLease: (id) => this.txDelLease(b, id),
    }
    const fnsLeft = fns.slice()
    for (let i = 0; i < fnsLeft.length; i++) {
      b.touched = new Set()
      b.known = new Map()
      b.knownLease = new Map()
      try {
        fnsLeft[i](tx)
      } catch (e) {
        if (b.touched.size === 0) {
          b.results.push({ error: e })
          continue
        }
        // Failed half-way: undo this segment and run its writes again without the failing one.
        this.rollbackSegment(b)
        fnsLeft[i] = () => { throw e }
        i = b.segStart - 1
        continue
      }
      this.recordWrite(b)
    }
    this.closeSegment(b)
    return this.finishBatch(b)
  }

  /** A write that ran: its revision and events. One that needed reads of the handle closes the segment first. */
  private recordWrite(b: Batch): void {
    if (b.touched.size === 0) {
      b.results.push({ rev: this.rev, events: [] })
      return
    }
    let simple = true
    for (const t of b.touched) if (!(t.startsWith('k:') ? b.known.has(t) : b.knownLease.has(t))) simple = false
    if (!simple) {
      this.dirtyRead = true
      this.closeSegment(b)
    }
    this.rev += 1
    const events = this.refresh(b.touched, b.known, b.knownLease)
    for (const e of events) b.events.push(e)
    b.results.push({ rev: this.rev, events })
    if (!simple) {
      b.segStart = b.results.length
      b.segRev = this.rev
      b.segEvents = b.events.length
    }
  }

  /** Commits the open transaction: its change(s) join the batch, and what it wrote can no longer be undone. */
  private closeSegment(b: Batch): void {
    const am = this.am
    const h = am.commit(null, b.time) as string | null
    // Only our own simple operations since the last commit: the new change is exactly `h`.
    const n = !this.dirtyRead && h ? { hashes: [h], changes: [am.getChangeByHash(h) as Uint8Array] } : this.collectNew(am.getHeads() as string[])
    if (!this.dirtyRead && h) this.order.set(h, this.order.size)
    this.dirtyRead = false
    for (let i = 0; i < n.hashes.length; i++) {
      b.hashes.push(n.hashes[i])
      b.changes.push(n.changes[i])
    }
    b.undoKv = new Map()
    b.undoMeta = new Map()
    b.undoLease = new Map()
  }

  /** Rolls the open transaction back and the cached entries with it, to where the segment started. */
  private rollbackSegment(b: Batch): void {
    this.am.rollback()
    this.dirtyRead = true
    for (const [k, v] of b.undoKv) if (v) this.kv.set(k, v); else this.kv.delete(k)
    for (const [k, v] of b.undoMeta) if (v) this.meta.set(k, v); else this.meta.delete(k)
    for (const [k, v] of b.undoLease) if (v) this.leases.set(k, v); else this.leases.delete(k)
    b.undoKv = new Map()
    b.undoMeta = new Map()
    b.undoLease = new Map()
    for (const t of b.touched) b.lateRefresh.add(t)
    this.sorted = null
    this.rev = b.segRev
    b.events.length = b.segEvents
    b.results.length = b.segStart
  }

  /** The batch as one unit (null when nothing changed), its revisions and heads recorded for reads at a revision. */
  private finishBatch(b: Batch): { unit: Unit | null; results: BatchResult[] } {
    this.headsCache = null
    this.am.updateDiffCursor()
    if (b.lateRefresh.size > 0) for (const e of this.refresh(b.lateRefresh)) b.events.push(e)
    if (b.hashes.length === 0) {
      this.rev = b.startRev
      return { unit: null, results: b.results.map((r) => ('error' in r ? r : { rev: b.startRev, events: [] })) }
    }
    if (this.rev === b.startRev) this.rev += 1
    const heads = this.heads()
    this.unitRevs.push(this.rev)
    this.unitHeads.push(heads)
    return { unit: { rev: this.rev, revs: this.rev - b.startRev, hashes: b.hashes, changes: b.changes, heads, events: b.events }, results: b.results }
  }

  private remember(b: Batch, key: string): void {
    if (!b.undoKv.has(key)) b.undoKv.set(key, this.kv.get(key))
    if (!b.undoMeta.has(key)) b.undoMeta.set(key, this.meta.get(key))
  }

  private rememberLease(b: Batch, id: string): void {
    if (!b.undoLease.has(id)) b.undoLease.set(id, this.leases.get(id))
  }

  /** Tx.put: bytes in the key's object register `b` (with its version), a JSON object merged field by field. */
  private txPut(b: Batch, key: string, value: Buffer | null, lease: string | null): void {
    const am = this.am
    const prop = 'k:' + key
    b.touched.add(prop)
    this.remember(b, key)
    const cur = this.kv.get(key)
    const meta = cur ? this.meta.get(key) : undefined
    const json = value !== null ? parseJsonObject(value) : null
    const rotate = meta !== undefined && meta.plain && meta.writes >= ROTATE_EVERY && value !== null && !json
    let obj: string
    let created = false
    if (rotate) {
      obj = am.putObject('_root', prop, {}) as string
      created = true
      this.objRoot.set(obj, prop)
    } else if (meta) obj = meta.obj
    else {
      const id = am.get('_root', prop) as unknown
      created = typeof id !== 'string'
      obj = typeof id === 'string' ? id : (am.putObject('_root', prop, {}) as string)
      this.objRoot.set(obj, prop)
    }
    const version = (cur ? cur.version : 0) + 1
    const bytes = value ?? (cur && meta?.plain ? cur.value : null)
    if (json || bytes === null) {
      // A JSON document (or ignore_value on one): fields j/raw/ver.
      if (am.get(obj, 'b') !== undefined) am.delete(obj, 'b')
      if (value !== null && json) {
        if (am.get(obj, 'v') !== undefined) am.delete(obj, 'v')
        writeJson(am, obj, 'j', json)
        am.put(obj, 'raw', new Uint8Array(value))
      }
      am.put(obj, 'ver', version, 'int')
    } else {
      if (!meta || !meta.plain) {
        for (const f of ['j', 'raw', 'v', 'ver']) if (am.get(obj, f) !== undefined) am.delete(obj, f)
      }
      am.put(obj, 'b', encodeB(version, bytes))
    }
    let hasLease = meta && !rotate ? meta.lease : !created
    if (rotate) {
      // The fresh object carries the key's lease over.
      const l = lease ?? cur!.lease
      if (l !== '0') am.put(obj, 'lease', l, 'str')
      hasLease = l !== '0'
    } else if (lease !== null) {
      if (lease === '0') {
        if (hasLease && am.get(obj, 'lease') !== undefined) am.delete(obj, 'lease')
        hasLease = false
      } else {
        am.put(obj, 'lease', lease, 'str')
        hasLease = true
      }
    }
    // Bytes written over an entry this replica holds (or into a new object): the visible entry is exactly what we wrote.
    if ((meta || created) && bytes !== null && !json && (cur || created)) {
      b.known.set(prop, { key, value: Buffer.from(bytes), create: 0, mod: 0, version, lease: lease ?? (cur ? cur.lease : '0') })
      this.meta.set(key, { obj, plain: true, lease: hasLease, writes: meta && !rotate ? meta.writes + 1 : 1 })
    } else {
      b.known.delete(prop)
      this.meta.delete(key)
    }
  }

  private txDel(b: Batch, key: string): boolean {
    const prop = 'k:' + key
    if (!this.kv.has(key) && this.am.get('_root', prop) === undefined) return false
    b.touched.add(prop)
    this.remember(b, key)
    this.am.delete('_root', prop)
    b.known.set(prop, null)
    return true
  }

  private txPutLease(b: Batch, info: LeaseInfo): void {
    const am = this.am
    const prop = 'l:' + info.id
    b.touched.add(prop)
    this.rememberLease(b, info.id)
    let id = am.get('_root', prop) as unknown
    if (typeof id !== 'string') id = am.putObject('_root', prop, {})
    this.objRoot.set(id as string, prop)
    am.put(id, 'ttl', info.ttl, 'int')
    am.put(id, 'exp', info.exp, 'int')
    am.put(id, 'owner', info.owner, 'str')
    b.knownLease.set(prop, { ...info })
  }

  private txDelLease(b: Batch, id: string): void {
    const prop = 'l:' + id
    if (this.am.get('_root', prop) === undefined) return
    b.touched.add(prop)
    this.rememberLease(b, id)
    this.am.delete('_root', prop)
    b.knownLease.set(prop, null)
  }

  /** Root property each known object belongs to (objects made by changes seen here). */
  private readonly objRoot = new Map<string, string>()

  /** Root properties touched by `changes`, or null when an op's object is unknown here. */
  private touchedBy(decoded: DecodedChange[], onlyB: Set<string>): Set<string> | null {
    const touched = new Set<string>()
    const other = new Set<string>()
    for (const d of decoded) {
      for (let i = 0; i < d.ops.length; i++) {
        const op = d.ops[i]
        const prop = op.obj === '_root' ? (typeof op.key === 'string' ? op.key : null) : this.objRoot.get(op.obj)
        if (prop === undefined || prop === null) return null
        touched.add(prop)
        // Only the `b` register of a key's own (current) object: refreshed without materialising.
        if (op.obj !== '_root' && op.key === 'b' && op.action === 'set' && prop.startsWith('k:') && this.meta.get(prop.slice(2))?.obj === op.obj) {
          if (!other.has(prop)) onlyB.add(prop)
        } else {
          other.add(prop)
          onlyB.delete(prop)
        }
        if (op.action === 'makeMap' || op.action === 'makeList' || op.action === 'makeText' || op.action === 'makeTable') this.objRoot.set(`${d.startOp + i}@${d.actor}`, prop)
      }
    }
    return touched
  }

  /** Changes not yet known here, found by walking back from `heads` (O(new), not O(history)), dependencies first. */
  private collectNew(heads: string[]): { hashes: string[]; changes: Uint8Array[] } {
    const am = this.am
    const hashes: string[] = []
    const changes: Uint8Array[] = []
    const visited = new Set<string>()
    const stack: { h: string; expanded: boolean }[] = heads.filter((h) => !this.order.has(h)).map((h) => ({ h, expanded: false }))
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
      const meta = am.getDecodedChangeByHash(top.h) as { deps: string[] } | null
      for (const d of meta?.deps ?? []) if (!this.order.has(d) && !visited.has(d)) stack.push({ h: d, expanded: false })
    }
    return { hashes, changes }
  }

  /** Apply peer changes (`apply` calls into the handle, e.g. receiveSyncMessage). Null if nothing new. */
  applyRemote(apply: () => void, incoming?: Uint8Array[]): Unit | null {
    const am = this.am
    const before = am.getHeads() as string[]
    const queuedBefore = incoming ? (am.getMissingDeps() as string[]).length > 0 : true
    this.headsCache = null
    apply()
    const after = am.getHeads() as string[]
    if (after.length === before.length && after.every((h) => before.includes(h))) {
      am.updateDiffCursor()
      return null
    }
    // The new changes: when `incoming` (the changes just applied) all had their dependencies and nothing
    // was or is queued, they are exactly the new ones; otherwise walk back from the heads.
    let fast: { hashes: string[]; changes: Uint8Array[]; decoded: DecodedChange[] } | null = null
    if (incoming && !queuedBefore && (am.getMissingDeps() as string[]).length === 0) {
      fast = { hashes: [], changes: [], decoded: [] }
      const added = new Set<string>()
      for (const c of incoming) {
        const d = A.decodeChange(c) as unknown as DecodedChange
        if (this.order.has(d.hash) || added.has(d.hash)) continue
        if (!d.deps.every((h) => this.order.has(h) || added.has(h))) {
          fast = null
          break
        }
        added.add(d.hash)
        fast.hashes.push(d.hash)
        fast.changes.push(c)
        fast.decoded.push(d)
      }
      if (fast) for (const h of fast.hashes) this.order.set(h, this.order.size)
    }
    const { hashes, changes } = fast ?? this.collectNew(after)
    // The root properties the new changes touch, from their ops (diffIncremental costs O(document)).
    const onlyB = new Set<string>()
    let touched = this.touchedBy(fast ? fast.decoded : changes.map((c) => A.decodeChange(c) as unknown as DecodedChange), onlyB)
    if (touched) am.updateDiffCursor()
    else {
      onlyB.clear()
      const patches = am.diffIncremental() as { path: (string | number)[] }[]
      touched = new Set<string>()
      for (const p of patches) if (typeof p.path[0] === 'string') touched.add(p.path[0])
    }
    this.rev += hashes.length
    let known: Map<string, KvEntry | null> | undefined
    for (const prop of onlyB) {
      const key = prop.slice(2)
      const cur = this.kv.get(key)
      const meta = this.meta.get(key)
      if (!cur || !meta || !meta.plain) continue
      const b = am.get(meta.obj, 'b') as unknown
      if (!(b instanceof Uint8Array) || b.length < 4) continue
      known = known ?? new Map()
      known.set(prop, { key, value: Buffer.from(b.subarray(4)), create: 0, mod: 0, version: Buffer.from(b.buffer, b.byteOffset, 4).readUInt32LE(0), lease: cur.lease })
    }
    const events = this.refresh(touched, known)
    const heads = after.slice().sort()
    this.unitRevs.push(this.rev)
    this.unitHeads.push(heads)
    return { rev: this.rev, revs: hashes.length, hashes, changes, heads, events }
  }

  private refresh(touched: Set<string>, known?: Map<string, KvEntry | null>, knownLease?: Map<string, LeaseInfo | null>): StoreEvent[] {
    const events: StoreEvent[] = []
    const rev = this.rev
    for (const prop of touched) {
      if (prop.startsWith('l:')) {
        const l = knownLease?.get(prop)
        if (l) this.leases.set(l.id, l)
        else if (l === null) this.leases.delete(prop.slice(2))
        else this.refreshLease(prop)
        continue
      }
      if (!prop.startsWith('k:')) continue
      const key = prop.slice(2)
      const prev = this.kv.get(key) ?? null
      const k = known?.get(prop)
      if (k) {
        if (prev && sameEntry(prev, k.value, k.version, k.lease)) continue
        const kv: KvEntry = { ...k, create: prev ? prev.create : rev, mod: rev }
        if (!prev) this.sorted = null
        this.kv.set(key, kv)
        events.push({ type: 'PUT', kv, prev })
        continue
      }
      const m = k === null ? null : this.materialize(prop)
      if (!m) {
        this.meta.delete(key)
        if (prev) {
          this.kv.delete(key)
          this.sorted = null
          events.push({ type: 'DELETE', kv: { key, value: EMPTY, create: 0, mod: rev, version: 0, lease: '0' }, prev })
        }
        continue
      }
      const value = entryValue(m)
      const version = entryVersion(m)
      const lease = String(m.lease ?? '0')
      if (this.lastObj !== null) this.objRoot.set(this.lastObj, prop)
      if (this.lastObj !== null) this.meta.set(key, { obj: this.lastObj, plain: isPlain(m), lease: m.lease !== undefined, writes: 0 })
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
    if (this.lastObj !== null) this.objRoot.set(this.lastObj, prop)
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
    this.dirtyRead = true
    const out: KvEntry[] = []
    for (const prop of this.am.keys('_root', heads) as string[]) {
      if (!prop.startsWith('k:')) continue
      const key = prop.slice(2)
      if (!inRange(key)) continue
      const m = this.materialize(prop, heads)
      if (!m) continue
      out.push({ key, value: entryValue(m), create: 0, mod: 0, version: entryVersion(m), lease: String(m.lease ?? '0') })
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
      const field = this.am.get(id, 'b') !== undefined ? 'b' : 'v'
      const all = this.am.getAll(id, field) as [string, unknown, string][]
      const strip = (v: unknown): unknown => (field === 'b' && v instanceof Uint8Array ? v.subarray(4) : v)
      if (all.length > 1) out.push({ path: '', values: orderConflicts(all).map(([t, v]) => show(t, strip(v))) })
    }
    return out
  }

  /** All of `a` within the history of `b`? Undefined when a hash is unknown here. */
  leq(a: string[], b: string[]): boolean | undefined {
    return leq(this.am, this.order, a, b)
  }

  /** How two sets of heads are ordered in this replica's history. */
  compare(a: string[], b: string[]): Order {
    return compareHeads(this.am, this.order, a, b)
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
