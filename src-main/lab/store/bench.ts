// Load generator and benchmark driver: the same workloads against this store and against etcd
// (Debian's etcd-server, started on loopback with its own temp data folder).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStoreClient, type StoreClient } from './client.ts'
import { StoreSupervisor } from './supervisor.ts'
import type { StoreBenchReport, StoreBenchSystem, StoreBenchWorkload } from '../../../src-shared/store-types.ts'

// Result shapes are the ones the lab saves and the UI charts (src-shared), so the driver and the app cannot drift.
export type WorkloadResult = StoreBenchWorkload
export type SystemResult = StoreBenchSystem

export interface BenchOptions {
  keys: number
  valueBytes: number
  sequentialOps: number
  concurrentOps: number
  inFlight: number
}

export const DEFAULT_BENCH: BenchOptions = { keys: 10_000, valueBytes: 32, sequentialOps: 1000, concurrentOps: 8000, inFlight: 64 }

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

const key = (i: number): Buffer => Buffer.from(`bench/key${String(i).padStart(6, '0')}`)

async function run(
  name: string,
  clients: StoreClient[],
  total: number,
  inFlight: number,
  op: (c: StoreClient, i: number) => Promise<unknown>,
  signal?: AbortSignal,
): Promise<WorkloadResult> {
  const lat: number[] = []
  let errors = 0
  let next = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++
      if (i >= total || signal?.aborted) return
      const c = clients[i % clients.length]
      const s = performance.now()
      try {
        await op(c, i)
        lat.push(performance.now() - s)
      } catch {
        errors++
      }
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  lat.sort((a, b) => a - b)
  return {
    workload: name, ops: lat.length, seconds, opsPerSec: lat.length / seconds, p50Ms: pct(lat, 50), p99Ms: pct(lat, 99), errors,
    loadgenCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  }
}

/** How a benchmark is followed and stopped: `onWorkload` as each workload finishes; `signal` stops it. */
export interface BenchControl {
  signal?: AbortSignal
  onWorkload?: (w: WorkloadResult) => void
}

/** The workloads in order; once `signal` aborts, the one under way stops and is left out (its figures would be partial). */
export async function runWorkloads(endpoints: string[], o: BenchOptions = DEFAULT_BENCH, ctl: BenchControl = {}): Promise<WorkloadResult[]> {
  const { signal } = ctl
  // No per-call deadline: the same for every system, and the load generator's CPU goes to requests, not timers.
  const clients = endpoints.map((e) => createStoreClient(e, 0))
  try {
    const value = Buffer.alloc(o.valueBytes, 0x61)
    let rnd = 12345
    const rand = (): number => {
      rnd = (rnd * 1103515245 + 12345) & 0x7fffffff
      return rnd
    }
    await run('preload', clients, o.keys, o.inFlight, (c, i) => c.put({ key: key(i), value }), signal)
    const workloads: [string, number, number, (c: StoreClient) => Promise<unknown>][] = [
      ['sequential puts', o.sequentialOps, 1, (c) => c.put({ key: key(rand() % o.keys), value })],
      [`${o.inFlight} puts in flight`, o.concurrentOps, o.inFlight, (c) => c.put({ key: key(rand() % o.keys), value })],
      ['50/50 get/put', o.concurrentOps, o.inFlight, (c) => (rand() % 2 === 0 ? c.range({ key: key(rand() % o.keys) }) : c.put({ key: key(rand() % o.keys), value }))],
    ]
    const out: WorkloadResult[] = []
    for (const [name, total, inFlight, op] of workloads) {
      if (signal?.aborted) break
      const r = await run(name, clients, total, inFlight, op, signal)
      if (signal?.aborted) break
      out.push(r)
      ctl.onWorkload?.(r)
    }
    return out
  } finally {
    for (const c of clients) c.close()
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0))
    })
  })
}

