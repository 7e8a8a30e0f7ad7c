// The lab bench on a real SQLite file: names, notes and tags; delete with undo; saved comparisons; the comparison
// CSV; trace replay from a saved run. Reopening the file shows the same data.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { RunRepository } from '../../../src-main/lab/db/run-repository.ts'
import { PURGE_AFTER_MS } from '../../../src-main/lab/lab.ts'
import { openLab, type OpenLab } from '../../../src-main/lab/open-lab.ts'
import { sameJson } from '../../../src-shared/json.ts'
import { formatPath, parsePath } from '../../../src-shared/trace-path.ts'
import { compareRows, deltaOf, ratioOf, rowDiffers } from '../../../src-shared/compare.ts'
import type { LabEvent, RunConfig } from '../../../src-shared/types.ts'
import { parseCsv, parseCsvObjects } from '../../helpers/csv-parse.ts'
import { tempDir } from '../../helpers/tmp.ts'

const dir = tempDir()
const file = join(dir, 'bench.db')
let opened: OpenLab = openLab(file, { flushEveryMs: 100 })
afterAll(() => opened.close())

const twophase = (params: RunConfig['params']): RunConfig => ({
  model: 'twophase', params, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false,
})

async function run(params: RunConfig['params']): Promise<number> {
  const s = await opened.lab.startRun(twophase(params))
  await opened.lab.waitForRun(s.id)
  return s.id
}

async function reopen(): Promise<void> {
  await opened.close()
  opened = openLab(file, { flushEveryMs: 100 })
}

describe('runs: name, notes, tags', () => {
  it('updates and keeps them across a reopen, emitting run-updated', async () => {
    const id = await run({ rms: 2 })
    const events: LabEvent[] = []
    const off = opened.lab.onEvent((e) => events.push(e))
    const updated = await opened.lab.updateRun(id, { name: '  baseline  ', notes: 'first try,\nwith "quotes"', tags: ['base', ' small ', 'base', ''] })
    off()
    expect(updated).toMatchObject({ id, name: 'baseline', notes: 'first try,\nwith "quotes"', tags: ['base', 'small'] })
    expect(events.filter((e) => e.type.startsWith('run'))).toEqual([{ type: 'run-updated', run: updated }])
    // A partial patch leaves the other fields alone.
    await opened.lab.updateRun(id, { tags: ['base'] })
    await reopen()
    const again = (await opened.lab.listRuns()).find((r) => r.id === id)
    expect(again).toMatchObject({ name: 'baseline', notes: 'first try,\nwith "quotes"', tags: ['base'], unique: 56 })
  })

  it('names the bad field of a patch', async () => {
    const [r] = await opened.lab.listRuns()
    await expect(opened.lab.updateRun(r.id, { colour: 'red' } as never)).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('"colour"') })
    await expect(opened.lab.updateRun(r.id, { tags: ['a,b'] })).rejects.toThrow(/comma/)
    await expect(opened.lab.updateRun(r.id, { name: 'x'.repeat(201) })).rejects.toThrow(/name/)
    await expect(opened.lab.updateRun(99_999, { name: 'x' })).rejects.toMatchObject({ code: 'not-found' })
  })
})

