// Self-stabilisation in real Chromium through the web host, at 1280×800: the Run page's convergence panel, a
// liveness counterexample drawn as a loop (Run page and trace explorer), the live page while the search is over
// but the analysis runs, Compare with convergence deltas and a chosen baseline, all with CSVs parsed.
// Screenshots: test-results/run-convergence.png, lasso-run.png, lasso-trace.png, live-exploring.png,
// live-analysing.png, live-finished.png, compare-convergence.png, run-convergence-dark.png.
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { WebHost } from '../../src-main/hosts/web/server.ts'
import type { OpenLab } from '../../src-main/lab/open-lab.ts'
import type { RunConfig } from '../../src-shared/types.ts'
import { fullPageScreenshot, paintedPixels, screenshot } from '../helpers/browser.ts'
import { parseCsvObjects } from '../helpers/csv-parse.ts'
import { useE2eLab } from '../helpers/e2e-lab.ts'

const e2e = useE2eLab({ viewport: { width: 1280, height: 800 } })
let opened: OpenLab
let host: WebHost
let page: Page
const consoleErrors = e2e.consoleErrors

beforeAll(async () => {
  ;({ opened, host, page } = e2e)
})

const ring = (n: number, k: number): RunConfig => ({
  model: 'ring', params: { n, k }, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false,
})

async function finishedRun(config: RunConfig): Promise<number> {
  const r = await opened.lab.startRun(config)
  await opened.lab.waitForRun(r.id)
  return r.id
}

async function download(click: () => Promise<void>): Promise<Record<string, string>[]> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()])
  return parseCsvObjects(readFileSync((await d.path())!, 'utf8'))
}

let holds = 0
let oscillates = 0

