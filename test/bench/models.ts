// npm run bench:models — a fixed basket of orchestration cells, this checkout against the code of commit 5f7333f
// (the baseline: checked out beside this one in a temporary git worktree, sharing node_modules), both through the
// real CLI (`stabilis check … --workers 1 --json`), taking turns so the machine's drift hits both alike. Every
// parameter is pinned on the command line, so both explore the same question where their semantics agree; where a
// fix changed the question (causal pruning, fairness), the unique counts differ and the table says so.
// Figures: seconds to the verdict (the whole command: start, exploration, liveness, traces), unique states per
// second of that time, and the ratio; beside them the run's own seconds as both CLIs report them (no process or
// module start, which alone is about 1 s and caps the whole-command ratio of a small cell). Writes bench-results/models.json.
// Options: --rounds N (default 3, median kept), --timeout S (default 600), --cells a,b (indices), --base REV.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : def
}
const rounds = Number(arg('rounds', '3'))
const timeout = Number(arg('timeout', '600'))
const baseRev = arg('base', '5f7333f')
const root = join(import.meta.dirname, '..', '..')

interface Cell {
  scenario: string
  consistency: string
  instances: number
  nodes: number
  replicas?: number
  history?: number
  userActions?: number
  nodeRestarts?: number
  controllerRestarts?: number
  /** Time to the first violation (BFS stopping on it) rather than a complete verdict. */
  firstViolation?: boolean
  /** Parameters only this checkout has, set to the baseline's behaviour (e.g. no spare pod). */
  nowOnly?: Record<string, string>
  /** Rounds for a cell whose baseline takes minutes (default: --rounds). */
  rounds?: number
}

/**
 * Parameters every cell of this checkout pins to the baseline's behaviour: its controllers had no expectations (a
 * different model), and acted on every revision (watch-driven reads agree with that only with expectations:
 * docs/models.md, "Unseen writes"). Reductions that keep the verdicts (symmetry, no idle reads, old revisions
 * forgotten) stay on: they are part of the speed.
 */
const NOW_ONLY: Record<string, string> = { expectations: 'false', sameViews: 'true' }

const BASKET: Cell[] = [
  { scenario: 'job-single', consistency: 'resettable-session', instances: 2, nodes: 1 },
  { scenario: 'statefulset-scale', consistency: 'monotonic-session', instances: 2, nodes: 1, userActions: 0 },
  { scenario: 'replicaset-scale', consistency: 'optimistic', instances: 1, nodes: 1 },
  { scenario: 'deployment-create', consistency: 'optimistic', instances: 1, nodes: 1 },
  { scenario: 'statefulset-available', consistency: 'resettable-session', instances: 2, nodes: 1 },
  { scenario: 'deployment-paused', consistency: 'synchronous', instances: 2, nodes: 1 },
  { scenario: 'replicaset-scale', consistency: 'monotonic-session', instances: 1, nodes: 1 },
  { scenario: 'deployment-rolling-update', consistency: 'synchronous', instances: 1, nodes: 1 },
  { scenario: 'deployment-create', consistency: 'monotonic-session', instances: 1, nodes: 1, rounds: 1 },
  { scenario: 'statefulset-stale-reads', consistency: 'resettable-session', instances: 1, nodes: 2, nodeRestarts: 1, firstViolation: true, nowOnly: { sparePod: 'false' } },
  { scenario: 'statefulset-stale-reads', consistency: 'optimistic', instances: 2, nodes: 2, nodeRestarts: 1, firstViolation: true, nowOnly: { sparePod: 'false' } },
]

function argsOf(c: Cell, db: string, now: boolean): string[] {
  const set = (k: string, v: number | undefined): string[] => (v === undefined ? [] : ['--set', `${k}=${v}`])
  return [
    'check', c.scenario, '--consistency', c.consistency, '--workers', '1', '--timeout', String(timeout), '--db', db, '--json',
    ...set('instances', c.instances), ...set('nodes', c.nodes), ...set('replicas', c.replicas), ...set('history', c.history ?? 3),
    ...set('userActions', c.userActions), ...set('nodeRestarts', c.nodeRestarts), ...set('controllerRestarts', c.controllerRestarts ?? 0),
    ...(c.firstViolation ? ['--stop-on-violation'] : []),
    ...(now ? Object.entries({ ...NOW_ONLY, ...c.nowOnly }).flatMap(([k, v]) => ['--set', `${k}=${v}`]) : []),
  ]
}

interface Run {
  /** The whole command, process start included. */
  seconds: number
  /** The run's own time as it reports it (search, liveness, traces; no process or module start). */
  runSeconds: number
  unique: number
  generated: number
  complete: boolean
  verdict: string
  violated: string[]
}

