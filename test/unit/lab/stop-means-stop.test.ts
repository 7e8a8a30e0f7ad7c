// A model whose step never returns must not keep a run alive: a stop, a timeout, SIGTERM and the first Ctrl-C end
// it (the threads running the model are terminated after a short grace), and the run is saved as stopped.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { openLab } from '../../../src-main/lab/open-lab.ts'
import type { RunConfig } from '../../../src-shared/types.ts'
import { CLI } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/tmp.ts'

const dir = tempDir()
const endless = fileURLToPath(new URL('../checker/fixtures/endless.ts', import.meta.url))
const db = join(dir, 'stop.db')
const opened = openLab(db, { flushEveryMs: 100 })
afterAll(() => opened.close())

const config = (timeout: number, strategy: RunConfig['strategy'] = 'bfs'): RunConfig => ({
  model: 'endless', params: {}, strategy, workers: 1, maxDepth: 0, timeout, seed: 1, stopOnViolation: false,
})

describe('stop means stop', () => {
  it('a stop ends a run whose model loops forever; it is saved as stopped with the cause', async () => {
    const { lab } = opened
    await lab.addModelFile(endless)
    const run = await lab.startRun(config(0))
    // Wait until the explorer is inside the endless step (states 0..3 stored, 3 being expanded).
    await new Promise<void>((resolve) => {
      const off = lab.onEvent((e) => {
        if (e.type === 'run-progress' && e.runId === run.id && e.samples.at(-1)!.unique >= 4) {
          off()
          resolve()
        }
      })
    })
    await new Promise((r) => setTimeout(r, 300))
    await lab.stopRun(run.id)
    const done = await lab.waitForRun(run.id)
    expect(done.status).toBe('stopped')
    expect(done.error).toMatch(/did not return within .* of the stop/)
    expect(done.unique).toBe(4)
  })

  it('a timeout ends it too, with every strategy', async () => {
    const { lab } = opened
    for (const strategy of ['bfs', 'sim', 'auto'] as const) {
      const run = await lab.startRun(config(1, strategy))
      const done = await lab.waitForRun(run.id)
      expect([strategy, done.status]).toEqual([strategy, 'stopped'])
      expect(done.error).toMatch(/timeout/)
    }
  })

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`the CLI ends on the first ${signal} and saves the run as stopped`, async () => {
      const file = join(dir, `${signal}.db`)
      const child = spawn(process.execPath, [CLI, 'check', '--model-file', endless, '--db', file, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d) => (stdout += d))
      child.stderr.on('data', (d) => (stderr += d))
      // Once progress is printed the run is going (and the model stuck); then the signal.
      await new Promise<void>((resolve) => child.stderr.on('data', () => /generated/.test(stderr) && resolve()))
      child.kill(signal)
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      expect(code, stderr).toBe(130)
      expect(JSON.parse(stdout)).toMatchObject({ status: 'stopped' })
    })
  }
})
