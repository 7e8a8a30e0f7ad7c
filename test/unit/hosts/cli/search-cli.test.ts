// The portfolio from the command line, and simulation shards as independent processes (as on a cluster), folded by `stabilis merge` into one saved run that
// gives the verdicts, walk totals and counterexample of a single unsharded run.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../../helpers/cli.ts'
import { parseCsvObjects } from '../../../helpers/csv-parse.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const dir = tempDir()

interface Out {
  runId: number
  status: string
  unique: number
  generated: number
  coverage?: { walks: number; walkSteps: number; shards?: number }
  shard?: { index: number; count: number }
  mergedFrom?: number[]
  properties: { name: string; status: string; walk?: number; trace?: { action: string | null }[] }[]
}

const parse = (stdout: string): Out => JSON.parse(stdout) as Out
const verdicts = (o: Out) => o.properties.map((p) => [p.name, p.status, p.walk ?? null, p.trace?.map((s) => s.action) ?? null])

async function shardsAgainstSingle(db: string, model: string[], n: number, walks: number): Promise<{ single: Out; merged: Out; shards: Out[] }> {
  const base = ['check', ...model, '--strategy', 'sim', '--seed', '9', '--walks', String(walks), '--json', '--db', db]
  const single = await runCli(base)
  const shardRuns = await Promise.all(Array.from({ length: n }, (_, i) => runCli([...base, '--shard', `${i}/${n}`])))
  const shards = shardRuns.map((r) => {
    expect(r.code, r.stderr).not.toBe(2)
    return parse(r.stdout)
  })
  const m = await runCli(['merge', ...shards.map((s) => String(s.runId)), '--json', '--db', db])
  expect(m.code, m.stderr).toBe(single.code)
  return { single: parse(single.stdout), merged: parse(m.stdout), shards }
}

describe('stabilis check --shard i/n and stabilis merge', () => {
  it('a model with a violation: merged shards give the single run verdicts, walk and trace', async () => {
    const db = join(dir, 'violated.db')
    const { single, merged, shards } = await shardsAgainstSingle(db, ['twophase', '--set', 'rms=3', '--set', 'bug=true'], 3, 120)
    expect(shards.map((s) => s.shard)).toEqual([0, 1, 2].map((index) => ({ index, count: 3 })))
    expect(single.properties.find((p) => p.name === 'consistent')!.status).toBe('violated')
    expect(verdicts(merged)).toEqual(verdicts(single))
    // Disjoint walk sets that add up to the single run's.
    expect(shards.map((s) => s.coverage!.walks)).toEqual([40, 40, 40])
    expect(merged.coverage).toMatchObject({ walks: 120, walkSteps: single.coverage!.walkSteps, shards: 3 })
    // Counts are sums over the shards (each counts the initial state once more than a single run).
    expect(merged.generated).toBe(shards.reduce((a, s) => a + s.generated, 0))
    expect(merged.generated).toBe(single.generated + 2)
    expect(merged.unique).toBe(shards.reduce((a, s) => a + s.unique, 0))
    expect(merged.mergedFrom).toEqual(shards.map((s) => s.runId))
  })

  it('a model without a violation: unknown in both, the same witness for the reachability property', async () => {
    const db = join(dir, 'clean.db')
    const { single, merged } = await shardsAgainstSingle(db, ['twophase', '--set', 'rms=4'], 4, 100)
    expect(single.properties.find((p) => p.name === 'consistent')!.status).toBe('unknown')
    expect(verdicts(merged)).toEqual(verdicts(single))
    expect(merged.coverage!.walks).toBe(100)
  })

  it('refuses runs that do not belong together, naming them', async () => {
    const db = join(dir, 'bad.db')
    const a = parse((await runCli(['check', 'twophase', '--strategy', 'sim', '--walks', '10', '--shard', '0/2', '--json', '--db', db])).stdout)
    const b = parse((await runCli(['check', 'twophase', '--strategy', 'sim', '--walks', '10', '--shard', '1/2', '--seed', '2', '--json', '--db', db])).stdout)
    const r = await runCli(['merge', String(a.runId), String(b.runId), '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`run ${b.runId} is not from the same split as run ${a.runId}`))
    const bad = await runCli(['check', 'twophase', '--strategy', 'sim', '--shard', '2/2', '--db', db])
    expect(bad.stderr).toMatch(/shard index must be a whole number from 0 to 1, got 2/)
    const bfs = await runCli(['check', 'twophase', '--shard', '0/2', '--db', db])
    expect(bfs.stderr).toMatch(/shard needs strategy sim/)
  })
})

describe('stabilis check --strategy auto', () => {
  it('reports the first violation shrunk, its time, its walk and what was covered; the same again for the seed', async () => {
    const db = join(dir, 'auto.db')
    const deep = fileURLToPath(new URL('../../checker/fixtures/deep.ts', import.meta.url))
    const args = ['check', '--model-file', deep, '--set', 'counters=6', '--set', 'goal=20', '--strategy', 'auto', '--json', '--db', db]
    const [a, b] = await Promise.all([runCli(args), runCli(args)])
    expect(a.code, a.stderr).toBe(1)
    const out = JSON.parse(a.stdout)
    expect(out.firstViolationMs).toBeGreaterThan(0)
    expect(out.coverage.walks).toBeGreaterThan(0)
    const low = out.properties.find((p: { name: string }) => p.name === 'low')
    expect(low.status).toBe('violated')
    expect(low.trace.map((s: { action: string | null }) => s.action)).toEqual([null, ...new Array(20).fill('inc 0')])
    const again = JSON.parse(b.stdout).properties.find((p: { name: string }) => p.name === 'low')
    expect([again.walk, again.trace]).toEqual([low.walk, low.trace])
    const csv = join(dir, 'auto.csv')
    const text = await runCli(['check', '--model-file', deep, '--set', 'goal=20', '--strategy', 'auto', '--db', db, '--csv', csv])
    expect(text.stdout).toMatch(/walks \d+ \(\d+ steps, deepest \d+\); BFS complete to depth \d+/)
    expect(text.stdout).toMatch(/first violation after /)
    const row = parseCsvObjects(readFileSync(csv, 'utf8'))[0]
    expect(Number(row.first_violation_s)).toBeGreaterThan(0)
    expect(Number(row.walks)).toBeGreaterThan(0)
    expect(row).toMatchObject({ strategy: 'auto', seed: '1', property_low: 'violated' })
  })
})
