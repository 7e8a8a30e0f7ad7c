import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { RunRepository } from '../../../../src-main/lab/db/run-repository.ts'
import { MIGRATIONS } from '../../../../src-main/lab/db/migrations.ts'
import type { RunConfig } from '../../../../src-shared/types.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const dir = tempDir()
const config: RunConfig = { model: 'twophase', params: { rms: 3, bug: false }, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false }
const sample = (t: number) => ({ elapsedMs: t, generated: t * 10, unique: t * 2, queue: 5, maxDepth: 3, generatedPerSec: 100, uniquePerSec: 20, memoryBytes: 4096 })

describe('RunRepository', () => {
  it('migrates a new file to the latest schema version', () => {
    const file = join(dir, 'new.db')
    RunRepository.open(file).close()
    const db = new Database(file)
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
  })

  it('keeps saved store benchmarks when the bench table is rebuilt to allow "stopped" (migration 6)', () => {
    const file = join(dir, 'v5.db')
    const db = new Database(file)
    db.exec(MIGRATIONS.slice(0, 5).join('\n'))
    db.pragma('user_version = 5')
    db.prepare(`INSERT INTO bench_runs (status, options, etcd, started_at, report) VALUES ('done', '{"size":"quick"}', 'ran', 't0', '{"systems":[]}')`).run()
    db.close()
    const repo = RunRepository.open(file)
    const [old] = repo.listBenchRuns()
    expect(old).toMatchObject({ status: 'done', etcd: 'ran', startedAt: 't0', report: { systems: [] } })
    repo.finishBenchRun(old.id, { status: 'stopped', report: null, error: null })
    expect(repo.getBenchRun(old.id).status).toBe('stopped')
    repo.close()
  })

  it('saves a run with samples, histogram and property traces, and reads it back after reopening', () => {
    const file = join(dir, 'runs.db')
    const repo = RunRepository.open(file)
    const id = repo.createRun(config, '2026-01-01T00:00:00.000Z')
    repo.appendSamples(id, [sample(250), sample(500)])
    repo.appendSamples(id, [sample(750)])
    repo.finishRun(id, {
      status: 'done', unique: 288, generated: 1146, maxDepth: 11, seconds: 0.5, complete: true, verdict: 'violated', error: null,
      depthHistogram: [1, 3, 7],
      properties: [{ name: 'p', kind: 'always', description: 'd', status: 'violated', trace: [{ index: 0, action: null, state: { a: 1 } }] }],
    })
    repo.close()
    const again = RunRepository.open(file)
    const run = again.getRun(id)
    expect(run.summary).toMatchObject({ id, status: 'done', unique: 288, generated: 1146, maxDepth: 11, complete: true, verdict: 'violated' })
    expect(run.summary.config).toEqual(config)
    expect(run.samples.map((s) => s.elapsedMs)).toEqual([250, 500, 750])
    expect(run.depthHistogram).toEqual([1, 3, 7])
    expect(run.properties[0].trace).toEqual([{ index: 0, action: null, state: { a: 1 } }])
    expect(again.listRuns().map((r) => r.id)).toEqual([id])
    again.close()
  })

  it('keeps liveness evidence (lasso start, counterexample kind, convergence) and the collision probability', () => {
    const repo = RunRepository.open(join(dir, 'liveness.db'))
    const id = repo.createRun(config, '2026-01-01T00:00:00.000Z')
    const convergence = { oscillations: 2, stuck: 0, leavesGoal: 0, worstSteps: 5, unbounded: 3, stepsHistogram: [4, 2, 1] }
    repo.finishRun(id, {
      status: 'done', unique: 16, generated: 40, maxDepth: 4, seconds: 0.1, complete: true, verdict: 'violated', error: null,
      depthHistogram: [1], collisionProbability: 6.9e-18,
      properties: [
        { name: 'stabilises', kind: 'converges', description: 'd', status: 'violated', counterexample: 'oscillation', loopStart: 2, convergence, trace: [] },
        { name: 'plain', kind: 'always', description: 'd', status: 'holds' },
      ],
    } as never)
    const run = repo.getRun(id)
    expect(run.summary.collisionProbability).toBe(6.9e-18)
    expect(run.properties[0]).toMatchObject({ counterexample: 'oscillation', loopStart: 2, convergence })
    expect(run.properties[1]).not.toHaveProperty('counterexample')
    repo.close()
  })

  it('marks a run left "running" by a dead process as interrupted, but not one of a live process', () => {
    const file = join(dir, 'crash.db')
    // A real child process creates a running run and exits without finishing it: as if it crashed.
    const script = `
      import { RunRepository } from ${JSON.stringify(join(import.meta.dirname, '../../../../src-main/lab/db/run-repository.ts'))}
      const repo = RunRepository.open(${JSON.stringify(file)})
      repo.createRun(${JSON.stringify(config)}, new Date().toISOString())
      process.exit(0)`
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
    expect(child.status, child.stderr).toBe(0)
    const repo = RunRepository.open(file)
    const mine = repo.createRun(config, new Date().toISOString())
    expect(repo.markInterrupted()).toBe(1)
    const runs = repo.listRuns()
    expect(runs.find((r) => r.id === mine)!.status).toBe('running')
    expect(runs.find((r) => r.id !== mine)!.status).toBe('interrupted')
    repo.close()
  })

  it('refuses a corrupt file with a clear error and leaves it untouched', () => {
    const file = join(dir, 'corrupt.db')
    writeFileSync(file, 'this is not a database, but a user file worth keeping\n'.repeat(100))
    const before = readFileSync(file)
    expect(() => RunRepository.open(file)).toThrow(/cannot open database ".*corrupt\.db": file is not a database/)
    expect(readFileSync(file).equals(before)).toBe(true)
  })

  it('refuses a database from a newer schema', () => {
    const file = join(dir, 'future.db')
    const db = new Database(file)
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`)
    db.close()
    expect(() => RunRepository.open(file)).toThrow(/newer Stabilis/)
  })

  it('refuses a path it cannot create', () => {
    const file = join(dir, 'plain-file')
    writeFileSync(file, 'x')
    expect(() => RunRepository.open(join(file, 'x.db'))).toThrow(/cannot open database ".*plain-file\/x\.db": EEXIST/)
  })
})
