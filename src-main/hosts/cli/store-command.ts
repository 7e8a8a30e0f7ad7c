// `stabilis store up`, `stabilis store bench` and `stabilis store chaos` (see USAGE): flags parsed here, the work
// done by the Lab (as in the app and the web host), its results printed here.
import { resolve } from 'node:path'
import { formatReport } from '../../lab/store/bench.ts'
import { badInput } from '../../../src-shared/errors.ts'
import { formatCount } from '../../../src-shared/format.ts'
import { intFlag, parseArgs, stringFlag } from './args.ts'
import { defaultDbFile } from '../../lab/data-dir.ts'
import { openLab } from '../../lab/open-lab.ts'
import type { Lab } from '../../lab/lab.ts'
import { MAX_REPLICAS } from '../../lab/store/lab.ts'
import type { LabEvent } from '../../../src-shared/types.ts'
import type { ChaosFault, ChaosNemesis, StoreBenchOptions, StoreChaosOptions } from '../../../src-shared/store-types.ts'

const USAGE = `usage: stabilis store up --replicas N [--dir D] [--max-request-bytes N] [--recipes-home rN] [--http2 raw|node]
       stabilis store bench [--etcd] [--replicas 1,3] [--size full|quick] [--ops N] [--rounds N] [--db FILE] [--json]
       stabilis store chaos [--replicas 3] [--duration 60] [--nemesis kill,partition,pause] [--clients 6] [--seed N] [--history FILE] [--db FILE] [--json]
`

export async function storeCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'up') return up(rest)
  if (sub === 'bench') return bench(rest)
  if (sub === 'chaos') return chaos(rest)
  process.stderr.write(USAGE)
  return 2
}

/** Waits for the first SIGINT / SIGTERM (the listeners go once `race` settles). */
function untilSignal(): { signalled: Promise<void>; off(): void } {
  let off = (): void => {}
  const signalled = new Promise<void>((resolve) => {
    const on = (): void => resolve()
    process.once('SIGINT', on)
    process.once('SIGTERM', on)
    off = () => {
      process.off('SIGINT', on)
      process.off('SIGTERM', on)
    }
  })
  return { signalled, off }
}

