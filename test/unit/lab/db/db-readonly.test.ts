// A database this process may not write (immutable for root, read-only bits otherwise) can still be listed and
// exported; starting a run on it is refused as bad input naming the file, and the file is left as it was.
import { execFileSync } from 'node:child_process'
import { chmodSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { RunRepository } from '../../../../src-main/lab/db/run-repository.ts'
import { runCli } from '../../../helpers/cli.ts'
import { tempDir } from '../../../helpers/tmp.ts'

function setReadOnly(dir: string, on: boolean): void {
  const paths = [dir, ...readdirSync(dir).map((f) => join(dir, f))]
  if (process.getuid?.() === 0) execFileSync('chattr', [on ? '+i' : '-i', ...(on ? paths.reverse() : paths)])
  else for (const p of paths) chmodSync(p, on ? (p === dir ? 0o555 : 0o444) : p === dir ? 0o755 : 0o644)
}

describe('a read-only database', () => {
  const outDir = tempDir()
  const dir = join(outDir, 'ro')
  const db = join(dir, 'lab.db')

  it('lists and exports its runs, refuses a new run naming the file, and is left unchanged', async () => {
    const made = await runCli(['check', 'twophase', '--set', 'rms=2', '--db', db, '--json'])
    expect(made.code, made.stderr).toBe(0)
    const runId = JSON.parse(made.stdout).runId as number
    const before = readFileSync(db)
    setReadOnly(dir, true)
    afterAll(() => setReadOnly(dir, false))
    try {
      const runs = await runCli(['runs', '--db', db, '--json'])
      expect(runs.code, runs.stderr).toBe(0)
      expect(JSON.parse(runs.stdout)).toEqual([expect.objectContaining({ id: runId, status: 'done', unique: 56 })])
      const text = await runCli(['runs', '--db', db])
      expect(text.stdout).toMatch(new RegExp(`^ +${runId} .* twophase rms=2`))
      const csv = join(outDir, 'runs.csv')
      const exported = await runCli(['export', String(runId), '--csv', csv, '--db', db])
      expect(exported.code, exported.stderr).toBe(0)
      expect(readFileSync(csv, 'utf8')).toMatch(/twophase/)

      const check = await runCli(['check', 'twophase', '--db', db])
      expect(check.code).toBe(2)
      expect(check.stderr).toBe(`stabilis: cannot start a run in database "${db}": it is read-only (its runs can still be listed and exported)\n`)
      expect(readFileSync(db).equals(before)).toBe(true)
      expect(readdirSync(dir)).toEqual(['lab.db'])
    } finally {
      setReadOnly(dir, false)
    }
  })

  it('opened in this process, it says so and reads the same runs', () => {
    setReadOnly(dir, true)
    try {
      const repo = RunRepository.open(db)
      try {
        expect(repo.readOnly).toBe(true)
        expect(repo.listRuns().map((r) => r.model)).toEqual(['twophase'])
        expect(repo.markInterrupted()).toBe(0)
      } finally {
        repo.close()
      }
    } finally {
      setReadOnly(dir, false)
    }
  })

  it('only the file read-only (its folder writable): listed, and a new run refused naming the file', async () => {
    const setFile = (on: boolean): void => {
      if (process.getuid?.() === 0) execFileSync('chattr', [on ? '+i' : '-i', db])
      else chmodSync(db, on ? 0o444 : 0o644)
    }
    setFile(true)
    try {
      const runs = await runCli(['runs', '--db', db, '--json'])
      expect(runs.code, runs.stderr).toBe(0)
      expect(JSON.parse(runs.stdout)).toHaveLength(1)
      const check = await runCli(['check', 'twophase', '--db', db])
      expect(check.code).toBe(2)
      expect(check.stderr).toMatch(/cannot start a run in database ".*lab\.db": it is read-only/)
    } finally {
      setFile(false)
    }
  })
})