describe('delete with undo', () => {
  it('hides deleted runs, restores them, and refuses a running one', async () => {
    const id = await run({ rms: 1 })
    await opened.lab.updateRun(id, { name: 'to delete' })
    const events: LabEvent[] = []
    const off = opened.lab.onEvent((e) => events.push(e))
    await opened.lab.deleteRuns([id])
    expect((await opened.lab.listRuns()).some((r) => r.id === id)).toBe(false)
    // Still readable (an open page, an undo) until purged.
    expect((await opened.lab.getRun(id)).summary.name).toBe('to delete')
    await reopen()
    expect((await opened.lab.listRuns()).some((r) => r.id === id)).toBe(false)
    const off2 = opened.lab.onEvent((e) => events.push(e))
    const restored = await opened.lab.restoreRuns([id])
    off()
    off2()
    expect(restored[0]).toMatchObject({ id, name: 'to delete' })
    expect((await opened.lab.listRuns()).some((r) => r.id === id)).toBe(true)
    // Other services (the store) also emit events; only the run events matter here.
    expect(events.map((e) => e.type).filter((t) => t.startsWith('run'))).toEqual(['runs-deleted', 'run-updated'])

    const long = await opened.lab.startRun(twophase({ rms: 9 }))
    await expect(opened.lab.deleteRuns([long.id])).rejects.toThrow(/still running/)
    await opened.lab.stopRun(long.id)
    await opened.lab.waitForRun(long.id)
    await opened.lab.deleteRuns([long.id])
    await expect(opened.lab.deleteRuns([])).rejects.toMatchObject({ code: 'bad-input' })
  })

  it('purges runs deleted longer ago than PURGE_AFTER_MS, with their samples, on start-up', async () => {
    const id = await run({ rms: 1 })
    await opened.lab.deleteRuns([id])
    await opened.close()
    // Age the deletion past the undo window.
    const db = new Database(file)
    db.prepare('UPDATE runs SET deleted_at = ? WHERE id = ?').run(new Date(Date.now() - PURGE_AFTER_MS - 1000).toISOString(), id)
    db.close()
    opened = openLab(file, { flushEveryMs: 100 })
    await expect(opened.lab.getRun(id)).rejects.toMatchObject({ code: 'not-found' })
    await expect(opened.lab.restoreRuns([id])).rejects.toMatchObject({ code: 'not-found' })
    const raw = new Database(file, { readonly: true })
    expect(raw.prepare('SELECT count(*) AS n FROM samples WHERE run_id = ?').get(id)).toEqual({ n: 0 })
    raw.close()
  })
})

