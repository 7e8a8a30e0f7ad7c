// Folding simulation shard runs into one run. Shard i of n ran the global walks i, i+n, … of one seed, so the
// shards of a split are disjoint and together are the walks of one unsharded run: a property violated (or witnessed)
// in any shard is so in the whole, with the lowest-numbered walk's trace — the one an unsharded run reports.
import { badInput } from '../../src-shared/errors.ts'
import type { PropertyResult, RunConfig, RunDetail } from '../../src-shared/types.ts'
import type { RunFinish } from './db/run-repository.ts'

/** The fields every shard of one split shares. */
const sameSplit = (c: RunConfig): string =>
  JSON.stringify([c.model, c.params, c.seed, c.walks ?? null, c.maxDepth, c.shard?.count, c.modelFile ?? null])

/** Checks the shards belong together; names the first that does not. */
export function checkShards(runs: readonly RunDetail[]): void {
  const first = runs[0].summary
  const seen = new Set<number>()
  for (const { summary: s } of runs) {
    if (s.config.strategy !== 'sim' || !s.config.shard) throw badInput(`run ${s.id} is not a simulation shard (check --strategy sim --shard i/n)`)
    if (s.status === 'running') throw badInput(`run ${s.id} is still running; merge it once it has ended`)
    if (s.status === 'failed') throw badInput(`run ${s.id} failed (${s.error ?? 'no message'}); run that shard again before merging`)
    if (sameSplit(s.config) !== sameSplit(first.config)) {
      throw badInput(`run ${s.id} is not from the same split as run ${first.id} (model, parameters, seed, walks, depth and shard count must match)`)
    }
    if (seen.has(s.config.shard.index)) throw badInput(`shard ${s.config.shard.index}/${s.config.shard.count} is given twice (run ${s.id})`)
    seen.add(s.config.shard.index)
  }
}

function mergeProperty(results: readonly PropertyResult[]): PropertyResult {
  const decided = results.filter((p) => p.status !== 'unknown' && p.trace)
  if (decided.length === 0) {
    const { trace: _t, walk: _w, ...rest } = results[0]
    return { ...rest, status: 'unknown' }
  }
  return decided.reduce((a, b) => ((b.walk ?? Infinity) < (a.walk ?? Infinity) ? b : a))
}

/** The merged run's config and figures. */
export function mergeShards(runs: readonly RunDetail[]): { config: RunConfig; finish: Omit<RunFinish, 'verdict'> } {
  checkShards(runs)
  const { shard: _shard, ...base } = runs[0].summary.config
  const config: RunConfig = { ...base, mergedFrom: runs.map((r) => r.summary.id) }
  const sum = (f: (r: RunDetail) => number): number => runs.reduce((a, r) => a + f(r), 0)
  const max = (f: (r: RunDetail) => number): number => Math.max(...runs.map(f))
  const properties = runs[0].properties.map((p, i) => mergeProperty(runs.map((r) => r.properties[i] ?? p)))
  const maxDepth = max((r) => r.summary.maxDepth)
  const stopped = runs.some((r) => r.summary.status !== 'done')
  return {
    config,
    finish: {
      status: stopped ? 'stopped' : 'done',
      unique: sum((r) => r.summary.unique),
      generated: sum((r) => r.summary.generated),
      maxDepth,
      // Shards run side by side: the merged run took as long as its slowest shard.
      seconds: max((r) => r.summary.seconds),
      complete: false,
      error: null,
      depthHistogram: new Array(maxDepth).fill(0),
      properties,
      coverage: {
        walks: sum((r) => r.summary.coverage?.walks ?? 0),
        walkSteps: sum((r) => r.summary.coverage?.walkSteps ?? 0),
        walkDepth: maxDepth,
        shards: runs.length,
      },
    },
  }
}
