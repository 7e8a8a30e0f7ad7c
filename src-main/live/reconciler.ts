// One controller instance as a live reconcile loop: its informer's cache is the view, the model's step function
// decides, and the write goes through the etcd v3 API (registry.ts). Like the model's session, a controller acts
// only on a view newer than the last one it acted on; after an accepted write it expects (Controller.expects: the
// model's expectations) it waits until its own informer has seen that write (read-your-writes through its
// endpoint), so it does not act on a cache from before it, as the model's controllers do not. Kubelets keep their
// running containers here (the node's real state, never rolled back).
import { describeWrite, type Write } from '../models/orchestration/api.ts'
import type { Controller } from '../models/orchestration/controllers/types.ts'
import { containerDiff } from '../models/orchestration/controllers/kubelet.ts'
import type { EtcdClient } from './etcd-client.ts'
import type { Informer } from './informer.ts'
import { apiWrite, clusterOf, REGISTRY_PREFIX, type Identity } from './registry.ts'

export interface StepRecord {
  who: string
  endpoint: number
  /** The revision of the view acted on (on its endpoint). */
  viewRev: number
  what: string
  write?: Write
  ok: boolean
  /** Set on rejected writes (conflicts, preconditions) and on failed calls. */
  reason?: string
  /** The write's revision when accepted. */
  rev?: number
  /** The endpoint could not be reached (no answer): not a rejection by the API. */
  unavailable?: boolean
  /** Kubelets: containers started / stopped by this step. */
  started?: string[]
  stopped?: string[]
}

export interface ReconcilerOptions {
  name: string
  make(): Controller
  endpoint: number
  client: EtcdClient
  informer: Informer
  identity: Identity
  /** The revision stamped into statuses: unique across endpoints (see monitor.ts). */
  tag(rev: number): number
  onStep(r: StepRecord): void
  /** Called after every change of running containers. */
  onRunning?(): void
  /** Read the view by a linearizable list before each step instead of from the cache (the synchronous level). */
  linearizable?: boolean
}

/** How long a controller waits for its own write to reach its informer before acting anyway. */
const OWN_WRITE_WAIT_MS = 2000
const RETRY_MS = 200

export class Reconciler {
  readonly name: string
  endpoint: number
  running: string[] = []
  private ctl: Controller
  private readonly o: ReconcilerOptions
  private session = 0
  private waitFor = 0
  private waitUntil = 0
  private busy = false
  private again = false
  private stopped = false
  private timer: ReturnType<typeof setTimeout> | null = null
  private off: () => void

  constructor(o: ReconcilerOptions) {
    this.o = o
    this.name = o.name
    this.endpoint = o.endpoint
    this.ctl = o.make()
    this.off = o.informer.onChange(() => this.kick())
  }

  get kind(): Controller['kind'] {
    return this.ctl.kind
  }

  get node(): string | undefined {
    return this.ctl.node
  }

  /** True when the loop has nothing in flight and nothing newer to act on. */
  idle(): boolean {
    return !this.busy && !this.again && this.o.informer.rev <= this.session
  }

  /** A controller restart: a fresh instance (local state lost), the cache dropped and listed again. */
  restart(): void {
    this.ctl = this.o.make()
    this.session = 0
    this.waitFor = 0
    void this.o.informer.relist()
  }

  /** A node restart (kubelets): its containers are gone. */
  loseContainers(): void {
    this.running = []
    this.o.onRunning?.()
    this.restart()
  }

  kick(): void {
    if (this.stopped) return
    if (this.busy) {
      this.again = true
      return
    }
    void this.loop()
  }

  private later(ms: number): void {
    if (this.timer || this.stopped) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.kick()
    }, ms)
  }

  private async loop(): Promise<void> {
    this.busy = true
    try {
      do {
        this.again = false
        await this.stepOnce()
      } while (this.again && !this.stopped)
    } finally {
      this.busy = false
    }
  }

  private async stepOnce(): Promise<void> {
    const inf = this.o.informer
    if (!inf.synced) return
    let rev = inf.rev
    let view = inf.cluster
    if (rev < this.waitFor && Date.now() < this.waitUntil) return this.later(this.waitUntil - Date.now())
    if (rev <= this.session) return
    if (this.o.linearizable) {
      try {
        const fresh = await this.o.client.list(REGISTRY_PREFIX)
        rev = fresh.rev
        view = clusterOf(fresh.kvs)
      } catch {
        return this.later(RETRY_MS)
      }
    }
    const before = this.running
    const res = this.ctl.step({ view, rev: this.o.tag(rev), revs: [this.o.tag(rev)], running: before })
    this.session = rev
    if (!res) return
    let started: string[] | undefined
    let stopped: string[] | undefined
    if (res.running && res.running.join() !== before.join()) {
      ;({ started, stopped } = containerDiff(before, res.running))
      this.running = res.running
      this.o.onRunning?.()
      // The containers changed: read the same view once more (the model's kubelet makes every container change a
      // view asks for in one step, so this finds nothing new unless a write is due).
      this.session = rev - 1
      this.again = true
    }
    if (!res.write) {
      if (started || stopped) this.o.onStep({ who: this.name, endpoint: this.endpoint, viewRev: rev, what: 'containers', ok: true, started, stopped })
      return
    }
    const base = { who: this.name, endpoint: this.endpoint, viewRev: rev, write: res.write, started, stopped }
    try {
      const out = await apiWrite(this.o.client, res.write, this.o.identity)
      const what = res.write.op === 'create' ? `create ${res.write.kind}/${out.name}` : describeWrite(res.write)
      this.o.onStep({ ...base, what, ok: out.ok, reason: out.reason, rev: out.ok ? out.rev : undefined })
      if (out.ok && this.ctl.expects?.(res.write) === true) {
        this.waitFor = out.rev
        this.waitUntil = Date.now() + OWN_WRITE_WAIT_MS
      }
      this.session = Math.min(this.session, rev)
      this.kick()
    } catch (e) {
      this.o.onStep({ ...base, what: describeWrite(res.write), ok: false, unavailable: true, reason: (e as Error).message })
      this.session = rev - 1
      this.later(RETRY_MS)
    }
  }

  stop(): void {
    this.stopped = true
    this.off()
    if (this.timer) clearTimeout(this.timer)
  }
}
