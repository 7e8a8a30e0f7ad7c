// A checkpoint folder that cannot be made (its path runs through a file) costs the run its checkpoints, not the run:
// it ends done with the full counts, and nothing blames the model.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openLab } from '../../../src-main/lab/open-lab.ts'
import { tempDir } from '../../helpers/tmp.ts'

describe('checkpoint folder', () => {
  it('a run whose checkpoint folder cannot be made still ends done, with the same counts', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'not-a-folder'), 'a file where the checkpoint folder would be\n')
    const opened = openLab(join(dir, 'lab.db'), { modelsDir: null, checkpointDir: join(dir, 'not-a-folder', 'checkpoints'), checkpointEveryMs: 0 })
    try {
      const run = await opened.lab.startRun({ model: 'twophase', params: { rms: 3 }, strategy: 'bfs', workers: 2, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false })
      const done = await opened.lab.waitForRun(run.id)
      expect(done).toMatchObject({ status: 'done', unique: 288, generated: 1146, maxDepth: 11, error: null })
    } finally {
      await opened.close()
    }
  })

  it('a checkpoint folder that is missing is made by the run', async () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'db'))
    const opened = openLab(join(dir, 'db', 'lab.db'), { modelsDir: null, checkpointDir: join(dir, 'deep', 'er', 'checkpoints'), checkpointEveryMs: 0 })
    try {
      const run = await opened.lab.startRun({ model: 'twophase', params: { rms: 3 }, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false })
      expect(await opened.lab.waitForRun(run.id)).toMatchObject({ status: 'done', unique: 288, error: null })
    } finally {
      await opened.close()
    }
  })
})
