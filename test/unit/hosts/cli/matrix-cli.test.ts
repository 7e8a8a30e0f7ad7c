// `stabilis matrix` as a child process: JSON verdicts per cell, exit 1 on a violation, 2 on bad input, Markdown grid.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../../helpers/cli.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const dir = tempDir()
const db = join(dir, 'cli-matrix.db')

describe('stabilis matrix', () => {
  // 20 s per cell: the violation lies at depth 10 (about 2 s alone); the slack is for a loaded machine.
  it('finds the stale-read StatefulSet bug under resettable-session but not synchronous (exit 1)', async () => {
    const r = await runCli([
      'matrix', 'statefulset-stale-reads', '--consistency', 'synchronous,resettable-session', '--instances', '1',
      '--timeout-per-cell', '20', '--db', db, '--json', '--set', 'nodeRestarts=1', '--set', 'history=3', '--set', 'sparePod=false', '--set', 'expectations=false', '--set', 'idleReads=true', '--set', 'sameViews=true', '--set', 'oldRevisions=true',
    ])
    expect(r.code, r.stderr).toBe(1)
    const out = JSON.parse(r.stdout) as { matrixId: number; cells: { consistency: string; instances: number; verdict: string; violated: string[]; runId: number; unique: number }[] }
    expect(out.matrixId).toBeGreaterThan(0)
    expect(out.cells.map((c) => [c.consistency, c.instances, c.verdict])).toEqual([
      ['synchronous', 1, 'holds'],
      ['resettable-session', 1, 'violated'],
    ])
    expect(out.cells[0]).toMatchObject({ unique: 205, violated: [] })
    expect(out.cells[1].violated).toContain('sts-one-pod-per-ordinal')
    expect(r.stderr).toMatch(/\[2\/2\] statefulset-stale-reads ×1/)

    // The cells are ordinary runs in the same database.
    const runs = await runCli(['runs', '--db', db, '--json'])
    const ids = (JSON.parse(runs.stdout) as { id: number }[]).map((x) => x.id)
    for (const c of out.cells) expect(ids).toContain(c.runId)
  })

  it('prints a Markdown grid and exits 0 when every cell holds', async () => {
    const r = await runCli(['matrix', 'job-single', '--consistency', 'synchronous', '--instances', '1', '--db', db, '--markdown'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      '| scenario | inst | synchronous |',
      '|---|---:|---|',
      expect.stringMatching(/^\| job-single \| 1 \| ✅ holds · 16 · [\d.]+ s \|$/),
    ])
  })

  it('lists saved matrices and prints one again, as Markdown or JSON, from the database alone', async () => {
    const list = await runCli(['matrices', '--db', db, '--json'])
    expect(list.code, list.stderr).toBe(0)
    const saved = JSON.parse(list.stdout) as { id: number; holds: number; violated: number; unknown: number }[]
    expect(saved.length).toBeGreaterThanOrEqual(2)
    const first = saved[saved.length - 1]
    expect(first).toMatchObject({ holds: 1, violated: 1, unknown: 0 })
    const text = await runCli(['matrices', '--db', db])
    expect(text.stdout).toContain(`matrix ${first.id} (done): statefulset-stale-reads × synchronous, resettable-session × instances 1`)
    const md = await runCli(['matrices', String(first.id), '--db', db, '--markdown'])
    expect(md.code, md.stderr).toBe(0)
    expect(md.stdout.split('\n')[2]).toMatch(/^\| statefulset-stale-reads \| 1 \| ✅ holds · 205 · [\d.]+ s \| ❌ pod-on-one-node, sts-one-pod-per-ordinal · /)
    const bad = await Promise.all([
      runCli(['matrices', '999', '--db', db]),
      runCli(['matrices', 'x', '--db', db]),
      runCli(['matrices', '--markdown', '--db', db]),
    ])
    expect(bad.map((r) => r.code)).toEqual([2, 2, 2])
    expect(bad[0].stderr).toMatch(/no matrix with id 999/)
    expect(bad[1].stderr).toMatch(/matrix id must be a whole number, got "x"/)
    expect(bad[2].stderr).toMatch(/--markdown prints one matrix: give its id/)
  })

  it('runs a saved matrix\'s unknown cells again (--unknown-of), with its parameters and a new limit', async () => {
    const cut = await runCli(['matrix', 'statefulset-scale', '--consistency', 'monotonic-session', '--instances', '2', '--max-depth', '5', '--db', db, '--json'])
    expect(cut.code, cut.stderr).toBe(0)
    const first = JSON.parse(cut.stdout) as { matrixId: number; unknown: number }
    expect(first.unknown).toBe(1)
    const again = await runCli(['matrix', '--unknown-of', String(first.matrixId), '--max-depth', '0', '--db', db, '--json'])
    expect(again.code, again.stderr).toBe(0)
    const out = JSON.parse(again.stdout) as { spec: { only: unknown[]; timeoutPerCell: number }; cells: { verdict: string; unique: number }[] }
    expect(out.cells.map((c) => [c.verdict, c.unique])).toEqual([['holds', 1_908]])
    expect(out.spec.only).toEqual([{ scenario: 'statefulset-scale', consistency: 'monotonic-session', instances: 2 }])
    expect(again.stderr).toMatch(/1 chosen cells/)
    const bad = await Promise.all([
      runCli(['matrix', '--unknown-of', '999', '--db', db]),
      runCli(['matrix', '--unknown-of', String(first.matrixId + 1), '--db', db]),
      runCli(['matrix', '--unknown-of', String(first.matrixId), '--consistency', 'causal', '--db', db]),
    ])
    expect(bad.map((r) => r.code)).toEqual([2, 2, 2])
    expect(bad[0].stderr).toMatch(/no matrix with id 999/)
    expect(bad[1].stderr).toMatch(/has no unknown cells/)
    expect(bad[2].stderr).toMatch(/--unknown-of takes the saved matrix's cells and parameters; drop --consistency/)
  })

  it('exits 2 naming the bad field', async () => {
    const cases: [string[], RegExp][] = [
      [['matrix', 'nope', '--instances', '1'], /unknown scenario "nope"/],
      [['matrix', 'job-single', '--consistency', 'strong'], /unknown consistency level "strong"/],
      [['matrix', 'job-single', '--instances', '1,9'], /instances must be a whole number from 1 to 3, got 9/],
      [['matrix', 'job-single', '--instances', 'two'], /--instances must be whole numbers/],
      [['matrix', 'job-single', '--timeout-per-cell', '-3'], /--timeout-per-cell/],
      [['matrix', 'job-single', '--workers', '2'], /unknown flag --workers/],
      [['matrix'], /matrix needs a scenario/],
    ]
    const results = await Promise.all(cases.map(([args]) => runCli([...args, '--db', db])))
    results.forEach((r, i) => {
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(cases[i][1])
    })
  })
})
