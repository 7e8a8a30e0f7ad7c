// Load generator and benchmark driver: the same workloads against this store and against etcd
// (Debian's etcd-server, started on loopback with its own temp data folder).
//
// For each member count both systems run side by side and take turns: every workload runs `rounds` times on
// each, alternating which goes first, and the report keeps the median round. This VM's speed drifts by tens of
// percent within a minute; turns taken back to back see the same drift, so the ratios hold still.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBenchClient, type BenchClient } from './bench-client.ts'
import { createStoreClient } from './client.ts'
import { freePort, startOnFreePorts, startTempCluster } from './supervisor.ts'
import type { StoreBenchReport, StoreBenchSystem, StoreBenchWorkload } from '../../../src-shared/store-types.ts'

// Result shapes are the ones the lab saves and the UI charts (src-shared), so the driver and the app cannot drift.
export type WorkloadResult = StoreBenchWorkload
export type SystemResult = StoreBenchSystem
type SystemName = SystemResult['system']

export interface BenchOptions {
  keys: number
  valueBytes: number
  sequentialOps: number
  concurrentOps: number
  inFlight: number
  /** Times each workload runs on each system; the report keeps the median. */
  rounds: number
}

export const DEFAULT_BENCH: BenchOptions = { keys: 10_000, valueBytes: 32, sequentialOps: 1000, concurrentOps: 8000, inFlight: 64, rounds: 5 }

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const key = (i: number): Buffer => Buffer.from(`bench/key${String(i).padStart(6, '0')}`)

const CLK_TCK = 100
/** CPU seconds used so far by these processes and all their threads (Linux /proc), or null where unknown. */
export function processCpuSeconds(pids: number[]): number | null {
  if (process.platform !== 'linux' || pids.length === 0) return null
  let ticks = 0
  try {
    for (const pid of pids) {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
      ticks += Number(f[11]) + Number(f[12])
    }
  } catch {
    return null
  }
  return ticks / CLK_TCK
}

async function run(
  name: string,
  clients: BenchClient[],
  total: number,
  inFlight: number,
  op: (c: BenchClient, i: number) => Promise<unknown>,
  signal?: AbortSignal,
  serverPids: number[] = [],
): Promise<WorkloadResult> {
  const lat: number[] = []
  let errors = 0
  let next = 0
  const cpu0 = process.cpuUsage()
  const server0 = processCpuSeconds(serverPids)
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
  const server1 = processCpuSeconds(serverPids)
  lat.sort((a, b) => a - b)
  return {
    workload: name, ops: lat.length, seconds, opsPerSec: lat.length / seconds, p50Ms: pct(lat, 50), p99Ms: pct(lat, 99), errors,
    loadgenCpu: (cpu.user + cpu.system) / 1e6 / seconds,
    ...(server0 !== null && server1 !== null ? { serverCpu: (server1 - server0) / seconds } : {}),
  }
}

/** The median round of a workload: each figure is the median over rounds; ops, seconds and errors are totals. */
export function medianRound(rounds: WorkloadResult[]): WorkloadResult {
  const m = (f: (w: WorkloadResult) => number): number => median(rounds.map(f))
  const withCpu = rounds.every((w) => w.serverCpu !== undefined)
  return {
    workload: rounds[0].workload,
    ops: rounds.reduce((a, w) => a + w.ops, 0),
    seconds: rounds.reduce((a, w) => a + w.seconds, 0),
    opsPerSec: m((w) => w.opsPerSec),
    p50Ms: m((w) => w.p50Ms),
    p99Ms: m((w) => w.p99Ms),
    errors: rounds.reduce((a, w) => a + w.errors, 0),
    loadgenCpu: m((w) => w.loadgenCpu),
    ...(withCpu ? { serverCpu: m((w) => w.serverCpu ?? 0) } : {}),
    rounds: rounds.length,
  }
}

/** How a benchmark is followed and stopped: `onWorkload` as each workload finishes; `signal` stops it. */
export interface BenchControl {
  signal?: AbortSignal
  onWorkload?: (system: SystemName, members: number, w: WorkloadResult) => void
  /** Before each round: how many rounds of the whole benchmark are done, of how many. */
  onRound?: (message: string) => void
}

