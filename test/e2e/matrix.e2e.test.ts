// The Matrix page in real Chromium through the web host: start a small matrix from the launcher, watch the grid
// fill in (colour-coded verdicts), open a violated cell's trace in the trace explorer, and its run.
// Screenshots: test-results/matrix.png, test-results/matrix-trace.png.
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { WebHost } from '../../src-main/hosts/web/server.ts'
import type { OpenLab } from '../../src-main/lab/open-lab.ts'
import { screenshot } from '../helpers/browser.ts'
import { useE2eLab } from '../helpers/e2e-lab.ts'

const e2e = useE2eLab({ viewport: { width: 1360, height: 800 } })
let opened: OpenLab
let host: WebHost
let page: Page
const consoleErrors = e2e.consoleErrors

beforeAll(async () => {
  ;({ opened, host, page } = e2e)
})

const cell = (level: string, n = 1): ReturnType<Page['getByTestId']> => page.getByTestId(`matrix-cell-statefulset-stale-reads-${level}-${n}`)

describe('the Matrix page in Chromium', () => {
  it('starts a matrix from the launcher and shows the colour-coded grid', async () => {
    await page.getByRole('link', { name: 'Matrix', exact: true }).click()
    await page.waitForURL(/#\/matrix$/)
    await page.getByTestId('matrices-empty').waitFor()
    await page.getByTestId('matrix-scenario').selectOption('statefulset-stale-reads')
    for (const level of ['monotonic-session', 'optimistic', 'causal']) await page.getByTestId(`matrix-level-${level}`).setChecked(false)
    await page.getByTestId('matrix-timeout').fill('90')
    expect(await page.getByTestId('matrix-start').textContent()).toContain('Start 2 cells')
    await page.getByTestId('matrix-start').click()
    await page.waitForURL(/#\/matrix\/\d+$/)

    await page.getByTestId('matrix-grid').waitFor()
    await expect.poll(() => page.getByTestId('matrix-status').textContent(), { timeout: 90_000 }).toBe('done')
    expect(await cell('synchronous').getAttribute('data-status')).toBe('holds')
    expect(await cell('resettable-session').getAttribute('data-status')).toBe('violated')
    // The scenario's defaults (two node restarts, window 4, the spare pod): docs/models.md, "Scenarios".
    expect(await cell('synchronous').textContent()).toContain('5,894 states')
    expect(await cell('resettable-session').textContent()).toContain('sts-one-pod-per-ordinal')
    // Verdict colours come from the theme: green-ish for holds, red-ish for violated.
    const bg = (level: string): Promise<string> => cell(level).evaluate((el) => getComputedStyle(el).backgroundColor)
    expect(await bg('synchronous')).not.toBe(await bg('resettable-session'))
    expect(await page.getByTestId('matrix-counts').textContent()).toMatch(/2 of 2 cells finished · 1 hold · 1 violated/)
    await screenshot(page, 'matrix')
  }, 150_000)

  it('opens a violated cell’s trace in the trace explorer, and the cell’s run', async () => {
    const matrixUrl = page.url()
    const [matrix] = await opened.lab.listMatrices()
    const runId = (await opened.lab.getMatrix(matrix.id)).cells[1].runId!
    await cell('resettable-session').getByTestId('matrix-cell-trace').filter({ hasText: 'sts-one-pod-per-ordinal' }).click()
    await page.waitForURL(new RegExp(`#/run/${runId}/trace/sts-one-pod-per-ordinal$`))
    await page.getByTestId('trace-step-list').waitFor()
    expect(await page.getByTestId('trace-step-item').count()).toBeGreaterThan(1)
    // The violating step is selected and says what the controller wrote, beside the revision it read.
    await expect.poll(() => page.getByTestId('trace-selected').textContent()).toMatch(/kubelet-node\d reads @\d+/)
    expect(await page.getByTestId('trace-effect').textContent()).toMatch(/^update Pod\/db-0: status\.phase/)
    await screenshot(page, 'matrix-trace')

    await page.goto(matrixUrl)
    await cell('synchronous').getByTestId('matrix-cell-run').click()
    await page.waitForURL(/#\/run\/\d+$/)
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('done')

    await page.goto(`${host.url}#/matrix`)
    await page.getByTestId(`matrix-row-${matrix.id}`).waitFor()
    expect(consoleErrors).toEqual([])
  })
  it('shows under an unknown cell how deep its BFS had found every state', async () => {
    const m = await opened.lab.waitForMatrix((await opened.lab.startMatrix({ scenario: 'replicaset-scale', consistency: ['monotonic-session'], instances: [1], timeoutPerCell: 2, params: { expectations: false, idleReads: true, sameViews: true, oldRevisions: true } })).id)
    const f = m.cells[0].frontier!
    await page.goto(`${host.url}#/matrix/${m.id}`)
    const shown = page.getByTestId('matrix-cell-replicaset-scale-monotonic-session-1').getByTestId('matrix-cell-frontier')
    await shown.waitFor()
    expect(await shown.textContent()).toContain(`BFS whole to depth ${f.depth}, ×${(f.states / f.before).toFixed(1)} per depth`)
    expect(await shown.getAttribute('title')).toContain(`${f.states.toLocaleString('en-US')} states there`)

    // Run the unknown cell again from the page: a new matrix of that one cell, with the limit given.
    expect(await page.getByTestId('matrix-again').textContent()).toContain('Run the 1 unknown cell again')
    expect(await page.getByTestId('matrix-again-timeout').inputValue()).toBe('8')
    await page.getByTestId('matrix-again-timeout').fill('1')
    await page.getByTestId('matrix-again-start').click()
    await page.waitForURL(new RegExp(`#/matrix/${m.id + 1}$`))
    await expect.poll(() => page.getByTestId('matrix-status').textContent(), { timeout: 30_000 }).toBe('done')
    const [latest] = await opened.lab.listMatrices()
    expect(latest).toMatchObject({ id: m.id + 1, cellCount: 1, spec: { timeoutPerCell: 1, only: [{ scenario: 'replicaset-scale', consistency: 'monotonic-session', instances: 1 }] } })
    expect(await page.locator('header p.muted').textContent()).toContain('1 chosen cells')
    expect(consoleErrors).toEqual([])
  })
})
