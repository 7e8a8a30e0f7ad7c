// The lab bench in real Chromium through the web host: three twophase runs compared side by side (table checked
// against the runs' own figures, comparison CSV parsed), names and notes, delete with undo, the trace explorer
// with keyboard navigation and a copied path that the CLI replays, dark theme, and everything still there after
// a reload. Also the chart performance measurement (figure written to test-results/chart-perf.json).
import { csvNumber, snakeName } from '../../src-shared/csv.ts'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { WebHost } from '../../src-main/hosts/web/server.ts'
import type { OpenLab } from '../../src-main/lab/open-lab.ts'
import { fullPageScreenshot, paintedPixels, SHOTS } from '../helpers/browser.ts'
import { runCli } from '../helpers/cli.ts'
import { parseCsvObjects } from '../helpers/csv-parse.ts'
import { startRunFromForm, useE2eLab } from '../helpers/e2e-lab.ts'

const e2e = useE2eLab()
let opened: OpenLab
let host: WebHost
let page: Page
const consoleErrors = e2e.consoleErrors
const dbFile = e2e.dbFile
const rmsRuns: number[] = []
let bugRun = 0

beforeAll(async () => {
  ;({ opened, host, page } = e2e)
  await page.getByTestId('runs-empty').waitFor()
})

const startFromForm = (params: Record<string, string | boolean>, fields: Record<string, string> = {}): Promise<number> =>
  startRunFromForm(page, host.url, params, fields)

async function waitDone(): Promise<void> {
  await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000 }).toMatch(/^(done|stopped)$/)
}

const shot = (name: string): Promise<void> => fullPageScreenshot(page, name)

const num = (s: string | null): number => Number((s ?? '').replace(/,/g, ''))