/** A system under test, up and serving. */
export interface RunningSystem {
  system: SystemName
  members: number
  endpoints: string[]
  /** Its processes, for their CPU use. */
  pids: number[]
  stop(): Promise<void>
}

type Workload = [name: string, total: number, inFlight: number, op: (c: BenchClient, rand: () => number) => Promise<unknown>]

/**
 * The load generator's random numbers (uint32, xorshift32): the same sequence for every system. Not a
 * power-of-two LCG: their low bit alternates, so "rand() % 2" before a key draw picked the same kind of
 * operation every time and the 50/50 workload ran all gets or all puts.
 */
export function seededRandom(seed = 12345): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>>= 0)
  }
}

/** One operation of the 50/50 workload: a get or a put, and of which key. */
export function mixedOp(rand: () => number, keys: number): { get: boolean; key: number } {
  return { get: rand() % 2 === 0, key: rand() % keys }
}

function workloadsOf(o: BenchOptions): Workload[] {
  const value = Buffer.alloc(o.valueBytes, 0x61)
  return [
    ['sequential puts', o.sequentialOps, 1, (c, rand) => c.put({ key: key(rand() % o.keys), value })],
    [`${o.inFlight} puts in flight`, o.concurrentOps, o.inFlight, (c, rand) => c.put({ key: key(rand() % o.keys), value })],
    ['50/50 get/put', o.concurrentOps, o.inFlight, (c, rand) => {
      const m = mixedOp(rand, o.keys)
      return m.get ? c.range({ key: key(m.key) }) : c.put({ key: key(m.key), value })
    }],
  ]
}

export const WORKLOAD_COUNT = 3

/**
 * The workloads against systems running side by side (the same key sequence for each), in turns; once
 * `signal` aborts, the workload under way stops and is left out (its figures would be partial).
 */
export async function runWorkloads(systems: RunningSystem[], o: BenchOptions = DEFAULT_BENCH, ctl: BenchControl = {}): Promise<SystemResult[]> {
  const { signal } = ctl
  // No per-call deadline: the same for every system, and the load generator's CPU goes to requests, not timers.
  const sessions = systems.map((sys) => {
    return { sys, clients: sys.endpoints.map((e) => createBenchClient(e)), rand: seededRandom(), result: { system: sys.system, members: sys.members, workloads: [] } as SystemResult }
  })
  try {
    const value = Buffer.alloc(o.valueBytes, 0x61)
    for (const s of sessions) await run('preload', s.clients, o.keys, o.inFlight, (c, i) => c.put({ key: key(i), value }), signal)
    for (const [name, total, inFlight, op] of workloadsOf(o)) {
      const rounds = sessions.map(() => [] as WorkloadResult[])
      for (let r = 0; r < o.rounds && !signal?.aborted; r++) {
        ctl.onRound?.(`${name}, round ${r + 1}/${o.rounds}`)
        // Alternate who goes first, so neither always runs right after the other's burst.
        const order = sessions.map((_, i) => i)
        if (r % 2 === 1) order.reverse()
        for (const i of order) {
          const s = sessions[i]
          rounds[i].push(await run(name, s.clients, total, inFlight, (c) => op(c, s.rand), signal, s.sys.pids))
          if (signal?.aborted) break
        }
      }
      if (signal?.aborted) break
      sessions.forEach((s, i) => {
        const w = medianRound(rounds[i])
        s.result.workloads.push(w)
        ctl.onWorkload?.(s.sys.system, s.sys.members, w)
      })
    }
    return sessions.map((s) => s.result)
  } finally {
    for (const s of sessions) for (const c of s.clients) c.close()
  }
}

export async function startStabilis(members: number, entry?: string): Promise<RunningSystem> {
  const { sup, close: stop } = await startTempCluster('stabilis-bench-', { replicas: members, entry })
  const pids = sup.view().map((r) => r.pid).filter((p): p is number => p !== null)
  return { system: 'stabilis', members, endpoints: sup.endpoints(), pids, stop }
}

