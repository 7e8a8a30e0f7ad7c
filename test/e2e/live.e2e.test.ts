// The Live page in real Chromium through the web host, on real store replicas: start a live run of the StatefulSet
// scenario on 3 replicas with the partition preset, inject a node restart from the page while it runs, see the
// fault and the convergence in the timeline, the run saved (kind "live") with its properties and timeline.
// Screenshot: test-results/live-page.png.
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { OpenLab } from '../../src-main/lab/open-lab.ts'
import { screenshot } from '../helpers/browser.ts'
import { useE2eLab } from '../helpers/e2e-lab.ts'

const e2e = useE2eLab({ lab: () => ({ modelsDir: null }) })
let opened: OpenLab
let page: Page

beforeAll(() => {
  ;({ opened, page } = e2e)
})

const timeline = (): Promise<string> => page.getByTestId('live-timeline').innerText()

describe('the Live page in Chromium', () => {
  it('starts a live run, injects a node restart while it runs, and shows the saved result', async () => {
    await page.getByRole('link', { name: 'Live' }).click()
    await page.getByTestId('live-page').waitFor()
    await expect.poll(() => page.getByTestId('live-scenario').locator('option').count()).toBeGreaterThan(5)
    await page.getByTestId('live-scenario').selectOption('statefulset-scale')
    await page.getByTestId('live-store').selectOption('stabilis')
    await page.getByTestId('live-replicas').fill('3')
    await page.getByTestId('live-faults').selectOption('partition')
    await page.getByTestId('live-duration').fill('30')
    await page.getByTestId('live-start').click()
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 10_000 }).toBe('running')

    // The kubelet's button appears once it has written; the fault goes in while the run is live.
    const restart = page.getByTestId('live-node-restart-node1')
    await restart.waitFor({ timeout: 15_000 })
    await restart.click()
    await expect.poll(timeline, { timeout: 10_000 }).toContain('fault: node-restart node1')
    await expect.poll(timeline).toMatch(/fault ?@[0-9]+: delete Node\/node1/)

    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 30_000 }).toBe('done')
    await expect.poll(() => page.getByTestId('live-properties').innerText()).toContain('sts-one-pod-per-ordinal')
    expect(await page.getByTestId('live-summary').innerText()).toMatch(/causal · [0-9.]+ s · writes [0-9]+/)
    expect(await page.getByTestId('live-prediction').innerText()).toMatch(/Checker at causal: no saved check/)
    expect(await timeline()).toMatch(/converged after "heal"|converged after "node-restart node1"/)
    await screenshot(page, 'live-page')

    // Saved: the lab reads the run and its timeline back from SQLite.
    const runs = await opened.lab.listLiveRuns()
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ kind: 'live', scenario: 'statefulset-scale', store: 'stabilis', replicas: 3, status: 'done' })
    const faults = runs[0].result!.faults.map((f) => f.kind)
    expect(faults).toEqual(expect.arrayContaining(['partition', 'heal', 'node-restart']))
    const events = await opened.lab.getLiveEvents(runs[0].id)
    expect(events.some((e) => e.type === 'fault' && e.what === 'node-restart node1' && e.ok)).toBe(true)
    expect(await page.getByTestId('live-runs').innerText()).toContain('statefulset-scale')
    expect(e2e.consoleErrors).toEqual([])
  })
})
