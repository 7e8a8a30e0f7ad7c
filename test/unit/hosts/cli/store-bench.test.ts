// `stabilis store bench` goes through the Lab: a real child process benchmarks a real store, the benchmark is saved as
// a run in the SQLite file given with --db (as the app saves its own), the CLI prints its id, and the Lab reads the
// same run back.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openLab } from '../../../../src-main/lab/open-lab.ts'
import { runCli } from '../../../helpers/cli.ts'
import { tempDir } from '../../../helpers/tmp.ts'

describe('stabilis store bench', () => {
  it('saves the benchmark as a run in the database and prints its id', async () => {
    const db = join(tempDir('stabilis-bench-cli-'), 'lab.db')
    const args = ['store', 'bench', '--replicas', '1', '--size', 'quick', '--ops', '200', '--rounds', '1', '--db', db]
    const json = await runCli([...args, '--json'])
    expect(json.code, json.stderr).toBe(0)
    const out = JSON.parse(json.stdout) as { runId: number; status: string; systems: { system: string; members: number; workloads: { workload: string; ops: number }[] }[] }
    expect(out.status).toBe('done')
    expect(json.stderr).toMatch(/^ {2}stabilis ×1 sequential puts: [\d,]+ ops\/s, p99 [\d.]+ ms$/m)
    const text = await runCli(args)
    expect(text.code, text.stderr).toBe(0)
    const id = Number(/^store benchmark (\d+) done$/m.exec(text.stdout)?.[1])
    expect(id).toBe(out.runId + 1)

    const { lab, close } = openLab(db)
    try {
      const saved = await lab.getBenchRun(out.runId)
      expect(saved).toMatchObject({ kind: 'store-bench', status: 'done', etcd: 'skipped', options: { size: 'quick', members: [1], concurrentOps: 200, rounds: 1 } })
      expect(saved.report?.systems).toEqual(out.systems)
      expect(saved.report?.systems.map((s) => [s.system, s.members])).toEqual([['stabilis', 1]])
      expect(saved.report?.systems[0].workloads.find((w) => w.workload.includes('in flight'))?.ops).toBe(200)
      expect((await lab.listBenchRuns()).map((r) => r.id).sort()).toEqual([out.runId, id])
    } finally {
      await close()
    }
  })

  it('refuses a bad size with exit 2, saving nothing', async () => {
    const db = join(tempDir('stabilis-bench-cli-'), 'lab.db')
    const r = await runCli(['store', 'bench', '--size', 'huge', '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--size takes full (the default: 10k keys, 5 rounds) or quick, got "huge"')
    expect(existsSync(db)).toBe(false)
  })
})
