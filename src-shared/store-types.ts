// DTOs of the store lab: what the Store page shows of the replicated store and the faults it can inject.

export interface StorePeerView {
  name: string
  connected: boolean
  /** How that peer's last reported heads relate to this replica's: equal, ahead, behind, concurrent, unknown. */
  relation: string
  /** The directed link from this replica to the peer is cut. */
  cut: boolean
}

export interface StoreReplicaView {
  name: string
  up: boolean
  pid: number | null
  endpoint: string
  /** etcd revision: this replica's own commit counter. */
  revision: number
  heads: string[]
  keys: number
  changes: number
  storageError: string | null
  peers: StorePeerView[]
}

/** One write made through the lab, and which replicas hold it (null: replica down). */
export interface DurabilityRow {
  key: string
  via: string
  heads: string[]
  held: (boolean | null)[]
}

export interface StoreView {
  running: boolean
  dir: string | null
  replicas: StoreReplicaView[]
  /** Columns follow `replicas`; newest write first. */
  durability: DurabilityRow[]
}

export type StoreFault =
  | { kind: 'kill' | 'stop' | 'restart'; replica: string }
  | { kind: 'partition'; groups: string[][] }
  | { kind: 'heal' }

export interface StoreKeyValue {
  key: string
  value: string
  modRevision: number
  version: number
}

export interface StorePutResult {
  revision: number
  heads: string[]
}

// Store benchmarks saved as runs (kind "store-bench"): the load generator against this store and, when installed, etcd.

/** What storeBench runs. Sizes default to the quick preset (a few seconds); `size: 'full'` is issue 5's benchmark. */
export interface StoreBenchOptions {
  /** 'quick' (default): small key space and op counts; 'full': 10k keys, 1000 sequential and 8000 concurrent ops. */
  size?: 'quick' | 'full'
  /** Replica (and etcd member) counts, each 1–7; default [1, 3]. */
  members?: number[]
  /** Also benchmark etcd when it is installed (default true); when it is not, only this store runs. */
  etcd?: boolean
  keys?: number
  valueBytes?: number
  sequentialOps?: number
  concurrentOps?: number
  inFlight?: number
  /** Times each workload runs on each system, the systems taking turns; the report keeps the median (quick 1, full 5). */
  rounds?: number
}

export interface StoreBenchWorkload {
  workload: string
  ops: number
  seconds: number
  opsPerSec: number
  p50Ms: number
  p99Ms: number
  errors: number
  /** CPU used by the load generator itself, as a fraction of one core. */
  loadgenCpu: number
  /** CPU used by the system's processes (all replicas or members), in cores; absent where it cannot be read. */
  serverCpu?: number
  /** Rounds behind these figures (each figure is the median round); absent in reports from before rounds. */
  rounds?: number
}

export interface StoreBenchSystem {
  system: 'stabilis' | 'etcd'
  members: number
  workloads: StoreBenchWorkload[]
}

export interface StoreBenchReport {
  date: string
  options: { keys: number; valueBytes: number; sequentialOps: number; concurrentOps: number; inFlight: number; rounds?: number }
  /** CPU cores of the machine that ran it. */
  cores?: number
  systems: StoreBenchSystem[]
  /** Per members × workload: this store's ops/s ÷ etcd's, and p99 ÷ etcd's p99. */
  ratios: { members: number; workload: string; throughput: number; p99: number }[]
  targets?: { target: string; met: boolean; detail: string }[]
}

/** stopped: stopped by the user; its report holds the workloads finished before that. */
export type StoreBenchStatus = 'running' | 'done' | 'failed' | 'interrupted' | 'stopped'

/** A saved store benchmark. */
export interface StoreBenchRun {
  id: number
  kind: 'store-bench'
  status: StoreBenchStatus
  startedAt: string
  finishedAt: string | null
  /** The resolved sizes and member counts (rounds: absent in runs saved before rounds existed, which had one). */
  options: Required<Omit<StoreBenchOptions, 'etcd' | 'rounds'>> & { rounds?: number }
  /** ran: etcd was benchmarked too; not-installed: etcd was wanted but not found; skipped: not asked for. */
  etcd: 'ran' | 'not-installed' | 'skipped'
  /** A notice for the user (etcd missing, …). */
  note: string | null
  report: StoreBenchReport | null
  error: string | null
}

// Store chaos runs (kind "store-chaos"): concurrent clients with a recorded history, a nemesis injecting
// faults, and a checker. Saved with their verdict.

export type ChaosNemesis = 'kill' | 'partition' | 'pause'

export interface StoreChaosOptions {
  replicas?: number
  /** Seconds of load and faults (the heal and the checks come after). */
  duration?: number
  nemesis?: ChaosNemesis[]
  /** Concurrent clients; each spreads its requests over every replica, as a stock etcd client does. */
  clients?: number
  seed?: number
}

/** One fault: from start to end (ms since the run began); `target` names the replicas hit. */
export interface ChaosFault {
  kind: ChaosNemesis
  target: string
  startMs: number
  endMs: number
}

/** One second of the run: operations acknowledged, failed (error) and unknown (no answer in time). */
export interface ChaosSample {
  second: number
  ok: number
  failed: number
  unknown: number
}

export interface ChaosViolation {
  kind: 'read-your-writes' | 'monotonic-reads'
  client: number
  atMs: number
  detail: string
}

export interface StoreChaosReport {
  options: Required<StoreChaosOptions>
  seconds: number
  operations: number
  /** Inserts acknowledged (each a new key, never overwritten): every one must be on every replica after heal. */
  acknowledged: number
  /** Inserts without an answer or with an error: may or may not be present. */
  indeterminate: number
  /** Acknowledged inserts missing on some replica after heal (replica by replica, summed). */
  lost: number
  lostKeys: string[]
  converged: boolean
  /** Milliseconds from the heal until every replica had the same heads. */
  convergeMs: number | null
  faults: ChaosFault[]
  timeline: ChaosSample[]
  /** Session violations outside fault windows (each fails the run) and inside them (expected: no guarantee there). */
  violations: ChaosViolation[]
  violationsDuringFaults: number
  verdict: 'pass' | 'fail'
  /** Why the verdict is what it is, one line per check. */
  reasons: string[]
}

export interface StoreChaosRun {
  id: number
  kind: 'store-chaos'
  status: 'running' | 'done' | 'failed' | 'interrupted' | 'stopped'
  startedAt: string
  finishedAt: string | null
  options: Required<StoreChaosOptions>
  report: StoreChaosReport | null
  error: string | null
}
