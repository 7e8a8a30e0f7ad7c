// The Store page's half of the lab: one replicated store at a time, run by the supervisor; the Store page and the
// LabApi store methods go through here. Writes made here are tracked for the live durability table.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { badInput } from '../../../src-shared/errors.ts'
import type { DurabilityRow, StoreFault, StoreKeyValue, StorePutResult, StoreView } from '../../../src-shared/store-types.ts'
import { createStoreClient, type StoreClient } from './client.ts'
import { StoreSupervisor, type SupervisorOptions } from './supervisor.ts'

const TRACKED_WRITES = 24
const VIEW_EVERY_MS = 500
/** The Store page draws a column per replica: up to 7. A headless store (`store up`) may have more. */
export const MAX_PAGE_REPLICAS = 7
export const MAX_REPLICAS = 15

/** A store started headless (`stabilis store up`): its data folder as given, and the replicas' own settings. */
export interface StoreUpOptions extends Pick<SupervisorOptions, 'maxRequestBytes' | 'recipesHome' | 'http2'> {
  replicas: number
  /** The data folder itself (kept across starts, so replicas keep their identity); default a new temporary one. */
  dir?: string
}

/** A replica that exited on its own (killed, crashed), with the last line it wrote and how many are still up. */
export interface ReplicaExit {
  replica: string
  lastLine: string
  up: number
  total: number
}

export interface StoreLabOptions {
  /** Where replica data folders go; default a new temporary folder per start. */
  dir?: string
  /** The replica process entry; the Electron build passes its bundled copy. */
  replicaEntry?: string
}

interface TrackedWrite {
  key: string
  via: string
  heads: string[]
}

export class StoreLab {
  private sup: StoreSupervisor | null = null
  private dir: string | null = null
  private readonly clients = new Map<string, StoreClient>()
  private writes: TrackedWrite[] = []
  private timer: NodeJS.Timeout | null = null
  private readonly opts: StoreLabOptions
  private readonly publish: (view: StoreView) => void

  constructor(publish: (view: StoreView) => void, opts: StoreLabOptions = {}) {
    this.publish = publish
    this.opts = opts
  }

  /** The Store page's start: up to MAX_PAGE_REPLICAS replicas in a new folder below the lab's. */
  async start(replicas: number): Promise<StoreView> {
    checkReplicas(replicas, MAX_PAGE_REPLICAS)
    const dir = this.opts.dir ? join(this.opts.dir, `store-${Date.now()}`) : undefined
    return this.launch({ replicas, dir })
  }

  /** A headless start (`store up`): up to MAX_REPLICAS replicas in the folder given, with the replicas' settings. */
  async up(options: StoreUpOptions): Promise<StoreView> {
    checkReplicas(options.replicas, MAX_REPLICAS)
    return this.launch(options)
  }

