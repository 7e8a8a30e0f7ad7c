// Explore by hand through the lab: a path from an initial state (or where a saved trace starts), the actions
// enabled at its end with what each does, property checks, and clear errors for bad input.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openLab } from '../../../src-main/lab/open-lab.ts'
import { tracePath } from '../../../src-shared/trace-path.ts'
import { tempDir } from '../../helpers/tmp.ts'

const dir = tempDir()
const opened = openLab(join(dir, 'explore.db'), { flushEveryMs: 100 })
afterAll(() => opened.close())
const { lab } = opened
const base = { strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false } as const

describe('exploreState', () => {
  it('lists the enabled actions of twophase with their effects, and follows a path', async () => {
    const r = await lab.startRun({ ...base, model: 'twophase', params: { rms: 2 } })
    await lab.waitForRun(r.id)
    const start = await lab.exploreState(r.id, { path: [] })
    expect(start).toMatchObject({ init: 0, inits: 1, path: [], error: null })
    expect(start.steps).toHaveLength(1)
    const names = start.enabled.map((c) => c.action)
    expect(names).toContain('TMAbort')
    const next = await lab.exploreState(r.id, { path: ['TMAbort'] })
    expect(next.steps.map((s) => s.action)).toEqual([null, 'TMAbort'])
    expect(next.steps[1].state).toEqual(start.enabled.find((c) => c.action === 'TMAbort')!.state)
    expect(next.checks.find((c) => c.name === 'consistent')).toMatchObject({ kind: 'always', holds: true })
  })

  it('starts where a saved lasso starts, and stops early naming an action that cannot be taken', async () => {
    const r = await lab.startRun({ ...base, model: 'ring', params: { n: 4, k: 2 } })
    await lab.waitForRun(r.id)
    const trace = (await lab.getRun(r.id)).properties.find((p) => p.name === 'stabilises')!.trace!
    const v = await lab.exploreState(r.id, { path: tracePath(trace), property: 'stabilises' })
    expect(v.inits).toBe(16)
    expect(v.error).toBeNull()
    expect(v.steps.map((s) => s.state)).toEqual(trace.map((s) => s.state))
    const bad = await lab.exploreState(r.id, { path: ['nope'], init: v.init })
    expect(bad.error).toMatch(/no enabled action "nope"/)
    expect(bad.enabled.length).toBeGreaterThan(0)
  })

  it('refuses bad input with a clear message', async () => {
    const r = (await lab.listRuns())[0]
    await expect(lab.exploreState(r.id, { path: [], init: 99 })).rejects.toThrow(/initial state 99 does not exist; the model has 16/)
    await expect(lab.exploreState(r.id, { path: [3] as unknown as string[] })).rejects.toThrow(/path must be a list of action names/)
    await expect(lab.exploreState(999, { path: [] })).rejects.toThrow(/no run with id 999/)
  })
})
