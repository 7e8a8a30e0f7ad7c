import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { csvField, csvTable } from '../../../src-main/lab/csv.ts'
import { openLab } from '../../../src-main/lab/open-lab.ts'
import { csvNumber, snakeName } from '../../../src-shared/csv.ts'
import { matrixCsv, MATRIX_CSV_HEADER } from '../../../src-shared/matrix-csv.ts'
import type { Matrix } from '../../../src-shared/types.ts'
import { parseCsv, parseCsvObjects } from '../../helpers/csv-parse.ts'
import { tempDir } from '../../helpers/tmp.ts'

describe('CSV (RFC 4180)', () => {
  it('quotes fields with commas, quotes and line breaks, and round-trips through a plain parser', () => {
    const rows = [
      ['plain', 'with, comma', 'with "quote"', 'two\r\nlines', 'lf\nonly'],
      [1, 2.5, true, null, ''],
    ]
    const text = csvTable(['a', 'b', 'c', 'd', 'e'], rows)
    expect(text.endsWith('\r\n')).toBe(true)
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c', 'd', 'e'],
      ['plain', 'with, comma', 'with "quote"', 'two\r\nlines', 'lf\nonly'],
      ['1', '2.5', 'true', '', ''],
    ])
  })

  it('leaves non-finite numbers empty rather than writing NaN', () => {
    expect(csvField(Number.NaN)).toBe('')
    expect(csvField(Infinity)).toBe('')
    expect(csvField(-3)).toBe('-3')
  })
})

