// Checkpoints belong to one run of one database: two databases in one folder never resume from each other's
// checkpoints, and a checkpoint that is not the run's (model, parameters, owner) is not used.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkpointPath } from '../../../src-main/lab/check-runs.ts'
import { openLab } from '../../../src-main/lab/open-lab.ts'
import type { Lab } from '../../../src-main/lab/lab.ts'
import type { RunConfig } from '../../../src-shared/types.ts'
import { tempDir } from '../../helpers/tmp.ts'

const dir = tempDir()
const a = openLab(join(dir, 'a.db'), { flushEveryMs: 100, checkpointEveryMs: 0 })
// b writes no checkpoint of its own within the test (one a minute at most).
const b = openLab(join(dir, 'b.db'), { flushEveryMs: 100, checkpointEveryMs: 60_000 })
afterAll(async () => {
  await a.close()
  await b.close()
})

const rms = (n: number): RunConfig => ({
  model: 'twophase', params: { rms: n }, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false,
})
const unique = (n: number): number => 2 ** n + 4 ** n + 6 ** n

/** Starts a run and stops it once it is past `depth` (or at once). */
async function stoppedRun(lab: Lab, config: RunConfig, depth: number): Promise<number> {
  const run = await lab.startRun(config)
  if (depth > 0) {
    await new Promise<void>((resolve) => {
      const off = lab.onEvent((e) => {
        if (e.type === 'run-progress' && e.runId === run.id && e.samples.at(-1)!.maxDepth >= depth) {
          off()
          resolve()
        }
      })
    })
  }
  await lab.stopRun(run.id)
  expect((await lab.waitForRun(run.id)).status).toBe('stopped')
  return run.id
}

describe('checkpoints keyed by database and run', () => {
  it('run 1 of one database never resumes from run 1 of another in the same folder', async () => {
    const runA = await stoppedRun(a.lab, rms(7), 13)
    const runB = await stoppedRun(b.lab, rms(6), 0)
    expect([runA, runB]).toEqual([1, 1])
    const fileA = checkpointPath(join(dir, 'checkpoints'), join(dir, 'a.db'), 1)
    expect(existsSync(fileA)).toBe(true)
    await b.lab.resumeRun(runB)
    expect(await b.lab.waitForRun(runB)).toMatchObject({ status: 'done', unique: unique(6), maxDepth: 20, complete: true })
    // a's own checkpoint is still there and resumes a.
    await a.lab.resumeRun(runA)
    expect(await a.lab.waitForRun(runA)).toMatchObject({ status: 'done', unique: unique(7), generated: 2_744_706, maxDepth: 23 })
  })

  it('a checkpoint that is not the run\'s (another model size, another owner) is not used, and is removed', async () => {
    // a's run 2 writes a checkpoint for rms=7; it is copied where b's run 2 looks for its own.
    const runA = await stoppedRun(a.lab, rms(7), 13)
    const runB = await stoppedRun(b.lab, rms(5), 0)
    const fileB = checkpointPath(join(dir, 'checkpoints'), join(dir, 'b.db'), runB)
    mkdirSync(dirname(fileB), { recursive: true })
    copyFileSync(checkpointPath(join(dir, 'checkpoints'), join(dir, 'a.db'), runA), fileB)
    await b.lab.resumeRun(runB)
    expect(await b.lab.waitForRun(runB)).toMatchObject({ status: 'done', unique: unique(5), maxDepth: 17, complete: true })
    expect(existsSync(fileB)).toBe(false)
  })
})
