// The Run page while the checker analyses what it found (the phase it reports, with traces built of total), and
// after: per-action coverage with a never-enabled action flagged, the progress table kept, the collision
// probability, the Actions CSV. Real Chromium through the web host, at 1280×800.
// Screenshots: test-results/live-building-traces.png, run-action-coverage.png.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { screenshot } from '../helpers/browser.ts'
import { parseCsvObjects } from '../helpers/csv-parse.ts'
import { useE2eLab } from '../helpers/e2e-lab.ts'

const e2e = useE2eLab({ viewport: { width: 1280, height: 800 } })
const fixture = fileURLToPath(new URL('./fixtures/slow-traces.ts', import.meta.url))

describe('the Run page during the analysis and after', () => {
  it('shows the phase the checker reports, then the coverage table', async () => {
    const { opened, host, page } = e2e
    const { lab } = opened
    await lab.addModelFile(fixture)
    const run = await lab.startRun({ model: 'slow-traces', params: {}, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false })
    await page.goto(`${host.url}#/run/${run.id}`)
    const phase = page.getByTestId('run-phase')
    // Three traces of 4 steps at 250 ms a step in the coordinator: about 3 s in "building traces".
    await expect.poll(() => phase.getAttribute('data-phase'), { timeout: 30_000, interval: 100 }).toBe('building traces')
    await expect.poll(() => page.getByTestId('run-phase-progress').textContent(), { timeout: 10_000, interval: 100 }).toMatch(/^· [12] of 3 traces$/)
    expect(await phase.textContent()).toMatch(/building the traces/)
    expect(await phase.textContent()).toMatch(/the search ended at .* with 125 unique states/)
    expect(await page.getByTestId('run-rate').textContent()).toContain('–')
    expect(await page.locator('[data-testid="run-phase"] progress').count()).toBe(1)
    await screenshot(page, 'live-building-traces')

    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000 }).toBe('done')
    expect(await page.getByTestId('run-phase').count()).toBe(0)
    const detail = await lab.getRun(run.id)
    const table = page.getByTestId('coverage-table')
    await table.waitFor()
    const labels = await page.getByTestId('coverage-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-label')))
    // "inc c0".."inc c2" share one label (numbers replaced); "reset" is offered in every state, never enabled.
    expect(labels).toEqual(['inc c#', 'reset'])
    const firstCells = await page.getByTestId('coverage-row').first().locator('td').allTextContents()
    const first = detail.actions![0]
    expect(firstCells.slice(1, 3)).toEqual([first.enabled.toLocaleString('en-US'), first.newStates.toLocaleString('en-US')])
    expect(await page.getByTestId('coverage-never-flag').count()).toBe(1)
    expect(await page.getByTestId('coverage-never').textContent()).toMatch(/1 action was never enabled/)
    // Kept after the run: the progress table, and the collision probability.
    expect(await page.getByTestId('progress-row').count()).toBeGreaterThan(0)
    expect(await page.getByTestId('progress-details').getAttribute('open')).not.toBeNull()
    expect(detail.summary.collisionProbability).toBeLessThan(1e-15)
    expect(await page.getByTestId('run-collision').textContent()).toBe('< 10⁻¹⁵')
    await table.scrollIntoViewIfNeeded()
    await screenshot(page, 'run-action-coverage')

    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-actions').click()])
    const rows = parseCsvObjects(readFileSync((await d.path())!, 'utf8'))
    expect(rows.map((r) => r.action)).toEqual(detail.actions!.map((a) => a.label))
    expect(rows.find((r) => r.action === 'reset')).toMatchObject({ enabled: '0', new_states: '0', never_enabled: 'true' })
    expect(e2e.consoleErrors).toEqual([])
  }, 120_000)
})
