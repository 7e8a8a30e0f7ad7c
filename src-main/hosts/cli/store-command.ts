// `stabilis store up`, `stabilis store bench` and `stabilis store chaos` (see USAGE).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { formatReport, runStoreBench, DEFAULT_BENCH } from '../../lab/store/bench.ts'
import { StoreSupervisor } from '../../lab/store/supervisor.ts'
import { badInput } from '../../../src-shared/errors.ts'
import { formatCount } from '../../../src-shared/format.ts'
import { intFlag, parseArgs, stringFlag } from './args.ts'
import { defaultDbFile } from '../../lab/data-dir.ts'
import { openLab } from '../../lab/open-lab.ts'
import type { ChaosFault, ChaosNemesis, StoreChaosOptions, StoreChaosRun } from '../../../src-shared/store-types.ts'

const USAGE = `usage: stabilis store up --replicas N [--dir D] [--max-request-bytes N] [--recipes-home rN] [--http2 raw|node]
       stabilis store bench [--etcd] [--replicas 1,3] [--ops N] [--rounds N] [--json]
       stabilis store chaos [--replicas 3] [--duration 60] [--nemesis kill,partition,pause] [--clients 6] [--seed N] [--history FILE] [--db FILE] [--json]
`

/**
 * Waits for Ctrl-C / SIGTERM, reporting each replica that exits on its own (killed, crashed); when none is left
 * there is nothing to serve, and the command ends with that message.
 */
function untilStoppedOrGone(sup: StoreSupervisor): Promise<'interrupted' | 'gone'> {
  return new Promise((resolve) => {
    const up = new Set(sup.view().filter((v) => v.up).map((v) => v.name))
    const finish = (how: 'interrupted' | 'gone'): void => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      sup.off('status', onStatus)
      resolve(how)
    }
    const onSignal = (): void => finish('interrupted')
    const onStatus = (): void => {
      for (const v of sup.view()) {
        if (v.up || !up.delete(v.name)) continue
        const last = sup.lastStderr(v.name).trim().split('\n').pop()
        process.stderr.write(`replica ${v.name} exited${last ? `: ${last}` : ''}; ${up.size} of ${sup.view().length} still up\n`)
      }
      if (up.size === 0) {
        process.stderr.write('every replica has exited: stopping\n')
        finish('gone')
      }
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    sup.on('status', onStatus)
  })
}

export async function storeCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'up') {
    const { positional, flags } = parseArgs(rest, { replicas: { type: 'string' }, dir: { type: 'string' }, 'max-request-bytes': { type: 'string' }, 'recipes-home': { type: 'string' }, http2: { type: 'string' } }, 'store up')
    if (positional.length) throw badInput(`unexpected argument "${positional[0]}"`)
    const n = intFlag(flags, 'replicas', 1, 15) ?? 3
    const maxRequestBytes = intFlag(flags, 'max-request-bytes', 1024, 256 * 1024 * 1024)
    const dir = stringFlag(flags, 'dir') ?? mkdtempSync(join(tmpdir(), 'stabilis-store-'))
    const recipesHome = stringFlag(flags, 'recipes-home')
    const http2 = stringFlag(flags, 'http2')
    if (http2 !== undefined && http2 !== 'raw' && http2 !== 'node') throw badInput(`--http2 takes raw (ours, the default) or node (node:http2), got "${http2}"`)
    const sup = new StoreSupervisor({ replicas: n, dir, ...(maxRequestBytes ? { maxRequestBytes } : {}), ...(recipesHome ? { recipesHome } : {}), ...(http2 ? { http2 } : {}) })
    try {
      await sup.start()
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`)
      sup.killAllNow()
      return 2
    }
    for (const v of sup.view()) process.stdout.write(`${v.name} ${v.endpoint}\n`)
    process.stdout.write(`ETCDCTL_API=3 etcdctl --endpoints=${sup.endpoints().join(',')} member list\n`)
    process.stderr.write(`data in ${dir}; Ctrl-C to stop\n`)
    const ended = await untilStoppedOrGone(sup)
    await sup.stopAll()
    return ended === 'interrupted' ? 0 : 1
  }
  if (sub === 'bench') {
    const { positional, flags } = parseArgs(
      rest,
      { etcd: { type: 'bool' }, replicas: { type: 'string' }, ops: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'bool' } },
      'store bench',
    )
    if (positional.length) throw badInput(`unexpected argument "${positional[0]}"`)
    const members = (stringFlag(flags, 'replicas') ?? '1,3').split(',').map(Number)
    if (members.some((m) => !Number.isInteger(m) || m < 1 || m > 7)) throw badInput('--replicas takes a list of counts from 1 to 7, like 1,3')
    const ops = intFlag(flags, 'ops', 1, 10_000_000) ?? DEFAULT_BENCH.concurrentOps
    const rounds = intFlag(flags, 'rounds', 1, 50) ?? DEFAULT_BENCH.rounds
    // Ctrl-C stops the benchmark and still prints what was measured; a second one quits at once.
    const abort = new AbortController()
    const onInt = (): void => {
      process.off('SIGINT', onInt)
      process.stderr.write('stopping: the report keeps the workloads finished so far (Ctrl-C again to quit at once)\n')
      abort.abort()
    }
    process.on('SIGINT', onInt)
    let report
    try {
      report = await runStoreBench({
        etcd: flags.etcd === true,
        members,
        sizes: { ...DEFAULT_BENCH, concurrentOps: ops, rounds },
        log: (s) => process.stderr.write(s),
        onWorkload: (system, m, w) => process.stderr.write(`  ${system} ×${m} ${w.workload}: ${formatCount(Math.round(w.opsPerSec))} ops/s, p99 ${w.p99Ms.toFixed(1)} ms\n`),
        signal: abort.signal,
      })
    } finally {
      process.off('SIGINT', onInt)
    }
    process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report))
    return abort.signal.aborted ? 130 : 0
  }
  if (sub === 'chaos') return chaos(rest)
  process.stderr.write(USAGE)
  return 2
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
  const { lab, close } = openLab(stringFlag(flags, 'db') ?? defaultDbFile())
  const off = lab.onEvent((e) => {
    if (e.type === 'store-chaos-progress') process.stderr.write(`${e.message}\n`)
  })
  const onInt = (): void => {
    process.stderr.write('stopping: the heal and the checks still run (Ctrl-C again to quit at once)\n')
    process.off('SIGINT', onInt)
    void lab.stopChaosRun(started.id).catch(() => {})
  }
  let started: StoreChaosRun
  try {
    const history = stringFlag(flags, 'history')
    started = history ? await lab.storeChaosRecording(options, resolve(history)) : await lab.storeChaos(options)
    process.on('SIGINT', onInt)
    const run = await lab.waitForChaos(started.id)
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
    process.off('SIGINT', onInt)
    off()
    await close()
  }
}

function summariseFaults(faults: ChaosFault[]): string {
  const by = new Map<string, number>()
  for (const f of faults) by.set(f.kind, (by.get(f.kind) ?? 0) + 1)
  return [...by].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'
}