/** Null when `signal` aborts while the members start; a start that lost a race for its ports is tried again on fresh ones. */
export function startEtcd(members: number, etcdBin: string = 'etcd', signal?: AbortSignal, pickPort: () => Promise<number> = freePort): Promise<RunningSystem | null> {
  return startOnFreePorts(() => startEtcdOnce(members, etcdBin, signal, pickPort))
}

async function startEtcdOnce(members: number, etcdBin: string, signal: AbortSignal | undefined, pickPort: () => Promise<number>): Promise<RunningSystem | null> {
  const dir = mkdtempSync(join(tmpdir(), 'stabilis-etcd-'))
  const procs: ChildProcess[] = []
  let failed: string | null = null
  const stop = async (): Promise<void> => {
    for (const p of procs) p.kill('SIGKILL')
    await Promise.all(procs.map((p) => (p.pid === undefined || p.exitCode !== null || p.signalCode !== null ? null : new Promise((r) => p.once('exit', r)))))
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const specs = []
    for (let i = 0; i < members; i++) specs.push({ name: `e${i + 1}`, client: await pickPort(), peer: await pickPort() })
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
      p.once('error', (e) => (failed = failed ?? `cannot run ${etcdBin}: ${e.message}`))
      p.once('exit', (code, sig) => (failed = failed ?? `etcd member ${s.name} exited at start (code ${code}, signal ${sig})`))
    }
    const endpoints = specs.map((s) => `127.0.0.1:${s.client}`)
    // Ready when every member answers a put.
    const deadline = Date.now() + 20_000
    for (const ep of endpoints) {
      const c = createStoreClient(ep, 2000)
      try {
        for (;;) {
          try {
            await c.put({ key: Buffer.from('bench/ready'), value: Buffer.from('1') })
            break
          } catch (e) {
            if (signal?.aborted) {
              await stop()
              return null
            }
            if (failed) throw new Error(failed)
            if (Date.now() > deadline) throw new Error(`etcd at ${ep} did not start: ${(e as Error).message}`)
            await new Promise((r) => setTimeout(r, 200))
          }
        }
      } finally {
        c.close()
      }
    }
    return { system: 'etcd', members, endpoints, pids: procs.map((p) => p.pid).filter((p): p is number => p !== undefined), stop }
  } catch (e) {
    await stop()
    throw e
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
  /** One line as each member count starts. */
  log?: (line: string) => void
  /** Progress: `step` of `steps` (starting each member count, then each round), with what is under way. */
  onProgress?: (step: number, steps: number, message: string) => void
  /** Each workload as it finishes (its median round). */
  onWorkload?: (system: SystemName, members: number, w: WorkloadResult) => void
  /** The replica entry module (the Electron build bundles it elsewhere). */
  replicaEntry?: string
  /** Stops the benchmark: the report then holds the workloads finished so far. */
  signal?: AbortSignal
}

/** Server CPU time per operation in µs, when known. */
export function serverUsPerOp(w: WorkloadResult): number | null {
  return w.serverCpu === undefined || w.opsPerSec === 0 ? null : (w.serverCpu / w.opsPerSec) * 1e6
}

