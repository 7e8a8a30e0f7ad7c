// One live run: start the store, write the scenario's initial objects, attach every controller instance to a
// member (instance i to member i mod N, each with its own client and informer), apply the fault plan, let the
// monitor judge, and end at the duration, on a stop, or once the run has converged after its last fault.
import type { LiveConfig, LiveEvent, LiveFault, LiveResult, LiveStore } from '../../src-shared/live-types.ts'
import type { Controller } from '../models/orchestration/controllers/types.ts'
import { padRev, type Cluster } from '../models/orchestration/resources.ts'
import { startBackend, type Backend } from './backends.ts'
import { EtcdClient } from './etcd-client.ts'
import { parsePlan, presetPlan, PRESETS, rng } from './faults.ts'
import { Informer } from './informer.ts'
import { Monitor, tagRev } from './monitor.ts'
import { liveProperties } from './properties.ts'
import { Reconciler, type StepRecord } from './reconciler.ts'
import { REGISTRY_PREFIX, seedCluster, type Identity } from './registry.ts'
import { faultApplier } from './fault-injector.ts'
import { liveScenario, type LiveScenario } from './scenario-setup.ts'

export interface ResolvedLiveConfig {
  scenario: string
  store: LiveStore
  replicas: number
  plan: LiveFault[]
  faultsLabel: string
  durationMs: number
  seed: number
  lagMs: number
  jitterMs: number
  settleMs: number
  reads: 'informer' | 'linearizable'
  sc: LiveScenario
}

const LIVE_KEYS = new Set(['lagMs', 'jitterMs', 'settleMs', 'reads'])

