// `stabilis store up --replicas N [--dir D]` and `stabilis store bench [--etcd] [--replicas 1,3] [--ops N] [--json]`.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatReport, runStoreBench, DEFAULT_BENCH } from '../../lab/store/bench.ts'
import { StoreSupervisor } from '../../lab/store/supervisor.ts'

const USAGE = `usage: stabilis store up --replicas N [--dir D]
       stabilis store bench [--etcd] [--replicas 1,3] [--ops N] [--json]
`

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`)
  if (i >= 0) return argv[i + 1]
  const eq = argv.find((a) => a.startsWith(`--${name}=`))
  return eq?.slice(name.length + 3)
}

export async function storeCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'up') {
    const n = Number(flag(rest, 'replicas') ?? '3')
    if (!Number.isInteger(n) || n < 1 || n > 15) {
      process.stderr.write(`--replicas must be an integer 1..15\n${USAGE}`)
      return 2
    }
    const dir = flag(rest, 'dir') ?? mkdtempSync(join(tmpdir(), 'stabilis-store-'))
    const sup = new StoreSupervisor({ replicas: n, dir })
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
    const members = (flag(rest, 'replicas') ?? '1,3').split(',').map(Number)
    if (members.some((m) => !Number.isInteger(m) || m < 1 || m > 7)) {
      process.stderr.write(`--replicas takes a list like 1,3\n${USAGE}`)
      return 2
    }
    const ops = Number(flag(rest, 'ops') ?? DEFAULT_BENCH.concurrentOps)
    const report = await runStoreBench(rest.includes('--etcd'), members, { ...DEFAULT_BENCH, concurrentOps: ops }, (s) => process.stderr.write(s))
    process.stdout.write(rest.includes('--json') ? JSON.stringify(report, null, 2) + '\n' : formatReport(report))
    return 0
  }
  process.stderr.write(USAGE)
  return 2
}