describe('convergence in Chromium', () => {
  it('shows the worst case, the histogram and the counts on the Run page, and exports them', async () => {
    holds = await finishedRun(ring(4, 3))
    const conv = (await opened.lab.getRun(holds)).properties.find((p) => p.name === 'stabilises')!.convergence!
    await page.goto(`${host.url}#/run/${holds}`)
    const panel = page.getByTestId('convergence-stabilises')
    await panel.waitFor()
    expect(await panel.getByTestId('convergence-headline').textContent()).toBe(`converges: worst case ${conv.worstSteps} steps`)
    expect(await panel.getByTestId('conv-worst').textContent()).toBe(`${conv.worstSteps} steps`)
    expect(await panel.getByTestId('conv-oscillations').textContent()).toBe('0')
    await expect.poll(() => paintedPixels(page, 'chart-steps-stabilises')).toBeGreaterThan(100)
    expect(await page.getByTestId('property-result-stabilises').textContent()).toContain(`worst case ${conv.worstSteps} steps`)
    await expect.poll(() => page.getByTestId('progress-row').count()).toBeGreaterThan(0)
    await panel.scrollIntoViewIfNeeded()
    await screenshot(page, 'run-convergence')
    const rows = await download(() => page.getByTestId('export-convergence').click())
    expect(rows.reduce((a, r) => a + Number(r.states), 0)).toBe(conv.stepsHistogram.reduce((a, n) => a + n, 0))
    const summary = await download(() => page.getByTestId('export-summary').click())
    expect(summary[0]).toMatchObject({ stabilises_worst_steps: String(conv.worstSteps), stabilises_oscillations: '0' })
  })

  it('draws an oscillation as a loop on the Run page and in the trace explorer', async () => {
    oscillates = await finishedRun(ring(4, 2))
    await page.goto(`${host.url}#/run/${oscillates}`)
    const trace = page.getByTestId('trace-stabilises')
    await trace.waitFor()
    expect(await trace.getByTestId('cx-kind-stabilises').textContent()).toContain('oscillation')
    expect(await trace.getByTestId('loop-start').count()).toBe(1)
    expect(await trace.getByTestId('trace-step').first().getAttribute('data-loop')).toBe('loop-start')
    expect(await trace.getByTestId('back-edge').textContent()).toContain('back to step 0')
    expect(await trace.getByTestId('loop-note').textContent()).toMatch(/cycle of 8 steps from step 0, repeated forever/)
    expect(await page.getByTestId('convergence-headline').textContent()).toMatch(/1 oscillation; 8 states with no bound/)
    await trace.scrollIntoViewIfNeeded()
    await screenshot(page, 'lasso-run')

    await page.getByTestId('convergence-trace').click()
    await page.waitForURL(/#\/run\/\d+\/trace\/stabilises$/)
    await page.getByTestId('trace-step-list').waitFor()
    expect(await page.getByTestId('trace-cx-kind').textContent()).toMatch(/oscillation: .*cycle of 8 steps from step 0/)
    expect(await page.getByTestId('trace-loop-start').count()).toBe(1)
    expect(await page.getByTestId('trace-mark').textContent()).toBe('↩ back to step 0')
    expect(await page.getByTestId('trace-decided').textContent()).toMatch(/step 0's state again/)
    expect(await page.locator('[data-testid="trace-step-item"][data-loop]').count()).toBe(9)
    await screenshot(page, 'lasso-trace')
  })

  it('tells the live page’s phase: exploring, then analysing with the clock running, then done with the table kept', async () => {
    const started = await opened.lab.startRun(ring(7, 7))
    await page.goto(`${host.url}#/run/${started.id}`)
    await expect.poll(() => page.getByTestId('run-phase').getAttribute('data-phase'), { timeout: 20_000 }).toBe('exploring')
    expect(await page.getByTestId('run-no-eta').textContent()).toMatch(/no time estimate/)
    await screenshot(page, 'live-exploring')
    // 823,543 states: about 15 s alone, much more on a loaded machine. The analysis after the search can be short,
    // so what the phase says is read in the same poll that sees it.
    let phaseText = ''
    let clock = ''
    await expect
      .poll(
        async () => {
          const el = page.getByTestId('run-phase')
          if ((await el.count()) === 0) return null
          const ph = await el.getAttribute('data-phase')
          // The phases the checker reports after the search; 'analysing' stands for any of them here.
          if (ph === 'checking liveness' || ph === 'building traces' || ph === 'finishing') {
            phaseText = (await el.textContent()) ?? ''
            clock = (await page.getByTestId('run-seconds').textContent()) ?? ''
          }
          return phaseText ? 'analysing' : ph
        },
        { timeout: 90_000, interval: 100 },
      )
      .toBe('analysing')
    expect(phaseText).toMatch(/the search ended at .* with 823,543 unique states/)
    // The clock goes on while the analysis runs (checked while it still does).
    await page.waitForTimeout(1200)
    if ((await page.getByTestId('run-status').textContent()) === 'running') expect(await page.getByTestId('run-seconds').textContent()).not.toBe(clock)
    await screenshot(page, 'live-analysing')
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toBe('done')
    expect(await page.getByTestId('run-phase').count()).toBe(0)
    const finished = (await opened.lab.getRun(started.id)).summary
    // The Time figure is the run's own, not where the last sample left it.
    expect(await page.getByTestId('run-seconds').textContent()).toBe(`${finished.seconds.toFixed(2)} s`)
    expect(await page.getByTestId('progress-row').count()).toBeGreaterThan(1)
    expect(await page.getByTestId('run-collision').count()).toBe(1)
    await page.getByTestId('convergence-stabilises').waitFor()
    await screenshot(page, 'live-finished')
  }, 200_000)

  it('compares convergence with deltas against a chosen baseline, and exports it', async () => {
    await page.goto(`${host.url}#/compare/${holds},${oscillates}`)
    const worst = page.getByTestId('cmp-row-stabilises_oscillations')
    await worst.waitFor()
    expect(await page.getByTestId(`cmp-delta-stabilises_oscillations-${oscillates}`).textContent()).toMatch(/^\+1/)
    await page.getByTestId(`make-baseline-${oscillates}`).click()
    await expect.poll(() => page.getByTestId(`cmp-delta-stabilises_oscillations-${holds}`).textContent()).toMatch(/^−1/)
    await worst.scrollIntoViewIfNeeded()
    await screenshot(page, 'compare-convergence')
    const rows = await download(() => page.getByTestId('export-comparison').click())
    const osc = rows.find((r) => r.field === 'stabilises_oscillations')!
    expect(osc.section).toBe('convergence')
    expect(osc[`delta_run_${holds}_vs_run_${oscillates}`]).toBe('-1')
  })

  it('reads well in the dark theme', async () => {
    await page.goto(`${host.url}#/run/${holds}`)
    await page.getByTestId('convergence-stabilises').waitFor()
    await page.getByTestId('theme-toggle').click()
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
    await fullPageScreenshot(page, 'run-convergence-dark')
    await page.getByTestId('theme-toggle').click()
    expect(consoleErrors).toEqual([])
  })
})