/** Checks a request (bad input throws an Error naming the field); `readPlan` loads a plan file. */
export function resolveLiveConfig(cfg: LiveConfig, readPlan: (file: string) => unknown): ResolvedLiveConfig {
  if (cfg.store !== 'etcd' && cfg.store !== 'stabilis') throw new Error(`--store must be stabilis or etcd, got ${JSON.stringify(cfg.store)}`)
  const replicas = cfg.replicas ?? (cfg.store === 'etcd' ? 1 : 3)
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 7) throw new Error(`--replicas must be a whole number from 1 to 7, got ${JSON.stringify(cfg.replicas)}`)
  const params = { ...(cfg.params ?? {}) }
  const live: Record<string, unknown> = {}
  for (const k of Object.keys(params)) {
    if (LIVE_KEYS.has(k)) {
      live[k] = params[k]
      delete params[k]
    } else if (!['nodes', 'replicas', 'instances'].includes(k)) throw new Error(`unknown setting "${k}" for a live run; known: nodes, replicas, instances, ${[...LIVE_KEYS].join(', ')}`)
  }
  const sc = liveScenario(cfg.scenario, params)
  const num = (k: string, d: number, max: number): number => {
    const v = live[k] === undefined ? d : Number(live[k])
    if (!Number.isFinite(v) || v < 0 || v > max) throw new Error(`${k} must be a number from 0 to ${max}, got ${JSON.stringify(live[k])}`)
    return v
  }
  const reads = String(live.reads ?? 'informer')
  if (reads !== 'informer' && reads !== 'linearizable') throw new Error(`reads must be informer or linearizable, got ${JSON.stringify(reads)}`)
  const durationS = cfg.durationS ?? 10
  if (typeof durationS !== 'number' || !(durationS > 0) || durationS > 3600) throw new Error(`--duration must be seconds from 1 to 3600, got ${JSON.stringify(cfg.durationS)}`)
  const seed = cfg.seed ?? 1
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a whole number ≥ 0, got ${JSON.stringify(cfg.seed)}`)
  let plan: LiveFault[]
  let faultsLabel: string
  const f = cfg.faults ?? 'none'
  if (Array.isArray(f)) {
    plan = parsePlan(f)
    faultsLabel = 'plan'
  } else if (typeof f === 'string') {
    const p = presetPlan(f)
    if (p) plan = p
    else if (/[./]/.test(f)) plan = parsePlan(readPlan(f), `fault plan ${f}`)
    else throw new Error(`--faults must be a preset (${Object.keys(PRESETS).join(', ')}) or a plan file, got ${JSON.stringify(f)}`)
    faultsLabel = f
  } else throw new Error('faults must be a preset name or a list of {atMs, kind, target}')
  return { scenario: cfg.scenario, store: cfg.store, replicas, plan, faultsLabel, durationMs: durationS * 1000, seed, lagMs: num('lagMs', 0, 10_000), jitterMs: num('jitterMs', 0, 10_000), settleMs: num('settleMs', 300, 10_000), reads, sc }
}

/** Which model consistency level a set-up realises (docs/live.md). */
export function levelOf(c: Pick<ResolvedLiveConfig, 'store' | 'replicas' | 'reads'>): string {
  if (c.store === 'stabilis') return c.replicas > 1 ? 'causal' : c.reads === 'linearizable' ? 'synchronous' : 'monotonic-session'
  if (c.reads === 'linearizable') return 'synchronous'
  return c.replicas > 1 ? 'resettable-session' : 'monotonic-session'
}

export interface LiveHooks {
  onEvent?(e: LiveEvent): void
  signal?: AbortSignal
  etcdBin?: string
  replicaEntry?: string
  /** Receives the function that injects a fault while the run is live. */
  control?(inject: (f: LiveFault) => Promise<void>): void
}

export type LiveOutcome = Omit<LiveResult, 'runId'> & { events: LiveEvent[] }

const MAX_EVENTS = 50_000

function objectCount(c: Cluster): number {
  return Object.values(c.objs).reduce((n, m) => n + Object.keys(m).length, 0)
}

/** Waits until every member holds the initial objects (the model starts from one state everywhere). */
async function untilEverywhere(clients: readonly EtcdClient[], count: number): Promise<void> {
  const deadline = Date.now() + 10_000
  for (const c of clients) {
    for (;;) {
      const { kvs } = await c.list(REGISTRY_PREFIX)
      if (kvs.length >= count) break
      if (Date.now() > deadline) throw new Error(`member ${c.endpoint} still holds ${kvs.length} of the ${count} initial objects after 10 s`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}

/**
 * Applies the plan at its times and lets the monitor judge, until the duration, a stop (returns true), or once
 * the run has stayed converged for settleMs after its last planned fault.
 */
async function drive(cfg: ResolvedLiveConfig, plan: LiveFault[], inject: (f: LiveFault) => Promise<void>, mon: Monitor, now: () => number, signal?: AbortSignal): Promise<boolean> {
  let next = 0
  let quietSince = -1
  while (now() < cfg.durationMs) {
    if (signal?.aborted) return true
    while (next < plan.length && plan[next].atMs <= now()) await inject(plan[next++])
    const settled = mon.evaluate()
    if (settled && mon.current().converged && next >= plan.length) {
      if (quietSince < 0) quietSince = now()
      if (now() - quietSince >= cfg.settleMs) return false
    } else quietSince = -1
    await new Promise((r) => setTimeout(r, 25))
  }
  return false
}

export async function runLive(cfg: ResolvedLiveConfig, hooks: LiveHooks = {}): Promise<LiveOutcome> {
  let t0 = performance.now()
  const now = (): number => performance.now() - t0
  const rand = rng(cfg.seed)
  const backend: Backend = await startBackend(cfg.store, cfg.replicas, { etcdBin: hooks.etcdBin, replicaEntry: hooks.replicaEntry })
  const perMember = cfg.store === 'stabilis'
  const events: LiveEvent[] = []
  const emit = (e: Omit<LiveEvent, 'seq' | 'atMs'>): void => {
    const ev = { seq: events.length, atMs: Math.round(now()), ...e } as LiveEvent
    if (events.length < MAX_EVENTS) events.push(ev)
    hooks.onEvent?.(ev)
  }
  const clients: EtcdClient[] = []
  const informers: Informer[] = []
  const reconcilers: Reconciler[] = []
  const writes = { total: 0, accepted: 0, rejected: 0, unavailable: 0, byController: {} as Record<string, number> }
  const faults: LiveOutcome['faults'] = []
  let uidSeq = 0
  const identity: Identity = {
    uid: () => `u${padRev(++uidSeq)}`,
    suffix: () => Array.from({ length: 5 }, () => 'bcdfghjklmnpqrstvwxz2456789'[Math.floor(rand() * 27)]).join(''),
  }
  try {
    const client = (ep: number): EtcdClient => {
      const c = new EtcdClient(backend.endpoints[ep])
      clients.push(c)
      return c
    }
    const members = backend.names
    backend.onCrash((member, detail) => emit({ type: 'error', who: 'store', what: `member ${member} ended: ${detail}` }))
    const userClients = backend.endpoints.map((_, i) => client(i))
    await seedCluster(userClients[0], cfg.sc.initial)
    await untilEverywhere(userClients, objectCount(cfg.sc.initial))
    const monitorInf = backend.endpoints.map((_, i) => {
      const inf = new Informer(client(i), { keep: 512 })
      informers.push(inf)
      return inf
    })
    let monitor: Monitor | null = null
    let scheduled = false
    const evaluateSoon = (): void => {
      if (scheduled) return
      scheduled = true
      setTimeout(() => {
        scheduled = false
        monitor?.evaluate()
      }, 10)
    }
    const onStep = (r: StepRecord): void => {
      if (r.write) {
        writes.total++
        writes.byController[r.who] = (writes.byController[r.who] ?? 0) + 1
        if (r.unavailable) writes.unavailable++
        else if (r.ok) writes.accepted++
        else writes.rejected++
        if (!r.unavailable) monitor?.wrote(r.ok === true)
      }
      const what = [r.what, r.started?.length ? `start ${r.started.join(', ')}` : '', r.stopped?.length ? `stop ${r.stopped.join(', ')}` : ''].filter(Boolean).join('; ')
      emit({ type: r.write ? (r.unavailable ? 'error' : 'write') : 'containers', who: r.who, endpoint: r.endpoint, viewRev: r.viewRev, what, ok: r.ok, reason: r.reason })
      evaluateSoon()
    }
    cfg.sc.controllers.forEach((spec, i) => {
      const ep = i % backend.endpoints.length
      const lag = cfg.lagMs + (cfg.jitterMs > 0 ? Math.round(rand() * cfg.jitterMs) : 0)
      const inf = new Informer(client(ep), { lagMs: lag, serializable: cfg.store === 'etcd' && cfg.replicas > 1 })
      informers.push(inf)
      reconcilers.push(
        new Reconciler({
          name: spec.name, make: spec.make, endpoint: ep, client: client(ep), informer: inf, identity,
          tag: (rev) => tagRev(rev, ep, perMember), onStep, onRunning: evaluateSoon,
          linearizable: cfg.reads === 'linearizable',
        }),
      )
    })
    const pure: Controller[] = cfg.sc.controllers.map((c) => c.make())
    monitor = new Monitor({
      members, informers: monitorInf, perMemberRevisions: perMember, properties: liveProperties(cfg.sc.properties), controllers: pure,
      running: () => new Map(reconcilers.filter((r) => r.node !== undefined).map((r) => [r.node!, r.running])),
      loopsIdle: () => reconcilers.every((r) => r.idle()),
      now, lastSeq: () => events.length - 1,
      onViolation: (p) => emit({ type: 'violation', who: 'monitor', what: `${p.name} violated on ${p.where}` }),
      onConverged: (d) => emit({ type: 'converged', who: 'monitor', what: `converged after "${d.label}": ${d.steps} writes, ${d.ms} ms` }),
    })
    for (const inf of monitorInf) inf.onChange(evaluateSoon)
    // Times (fault plan, convergence, events) count from here: the store is up and seeded.
    t0 = performance.now()
    monitor.disturbances[0].atMs = 0
    for (const inf of informers) inf.start()
    const mon = monitor

    const applyFault = faultApplier({ backend, reconcilers, clients: userClients, informers: monitorInf, identity, userActions: cfg.sc.userActions, emit, now })
    const inject = async (f: LiveFault): Promise<void> => {
      const rec: LiveOutcome['faults'][number] = { ...f, appliedMs: Math.round(now()) }
      faults.push(rec)
      const label = `${f.kind}${f.target ? ' ' + f.target : ''}`
      // The disturbance starts before the fault acts: writes it causes count towards its own convergence.
      mon.disturb(label, now())
      try {
        await applyFault(f)
        emit({ type: 'fault', who: 'fault', what: label, ok: true })
      } catch (e) {
        rec.error = (e as Error).message
        emit({ type: 'fault', who: 'fault', what: label, ok: false, reason: rec.error })
      }
      for (const r of reconcilers) r.kick()
      evaluateSoon()
    }
    hooks.control?.(inject)

    const plan = cfg.plan.map((f) => ({ ...f, atMs: f.atMs + (cfg.jitterMs > 0 ? Math.round(rand() * cfg.jitterMs) : 0) }))
    const stopped = await drive(cfg, plan, inject, mon, now, hooks.signal)
    mon.evaluate()
    mon.finish()
    const last = mon.current()
    return {
      status: stopped ? 'stopped' : 'done',
      scenario: cfg.scenario,
      store: cfg.store,
      replicas: cfg.replicas,
      seed: cfg.seed,
      properties: mon.results,
      convergence: { converged: last.converged, steps: last.steps, ms: last.ms },
      disturbances: mon.disturbances,
      faults,
      writes,
      oscillations: mon.oscillations,
      level: levelOf(cfg),
      seconds: Math.round(now()) / 1000,
      events,
    }
  } finally {
    for (const r of reconcilers) r.stop()
    for (const inf of informers) inf.stop()
    for (const c of clients) c.close()
    await backend.close()
  }
}
