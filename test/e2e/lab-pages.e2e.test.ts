// The rest of the lab's pages in real Chromium at 1280×800: a matrix with worst steps on holding cells, running
// and waiting cells told apart, its CSV, a confirmation before a large matrix, the runs list grouping matrix cells,
// Resume on a stopped run, and a clear page for a missing or stale web token.
// Screenshots: test-results/matrix-convergence.png, matrix-confirm.png, runs-grouped.png, run-resume.png,
// token-missing.png, token-stale.png.
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { WebHost } from '../../src-main/hosts/web/server.ts'
import type { OpenLab } from '../../src-main/lab/open-lab.ts'
import { MATRIX_CSV_HEADER } from '../../src-shared/matrix-csv.ts'
import { fullPageScreenshot, screenshot } from '../helpers/browser.ts'
import { parseCsvObjects } from '../helpers/csv-parse.ts'
import { startRunFromForm, useE2eLab } from '../helpers/e2e-lab.ts'

const e2e = useE2eLab({ viewport: { width: 1280, height: 800 } })
let opened: OpenLab
let host: WebHost
let page: Page
const consoleErrors = e2e.consoleErrors

beforeAll(async () => {
  ;({ opened, host, page } = e2e)
})

describe('lab pages in Chromium', () => {
  let matrixId = 0

  it('shows worst steps on holding matrix cells, counts waiting cells apart, and exports the matrix', async () => {
    // The environment #59848 was first modelled with (one node restart, window 3, no spare pod): small cells.
    const m = await opened.lab.startMatrix({
      scenario: 'statefulset-stale-reads', consistency: ['synchronous', 'monotonic-session', 'resettable-session'], instances: [1], concurrency: 1, timeoutPerCell: 60,
      params: { nodeRestarts: 1, history: 3, sparePod: false },
    })
    matrixId = m.id
    await page.goto(`${host.url}#/matrix/${m.id}`)
    // One cell at a time: while the first runs, the others wait, and none counts as unknown.
    await expect.poll(() => page.getByTestId('matrix-counts').textContent(), { timeout: 20_000 }).toMatch(/1 running · 2 waiting/)
    expect(await page.getByTestId('matrix-counts').textContent()).toMatch(/0 unknown/)
    await expect.poll(() => page.getByTestId('matrix-status').textContent(), { timeout: 120_000 }).toBe('done')
    const matrix = await opened.lab.getMatrix(m.id)
    const sync = matrix.cells.find((c) => c.consistency === 'synchronous')!
    expect(sync.worstSteps).toBeGreaterThan(0)
    const cell = page.getByTestId('matrix-cell-statefulset-stale-reads-synchronous-1')
    expect(await cell.getByTestId('matrix-cell-worst').textContent()).toBe(`converges in ≤ ${sync.worstSteps} steps`)
    expect(await page.getByTestId('matrix-running').count()).toBe(0)
    await screenshot(page, 'matrix-convergence')

    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('matrix-export').click()])
    const rows = parseCsvObjects(readFileSync((await d.path())!, 'utf8'))
    expect(Object.keys(rows[0])).toEqual([...MATRIX_CSV_HEADER])
    expect(rows).toHaveLength(3)
    expect(rows.find((r) => r.consistency === 'synchronous')).toMatchObject({ verdict: 'holds', worst_steps: String(sync.worstSteps), unique_states: '144' })
    expect(rows.find((r) => r.consistency === 'resettable-session')).toMatchObject({ verdict: 'violated' })
    expect(rows.find((r) => r.consistency === 'resettable-session')!.violated).toContain('sts-one-pod-per-ordinal')
  }, 150_000)

  it('reads a Kubernetes trace: stable pod labels, a legend, revision bookkeeping apart, and a sequence view', async () => {
    const cell = (await opened.lab.getMatrix(matrixId)).cells.find((c) => c.consistency === 'resettable-session')!
    await page.goto(`${host.url}#/run/${cell.runId}/trace/sts-one-pod-per-ordinal`)
    await page.getByTestId('trace-step-list').waitFor()
    expect(await page.getByTestId('trace-legend').textContent()).toMatch(/resettable-session: as monotonic-session.*reads @R.*revision R/s)
    expect(await page.getByTestId('level-resettable-session').textContent()).toContain('(this run)')
    // The last step starts the second db-0; the effect line and the state name it alike, never by a raw uid.
    const effect = (await page.getByTestId('trace-effect').textContent())!
    expect(effect).toMatch(/start container db-0#2/)
    expect(await page.getByTestId('trace-state').textContent()).toContain('db-0#2')
    expect(await page.locator('main').textContent()).not.toMatch(/\bu\d{4}\b/)
    expect(await page.getByTestId('trace-changes').textContent()).not.toMatch(/history|meta\.uid/)
    await screenshot(page, 'k8s-trace')

    await page.getByTestId('view-sequence').click()
    const seq = page.getByTestId('sequence-view')
    await seq.waitFor()
    expect(await seq.locator('thead th').allTextContents()).toEqual(expect.arrayContaining(['kubelet-node1', 'kubelet-node2', 'faults']))
    expect(await seq.locator('td.act.rejected').count()).toBeGreaterThan(0)
    expect(await seq.locator('td.act').first().textContent()).toMatch(/reads @\d+/)
    await fullPageScreenshot(page, 'k8s-sequence')
  })

  it('asks before starting a large matrix, and Cancel starts nothing', async () => {
    await page.goto(`${host.url}#/matrix`)
    await page.getByTestId('matrix-form').waitFor()
    const before = (await opened.lab.listMatrices()).length
    await page.getByTestId('matrix-start').click()
    const confirm = page.getByTestId('matrix-confirm')
    await confirm.waitFor()
    expect(await confirm.textContent()).toMatch(/Start \d+ cells\?.*about\s+\d+ min/s)
    await screenshot(page, 'matrix-confirm')
    await page.getByTestId('matrix-confirm-cancel').click()
    expect(await confirm.count()).toBe(0)
    expect(await opened.lab.listMatrices()).toHaveLength(before)
  })

  it('groups the matrix cells in the runs list under their matrix', async () => {
    await startRunFromForm(page, host.url, { rms: '2' })
    await page.goto(`${host.url}#/runs`)
    await page.getByTestId('matrix-groups').waitFor()
    expect(await page.getByTestId(`matrix-group-${matrixId}`).textContent()).toMatch(/Matrix #\d+ · statefulset-stale-reads · 3 runs\s*\(2 hold, 1 violated\)/)
    expect(await page.locator('[data-testid^="run-row-"]').count()).toBe(1)
    await screenshot(page, 'runs-grouped')
    await page.getByTestId('show-matrix-cells').check()
    await expect.poll(() => page.locator('[data-testid^="run-row-"]').count()).toBe(4)
    // Compact parameters: one line, the full list on hover.
    const params = page.locator('[data-testid^="run-row-"] td[data-col="params"]').first()
    expect((await params.boundingBox())!.height).toBeLessThan(40)
  })

  it('resumes a stopped run from its page', async () => {
    const id = await startRunFromForm(page, host.url, { rms: '8' })
    await expect.poll(async () => Number((await page.getByTestId('run-unique').textContent())!.replace(/,/g, '')), { timeout: 20_000 }).toBeGreaterThan(1000)
    await page.getByTestId('stop-run').click()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('stopped')
    await page.getByTestId('resume-run').waitFor()
    await screenshot(page, 'run-resume')
    await page.getByTestId('resume-run').click()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 10_000 }).toBe('running')
    expect(await page.getByTestId('resume-run').count()).toBe(0)
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toBe('done')
    // The resumed run ends with the counts of an uninterrupted one (twophase, 8 resource managers).
    expect(await page.getByTestId('run-unique').textContent()).toBe('1,745,408')
    expect((await opened.lab.getRun(id)).summary.status).toBe('done')
  }, 120_000)

  it('explores by hand: takes actions, goes back, branches; the path is the address and replays from the CLI', async () => {
    const r = await opened.lab.startRun({ model: 'twophase', params: { rms: 2 }, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false })
    await opened.lab.waitForRun(r.id)
    await page.goto(`${host.url}#/run/${r.id}`)
    await page.getByTestId('explore-link').click()
    await page.waitForURL(new RegExp(`#/run/${r.id}/explore$`))
    await page.getByTestId('explore-choices').waitFor()
    const choices = page.getByTestId('explore-choice')
    const first = await choices.count()
    expect(first).toBeGreaterThan(1)
    const names = (await page.getByTestId('choice-action').allTextContents())
    await page.getByTestId(`take-${names[0]}`).click()
    await expect.poll(() => page.getByTestId('explore-step').count()).toBe(2)
    const second = (await page.getByTestId('choice-action').allTextContents())[0]
    await page.getByTestId(`take-${second}`).click()
    await expect.poll(() => page.getByTestId('explore-step').count()).toBe(3)
    expect(decodeURIComponent(page.url())).toContain(JSON.stringify([names[0], second]))
    await screenshot(page, 'explore')

    // Back to step 0 and take the other first action: a branch.
    await page.getByTestId('explore-back-0').click()
    await expect.poll(() => page.getByTestId('explore-step').count()).toBe(1)
    await page.getByTestId(`take-${names[1]}`).click()
    await expect.poll(() => page.getByTestId('explore-step').count()).toBe(2)
    expect(await page.getByTestId('explore-path').textContent()).toContain(names[1])
    await page.reload()
    await expect.poll(() => page.getByTestId('explore-step').count()).toBe(2)
    await screenshot(page, 'explore-branch')

    const command = (await page.getByTestId('explore-command').textContent())!
    const pathArg = /--path '(.*)'$/.exec(command)![1]
    const replay = await opened.lab.replayTrace(r.id, { path: pathArg.split(';') })
    expect(replay.reproduced).toBe(true)
    expect(replay.steps.map((x) => x.action)).toEqual([null, names[1]])
  })

  it('shows a clear page, not an empty runs list, for a missing or a stale token', async () => {
    const fresh = await e2e.browser.newPage({ viewport: { width: 1280, height: 800 } })
    try {
      await fresh.goto(`${host.url}#/runs`)
      const problem = fresh.getByTestId('access-problem')
      await problem.waitFor()
      expect(await problem.getAttribute('data-problem')).toBe('missing')
      expect(await fresh.getByTestId('runs-empty').count()).toBe(0)
      await screenshot(fresh, 'token-missing')
      await fresh.goto(`${host.url}?token=an-old-token-from-a-previous-start-xxxx#/runs`)
      await expect.poll(() => fresh.getByTestId('access-problem').getAttribute('data-problem')).toBe('stale')
      expect(await fresh.getByTestId('access-problem').textContent()).toMatch(/no longer valid.*stabilis serve/s)
      await screenshot(fresh, 'token-stale')
    } finally {
      await fresh.close()
    }
    expect(consoleErrors).toEqual([])
  })
})