describe('the lab bench in Chromium', () => {
  it('runs three twophase checks (rms 2, 3, 4) from the form, names one, and shows a bounded live run with its progress', async () => {
    await page.goto(`${host.url}#/new`)
    await page.getByTestId('new-run-form').waitFor()
    await shot('bench-new-run')
    for (const rms of ['2', '3', '4']) {
      rmsRuns.push(await startFromForm({ rms }))
      await waitDone()
    }
    expect(await page.getByTestId('run-unique').textContent()).toBe('1,568')
    await expect.poll(() => paintedPixels(page, 'chart-depths')).toBeGreaterThan(100)
    await expect(page.getByTestId('run-config').textContent()).resolves.toContain('rms=4')

    // Name, tags and notes, edited in place.
    await page.getByTestId('run-meta-edit').click()
    await page.getByTestId('run-name-input').fill('four managers')
    await page.getByTestId('run-tags-input').fill('twophase, large')
    await page.getByTestId('run-notes-input').fill('The biggest of the three,\nfor the "comparison".')
    await page.getByTestId('run-meta-save').click()
    await expect.poll(() => page.getByTestId('run-name').textContent()).toBe('four managers')
    expect(await page.getByTestId('run-tag').allTextContents()).toEqual(['twophase', 'large'])
    await shot('bench-finished-run')
    const saved = (await opened.lab.getRun(rmsRuns[2])).summary
    expect(saved).toMatchObject({ name: 'four managers', tags: ['twophase', 'large'], notes: 'The biggest of the three,\nfor the "comparison".' })

    // A bounded long run: progress bar with an ETA, then stopped.
    const live = await startFromForm({ rms: '9' }, { timeout: '30' })
    await page.getByTestId('run-progress').waitFor({ timeout: 10_000 })
    await expect.poll(async () => num(await page.getByTestId('run-unique').textContent()), { timeout: 20_000 }).toBeGreaterThan(5000)
    expect(await page.getByTestId('run-eta').textContent()).toMatch(/at most .* left/)
    expect(Number(await page.getByRole('progressbar').getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(0)
    await shot('bench-live-run')
    await page.getByTestId('stop-run').click()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('stopped')
    expect((await opened.lab.getRun(live)).summary.status).toBe('stopped')
  })

  it('filters and selects runs, compares three, and the table matches each run’s own figures', async () => {
    await page.goto(`${host.url}#/runs`)
    await page.getByTestId('runs-table').waitFor()
    await page.getByTestId('runs-filter').fill('tag:large')
    await expect.poll(() => page.locator('[data-testid^="run-row-"]').count()).toBe(1)
    await page.getByTestId('runs-filter').fill('')
    await expect.poll(() => page.locator('[data-testid^="run-row-"]').count()).toBe(4)
    await expect(page.getByTestId('compare-selected').isDisabled()).resolves.toBe(true)
    for (const id of rmsRuns) await page.getByTestId(`select-${id}`).click()
    expect(await page.getByTestId('selection-count').textContent()).toBe('3 selected')
    await shot('bench-runs-list')
    await page.getByTestId('compare-selected').click()
    await page.waitForURL(new RegExp(`#/compare/${rmsRuns.join(',')}$`))
    await page.getByTestId('compare-table').waitFor()

    for (const id of rmsRuns) {
      const { summary: s, properties } = await opened.lab.getRun(id)
      const value = (key: string) => page.getByTestId(`cmp-${key}-${id}`).getAttribute('data-value')
      expect(await value('unique_states')).toBe(String(s.unique))
      expect(await value('generated_states')).toBe(String(s.generated))
      expect(await value('max_depth')).toBe(String(s.maxDepth))
      expect(await value('duration_s')).toBe(String(s.seconds))
      expect(await value('param_rms')).toBe(String(s.config.params.rms))
      expect(await value('status')).toBe(s.status)
      for (const p of properties) expect(await value(`property_${snakeName(p.name)}`)).toBe(p.status)
      // What the page shows, with thousands separators.
      expect(await page.getByTestId(`cmp-unique_states-${id}`).textContent()).toContain(s.unique.toLocaleString('en-US'))
    }
    // Differences highlighted; deltas against the first run.
    expect(await page.getByTestId('cmp-row-unique_states').getAttribute('data-differs')).toBe('true')
    expect(await page.getByTestId('cmp-row-strategy').getAttribute('data-differs')).toBe('false')
    expect(await page.getByTestId(`cmp-delta-unique_states-${rmsRuns[2]}`).textContent()).toContain(`+${(1568 - 56).toLocaleString('en-US')}`)
    for (const chart of ['cmp-chart-unique', 'cmp-chart-rate', 'cmp-chart-depths']) {
      await expect.poll(() => paintedPixels(page, chart)).toBeGreaterThan(100)
    }
    await shot('compare-3-runs')

    await page.getByTestId('normalise').check()
    await expect.poll(() => paintedPixels(page, 'cmp-chart-depths')).toBeGreaterThan(100)
    await page.getByTestId('only-diffs').check()
    await expect.poll(() => page.getByTestId('cmp-row-strategy').count()).toBe(0)
    await page.getByTestId('only-diffs').uncheck()
  })

  it('exports the comparison as a CSV that parses and agrees with the runs', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-comparison').click()])
    const text = readFileSync((await download.path())!, 'utf8')
    const rows = parseCsvObjects(text)
    const row = (field: string) => rows.find((r) => r.field === field)!
    for (const id of rmsRuns) {
      const { summary: s } = await opened.lab.getRun(id)
      expect(row('unique_states')[`run_${id}`]).toBe(String(s.unique))
      expect(row('generated_states')[`run_${id}`]).toBe(String(s.generated))
      expect(row('max_depth')[`run_${id}`]).toBe(String(s.maxDepth))
      expect(row('duration_s')[`run_${id}`]).toBe(csvNumber(s.seconds))
      expect(row('started_at')[`run_${id}`]).toBe(s.startedAt)
    }
    expect(row('name')[`run_${rmsRuns[2]}`]).toBe('four managers')
    expect(row('unique_states')[`delta_run_${rmsRuns[1]}_vs_run_${rmsRuns[0]}`]).toBe(String(288 - 56))
    expect(Number(row('unique_states')[`ratio_run_${rmsRuns[2]}_vs_run_${rmsRuns[0]}`])).toBeCloseTo(1568 / 56, 2)
    expect(row('unique_states').differs).toBe('true')
  })

  it('saves the comparison, and shows it in dark theme', async () => {
    await page.getByTestId('save-comparison').click()
    await page.getByTestId('comparison-name').fill('rms 2 / 3 / 4')
    await page.getByTestId('comparison-name-save').click()
    await page.waitForURL(/#\/comparisons\/\d+$/)
    await expect.poll(() => page.getByTestId('compare-title').textContent()).toBe('rms 2 / 3 / 4')
    expect(await opened.lab.listComparisons()).toMatchObject([{ name: 'rms 2 / 3 / 4', runIds: rmsRuns }])

    await page.getByTestId('theme-toggle').click()
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
    await expect.poll(() => paintedPixels(page, 'cmp-chart-unique')).toBeGreaterThan(100)
    await shot('dark-theme')
    await page.getByTestId('theme-toggle').click()
  })

  it('explores a counterexample step by step with j / k, and the copied path replays from the CLI', async () => {
    bugRun = await startFromForm({ rms: '3', bug: true })
    await waitDone()
    await page.getByTestId('explore-consistent').click()
    await page.waitForURL(new RegExp(`#/run/${bugRun}/trace/consistent$`))
    const items = page.getByTestId('trace-step-item')
    await expect.poll(() => items.count()).toBe(4)
    // Opens on the violating step, marked.
    expect(await page.getByTestId('trace-selected').textContent()).toContain('Step 3 of 3')
    expect(await page.getByTestId('trace-decided').textContent()).toContain('consistent is violated')
    expect(await items.nth(3).getByTestId('trace-mark').count()).toBe(1)
    const changed = await page.getByTestId('trace-state').locator('[data-changed]').count()
    expect(changed).toBeGreaterThan(0)
    await shot('trace-explorer')

    await page.keyboard.press('k')
    expect(await page.getByTestId('trace-selected').textContent()).toContain('Step 2 of 3')
    await page.keyboard.press('k')
    await page.keyboard.press('k')
    expect(await page.getByTestId('trace-selected').textContent()).toContain('Step 0 of 3')
    expect(await page.getByTestId('trace-changes').count()).toBe(0)
    await page.keyboard.press('j')
    expect(await page.getByTestId('trace-selected').textContent()).toContain('Step 1 of 3')
    expect(await page.getByTestId('trace-changes').textContent()).toContain('tmState')
    await page.keyboard.press('End')

    const command = (await page.getByTestId('trace-path-command').textContent())!
    const detail = await opened.lab.getRun(bugRun)
    const trace = detail.properties.find((p) => p.name === 'consistent')!.trace!
    expect(command).toBe(`npx stabilis replay ${bugRun} --path '${trace.slice(1).map((s) => s.action).join(';')}'`)
    const pathArg = /--path '(.*)'$/.exec(command)![1]
    const cli = await runCli(['replay', String(bugRun), '--path', pathArg, '--db', dbFile, '--json'])
    expect(cli.code, cli.stderr).toBe(0)
    const replayed = JSON.parse(cli.stdout)
    expect(replayed).toMatchObject({ reproduced: true, path: trace.slice(1).map((s) => s.action) })
    expect(replayed.steps.map((s: { state: unknown }) => s.state)).toEqual(trace.map((s) => s.state))

    await page.getByTestId('replay-trace').click()
    await expect.poll(() => page.getByTestId('replay-result').textContent()).toContain('Reproduced')
  })

  it('deletes a run with undo, and after a reload shows the same runs, names, notes and comparisons', async () => {
    await page.goto(`${host.url}#/runs`)
    await page.getByTestId(`run-row-${bugRun}`).waitFor()
    await page.getByTestId(`select-${bugRun}`).click()
    await page.getByTestId('delete-selected').click()
    await expect.poll(() => page.getByTestId(`run-row-${bugRun}`).count()).toBe(0)
    expect((await opened.lab.listRuns()).some((r) => r.id === bugRun)).toBe(false)
    await page.getByTestId('toast-action').click()
    await expect.poll(() => page.getByTestId(`run-row-${bugRun}`).count()).toBe(1)
    expect((await opened.lab.listRuns()).some((r) => r.id === bugRun)).toBe(true)

    await page.reload()
    await page.getByTestId('runs-table').waitFor()
    const runs = await opened.lab.listRuns()
    expect(runs).toHaveLength(5)
    for (const r of runs) await expect.poll(() => page.getByTestId(`run-row-${r.id}`).count()).toBe(1)
    expect(await page.getByTestId(`run-row-${rmsRuns[2]}`).locator('td[data-col="name"]').textContent()).toContain('four managers')
    await page.goto(`${host.url}#/run/${rmsRuns[2]}`)
    await expect.poll(() => page.getByTestId('run-notes').textContent()).toBe('The biggest of the three,\nfor the "comparison".')
    await page.goto(`${host.url}#/comparisons`)
    await page.getByTestId('comparisons-table').waitFor()
    await page.getByText('rms 2 / 3 / 4').click()
    await expect.poll(() => page.getByTestId('compare-title').textContent()).toBe('rms 2 / 3 / 4')
    expect(await page.getByTestId(`cmp-unique_states-${rmsRuns[1]}`).getAttribute('data-value')).toBe('288')

    // Keyboard help.
    await page.keyboard.press('?')
    await page.getByTestId('shortcuts-help').waitFor()
    expect(await page.getByTestId('shortcuts-help').textContent()).toContain('Export the comparison as CSV')
    await page.keyboard.press('Escape')
    expect(consoleErrors).toEqual([])
  })

  it('measures a chart update with 14,400 samples and 200 depths (figure in test-results/chart-perf.json)', async () => {
    await page.goto(`${host.url}#/diagnostics/chart`)
    await page.getByTestId('chart-perf-start').click()
    await expect.poll(() => page.getByTestId('chart-perf-status').textContent(), { timeout: 60_000 }).toBe('done')
    const result = JSON.parse((await page.getByTestId('chart-perf-result').textContent())!)
    // Correctness, not speed, decides the test: every update drew, long series were downsampled, nothing was lost.
    expect(result.samples).toBe(14_400)
    expect(result.depths).toBe(200)
    expect(result.drawnPoints).toEqual({ rates: result.maxPointsPerSeries, unique: result.maxPointsPerSeries, depths: 200 })
    expect(result.lastX).toBe(result.expectedLastX)
    expect(result.meanMs).toBeGreaterThan(0)
    for (const chart of ['perf-rates', 'perf-unique', 'perf-depths']) await expect.poll(() => paintedPixels(page, chart)).toBeGreaterThan(100)
    mkdirSync(SHOTS, { recursive: true })
    writeFileSync(join(SHOTS, 'chart-perf.json'), JSON.stringify({ ...result, measuredAt: new Date().toISOString(), goalMs: 16 }, null, 2) + '\n')
    await shot('chart-perf')
    expect(consoleErrors).toEqual([])
  })
})
