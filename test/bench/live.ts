// Live-mode figures (not part of npm test): `node test/bench/live.ts [sweep|seeds|faults|all]` writes
// bench-results/live.json.
//  sweep  — every scenario, no faults, on etcd ×1, etcd ×3 and the store ×3: converged, properties, writes, ms.
//  seeds  — kubernetes#59848 (statefulset-stale-reads, preset stale-node) over 20 seeds on the store ×5 (each
//           controller instance on its own replica), the store ×3 and etcd ×3: how often each property is violated.
//           `seeds "store ×5"` measures one row alone.
//  faults — every scenario with the partition and restart presets on the store ×3 over 5 seeds.
// Seeds vary the generated names, the fault times (jitterMs) and each informer's lag (jitterMs).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { resolveLiveConfig, runLive, type LiveOutcome } from '../../src-main/live/run.ts'
import { LIVE_SCENARIO_IDS } from '../../src-main/live/scenario-setup.ts'
import type { LiveConfig } from '../../src-shared/live-types.ts'

const OUT = join(import.meta.dirname, '../../bench-results/live.json')
const what = process.argv[2] ?? 'all'
const results: Record<string, unknown> = (() => {
  try {
    return JSON.parse(readFileSync(OUT, 'utf8')) as Record<string, unknown>
  } catch {
    return {}
  }
})()

async function one(c: LiveConfig): Promise<LiveOutcome> {
  return runLive(resolveLiveConfig({ durationS: 20, ...c }, () => [] as unknown[]))
}

const brief = (o: LiveOutcome) => ({
  converged: o.convergence.converged,
  steps: o.convergence.steps,
  ms: o.convergence.ms,
  violated: o.properties.filter((p) => p.status === 'violated').map((p) => p.name),
  writes: o.writes.total,
  rejected: o.writes.rejected,
  oscillations: o.oscillations,
  seconds: o.seconds,
})

function save(): void {
  mkdirSync(join(OUT, '..'), { recursive: true })
  writeFileSync(OUT, JSON.stringify(results, null, 2) + '\n')
}

if (what === 'sweep' || what === 'all') {
  const rows = []
  for (const [store, replicas] of [['etcd', 1], ['etcd', 3], ['stabilis', 3]] as const) {
    for (const scenario of LIVE_SCENARIO_IDS) {
      const o = await one({ scenario, store, replicas })
      const row = { scenario, store, replicas, level: o.level, ...brief(o) }
      process.stderr.write(`${JSON.stringify(row)}\n`)
      rows.push(row)
    }
  }
  results.sweep = rows
  save()
}

async function seeded(label: string, c: Omit<LiveConfig, 'seed'>, seeds: number): Promise<unknown> {
  const counts: Record<string, number> = {}
  let converged = 0
  const runs = []
  for (let seed = 1; seed <= seeds; seed++) {
    const o = await one({ ...c, seed })
    const b = brief(o)
    for (const v of b.violated) counts[v] = (counts[v] ?? 0) + 1
    if (b.converged) converged++
    runs.push({ seed, ...b })
    process.stderr.write(`${label} seed ${seed}: ${JSON.stringify(b)}\n`)
  }
  return { ...c, seeds, violations: counts, converged, runs }
}

if (what === 'seeds' || what === 'all') {
  // `seeds <row>` (e.g. `seeds "store ×5"`) measures that row alone and replaces it in the saved results.
  const only = what === 'seeds' ? process.argv[3] : undefined
  const c = { scenario: 'statefulset-stale-reads', faults: 'stale-node', params: { jitterMs: 200 } }
  const rows = [
    { label: 'store ×5', store: 'stabilis', replicas: 5 },
    { label: 'store ×3', store: 'stabilis', replicas: 3 },
    { label: 'etcd ×3', store: 'etcd', replicas: 3 },
  ] as const
  if (only !== undefined && !rows.some((r) => r.label === only)) throw new Error(`no seeds row "${only}"; rows: ${rows.map((r) => r.label).join(', ')}`)
  const before = Array.isArray(results.seeds) ? (results.seeds as { store: string; replicas: number }[]) : []
  const out = []
  for (const r of rows) {
    const kept = before.find((b) => b.store === r.store && b.replicas === r.replicas)
    if (only !== undefined && r.label !== only && kept) out.push(kept)
    else if (only === undefined || r.label === only) out.push(await seeded(r.label, { ...c, store: r.store, replicas: r.replicas }, 20))
  }
  results.seeds = out
  save()
}

if (what === 'faults' || what === 'all') {
  const rows = []
  for (const scenario of LIVE_SCENARIO_IDS) {
    for (const faults of ['partition', 'restart']) {
      rows.push(await seeded(`${scenario} ${faults}`, { scenario, store: 'stabilis', replicas: 3, faults, params: { jitterMs: 200 } }, 5))
    }
  }
  results.faults = rows
  save()
}
