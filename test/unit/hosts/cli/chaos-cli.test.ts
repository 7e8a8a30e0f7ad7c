// `stabilis store chaos` as a child process: a short run saved in the given database, its verdict on stdout and in
// --json, exit 0 on pass; bad flags exit 2 naming the flag.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openLab } from '../../../../src-main/lab/open-lab.ts'
import { runCli } from '../../../helpers/cli.ts'
import { tempDir } from '../../../helpers/tmp.ts'

describe('stabilis store chaos', () => {
  it('runs, prints the verdict, saves the run, and exits 0 on pass', async () => {
    const db = join(tempDir('stabilis-chaos-cli-'), 'lab.db')
    const history = join(tempDir('stabilis-chaos-history-'), 'history.jsonl')
    const r = await runCli(['store', 'chaos', '--replicas', '2', '--duration', '4', '--nemesis', 'pause', '--clients', '2', '--history', history, '--json', '--db', db])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ status: 'done', verdict: 'pass', lost: 0, converged: true })
    expect(out.acknowledged).toBeGreaterThan(0)
    expect(r.stderr).toMatch(/^chaos: 2 replicas, 2 clients, nemesis pause, 4 s/m)
    // The recorded history: every operation, one per line, in start order.
    const ops = readFileSync(history, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    expect(ops).toHaveLength(out.operations)
    expect(ops.filter((o) => o.type === 'insert' && o.ok)).toHaveLength(out.acknowledged)
    expect(ops.every((o, i) => i === 0 || o.t0 >= ops[i - 1].t0)).toBe(true)
    const { lab, close } = openLab(db)
    try {
      expect((await lab.getChaosRun(out.runId)).report?.verdict).toBe('pass')
    } finally {
      await close()
    }
  })

  it('refuses a bad nemesis and a bad duration with exit 2', async () => {
    const a = await runCli(['store', 'chaos', '--nemesis', 'kill,flood'])
    expect(a.code).toBe(2)
    expect(a.stderr).toContain('--nemesis takes kill, partition, pause (comma-separated) or none, got "flood"')
    const b = await runCli(['store', 'chaos', '--duration', '0'])
    expect(b.code).toBe(2)
    expect(b.stderr).toContain('--duration must be a whole number from 1 to 86400, got "0"')
  })
})