  private async launch({ replicas, dir, ...settings }: StoreUpOptions): Promise<StoreView> {
    if (this.sup) throw badInput('a store is already running: stop it first')
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'stabilis-store-'))
    const sup = new StoreSupervisor({ replicas, dir: this.dir, entry: this.opts.replicaEntry, ...settings })
    try {
      await sup.start()
    } catch (err) {
      sup.killAllNow()
      throw err
    }
    this.sup = sup
    this.writes = []
    // Status changes arrive in bursts; a steady tick sends the page one consolidated view.
    this.timer = setInterval(() => void this.view().then(this.publish, () => {}), VIEW_EVERY_MS)
    return this.view()
  }

  /**
   * Follows the running store's replicas: `onExit` for each that exits on its own (killed, crashed); resolves when
   * none is left to serve. `cancel` stops following (the store keeps running).
   */
  untilAllExit(onExit: (exit: ReplicaExit) => void): { done: Promise<void>; cancel(): void } {
    const sup = this.running()
    const up = new Set(sup.view().filter((v) => v.up).map((v) => v.name))
    let onStatus = (): void => {}
    const done = new Promise<void>((resolve) => {
      onStatus = (): void => {
        for (const v of sup.view()) {
          if (v.up || !up.delete(v.name)) continue
          onExit({ replica: v.name, lastLine: sup.lastStderr(v.name).trim().split('\n').pop() ?? '', up: up.size, total: sup.view().length })
        }
        if (up.size > 0) return
        sup.off('status', onStatus)
        resolve()
      }
      sup.on('status', onStatus)
    })
    return { done, cancel: () => sup.off('status', onStatus) }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    for (const c of this.clients.values()) c.close()
    this.clients.clear()
    const sup = this.sup
    this.sup = null
    if (sup) await sup.stopAll()
    this.publish(await this.view())
  }

  private running(): StoreSupervisor {
    if (!this.sup) throw badInput('no store is running: start one first')
    return this.sup
  }

  private client(replica: string): StoreClient {
    const sup = this.running()
    const at = sup.names().indexOf(replica)
    if (at < 0) throw badInput(`no replica named "${replica}"; replicas: ${sup.names().join(', ')}`)
    let c = this.clients.get(replica)
    if (!c) {
      c = createStoreClient(sup.endpoints()[at], 3000)
      this.clients.set(replica, c)
    }
    return c
  }

  async view(): Promise<StoreView> {
    const sup = this.sup
    if (!sup) return { running: false, dir: this.dir, replicas: [], durability: [] }
    const replicas = sup.view().map((r) => ({
      name: r.name,
      up: r.up,
      pid: r.pid,
      endpoint: r.endpoint,
      revision: r.status?.revision ?? 0,
      heads: r.status?.heads ?? [],
      keys: r.status?.keys ?? 0,
      changes: r.status?.changes ?? 0,
      storageError: r.status?.storageError ?? null,
      peers: (r.status?.peers ?? []).map((p) => ({
        name: p.name,
        connected: p.connectedOut || p.connectedIn,
        relation: String(p.relation),
        cut: Boolean(p.link?.cut),
      })),
    }))
    const hashes = [...new Set(this.writes.flatMap((w) => w.heads))]
    const table = hashes.length ? await sup.durability(hashes) : {}
    const durability: DurabilityRow[] = this.writes.map((w) => ({
      key: w.key,
      via: w.via,
      heads: w.heads,
      held: replicas.map((r) => {
        const col = table[r.name]
        if (!col) return null
        const flags = w.heads.map((h) => col[hashes.indexOf(h)])
        return flags.some((f) => f === null) ? null : flags.every((f) => f === true)
      }),
    }))
    return { running: true, dir: this.dir, replicas, durability }
  }

  async fault(fault: StoreFault): Promise<StoreView> {
    const sup = this.running()
    switch (fault.kind) {
      case 'kill':
      case 'stop':
      case 'restart': {
        if (!sup.names().includes(fault.replica)) throw badInput(`no replica named "${fault.replica}"`)
        this.clients.get(fault.replica)?.close()
        this.clients.delete(fault.replica)
        await sup[fault.kind](fault.replica)
        break
      }
      case 'partition': {
        const all = sup.names()
        const named = fault.groups.flat()
        const unknown = named.find((n) => !all.includes(n))
        if (unknown) throw badInput(`no replica named "${unknown}"`)
        if (new Set(named).size !== named.length) throw badInput('a replica may stand in only one partition group')
        sup.partition(fault.groups)
        break
      }
      case 'heal':
        sup.heal()
        break
      default:
        throw badInput(`unknown fault ${JSON.stringify((fault as { kind?: unknown }).kind)}`)
    }
    const view = await this.view()
    this.publish(view)
    return view
  }

  async put(replica: string, key: string, value: string): Promise<StorePutResult> {
    if (typeof key !== 'string' || key === '') throw badInput('key must be a non-empty string')
    const res = await this.client(replica).put({ key: Buffer.from(key), value: Buffer.from(String(value)) })
    const heads = (res.header?.heads ?? []) as string[]
    this.writes = [{ key, via: replica, heads }, ...this.writes].slice(0, TRACKED_WRITES)
    return { revision: Number(res.header?.revision ?? 0), heads }
  }

  async range(replica: string, prefix: string): Promise<StoreKeyValue[]> {
    const start = Buffer.from(prefix ?? '')
    const req: Record<string, unknown> = { key: start.length ? start : Buffer.from([0]) }
    req.range_end = start.length ? prefixEnd(start) : Buffer.from([0])
    const res = await this.client(replica).range(req)
    return ((res.kvs ?? []) as { key: Buffer; value: Buffer; mod_revision: string | number; version: string | number }[]).map((kv) => ({
      key: Buffer.from(kv.key).toString('utf8'),
      value: Buffer.from(kv.value).toString('utf8'),
      modRevision: Number(kv.mod_revision),
      version: Number(kv.version),
    }))
  }
}

function checkReplicas(replicas: number, most: number): void {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > most) {
    throw badInput(`replicas must be a whole number from 1 to ${most}, got ${JSON.stringify(replicas)}`)
  }
}

/** etcd's range end for "every key with this prefix": the prefix with its last byte below 0xff incremented. */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++
      return end.subarray(0, i + 1)
    }
  }
  return Buffer.from([0])
}
