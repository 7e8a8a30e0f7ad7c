// Several processes opening the same new database at the same moment: each waits its turn for the migrations and
// none fails (before, the second one to migrate met "duplicate column name"). Then several processes writing their
// runs' samples into one file at once (as shards of one check do): each write waits for the lock instead of failing
// (before, a batch that read before writing met "database is locked" when another process wrote in between).
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../../../../src-main/lab/db/migrations.ts'
import { runNode } from '../../../helpers/cli.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const repoModule = resolve(import.meta.dirname, '../../../../src-main/lab/db/run-repository.ts')

/** A process that loads the repository, waits for the agreed instant, opens `file` and prints the schema version. */
function opener(file: string, at: number): Promise<{ code: number | null; out: string; err: string }> {
  return node(`
    const { RunRepository } = await import(${JSON.stringify(repoModule)})
    while (Date.now() < ${at}) {}
    const repo = RunRepository.open(${JSON.stringify(file)})
    repo.createRun({ model: 'twophase', params: {}, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false }, new Date().toISOString())
    process.stdout.write('opened')
    repo.close()
  `)
}

/** A process that opens `file`, starts a run and, from the agreed instant, appends `batches` batches of samples to it. */
function writer(file: string, at: number, batches: number): Promise<{ code: number | null; out: string; err: string }> {
  return node(`
    const { RunRepository } = await import(${JSON.stringify(repoModule)})
    const repo = RunRepository.open(${JSON.stringify(file)})
    const id = repo.createRun({ model: 'twophase', params: {}, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false }, new Date().toISOString())
    while (Date.now() < ${at}) {}
    for (let b = 0; b < ${batches}; b++) {
      const samples = [0, 1, 2].map((i) => ({ elapsedMs: b * 750 + i * 250, generated: b, unique: b, queue: 0, maxDepth: 1, generatedPerSec: 0, uniquePerSec: 0, memoryBytes: 0 }))
      repo.appendSamples(id, samples)
    }
    process.stdout.write('wrote')
    repo.close()
  `)
}

/** A Node process running `script` as a module: its exit code and output. */
async function node(script: string): Promise<{ code: number | null; out: string; err: string }> {
  const r = await runNode(['--input-type=module', '-e', script])
  return { code: r.code, out: r.stdout, err: r.stderr }
}

describe('opening one new database from several processes at once', () => {
  it('every process opens and migrates it, and all their runs are saved', async () => {
    const dir = tempDir()
    const processes = 4
    for (let round = 0; round < 4; round++) {
      const file = join(dir, `race-${round}.db`)
      const at = Date.now() + 1200
      const results = await Promise.all(Array.from({ length: processes }, () => opener(file, at)))
      for (const r of results) expect({ code: r.code, out: r.out }, r.err).toEqual({ code: 0, out: 'opened' })
      const db = new Database(file, { readonly: true })
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
        expect(db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: processes })
      } finally {
        db.close()
      }
    }
  })
})

describe('several processes writing one database at once', () => {
  it('every batch waits for the lock and is saved', async () => {
    const file = join(tempDir(), 'writers.db')
    const processes = 4
    const batches = 300
    // Opened (and migrated) once first, so the race is between writes alone.
    expect(await opener(file, 0)).toMatchObject({ code: 0 })
    const at = Date.now() + 1500
    const results = await Promise.all(Array.from({ length: processes }, () => writer(file, at, batches)))
    for (const r of results) expect({ code: r.code, out: r.out }, r.err).toEqual({ code: 0, out: 'wrote' })
    const db = new Database(file, { readonly: true })
    try {
      const perRun = db.prepare('SELECT run_id, count(*) AS n FROM samples GROUP BY run_id').all() as { n: number }[]
      expect(perRun).toHaveLength(processes)
      for (const r of perRun) expect(r.n).toBeGreaterThan(0)
    } finally {
      db.close()
    }
  })
})