/** `store up`: prints the endpoints and serves until Ctrl-C (exit 0) or until every replica has exited (exit 1). */
async function up(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, { replicas: { type: 'string' }, dir: { type: 'string' }, 'max-request-bytes': { type: 'string' }, 'recipes-home': { type: 'string' }, http2: { type: 'string' } }, 'store up')
  if (positional.length) throw badInput(`unexpected argument "${positional[0]}"`)
  const replicas = intFlag(flags, 'replicas', 1, MAX_REPLICAS) ?? 3
  const maxRequestBytes = intFlag(flags, 'max-request-bytes', 1024, 256 * 1024 * 1024)
  const dir = stringFlag(flags, 'dir')
  const recipesHome = stringFlag(flags, 'recipes-home')
  const http2 = stringFlag(flags, 'http2')
  if (http2 !== undefined && http2 !== 'raw' && http2 !== 'node') throw badInput(`--http2 takes raw (ours, the default) or node (node:http2), got "${http2}"`)
  // Nothing of a store is saved: the Lab runs on a database in memory.
  const { lab, close } = openLab(':memory:')
  try {
    let view
    try {
      view = await lab.storeUp({ replicas, dir: dir === undefined ? undefined : resolve(dir), maxRequestBytes, recipesHome, http2 })
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`)
      return 2
    }
    for (const r of view.replicas) process.stdout.write(`${r.name} ${r.endpoint}\n`)
    process.stdout.write(`ETCDCTL_API=3 etcdctl --endpoints=${view.replicas.map((r) => r.endpoint).join(',')} member list\n`)
    process.stderr.write(`data in ${view.dir}; Ctrl-C to stop\n`)
    const signal = untilSignal()
    const exits = lab.storeUntilAllExit((x) => process.stderr.write(`replica ${x.replica} exited${x.lastLine ? `: ${x.lastLine}` : ''}; ${x.up} of ${x.total} still up\n`))
    const ended = await Promise.race([signal.signalled.then(() => 'interrupted' as const), exits.done.then(() => 'gone' as const)])
    signal.off()
    exits.cancel()
    if (ended === 'gone') process.stderr.write('every replica has exited: stopping\n')
    return ended === 'interrupted' ? 0 : 1
  } finally {
    await close()
  }
}

/**
 * A store run (benchmark or chaos) followed from the CLI: its progress lines on stderr, the first Ctrl-C stops it
 * through the Lab (what finished is still saved and printed), a second one quits at once.
 */
async function followRun<T extends { id: number }>(
  lab: Lab,
  run: { start(): Promise<T>; wait(id: number): Promise<T>; stop(id: number): Promise<T>; progress(e: LabEvent): string | null; stopping: string },
): Promise<T> {
  const off = lab.onEvent((e) => {
    const line = run.progress(e)
    if (line !== null) process.stderr.write(`${line}\n`)
  })
  let started: T | null = null
  const onInt = (): void => {
    process.off('SIGINT', onInt)
    process.stderr.write(`stopping: ${run.stopping} (Ctrl-C again to quit at once)\n`)
    if (started) void run.stop(started.id).catch(() => {})
  }
  try {
    started = await run.start()
    process.on('SIGINT', onInt)
    return await run.wait(started.id)
  } finally {
    process.off('SIGINT', onInt)
    off()
  }
}

/** `store bench`: saved as a run (kind store-bench) in the database, as the app's are; exit 130 when stopped by Ctrl-C. */
async function bench(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(
    argv,
    { etcd: { type: 'bool' }, replicas: { type: 'string' }, size: { type: 'string' }, ops: { type: 'string' }, rounds: { type: 'string' }, db: { type: 'string' }, json: { type: 'bool' } },
    'store bench',
  )
  if (positional.length) throw badInput(`unexpected argument "${positional[0]}"`)
  const members = (stringFlag(flags, 'replicas') ?? '1,3').split(',').map(Number)
  if (members.some((m) => !Number.isInteger(m) || m < 1 || m > 7)) throw badInput('--replicas takes a list of counts from 1 to 7, like 1,3')
  const size = stringFlag(flags, 'size') ?? 'full'
  if (size !== 'full' && size !== 'quick') throw badInput(`--size takes full (the default: 10k keys, 5 rounds) or quick, got "${size}"`)
  const options: StoreBenchOptions = {
    size, members, etcd: flags.etcd === true,
    concurrentOps: intFlag(flags, 'ops', 1, 10_000_000), rounds: intFlag(flags, 'rounds', 1, 50),
  }
  const { lab, close } = openLab(stringFlag(flags, 'db') ?? defaultDbFile())
  try {
    const run = await followRun(lab, {
      start: () => lab.storeBench(options),
      wait: (id) => lab.waitForBench(id),
      stop: (id) => lab.stopBenchRun(id),
      progress: (e) =>
        e.type === 'store-bench-workload' ? `  ${e.system} ×${e.members} ${e.workload.workload}: ${formatCount(Math.round(e.workload.opsPerSec))} ops/s, p99 ${e.workload.p99Ms.toFixed(1)} ms`
          : e.type === 'store-bench-progress' ? `[${e.step}/${e.steps}] ${e.message}` : null,
      stopping: 'the report keeps the workloads finished so far',
    })
    if (run.note) process.stderr.write(`${run.note}\n`)
    const r = run.report
    if (flags.json) process.stdout.write(JSON.stringify({ runId: run.id, status: run.status, error: run.error, ...r }, null, 2) + '\n')
    else {
      if (r) process.stdout.write(formatReport(r))
      process.stdout.write(`store benchmark ${run.id} ${run.status}${run.error ? `: ${run.error}` : ''}\n`)
    }
    if (run.status === 'stopped') return 130
    return run.status === 'done' ? 0 : 1
  } finally {
    await close()
  }
}

/** `store chaos`: saved as a run through the lab; exit 0 when the verdict is pass, 1 when it is fail, 130 when stopped by Ctrl-C. */
async function chaos(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(
    argv,
    { replicas: { type: 'string' }, duration: { type: 'string' }, nemesis: { type: 'string' }, clients: { type: 'string' }, seed: { type: 'string' }, history: { type: 'string' }, db: { type: 'string' }, json: { type: 'bool' } },
    'store chaos',
  )
  if (positional.length) throw badInput(`unexpected argument "${positional[0]}"`)
  const nemesisText = stringFlag(flags, 'nemesis')
  const nemesis = nemesisText === undefined ? undefined : nemesisText === '' || nemesisText === 'none' ? [] : nemesisText.split(',')
  for (const n of nemesis ?? []) if (n !== 'kill' && n !== 'partition' && n !== 'pause') throw badInput(`--nemesis takes kill, partition, pause (comma-separated) or none, got "${n}"`)
  const options: StoreChaosOptions = {
    replicas: intFlag(flags, 'replicas', 1, 7),
    duration: intFlag(flags, 'duration', 1, 24 * 3600),
    clients: intFlag(flags, 'clients', 1, 64),
    seed: intFlag(flags, 'seed', 0, 2 ** 31),
    nemesis: nemesis as ChaosNemesis[] | undefined,
  }
  const history = stringFlag(flags, 'history')
  const { lab, close } = openLab(stringFlag(flags, 'db') ?? defaultDbFile())
  try {
    const run = await followRun(lab, {
      start: () => (history ? lab.storeChaosRecording(options, resolve(history)) : lab.storeChaos(options)),
      wait: (id) => lab.waitForChaos(id),
      stop: (id) => lab.stopChaosRun(id),
      progress: (e) => (e.type === 'store-chaos-progress' ? e.message : null),
      stopping: 'the heal and the checks still run',
    })
    const r = run.report
    if (flags.json) process.stdout.write(JSON.stringify({ runId: run.id, status: run.status, error: run.error, ...(r ? { ...r, timeline: undefined } : {}) }, null, 2) + '\n')
    else if (!r) process.stdout.write(`chaos run ${run.id} ${run.status}: ${run.error ?? ''}\n`)
    else {
      process.stdout.write(`chaos run ${run.id}: ${r.verdict.toUpperCase()}\n`)
      process.stdout.write(`  ${formatCount(r.operations)} operations in ${r.seconds.toFixed(0)} s, ${r.faults.length} faults (${summariseFaults(r.faults)})\n`)
      for (const line of r.reasons) process.stdout.write(`  ${line}\n`)
      for (const k of r.lostKeys) process.stdout.write(`  lost: ${k}\n`)
      for (const v of r.violations.slice(0, 10)) process.stdout.write(`  ${v.kind} (client ${v.client}): ${v.detail}\n`)
    }
    if (run.status === 'stopped') return 130
    return run.status === 'done' && r?.verdict === 'pass' ? 0 : 1
  } finally {
    await close()
  }
}

function summariseFaults(faults: ChaosFault[]): string {
  const by = new Map<string, number>()
  for (const f of faults) by.set(f.kind, (by.get(f.kind) ?? 0) + 1)
  return [...by].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'
}
