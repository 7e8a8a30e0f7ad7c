// `npm run bench`: every benchmark in turn, each as its own process so one does not warm or load the other.
// Results: bench-results/checker.json, models.json and store.json.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const benches = ['checker.ts', 'models.ts', 'store.ts']
let failed = 0
for (const b of benches) {
  process.stderr.write(`\n== ${b}\n`)
  const r = spawnSync(process.execPath, [join(import.meta.dirname, b)], { stdio: 'inherit' })
  if (r.status !== 0) {
    failed++
    process.stderr.write(`${b} exited with ${r.status ?? r.signal}\n`)
  }
}
process.exitCode = failed ? 1 : 0