function runOnce(checkout: string, c: Cell): Run {
  const dir = mkdtempSync(join(tmpdir(), 'stabilis-bench-models-'))
  const t = performance.now()
  const r = spawnSync(process.execPath, [join(checkout, 'bin', 'stabilis.js'), ...argsOf(c, join(dir, 'b.db'), checkout === root)], { encoding: 'utf8', maxBuffer: 256 << 20 })
  const seconds = (performance.now() - t) / 1000
  rmSync(dir, { recursive: true, force: true })
  if (r.status !== 0 && r.status !== 1) throw new Error(`${checkout}: ${c.scenario} exited ${r.status}: ${r.stderr.slice(-500)}`)
  const j = JSON.parse(r.stdout) as { seconds: number; unique: number; generated: number; complete?: boolean; status: string; properties: { name: string; status: string }[] }
  const violated = j.properties.filter((p) => p.status === 'violated').map((p) => p.name)
  const unknown = j.properties.some((p) => p.status === 'unknown')
  return { seconds, runSeconds: j.seconds, unique: j.unique, generated: j.generated, complete: j.complete ?? !unknown, verdict: violated.length > 0 ? 'violated' : unknown ? 'unknown' : 'holds', violated }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function baseline(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'stabilis-base-'))
  rmSync(dir, { recursive: true })
  execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', dir, baseRev], { stdio: 'ignore' })
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  return { dir, done: () => execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', dir], { stdio: 'ignore' }) }
}

const picked = arg('cells', '')
const cells = picked ? picked.split(',').map((i) => BASKET[Number(i)]) : BASKET
const base = baseline()
const rows: unknown[] = []
try {
  for (const c of cells) {
    const name = `${c.scenario} · ${c.consistency} · ${c.instances} inst · ${c.nodes} node(s)${c.firstViolation ? ' · first violation' : ''}`
    const ours: Run[] = []
    const theirs: Run[] = []
    for (let i = 0; i < (c.rounds ?? rounds); i++) {
      theirs.push(runOnce(base.dir, c))
      ours.push(runOnce(root, c))
      process.stderr.write(`  ${name}: base ${theirs[i].seconds.toFixed(2)} s (run ${theirs[i].runSeconds.toFixed(2)}), now ${ours[i].seconds.toFixed(2)} s (run ${ours[i].runSeconds.toFixed(2)})\n`)
    }
    const o = ours[0]
    const b = theirs[0]
    const so = median(ours.map((r) => r.seconds))
    const sb = median(theirs.map((r) => r.seconds))
    const ro = median(ours.map((r) => r.runSeconds))
    const rb = median(theirs.map((r) => r.runSeconds))
    rows.push({
      cell: c, name,
      base: { seconds: Number(sb.toFixed(2)), unique: b.unique, generated: b.generated, verdict: b.verdict, violated: b.violated, complete: b.complete, uniquePerSec: Math.round(b.unique / sb), runs: theirs.map((r) => Number(r.seconds.toFixed(2))), runSeconds: Number(rb.toFixed(2)) },
      now: { seconds: Number(so.toFixed(2)), unique: o.unique, generated: o.generated, verdict: o.verdict, violated: o.violated, complete: o.complete, uniquePerSec: Math.round(o.unique / so), runs: ours.map((r) => Number(r.seconds.toFixed(2))), runSeconds: Number(ro.toFixed(2)) },
      speedup: Number((sb / so).toFixed(2)),
      runSpeedup: Number((rb / ro).toFixed(2)),
      sameSpace: o.unique === b.unique && o.generated === b.generated,
    })
  }
} finally {
  base.done()
}

const out = { date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, baseRev, rounds, timeoutS: timeout, rows }
mkdirSync(join(root, 'bench-results'), { recursive: true })
writeFileSync(join(root, 'bench-results', 'models.json'), JSON.stringify(out, null, 2) + '\n')
process.stdout.write('| cell | base s | now s | speed-up | run s (base → now) | run speed-up | base unique/s | now unique/s | unique (base → now) | verdict (base → now) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n')
for (const r of rows as { name: string; base: Run & { uniquePerSec: number }; now: Run & { uniquePerSec: number }; speedup: number; runSpeedup: number }[]) {
  process.stdout.write(`| ${r.name} | ${r.base.seconds} | ${r.now.seconds} | ${r.speedup}× | ${r.base.runSeconds} → ${r.now.runSeconds} | ${r.runSpeedup}× | ${r.base.uniquePerSec.toLocaleString('en')} | ${r.now.uniquePerSec.toLocaleString('en')} | ${r.base.unique.toLocaleString('en')} → ${r.now.unique.toLocaleString('en')} | ${r.base.verdict} → ${r.now.verdict} |\n`)
}
if (!existsSync(join(root, 'bench-results', 'models.json'))) process.exitCode = 1
