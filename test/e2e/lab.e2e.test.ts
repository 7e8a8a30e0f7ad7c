// The whole app in real Chromium through the web host: New run → live run → verdicts → CSV, then the runs list.
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { WebHost } from '../../src-main/hosts/web/server.ts'
import type { OpenLab } from '../../src-main/lab/open-lab.ts'
import { paintedPixels, screenshot } from '../helpers/browser.ts'
import { parseCsvObjects } from '../helpers/csv-parse.ts'
import { startRunFromForm, useE2eLab } from '../helpers/e2e-lab.ts'

const e2e = useE2eLab()
let opened: OpenLab
let host: WebHost
let page: Page
const consoleErrors = e2e.consoleErrors

beforeAll(async () => {
  ;({ opened, host, page } = e2e)
})

const startFromForm = (params: Record<string, string | boolean>): Promise<number> => startRunFromForm(page, host.url, params)

describe('the lab in Chromium', () => {
  it('refuses the API without the token', async () => {
    const res = await fetch(`${host.url}api/call/listRuns`, { method: 'POST', body: '{}' })
    expect(res.status).toBe(401)
  })

  it('runs twophase rms=3 from the New run page, shows 288 and drawn charts, exports a CSV that parses', async () => {
    await page.goto(host.openUrl)
    await page.getByTestId('runs-empty').waitFor()
    await screenshot(page, 'runs-empty')
    expect(new URL(page.url()).searchParams.get('token')).toBeNull()

    await page.goto(`${host.url}#/new`)
    await page.getByTestId('new-run-form').waitFor()
    await screenshot(page, 'new-run')
    const id = await startFromForm({ rms: '3' })
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 20_000 }).toBe('done')
    expect(await page.getByTestId('run-unique').textContent()).toBe('288')
    expect(await page.getByTestId('run-generated').textContent()).toBe('1,146')
    expect(await page.getByTestId('run-max-depth').textContent()).toBe('11')
    expect(await page.getByTestId('property-consistent').getAttribute('data-status')).toBe('holds')
    expect(await page.getByTestId('property-all-committed').getAttribute('data-status')).toBe('holds')
    await expect.poll(() => paintedPixels(page, 'chart-depths')).toBeGreaterThan(100)
    await expect.poll(() => paintedPixels(page, 'chart-unique')).toBeGreaterThan(100)
    await screenshot(page, 'finished-run')

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-summary').click()])
    const csv = parseCsvObjects(readFileSync((await download.path())!, 'utf8'))
    expect(csv).toHaveLength(1)
    expect(csv[0]).toMatchObject({ run_id: String(id), model: 'twophase', param_rms: '3', unique_states: '288', generated_states: '1146', max_depth: '11' })
  })

  it('shows a violation with its counterexample steps', async () => {
    await startFromForm({ rms: '3', bug: true })
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 20_000 }).toBe('done')
    expect(await page.getByTestId('property-consistent').getAttribute('data-status')).toBe('violated')
    const steps = page.getByTestId('trace-consistent').getByTestId('trace-step')
    await expect.poll(() => steps.count()).toBe(4)
    expect(await steps.nth(1).textContent()).toContain('TMCommit')
    await screenshot(page, 'violation-trace')
  })

  it('updates a long run live, stops it, and lists every run after a reload', async () => {
    await startFromForm({ rms: '9' })
    await expect.poll(async () => Number((await page.getByTestId('run-unique').textContent())!.replace(/,/g, '')), { timeout: 20_000 }).toBeGreaterThan(10_000)
    await expect.poll(() => paintedPixels(page, 'chart-rates')).toBeGreaterThan(100)
    await screenshot(page, 'live-run')
    await page.getByTestId('stop-run').click()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 5_000 }).toBe('stopped')

    await page.goto(`${host.url}#/runs`)
    await page.reload()
    await page.getByTestId('runs-table').waitFor()
    const runs = await opened.lab.listRuns()
    expect(runs).toHaveLength(3)
    for (const r of runs) await expect.poll(() => page.getByTestId(`run-row-${r.id}`).count()).toBe(1)
    await screenshot(page, 'runs-list')
    expect(consoleErrors).toEqual([])
  })
})
