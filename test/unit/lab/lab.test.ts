import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openLab } from '../../../src-main/lab/open-lab.ts'
import type { LabEvent, RunConfig } from '../../../src-shared/types.ts'
import { parseCsvObjects } from '../../helpers/csv-parse.ts'
import { tempDir } from '../../helpers/tmp.ts'

const dir = tempDir()
const opened = openLab(join(dir, 'lab.db'), { flushEveryMs: 100 })
const { lab } = opened
afterAll(() => opened.close())

const twophase = (params: RunConfig['params']): RunConfig => ({
  model: 'twophase', params, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false,
})

describe('Lab (worker threads + SQLite)', () => {
  it('runs a check in a worker, streams events, and saves the result', async () => {
    const events: LabEvent[] = []
    const off = lab.onEvent((e) => events.push(e))
    const started = await lab.startRun(twophase({ rms: 3 }))
    expect(started.status).toBe('running')
    const done = await lab.waitForRun(started.id)
    off()
    expect(done).toMatchObject({ status: 'done', unique: 288, generated: 1146, maxDepth: 11, verdict: 'holds', complete: true })
    expect(events[0]).toMatchObject({ type: 'run-started' })
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', run: { id: started.id, unique: 288 } })
    const detail = await lab.getRun(started.id)
    expect(detail.depthHistogram.reduce((a, b) => a + b, 0)).toBe(288)
    expect(detail.properties.map((p) => p.status)).toEqual(['holds', 'holds'])
  })

  it('keeps the main thread free while a long check runs, and stops it within a second as "stopped"', async () => {
    const started = await lab.startRun(twophase({ rms: 9 }))
    // Timers keep firing on this thread while the worker explores.
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    await new Promise((r) => setTimeout(r, 700))
    clearInterval(timer)
    expect(ticks).toBeGreaterThan(30)
    const asked = performance.now()
    await lab.stopRun(started.id)
    const done = await lab.waitForRun(started.id)
    expect(performance.now() - asked).toBeLessThan(1000)
    expect(done.status).toBe('stopped')
    expect(done.complete).toBe(false)
    expect(done.unique).toBeGreaterThan(0)
    expect(done.verdict).toBe('unknown')
    const detail = await lab.getRun(started.id)
    expect(detail.samples.length).toBeGreaterThan(0)
    expect(detail.samples.at(-1)!.unique).toBeLessThanOrEqual(done.unique)
  })

  it('rejects a bad config naming the field, and saves nothing', async () => {
    const before = (await lab.listRuns()).length
    await expect(lab.startRun(twophase({ rms: -1 }))).rejects.toThrow(/parameter "rms" must be between 1 and 12/)
    await expect(lab.startRun({ ...twophase({}), workers: 0 })).rejects.toThrow(/workers must be a whole number/)
    await expect(lab.startRun({ ...twophase({}), model: 'nope' })).rejects.toThrow(/unknown model "nope"/)
    expect((await lab.listRuns()).length).toBe(before)
  })

  it('exports saved runs as CSV reports that a plain parser reads', async () => {
    const a = await lab.startRun(twophase({ rms: 2 }))
    const b = await lab.startRun(twophase({ rms: 3, bug: true }))
    await Promise.all([lab.waitForRun(a.id), lab.waitForRun(b.id)])
    const summary = parseCsvObjects(await lab.exportCsv([a.id, b.id], 'summary'))
    expect(summary.map((r) => [r.run_id, r.unique_states, r.verdict])).toEqual([
      [String(a.id), '56', 'holds'],
      [String(b.id), '623', 'violated'],
    ])
    expect(summary[1].property_consistent).toBe('violated')
    expect(summary[0].started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    const depths = parseCsvObjects(await lab.exportCsv([a.id], 'depths'))
    expect(depths.map((r) => Number(r.unique_states)).reduce((x, y) => x + y, 0)).toBe(56)
    await expect(lab.exportCsv([a.id], 'nope' as never)).rejects.toThrow(/unknown CSV report "nope"/)
    await expect(lab.exportCsv([999_999], 'summary')).rejects.toThrow(/no run with id 999999/)
  })
})