export async function runStoreBench(opts: StoreBenchRunOptions): Promise<BenchReport> {
  const { etcd: withEtcd, members: memberCounts = [1, 3], sizes: o = DEFAULT_BENCH, log = () => {}, replicaEntry, signal } = opts
  const steps = memberCounts.length * (1 + WORKLOAD_COUNT * o.rounds)
  let step = 0
  const progress = (message: string): void => {
    step = Math.min(step + 1, steps)
    opts.onProgress?.(step, steps, message)
  }
  const systems: SystemResult[] = []
  for (const m of memberCounts) {
    if (signal?.aborted) break
    const what = `stabilis ×${m}${withEtcd ? ` and etcd ×${m}` : ''}`
    log(`${what}…\n`)
    progress(`starting ${what}`)
    const running: RunningSystem[] = []
    try {
      running.push(await startStabilis(m, replicaEntry))
      if (withEtcd && !signal?.aborted) {
        const e = await startEtcd(m, opts.etcdBin, signal)
        if (e) running.push(e)
      }
      if (signal?.aborted) break
      const results = await runWorkloads(running, o, { signal, onWorkload: opts.onWorkload, onRound: (r) => progress(`×${m}: ${r}`) })
      for (const r of results) if (r.workloads.length > 0) systems.push(r)
    } finally {
      await Promise.all(running.map((r) => r.stop()))
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
  const cores = availableParallelism()
  const find = (system: SystemName, members: number, workload: string): WorkloadResult | undefined =>
    systems.find((x) => x.system === system && x.members === members)?.workloads.find((w) => w.workload === workload)
  const targets: BenchReport['targets'] = []
  const inFlight = `${o.inFlight} puts in flight`
  const r1 = ratios.find((x) => x.members === 1 && x.workload === inFlight)
  if (r1) {
    const both = systems.filter((s) => s.members === 1).flatMap((s) => s.workloads.filter((w) => w.workload === inFlight))
    const note = both.some(saturated) ? ' (load generator saturated: throughput is a lower bound)' : ''
    targets.push({ target: `1 replica, ${inFlight}: throughput ≥ etcd and p99 ≤ etcd`, met: r1.throughput >= 1 && r1.p99 <= 1, detail: `throughput ×${r1.throughput.toFixed(2)}, p99 ×${r1.p99.toFixed(2)}${note}` })
  }
  for (const x of ratios.filter((y) => y.members === 3)) {
    targets.push({ target: `3 replicas, ${x.workload}: throughput ≥ 2× a 3-member etcd`, met: x.throughput >= 2, detail: `throughput ×${x.throughput.toFixed(2)}${cpuNote(find('stabilis', 3, x.workload), find('etcd', 3, x.workload), cores)}` })
  }
  return { date: new Date().toISOString(), options: o, cores, systems, ratios, targets }
}

/** Where the CPU went, when it is the limit: both systems' server CPU per op and how busy the machine was. */
function cpuNote(s: WorkloadResult | undefined, e: WorkloadResult | undefined, cores: number): string {
  if (!s || !e) return ''
  const su = serverUsPerOp(s)
  const eu = serverUsPerOp(e)
  if (su === null || eu === null || s.serverCpu === undefined) return ''
  const busy = s.loadgenCpu + s.serverCpu
  return `; server CPU per op ${Math.round(su)} µs vs etcd ${Math.round(eu)} µs; cores busy ${busy.toFixed(2)} of ${cores}`
}

/** A single-threaded load generator near a full core: it, not the system under test, sets the pace. */
const SATURATED = 0.9
const saturated = (w: WorkloadResult): boolean => w.loadgenCpu >= SATURATED

export function formatReport(r: StoreBenchReport): string {
  const rounds = r.options.rounds ?? 1
  const lines = [
    `median of ${rounds} round(s) per workload, the systems taking turns${r.cores ? `; ${r.cores} cores` : ''}`,
    'system    members  workload              ops/s     p50 ms   p99 ms   errors  loadgen CPU  server CPU  server µs/op',
  ]
  for (const s of r.systems) for (const w of s.workloads) {
    const us = serverUsPerOp(w)
    const server = w.serverCpu === undefined ? '–' : `${(w.serverCpu * 100).toFixed(0)}%`
    lines.push(`${s.system.padEnd(9)} ${String(s.members).padStart(7)}  ${w.workload.padEnd(20)} ${w.opsPerSec.toFixed(0).padStart(7)} ${w.p50Ms.toFixed(2).padStart(9)} ${w.p99Ms.toFixed(2).padStart(8)} ${String(w.errors).padStart(8)} ${(w.loadgenCpu * 100).toFixed(0).padStart(11)}%${saturated(w) ? '*' : ' '} ${server.padStart(10)} ${(us === null ? '–' : String(Math.round(us))).padStart(13)}`)
  }
  if (r.systems.some((s) => s.workloads.some(saturated))) {
    lines.push(`* the load generator used ≥${SATURATED * 100}% of a core: that throughput is the load generator's limit, a lower bound for the system`)
  }
  for (const x of r.ratios) lines.push(`ratio ${x.members} member(s) ${x.workload}: throughput ×${x.throughput.toFixed(2)}, p99 ×${x.p99.toFixed(2)}`)
  for (const t of r.targets ?? []) lines.push(`target ${t.met ? 'MET' : 'not met'}: ${t.target} (${t.detail})`)
  return lines.join('\n') + '\n'
}