describe('comparisons', () => {
  it('saves, renames, lists after a reopen and deletes', async () => {
    const a = await run({ rms: 2 })
    const b = await run({ rms: 3 })
    const saved = await opened.lab.saveComparison({ name: 'rms 2 vs 3', runIds: [a, b] })
    expect(saved).toMatchObject({ name: 'rms 2 vs 3', runIds: [a, b] })
    const renamed = await opened.lab.saveComparison({ id: saved.id, name: 'two vs three', runIds: [b, a] })
    expect(renamed).toMatchObject({ id: saved.id, name: 'two vs three', runIds: [b, a] })
    await reopen()
    expect(await opened.lab.listComparisons()).toContainEqual(renamed)
    await opened.lab.deleteComparison(saved.id)
    expect((await opened.lab.listComparisons()).some((c) => c.id === saved.id)).toBe(false)
    await expect(opened.lab.deleteComparison(saved.id)).rejects.toMatchObject({ code: 'not-found' })
  })

  it('refuses fewer than 2 or more than 4 runs, unknown runs and an empty name', async () => {
    const [r1, r2] = await opened.lab.listRuns()
    await expect(opened.lab.saveComparison({ name: 'x', runIds: [r1.id] })).rejects.toThrow(/2 to 4/)
    await expect(opened.lab.saveComparison({ name: 'x', runIds: [r1.id, r1.id] })).rejects.toThrow(/2 to 4/)
    await expect(opened.lab.saveComparison({ name: 'x', runIds: [1, 2, 3, 4, 5] })).rejects.toThrow(/2 to 4/)
    await expect(opened.lab.saveComparison({ name: ' ', runIds: [r1.id, r2.id] })).rejects.toThrow(/name/)
    await expect(opened.lab.saveComparison({ name: 'x', runIds: [r1.id, 99_999] })).rejects.toMatchObject({ code: 'not-found' })
  })

  it('exports a comparison CSV with one column per run, deltas and ratios against the first', async () => {
    const ids = [await run({ rms: 2 }), await run({ rms: 3 }), await run({ rms: 4 })]
    const csv = await opened.lab.exportCsv(ids, 'comparison')
    const table = parseCsv(csv)
    expect(table[0]).toEqual([
      'section', 'field', `run_${ids[0]}`, `run_${ids[1]}`, `run_${ids[2]}`,
      `delta_run_${ids[1]}_vs_run_${ids[0]}`, `ratio_run_${ids[1]}_vs_run_${ids[0]}`,
      `delta_run_${ids[2]}_vs_run_${ids[0]}`, `ratio_run_${ids[2]}_vs_run_${ids[0]}`, 'differs',
    ])
    const rows = parseCsvObjects(csv)
    const row = (field: string) => rows.find((r) => r.field === field)!
    // 2^N+4^N+6^N unique states: 56, 288, 1568.
    expect([row('unique_states')[`run_${ids[0]}`], row('unique_states')[`run_${ids[1]}`], row('unique_states')[`run_${ids[2]}`]]).toEqual(['56', '288', '1568'])
    expect(row('unique_states')[`delta_run_${ids[2]}_vs_run_${ids[0]}`]).toBe(String(1568 - 56))
    expect(Number(row('unique_states')[`ratio_run_${ids[1]}_vs_run_${ids[0]}`])).toBeCloseTo(288 / 56, 2)
    expect(row('param_rms')).toMatchObject({ section: 'config', differs: 'true', [`delta_run_${ids[1]}_vs_run_${ids[0]}`]: '1' })
    expect(row('strategy')).toMatchObject({ differs: 'false', [`delta_run_${ids[1]}_vs_run_${ids[0]}`]: '' })
    expect(row('property_consistent')).toMatchObject({ section: 'properties', [`run_${ids[0]}`]: 'holds' })
    expect(row('started_at')[`run_${ids[0]}`]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })
})

describe('compare rows', () => {
  it('computes deltas and ratios only for figures, and flags differing rows', async () => {
    const [a, b] = await opened.lab.listRuns()
    const rows = compareRows([await opened.lab.getRun(b.id), await opened.lab.getRun(a.id)])
    const model = rows.find((r) => r.key === 'model')!
    expect(rowDiffers(model)).toBe(false)
    expect(deltaOf(model, 1)).toBeNull()
    const unique = rows.find((r) => r.key === 'unique_states')!
    expect(deltaOf(unique, 1)).toBe(a.unique - b.unique)
    expect(ratioOf(unique, 1)).toBeCloseTo(a.unique / b.unique)
  })
})

describe('trace replay', () => {
  it('reproduces a saved counterexample by re-running the model, and marks the violating step', async () => {
    const id = await run({ rms: 3, bug: true })
    const detail = await opened.lab.getRun(id)
    const saved = detail.properties.find((p) => p.name === 'consistent')!
    expect(saved.status).toBe('violated')
    const r = await opened.lab.replayTrace(id, { property: 'consistent' })
    expect(r).toMatchObject({ runId: id, model: 'twophase', property: 'consistent', reproduced: true, divergedAt: null })
    expect(r.steps.map((s) => s.action)).toEqual(saved.trace!.map((s) => s.action))
    expect(r.steps.every((s, i) => sameJson(s.state, saved.trace![i].state))).toBe(true)
    expect(r.propertyStep).toBe(saved.trace!.length - 1)
    expect(r.message).toMatch(/consistent is violated at step 3/)

    // The same path as text, as the trace explorer copies it.
    const byPath = await opened.lab.replayTrace(id, { path: parsePath(formatPath(r.path)), property: 'consistent' })
    expect(byPath).toMatchObject({ reproduced: true, propertyStep: r.propertyStep })
  })

  it('reports where a path stops replaying, naming the enabled actions', async () => {
    const id = await run({ rms: 2 })
    const r = await opened.lab.replayTrace(id, { path: ['RMPrepare(rm1)', 'Fly(rm9)'] })
    expect(r).toMatchObject({ reproduced: false, divergedAt: 2 })
    expect(r.steps).toHaveLength(2)
    expect(r.message).toMatch(/step 2: no enabled action "Fly\(rm9\)" \(enabled: .*RMPrepare\(rm2\)/)
    await expect(opened.lab.replayTrace(id, { property: 'nope' })).rejects.toThrow(/no property "nope"/)
  })

  it('parses both path forms', () => {
    expect(parsePath('A; B(rm1) ;C')).toEqual(['A', 'B(rm1)', 'C'])
    expect(parsePath('["A;x","B"]')).toEqual(['A;x', 'B'])
    expect(parsePath('')).toEqual([])
  })
})

describe('schema', () => {
  it('migrates a version-1 file, keeping its runs', async () => {
    const old = join(dir, 'v1.db')
    const db = new Database(old)
    const { MIGRATIONS } = await import('../../../src-main/lab/db/migrations.ts')
    db.exec(MIGRATIONS[0])
    db.pragma('user_version = 1')
    db.prepare(`INSERT INTO runs (kind, model, config, status, started_at) VALUES ('check', 'twophase', ?, 'done', '2026-01-01T00:00:00.000Z')`).run(
      JSON.stringify(twophase({ rms: 1 })),
    )
    db.close()
    const repo = RunRepository.open(old)
    expect(repo.listRuns()[0]).toMatchObject({ model: 'twophase', name: '', notes: '', tags: [] })
    repo.close()
  })
})