describe('CSV cells a spreadsheet could run, numbers, names', () => {
  it('turns a text cell starting with =, +, -, @, tab or CR into text; numbers stay numbers', () => {
    for (const s of ['=1+1', '+cmd', '-2+3', '@SUM(A1)', '\tx', '\rx']) expect(csvField(s).replace(/^"|"$/g, '').startsWith(`'${s[0]}`)).toBe(true)
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`)
    expect(csvField('plain-name')).toBe('plain-name')
    expect(csvField(-3)).toBe('-3')
    expect(parseCsv(csvTable(['name'], [['=cmd|calc']]))[1]).toEqual(["'=cmd|calc"])
  })

  it('rounds every non-whole number by one rule: 3 decimals, 3 significant digits when tiny', () => {
    expect(csvNumber(0.4589430960000027)).toBe('0.459')
    expect(csvNumber(5.142857142857143)).toBe('5.143')
    expect(csvNumber(1568)).toBe('1568')
    expect(csvNumber(-0.0004)).toBe('-0.0004')
    expect(csvNumber(2.7105054312137611e-12)).toBe('2.71e-12')
    expect(csvNumber(Number.NaN)).toBe('')
  })

  it('names columns in lower_snake_case', () => {
    expect(snakeName('sts-one-pod-per-ordinal')).toBe('sts_one_pod_per_ordinal')
    expect(snakeName('controllerRestarts')).toBe('controller_restarts')
    expect(snakeName('rms')).toBe('rms')
  })

  it('writes the matrix report one row per cell, pending cells without figures', () => {
    const cell = { scenario: 's', consistency: 'causal', instances: 1, runId: 4, status: 'done', verdict: 'holds', violated: [], unique: 10, seconds: 0.12345, complete: true, error: null, worstSteps: 7 } as const
    const cut = { ...cell, runId: 5, verdict: 'unknown', complete: false, worstSteps: null, frontier: { depth: 11, states: 121218, before: 57611, beyond: 124386 } }
    const m = { id: 2, cells: [cell, { ...cell, runId: null, status: 'pending', verdict: 'unknown', complete: false, worstSteps: null }, cut] } as unknown as Matrix
    const rows = parseCsvObjects(matrixCsv(m))
    expect(Object.keys(rows[0])).toEqual([...MATRIX_CSV_HEADER])
    expect(rows[0]).toMatchObject({ matrix_id: '2', run_id: '4', status: 'done', verdict: 'holds', duration_s: '0.123', worst_steps: '7', bfs_whole_depth: '' })
    expect(rows[1]).toMatchObject({ run_id: '', status: 'pending', unique_states: '', worst_steps: '' })
    expect(rows[2]).toMatchObject({ verdict: 'unknown', bfs_whole_depth: '11', states_at_depth: '121218', states_depth_before: '57611', states_found_deeper: '124386' })
  })
})

describe('CSV reports of real runs', () => {
  const dir = tempDir()
  const opened = openLab(join(dir, 'csv.db'), { flushEveryMs: 100 })
  afterAll(() => opened.close())
  const { lab } = opened
  const base = { strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false } as const

  it('carries convergence (worst steps, oscillations, …) in summary, comparison and the convergence report; snake_case headers', async () => {
    const ok = await lab.startRun({ ...base, model: 'ring', params: { n: 4, k: 3 } })
    const bad = await lab.startRun({ ...base, model: 'ring', params: { n: 4, k: 2 } })
    const sts = await lab.startRun({ ...base, model: 'statefulset-stale-reads', params: { consistency: 'synchronous', nodeRestarts: 1, history: 3, sparePod: false } })
    await Promise.all([ok, bad, sts].map((r) => lab.waitForRun(r.id)))
    const okConv = (await lab.getRun(ok.id)).properties.find((p) => p.name === 'stabilises')!.convergence!
    expect(okConv.worstSteps).toBeGreaterThan(0)

    const summary = parseCsvObjects(await lab.exportCsv([ok.id, bad.id], 'summary'))
    expect(summary[0]).toMatchObject({ property_stabilises: 'holds', stabilises_worst_steps: String(okConv.worstSteps), stabilises_oscillations: '0' })
    expect(summary[1]).toMatchObject({ property_stabilises: 'violated', stabilises_oscillations: '1', stabilises_unbounded_states: '8' })

    const stsRow = parseCsvObjects(await lab.exportCsv([sts.id], 'summary'))[0]
    const headers = Object.keys(stsRow)
    expect(headers).toContain('param_controller_restarts')
    expect(headers).toContain('property_sts_one_pod_per_ordinal')
    expect(headers).toContain('converges_worst_steps')
    for (const h of headers) expect(h).toMatch(/^[a-z0-9_]+$/)

    const hist = parseCsvObjects(await lab.exportCsv([ok.id], 'convergence'))
    expect(hist.reduce((a, r) => a + Number(r.states), 0)).toBe(okConv.stepsHistogram.reduce((a, n) => a + n, 0))
    expect(Math.max(...hist.filter((r) => r.states !== '0').map((r) => Number(r.steps)))).toBe(okConv.worstSteps)

    const cmp = parseCsvObjects(await lab.exportCsv([ok.id, bad.id], 'comparison'))
    const worst = cmp.find((r) => r.field === 'stabilises_worst_steps')!
    expect(worst.section).toBe('convergence')
    expect(worst[`run_${ok.id}`]).toBe(String(okConv.worstSteps))
    const osc = cmp.find((r) => r.field === 'stabilises_oscillations')!
    expect(osc[`delta_run_${bad.id}_vs_run_${ok.id}`]).toBe('1')
  })

  it('exports a run name starting with = as text', async () => {
    const r = await lab.startRun({ ...base, model: 'twophase', params: { rms: 1 } })
    await lab.waitForRun(r.id)
    await lab.updateRun(r.id, { name: '=HYPERLINK("http://evil")', notes: '@SUM(1)', tags: ['+x', '-y'] })
    const row = parseCsvObjects(await lab.exportCsv([r.id], 'summary'))[0]
    expect(row.name).toBe(`'=HYPERLINK("http://evil")`)
    expect(row.notes).toBe(`'@SUM(1)`)
    expect(row.tags).toBe(`'+x -y`)
    expect(row.duration_s).toMatch(/^\d+(\.\d{1,3})?$/)
  })
})
