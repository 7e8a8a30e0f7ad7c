// `stabilis store up --replicas N [--dir D]` and `stabilis store bench [--etcd] [--replicas 1,3] [--ops N] [--rounds N] [--json]`.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatReport, runStoreBench, DEFAULT_BENCH } from '../../lab/store/bench.ts'
import { StoreSupervisor } from '../../lab/store/supervisor.ts'
import { badInput } from '../../../src-shared/errors.ts'
import { formatCount } from '../../../src-shared/format.ts'
import { intFlag, parseArgs, stringFlag } from './args.ts'

const USAGE = `usage: stabilis store up --replicas N [--dir D] [--max-request-bytes N] [--recipes-home rN]
       stabilis store bench [--etcd] [--replicas 1,3] [--ops N] [--rounds N] [--json]
`

export async function storeCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'up') {
    const { positional, flags } = parseArgs(rest, { replicas: { type: 'string' }, dir: { type: 'string' }, 'max-request-bytes': { type: 'string' }, 'recipes-home': { type: 'string' } }, 'store up')
    if (positional.length) throw badInput(`unexpected argument "${positional[0]}"`)
    const n = intFlag(flags, 'replicas', 1, 15) ?? 3
    const maxRequestBytes = intFlag(flags, 'max-request-bytes', 1024, 256 * 1024 * 1024)
    const dir = stringFlag(flags, 'dir') ?? mkdtempSync(join(tmpdir(), 'stabilis-store-'))
    const recipesHome = stringFlag(flags, 'recipes-home')
    const sup = new StoreSupervisor({ replicas: n, dir, ...(maxRequestBytes ? { maxRequestBytes } : {}), ...(recipesHome ? { recipesHome } : {}) })
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
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve())
      process.once('SIGTERM', () => resolve())
    })
    await sup.stopAll()
    return 0
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
  process.stderr.write(USAGE)
  return 2
}
