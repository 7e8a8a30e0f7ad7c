// An informer: a cache of every /registry/ object as one endpoint sees it, filled by a list and kept up by a
// Watch from the list's revision. Listeners hear of each new revision. With `lagMs` every watch event is applied
// that much later (a slow informer, the model's stale reads). When the stream fails (the endpoint was killed or
// restarted) it lists again and watches from there: an informer that relists. Snapshots of recent revisions are
// kept so the monitor can judge a status against the view it was computed from.
import { emptyCluster, type AnyObject, type Cluster } from '../models/orchestration/resources.ts'
import type { EtcdClient, WatchEvent, WatchHandle } from './etcd-client.ts'
import { clusterOf, decodeObject, parseKey, REGISTRY_PREFIX } from './registry.ts'

export interface InformerOptions {
  lagMs?: number
  /** Revisions kept as snapshots (0: none). */
  keep?: number
  /** Serializable (member-local) list reads instead of linearizable ones. */
  serializable?: boolean
}

export class Informer {
  cluster: Cluster = emptyCluster()
  /** The revision the cache reflects; 0 before the first list. */
  rev = 0
  synced = false
  private readonly client: EtcdClient
  private readonly opts: InformerOptions
  private readonly listeners = new Set<() => void>()
  private readonly snapshots = new Map<number, Cluster>()
  /** When this informer last saw each object change or go ("Kind/name" → ms): the monitor's merge picks the newest. */
  readonly seenAt = new Map<string, number>()
  private watch: WatchHandle | null = null
  private stopped = false
  private generation = 0
  private retry: ReturnType<typeof setTimeout> | null = null

  constructor(client: EtcdClient, opts: InformerOptions = {}) {
    this.client = client
    this.opts = opts
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  at(rev: number): Cluster | undefined {
    return rev === this.rev ? this.cluster : this.snapshots.get(rev)
  }

  start(): void {
    this.stopped = false
    void this.relist()
  }

  /** Drops the cache and lists again (a controller restart, or a failed watch). */
  async relist(): Promise<void> {
    const gen = ++this.generation
    this.watch?.cancel()
    this.watch = null
    // The old cache is dropped: nobody acts on it until the new list is in.
    this.synced = false
    if (this.stopped) return
    try {
      const { rev, kvs } = await this.client.list(REGISTRY_PREFIX, this.opts.serializable)
      if (gen !== this.generation || this.stopped) return
      this.cluster = clusterOf(kvs)
      this.rev = rev
      // A relist may hide what was seen before; everything listed counts as seen now only if it is new to us.
      const now = performance.now()
      for (const kind of Object.keys(this.cluster.objs) as (keyof Cluster['objs'])[]) {
        for (const name of Object.keys(this.cluster.objs[kind])) if (!this.seenAt.has(`${kind}/${name}`)) this.seenAt.set(`${kind}/${name}`, now)
      }
      this.synced = true
      this.snap()
      this.notify()
      this.watch = this.client.watch(
        REGISTRY_PREFIX,
        rev + 1,
        (events, at) => this.deliver(gen, events, at),
        () => this.failed(gen),
      )
    } catch {
      this.failed(gen)
    }
  }

  private failed(gen: number): void {
    if (gen !== this.generation || this.stopped) return
    // Until the relist succeeds this cache is not a view of the endpoint (it may be down).
    this.synced = false
    this.retry = setTimeout(() => {
      this.retry = null
      void this.relist()
    }, 150)
  }

  private deliver(gen: number, events: WatchEvent[], rev: number): void {
    const lag = this.opts.lagMs ?? 0
    if (lag > 0) setTimeout(() => gen === this.generation && this.apply(events, rev), lag)
    else this.apply(events, rev)
  }

  private apply(events: WatchEvent[], rev: number): void {
    if (this.stopped) return
    const objs = { ...this.cluster.objs } as Record<string, Record<string, AnyObject>>
    const touched = new Set<string>()
    for (const e of events) {
      const k = parseKey(e.kv.key)
      if (!k) continue
      if (!touched.has(k.kind)) {
        objs[k.kind] = { ...objs[k.kind] }
        touched.add(k.kind)
      }
      this.seenAt.set(`${k.kind}/${k.name}`, performance.now())
      if (e.type === 'DELETE') delete objs[k.kind][k.name]
      else {
        try {
          objs[k.kind][k.name] = decodeObject(e.kv)
        } catch {
          delete objs[k.kind][k.name]
        }
      }
    }
    this.cluster = { objs: objs as Cluster['objs'] }
    this.rev = Math.max(this.rev, rev, ...events.map((e) => e.kv.modRevision))
    this.snap()
    this.notify()
  }

  private snap(): void {
    const keep = this.opts.keep ?? 0
    if (keep <= 0) return
    this.snapshots.set(this.rev, this.cluster)
    if (this.snapshots.size > keep) this.snapshots.delete(this.snapshots.keys().next().value!)
  }

  private notify(): void {
    for (const fn of this.listeners) fn()
  }

  stop(): void {
    this.stopped = true
    this.generation++
    if (this.retry) clearTimeout(this.retry)
    this.watch?.cancel()
    this.watch = null
  }
}
