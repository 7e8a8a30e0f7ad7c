// npm run bench:store — the store benchmark of issue 5 (part 7): this store with 1 and 3 replicas and
// etcd (Debian etcd-server, on loopback, temp data folder) with 1 and 3 members. Writes bench-results/store.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { formatReport, runStoreBench } from '../../src-main/lab/store/bench.ts'

const report = await runStoreBench({ etcd: !process.argv.includes('--no-etcd'), members: [1, 3], log: (s) => process.stderr.write(s) })
mkdirSync('bench-results', { recursive: true })
writeFileSync('bench-results/store.json', JSON.stringify(report, null, 2) + '\n')
process.stdout.write(formatReport(report))
process.stdout.write('saved bench-results/store.json\n')