export async function benchStabilis(members: number, o: BenchOptions = DEFAULT_BENCH, entry?: string, ctl: BenchControl = {}): Promise<SystemResult> {
  const dir = mkdtempSync(join(tmpdir(), 'stabilis-bench-'))
  const sup = new StoreSupervisor({ replicas: members, dir, entry })
  try {
    await sup.start()
    return { system: 'stabilis', members, workloads: await runWorkloads(sup.endpoints(), o, ctl) }
  } finally {
    sup.killAllNow()
    await sup.stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function benchEtcd(members: number, o: BenchOptions = DEFAULT_BENCH, etcdBin: string = 'etcd', ctl: BenchControl = {}): Promise<SystemResult> {
  const dir = mkdtempSync(join(tmpdir(), 'stabilis-etcd-'))
  const procs: ChildProcess[] = []
  try {
    const specs = []
    for (let i = 0; i < members; i++) specs.push({ name: `e${i + 1}`, client: await freePort(), peer: await freePort() })
    const initial = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',')
    for (const s of specs) {
      const p = spawn(etcdBin, [
        '--name', s.name, '--data-dir', join(dir, s.name),
        '--listen-client-urls', `http://127.0.0.1:${s.client}`, '--advertise-client-urls', `http://127.0.0.1:${s.client}`,
        '--listen-peer-urls', `http://127.0.0.1:${s.peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${s.peer}`,
        '--initial-cluster', initial, '--initial-cluster-state', 'new', '--initial-cluster-token', `bench-${process.pid}`,
        '--log-level', 'error',
      ], { stdio: 'ignore' })
      procs.push(p)
    }
    const endpoints = specs.map((s) => `127.0.0.1:${s.client}`)
    // Ready when every member answers a put.
    const deadline = Date.now() + 20_000
    for (const ep of endpoints) {
      const c = createStoreClient(ep, 2000)
      for (;;) {
        try {
          await c.put({ key: Buffer.from('bench/ready'), value: Buffer.from('1') })
          break
        } catch (e) {
          if (ctl.signal?.aborted) return { system: 'etcd', members, workloads: [] }
          if (Date.now() > deadline) throw new Error(`etcd at ${ep} did not start: ${(e as Error).message}`)
          await new Promise((r) => setTimeout(r, 200))
        }
      }
      c.close()
    }
    return { system: 'etcd', members, workloads: await runWorkloads(endpoints, o, ctl) }
  } finally {
    for (const p of procs) p.kill('SIGKILL')
    await Promise.all(procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? null : new Promise((r) => p.once('exit', r)))))
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface BenchReport extends StoreBenchReport {
  options: BenchOptions
  /** Issue 5's targets, checked against the etcd run of the same benchmark. */
  targets: NonNullable<StoreBenchReport['targets']>
}

export interface StoreBenchRunOptions {
  /** Also benchmark etcd with the same member counts. */
  etcd: boolean
  /** The etcd server binary (default: "etcd" on PATH). */
  etcdBin?: string
  members?: number[]
  sizes?: BenchOptions
  /** One line as each system starts (the lab counts them as progress steps). */
  log?: (line: string) => void
  /** Each workload as it finishes. */
  onWorkload?: (system: SystemResult['system'], members: number, w: WorkloadResult) => void
  /** The replica entry module (the Electron build bundles it elsewhere). */
  replicaEntry?: string
  /** Stops the benchmark: the report then holds the workloads finished so far. */
  signal?: AbortSignal
}

export async function runStoreBench(opts: StoreBenchRunOptions): Promise<BenchReport> {
  const { etcd: withEtcd, members: memberCounts = [1, 3], sizes: o = DEFAULT_BENCH, log = () => {}, replicaEntry, signal } = opts
  const ctl = (system: SystemResult['system'], members: number): BenchControl => ({
    signal,
    onWorkload: (w) => opts.onWorkload?.(system, members, w),
  })
  const systems: SystemResult[] = []
  const keep = (s: SystemResult): void => {
    if (s.workloads.length > 0) systems.push(s)
  }
  for (const m of memberCounts) {
    if (signal?.aborted) break
    log(`stabilis, ${m} replica(s)…\n`)
    keep(await benchStabilis(m, o, replicaEntry, ctl('stabilis', m)))
    if (withEtcd && !signal?.aborted) {
      log(`etcd, ${m} member(s)…\n`)
      keep(await benchEtcd(m, o, opts.etcdBin, ctl('etcd', m)))
    }
  }
  const ratios: BenchReport['ratios'] = []
  for (const s of systems.filter((x) => x.system === 'stabilis')) {
    const e = systems.find((x) => x.system === 'etcd' && x.members === s.members)
    if (!e) continue
    for (const w of s.workloads) {
      const ew = e.workloads.find((x) => x.workload === w.workload)
      if (ew) ratios.push({ members: s.members, workload: w.workload, throughput: w.opsPerSec / ew.opsPerSec, p99: w.p99Ms / ew.p99Ms })
    }
  }
  const targets: BenchReport['targets'] = []
  const inFlight = `${o.inFlight} puts in flight`
  const r1 = ratios.find((x) => x.members === 1 && x.workload === inFlight)
  if (r1) {
    const both = systems.filter((s) => s.members === 1).flatMap((s) => s.workloads.filter((w) => w.workload === inFlight))
    const note = both.some(saturated) ? ' (load generator saturated: throughput is a lower bound)' : ''
    targets.push({ target: `1 replica, ${inFlight}: throughput ≥ etcd and p99 ≤ etcd`, met: r1.throughput >= 1 && r1.p99 <= 1, detail: `throughput ×${r1.throughput.toFixed(2)}, p99 ×${r1.p99.toFixed(2)}${note}` })
  }
  for (const x of ratios.filter((y) => y.members === 3)) targets.push({ target: `3 replicas, ${x.workload}: throughput ≥ 2× a 3-member etcd`, met: x.throughput >= 2, detail: `throughput ×${x.throughput.toFixed(2)}` })
  return { date: new Date().toISOString(), options: o, systems, ratios, targets }
}

/** A single-threaded load generator near a full core: it, not the system under test, sets the pace. */
const SATURATED = 0.9
const saturated = (w: WorkloadResult): boolean => w.loadgenCpu >= SATURATED

export function formatReport(r: BenchReport): string {
  const lines = ['system    members  workload              ops/s     p50 ms   p99 ms   errors  loadgen CPU']
  for (const s of r.systems) for (const w of s.workloads) {
    lines.push(`${s.system.padEnd(9)} ${String(s.members).padStart(7)}  ${w.workload.padEnd(20)} ${w.opsPerSec.toFixed(0).padStart(7)} ${w.p50Ms.toFixed(2).padStart(9)} ${w.p99Ms.toFixed(2).padStart(8)} ${String(w.errors).padStart(8)} ${(w.loadgenCpu * 100).toFixed(0).padStart(10)}%${saturated(w) ? ' *' : ''}`)
  }
  if (r.systems.some((s) => s.workloads.some(saturated))) {
    lines.push(`* the load generator used ≥${SATURATED * 100}% of a core: that throughput is the load generator's limit, a lower bound for the system`)
  }
  for (const x of r.ratios) lines.push(`ratio ${x.members} member(s) ${x.workload}: throughput ×${x.throughput.toFixed(2)}, p99 ×${x.p99.toFixed(2)}`)
  for (const t of r.targets ?? []) lines.push(`target ${t.met ? 'MET' : 'not met'}: ${t.target} (${t.detail})`)
  return lines.join('\n') + '\n'
}
