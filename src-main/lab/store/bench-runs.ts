// Store benchmarks as runs: storeBench runs the benchmark driver (runStoreBench) in the lab, one at a time, reports
// progress as events and saves the report in SQLite (bench_runs, kind "store-bench"). When etcd is not installed
// the benchmark says so and runs this store only.
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { badInput } from '../../../src-shared/errors.ts'
import type { StoreBenchOptions, StoreBenchRun } from '../../../src-shared/store-types.ts'
import { DEFAULT_BENCH, runStoreBench } from './bench.ts'
import { StoreRuns, type StoreRunDeps } from './runs.ts'

type Sizes = Omit<Required<StoreBenchOptions>, 'size' | 'members' | 'etcd'>

/** A few seconds in all: the default in the app. */
export const QUICK_BENCH: Sizes = { keys: 256, valueBytes: 32, sequentialOps: 100, concurrentOps: 1000, inFlight: 64, rounds: 1 }
/** Issue 5's benchmark: 10k keys, 32-byte values, 64 in flight (the driver's defaults). */
export const FULL_BENCH: Sizes = { ...DEFAULT_BENCH }

const LIMITS: Record<keyof Sizes, [number, number]> = {
  keys: [1, 1_000_000],
  valueBytes: [1, 1_048_576],
  sequentialOps: [1, 1_000_000],
  concurrentOps: [1, 10_000_000],
  inFlight: [1, 1024],
  rounds: [1, 50],
}

export const ETCD_MISSING_NOTE =
  'etcd is not installed (Debian package etcd-server; no "etcd" on PATH): only this store was benchmarked, so there are no ratios against etcd.'

/** The etcd server binary on PATH, or null. */
export function findEtcd(pathEnv: string | undefined = process.env.PATH): string | null {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue
    const file = join(dir, process.platform === 'win32' ? 'etcd.exe' : 'etcd')
    try {
      accessSync(file, constants.X_OK)
      return file
    } catch {
      // not here
    }
  }
  return null
}

/** Checks and completes storeBench options: a size preset, then any field given overrides it. */
export function resolveBenchOptions(input: StoreBenchOptions = {}): { options: StoreBenchRun['options']; etcd: boolean } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badInput('benchmark options must be an object')
  const size = input.size ?? 'quick'
  if (size !== 'quick' && size !== 'full') throw badInput(`size must be "quick" or "full", got ${JSON.stringify(size)}`)
  const sizes: Sizes = { ...(size === 'full' ? FULL_BENCH : QUICK_BENCH) }
  for (const k of Object.keys(LIMITS) as (keyof Sizes)[]) {
    const v = input[k]
    if (v === undefined) continue
    const [min, max] = LIMITS[k]
    if (!Number.isInteger(v) || v < min || v > max) throw badInput(`${k} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`)
    sizes[k] = v
  }
  const members = input.members ?? [1, 3]
  if (!Array.isArray(members) || members.length < 1 || members.length > 4) throw badInput('members must list 1 to 4 replica counts, like [1, 3]')
  for (const m of members) if (!Number.isInteger(m) || m < 1 || m > 7) throw badInput(`a replica count must be a whole number from 1 to 7, got ${JSON.stringify(m)}`)
  if (input.etcd !== undefined && typeof input.etcd !== 'boolean') throw badInput('etcd must be true or false')
  return { options: { size, members: [...new Set(members)], ...sizes }, etcd: input.etcd ?? true }
}

export interface StoreBenchServiceDeps extends StoreRunDeps {
  /** Where to look for etcd (tests pass a PATH without it). */
  findEtcd?: () => string | null
}

export class StoreBenchService extends StoreRuns<'store-bench'> {
  private readonly findEtcd: () => string | null

  constructor(deps: StoreBenchServiceDeps) {
    super(deps, 'store-bench', 'benchmark id')
    this.findEtcd = deps.findEtcd ?? findEtcd
  }

  /** Saves the benchmark as running and starts it; resolves at once. One benchmark at a time. */
  start(input?: StoreBenchOptions): StoreBenchRun {
    const { options, etcd: wantEtcd } = resolveBenchOptions(input)
    const etcdBin = wantEtcd ? this.findEtcd() : null
    const etcd: StoreBenchRun['etcd'] = !wantEtcd ? 'skipped' : etcdBin ? 'ran' : 'not-installed'
    const note = etcd === 'not-installed' ? ETCD_MISSING_NOTE : null
    const { size: _size, members, ...sizes } = options
    const { repo, emit, replicaEntry } = this.deps
    return this.launch(
      () => repo.create('store-bench', options, new Date().toISOString(), etcd, note),
      (id, signal) =>
        runStoreBench({
          etcd: etcd === 'ran',
          etcdBin: etcdBin ?? undefined,
          members,
          sizes: { ...sizes, rounds: sizes.rounds ?? 1 },
          onProgress: (step, steps, message) => emit({ type: 'store-bench-progress', runId: id, step, steps, message }),
          onWorkload: (system, members, workload) => emit({ type: 'store-bench-workload', runId: id, system, members, workload }),
          replicaEntry,
          signal,
        }),
    )
  }
}
