// The lab saves a run's per-action coverage (a real SQLite file, read back after reopening), exports it as CSV,
// and passes the checker's analysis phases on as 'run-phase' events without adding progress samples.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openLab } from '../../../src-main/lab/open-lab.ts'
import type { LabEvent, PhaseReport, RunConfig } from '../../../src-shared/types.ts'
import { parseCsvObjects } from '../../helpers/csv-parse.ts'
import { tempDir } from '../../helpers/tmp.ts'

const dir = tempDir()
const file = join(dir, 'lab.db')
const config = (model: string, params: RunConfig['params'], strategy: RunConfig['strategy'] = 'bfs'): RunConfig => ({
  model, params, strategy, workers: 2, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false,
})

describe('per-action coverage in the lab', () => {
  const opened = openLab(file, { flushEveryMs: 100 })
  afterAll(() => opened.close())

  it('saves it with the run, exports it, and tells the analysis phases as events', async () => {
    const { lab } = opened
    const phases: PhaseReport[] = []
    let samples = 0
    const off = lab.onEvent((e: LabEvent) => {
      if (e.type === 'run-phase') phases.push(e.phase)
      if (e.type === 'run-progress') samples += e.samples.length
    })
    const run = await lab.startRun(config('ring', { n: 4, k: 3, fair: false }))
    await lab.waitForRun(run.id)
    off()
    const detail = await lab.getRun(run.id)
    expect(detail.summary.status).toBe('done')
    expect(detail.phase).toBeUndefined()
    const actions = detail.actions!
    // ring: every state is an initial state (81 of them), so every step is enabled but none is new.
    expect(actions).toEqual([{ label: 'move(m#)', enabled: detail.summary.generated - 81, newStates: 0 }])
    expect(phases[0]).toMatchObject({ phase: 'checking liveness', unit: 'properties', total: 1 })
    expect(phases.at(-1)).toEqual({ phase: 'done' })
    // Samples are the search's own: the analysis reports add none.
    expect(detail.samples.length).toBeLessThanOrEqual(samples + 1)

    const csv = parseCsvObjects(await lab.exportCsv([run.id], 'actions'))
    expect(csv).toEqual([{ run_id: String(run.id), action: 'move(m#)', enabled: String(actions[0].enabled), new_states: '0', share: '1', never_enabled: 'false' }])
  })

  it('keeps twophase coverage across a reopen, sums to the run’s counts, and has none for a simulation', async () => {
    const { lab } = opened
    const run = await lab.startRun(config('twophase', { rms: 3, bug: false }))
    const done = await lab.waitForRun(run.id)
    const sim = await lab.startRun({ ...config('twophase', { rms: 3, bug: false }, 'sim'), walks: 5 })
    await lab.waitForRun(sim.id)
    const again = openLab(file)
    try {
      const detail = await again.lab.getRun(run.id)
      const actions = detail.actions!
      expect(actions.reduce((a, c) => a + c.enabled, 0)).toBe(done.generated - 1)
      expect(actions.reduce((a, c) => a + c.newStates, 0)).toBe(done.unique - 1)
      expect((await again.lab.getRun(sim.id)).actions).toBeUndefined()
      const rows = parseCsvObjects(await again.lab.exportCsv([run.id, sim.id], 'actions'))
      expect(rows.length).toBe(actions.length)
      expect(rows.reduce((a, r) => a + Number(r.share), 0)).toBeCloseTo(1, 2)
      expect(rows.map((r) => r.action)).toEqual(actions.map((a) => a.label))
    } finally {
      await again.close()
    }
  })
})
