// The CLI side of the lab bench: replay a saved trace or a path, export a comparison (by runs or a saved one).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { openLab } from '../../../../src-main/lab/open-lab.ts'
import { runCli } from '../../../helpers/cli.ts'
import { parseCsvObjects } from '../../../helpers/csv-parse.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const dir = tempDir()
const db = join(dir, 'cli-bench.db')
let bugRun = 0
let okRuns: number[] = []

beforeAll(async () => {
  const bug = await runCli(['check', 'twophase', '--set', 'rms=3', '--set', 'bug=true', '--json', '--db', db])
  bugRun = JSON.parse(bug.stdout).runId
  okRuns = []
  for (const rms of ['2', '3']) okRuns.push(JSON.parse((await runCli(['check', 'twophase', '--set', `rms=${rms}`, '--json', '--db', db])).stdout).runId)
})

describe('stabilis replay', () => {
  it('--property reproduces the saved counterexample (exit 0) and marks the violating step', async () => {
    const r = await runCli(['replay', String(bugRun), '--property', 'consistent', '--db', db])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/reproduced: reproduced 3 steps; consistent is violated at step 3/)
    expect(r.stdout).toMatch(/3\. \S+ {2}<- consistent/)
    expect(r.stdout).toMatch(/^path: TMCommit;/m)
  })

  it('--path replays a path; a path the model cannot take exits 1 naming the step', async () => {
    const json = JSON.parse((await runCli(['replay', String(bugRun), '--property', 'consistent', '--json', '--db', db])).stdout)
    const ok = await runCli(['replay', String(bugRun), '--path', json.path.join(';'), '--json', '--db', db])
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ reproduced: true, steps: json.steps })
    const bad = await runCli(['replay', String(bugRun), '--path', 'TMCommit;Nope', '--db', db])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/NOT reproduced: step 2: no enabled action "Nope"/)
  })

  it('marks a lasso: its type, the loop start and the way back', async () => {
    const check = await runCli(['check', 'ring', '--set', 'n=4', '--set', 'k=2', '--json', '--db', db])
    const runId = JSON.parse(check.stdout).runId as number
    const r = await runCli(['replay', String(runId), '--property', 'stabilises', '--db', db])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/property stabilises \(oscillation\): 8 of 8 steps replayed/)
    expect(r.stdout).toMatch(/ 0\. \(initial state\) +<- loop starts here/)
    expect(r.stdout).toMatch(/\(back to step 0, forever\)/)
  })

  it('bad input exits 2 with a message', async () => {
    expect((await runCli(['replay', '--db', db])).code).toBe(2)
    const none = await runCli(['replay', String(bugRun), '--db', db])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/--property NAME or --path/)
    const unknown = await runCli(['replay', '999999', '--property', 'consistent', '--db', db])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/no run with id 999999/)
    const noTrace = await runCli(['replay', String(okRuns[0]), '--property', 'consistent', '--db', db])
    expect(noTrace.code).toBe(2)
    expect(noTrace.stderr).toMatch(/no saved trace/)
  })
})

describe('stabilis export (comparison)', () => {
  it('--report comparison writes runs side by side; --comparison ID exports a saved comparison', async () => {
    const file = join(dir, 'cmp.csv')
    const r = await runCli(['export', ...okRuns.map(String), '--report', 'comparison', '--csv', file, '--db', db])
    expect(r.code, r.stderr).toBe(0)
    const rows = parseCsvObjects(readFileSync(file, 'utf8'))
    expect(rows.find((x) => x.field === 'unique_states')).toMatchObject({ [`run_${okRuns[0]}`]: '56', [`run_${okRuns[1]}`]: '288', differs: 'true' })

    const opened = openLab(db)
    const saved = await opened.lab.saveComparison({ name: 'two', runIds: okRuns })
    await opened.close()
    const file2 = join(dir, 'saved.csv')
    const s = await runCli(['export', '--comparison', String(saved.id), '--csv', file2, '--db', db])
    expect(s.code, s.stderr).toBe(0)
    expect(readFileSync(file2, 'utf8')).toBe(readFileSync(file, 'utf8'))
    const missing = await runCli(['export', '--comparison', '4242', '--csv', file2, '--db', db])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no saved comparison with id 4242/)
  })
})
