import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkpointPath } from '../../../src-main/lab/check-runs.ts'
import { openLab } from '../../../src-main/lab/open-lab.ts'
import type { RunConfig } from '../../../src-shared/types.ts'
import { tempDir } from '../../helpers/tmp.ts'

const dir = tempDir()
const opened = openLab(join(dir, 'lab.db'), { flushEveryMs: 100, checkpointEveryMs: 0 })
const { lab } = opened
afterAll(() => opened.close())

const rms = (n: number, workers = 2): RunConfig => ({
  model: 'twophase', params: { rms: n }, strategy: 'bfs', workers, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false,
})

describe('Lab.resumeRun', () => {
  it('a stopped run resumes from its checkpoint and ends with the exact counts', async () => {
    const started = await lab.startRun(rms(7, 1))
    // Stop once the run is past level 12 (a checkpoint is written at every level end here).
    await new Promise<void>((resolve) => {
      const off = lab.onEvent((e) => {
        if (e.type === 'run-progress' && e.runId === started.id && e.samples.at(-1)!.maxDepth >= 13) {
          off()
          resolve()
        }
      })
    })
    expect(existsSync(checkpointPath(join(dir, 'checkpoints'), join(dir, 'lab.db'), started.id))).toBe(true)
    await lab.stopRun(started.id)
    const stopped = await lab.waitForRun(started.id)
    expect(stopped.status).toBe('stopped')
    expect(stopped.unique).toBeLessThan(296_448)
    const again = await lab.resumeRun(started.id)
    expect(again.status).toBe('running')
    const done = await lab.waitForRun(started.id)
    expect(done).toMatchObject({ status: 'done', unique: 296_448, generated: 2_744_706, maxDepth: 23, complete: true, verdict: 'holds' })
    const detail = await lab.getRun(started.id)
    expect(detail.depthHistogram.reduce((a, b) => a + b, 0)).toBe(296_448)
  })

  it('refuses finished or unknown runs; a run stopped before its first checkpoint starts over', async () => {
    const done = await lab.startRun(rms(2))
    await lab.waitForRun(done.id)
    await expect(lab.resumeRun(done.id)).rejects.toThrow(`run ${done.id} is done; only interrupted or stopped runs can be resumed`)
    await expect(lab.resumeRun(999_999)).rejects.toThrow(/no run with id 999999/)
    // stopped before any checkpoint: it starts over and still ends with the exact counts
    const early = await lab.startRun(rms(5))
    await lab.stopRun(early.id)
    expect((await lab.waitForRun(early.id)).status).toBe('stopped')
    await lab.resumeRun(early.id)
    expect(await lab.waitForRun(early.id)).toMatchObject({ status: 'done', unique: 8832, maxDepth: 17 })
  })
})
