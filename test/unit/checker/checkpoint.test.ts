import { existsSync } from 'node:fs'
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
