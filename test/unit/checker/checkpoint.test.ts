import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { readCheckpointMeta } from '../../../src-main/checker/checkpoint.ts'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkRequest, runCheck } from '../../../src-main/lab/check-runner.ts'
import type { RunConfig } from '../../../src-shared/types.ts'
import { tempDir } from '../../helpers/tmp.ts'

const rms7: RunConfig = {
  model: 'twophase', params: { rms: 7, bug: false }, strategy: 'bfs', workers: 2, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false,
}

describe('checkpoint and resume', () => {
  it('twophase rms=7: a run that crashes after level 12 and is resumed ends with the same counts as an uninterrupted run', async () => {
    const file = join(tempDir(), 'run.ckpt')
    const crashed = await runCheck(checkRequest(rms7, { checkpoint: { file, everyMs: 0 }, testCrashAfterCheckpointDepth: 12 }), () => {}).done
    expect(crashed).toMatchObject({ ok: false, message: 'checker worker exited with code 75' })
    expect(existsSync(file)).toBe(true)
    const [resumed, straight] = await Promise.all([
      runCheck(checkRequest(rms7, { checkpoint: { file, everyMs: 0, resume: true } }), () => {}).done,
      runCheck(checkRequest(rms7), () => {}).done,
    ])
    if (!resumed.ok || !straight.ok) throw new Error('a run failed')
    const figures = (r: typeof resumed.result) => [r.unique, r.generated, r.maxDepth, r.complete, r.depthHistogram]
    expect(figures(resumed.result)).toEqual(figures(straight.result))
    expect([resumed.result.unique, resumed.result.generated, resumed.result.maxDepth]).toEqual([296_448, 2_744_706, 23])
    expect(resumed.result.properties.map((p) => p.status)).toEqual(['holds', 'holds'])
    expect(existsSync(file)).toBe(false) // a finished run removes its checkpoint
  })
})

describe('checkpoint and resume with one explorer (frontier held as objects, encoded for the checkpoint)', () => {
  const cases: [string, RunConfig, number][] = [
    ['twophase rms=5', { ...rms7, params: { rms: 5, bug: false }, workers: 1 }, 9],
    ['statefulset-available × monotonic-session × 2', { ...rms7, model: 'statefulset-available', params: { consistency: 'monotonic-session', instances: 2 }, workers: 1 }, 6],
  ]
  for (const [name, config, depth] of cases) {
    it(`${name}: crashed after level ${depth} and resumed, the same counts and verdicts as an uninterrupted run`, async () => {
      const file = join(tempDir(), 'run.ckpt')
      const crashed = await runCheck(checkRequest(config, { checkpoint: { file, everyMs: 0 }, testCrashAfterCheckpointDepth: depth }), () => {}).done
      expect(crashed).toMatchObject({ ok: false, message: 'checker worker exited with code 75' })
      const [resumed, straight] = await Promise.all([
        runCheck(checkRequest(config, { checkpoint: { file, everyMs: 0, resume: true } }), () => {}).done,
        runCheck(checkRequest(config), () => {}).done,
      ])
      if (!resumed.ok || !straight.ok) throw new Error('a run failed')
      const figures = (r: typeof resumed.result) => [r.unique, r.generated, r.maxDepth, r.complete, r.depthHistogram, r.properties.map((p) => [p.name, p.status])]
      expect(resumed.result.complete).toBe(true)
      expect(resumed.result.depthHistogram.length).toBeGreaterThan(depth)
      expect(figures(resumed.result)).toEqual(figures(straight.result))
    })
  }
})

describe('checkpoints written beside the search', () => {
  // everyMs 1: a checkpoint at a level end whenever none is being written and the last pause was a tenth of the time
  // since; each write starts 150 ms late, so writes overlap the next levels and the last one outlives the search.
  const config: RunConfig = { ...rms7, params: { rms: 5, bug: false }, workers: 1 }
  it('the last one written is whole and resumes to the counts of an uninterrupted run; without keep none is left', async () => {
    const dir = tempDir()
    const kept = join(dir, 'kept.ckpt')
    const gone = join(dir, 'gone.ckpt')
    const [withKeep, without, straight] = await Promise.all([
      runCheck(checkRequest(config, { checkpoint: { file: kept, everyMs: 1, keep: true }, testCheckpointDelayMs: 150 }), () => {}).done,
      runCheck(checkRequest(config, { checkpoint: { file: gone, everyMs: 1 }, testCheckpointDelayMs: 150 }), () => {}).done,
      runCheck(checkRequest(config), () => {}).done,
    ])
    if (!withKeep.ok || !without.ok || !straight.ok) throw new Error('a run failed')
    expect(existsSync(gone)).toBe(false)
    expect(existsSync(`${gone}.tmp`)).toBe(false)
    const meta = readCheckpointMeta(kept)
    expect(meta.hist.length).toBeGreaterThan(0)
    expect(meta.hist).toEqual(straight.result.depthHistogram.slice(0, meta.hist.length))
    const resumed = await runCheck(checkRequest(config, { checkpoint: { file: kept, everyMs: 0, resume: true } }), () => {}).done
    if (!resumed.ok) throw new Error(resumed.message)
    const figures = (r: typeof straight.result) => [r.unique, r.generated, r.maxDepth, r.complete, r.depthHistogram]
    expect(figures(resumed.result)).toEqual(figures(straight.result))
    expect(figures(withKeep.result)).toEqual(figures(straight.result))
  })
  it('a checkpoint that cannot be written fails the run, naming it, even when written beside the search', async () => {
    // The checkpoint's place is taken by a folder with a file in it: the final rename fails.
    const file = join(tempDir(), 'taken')
    mkdirSync(file)
    writeFileSync(join(file, 'x'), 'x')
    const r = await runCheck(checkRequest(config, { checkpoint: { file, everyMs: 1 }, testCheckpointDelayMs: 150 }), () => {}).done
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.message).toMatch(/taken/)
  })
})
