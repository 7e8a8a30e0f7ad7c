// The Store page in real Chromium through the web host, on real replica processes: start 3 replicas, write a key and
// see it held everywhere, kill -9 r3 (down) and restart it (held again), partition {r1} | {r2, r3} and write on r1
// (r2, r3 not holding), heal (held everywhere), browse keys as r3 sees them, a saved benchmark charted, and a chaos run
// started from the page with its verdict and timeline.
// Screenshots: test-results/store-page.png, test-results/store-durability.png.
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { WebHost } from '../../src-main/hosts/web/server.ts'
import type { OpenLab } from '../../src-main/lab/open-lab.ts'
import { fullPageScreenshot, paintedPixels, screenshot, SHOTS } from '../helpers/browser.ts'
import { useE2eLab } from '../helpers/e2e-lab.ts'

const e2e = useE2eLab({ lab: (dir) => ({ store: { dir: join(dir, 'store') }, modelsDir: null }), viewport: { width: 1280, height: 800 } })
let opened: OpenLab
let host: WebHost
let page: Page
const consoleErrors = e2e.consoleErrors

beforeAll(async () => {
  ;({ opened, host, page } = e2e)
})

const cell = (key: string, replica: string): Locator => page.getByTestId(`durability-cell-${key}-${replica}`).first()
const held = (key: string, replica: string): Promise<string | null> => cell(key, replica).getAttribute('data-held')
const heldRow = (key: string): Promise<(string | null)[]> => Promise.all(['r1', 'r2', 'r3'].map((r) => held(key, r)))
const up = (replica: string): Promise<string | null> => page.getByTestId(`replica-row-${replica}`).getAttribute('data-up')

async function put(replica: string, key: string, value: string): Promise<void> {
  await page.getByTestId('store-put-replica').selectOption(replica)
  await page.getByTestId('store-put-key').fill(key)
  await page.getByTestId('store-put-value').fill(value)
  await page.getByTestId('store-put').click()
  await expect.poll(() => page.getByTestId('store-put-ack').textContent()).toContain(`${key} acknowledged by ${replica}`)
}

const fullShot = (name: string): Promise<void> => fullPageScreenshot(page, name)

describe('the Store page in Chromium', () => {
  it('starts 3 replicas from the page and shows a write held by all three', async () => {
    await page.getByRole('link', { name: 'Store' }).click()
    await page.getByTestId('store-page').waitFor()
    await page.getByTestId('store-replicas').fill('3')
    await page.getByTestId('store-start').click()
    for (const r of ['r1', 'r2', 'r3']) await expect.poll(() => up(r), { timeout: 15_000 }).toBe('true')
    expect(await page.getByTestId('etcdctl-hint').textContent()).toMatch(/--endpoints=127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+/)

    await put('r1', 'e2e/a', 'one')
    await expect.poll(() => heldRow('e2e/a'), { timeout: 5000 }).toEqual(['true', 'true', 'true'])
  })

  it('kill -9 r3: down (the header and r3 say so, its last revision kept); restart: held again', async () => {
    const rev = Number(await page.getByTestId('replica-revision-r3').textContent())
    expect(rev).toBeGreaterThan(0)
    await page.getByTestId('fault-kill-r3').click()
    await expect.poll(() => up('r3'), { timeout: 5000 }).toBe('false')
    await expect.poll(() => held('e2e/a', 'r3'), { timeout: 5000 }).toBe('down')
    expect(await page.getByTestId('replica-row-r3').textContent()).toContain('down')
    expect(await page.getByTestId('store-running').textContent()).toBe('2 of 3 replicas up (r3 down)')
    expect(await page.getByTestId('replica-revision-r3').textContent()).toMatch(new RegExp(`^\\s*${rev} \\(last seen\\)\\s*$`))
    await expect.poll(() => page.getByTestId('peer-r1-r3').getAttribute('data-relation')).toBe('down')
    await page.getByTestId('replica-table').scrollIntoViewIfNeeded()
    await screenshot(page, 'store-killed')

    await page.getByTestId('fault-restart-r3').click()
    await expect.poll(() => up('r3'), { timeout: 15_000 }).toBe('true')
    await expect.poll(() => heldRow('e2e/a'), { timeout: 8000 }).toEqual(['true', 'true', 'true'])
  })

  it('partition {r1} | {r2, r3}: a write on r1 is not held by r2 and r3; heal: held by all', async () => {
    await page.getByTestId('partition-r2').click()
    await page.getByTestId('partition-r3').click()
    expect(await page.getByTestId('partition-summary').textContent()).toBe('to apply: {r1} | {r2, r3}')
    await page.getByTestId('partition-apply').click()
    await expect.poll(() => page.getByTestId('peer-r1-r2').getAttribute('data-cut'), { timeout: 5000 }).toBe('true')
    expect(await page.getByTestId('partition-now').textContent()).toBe('Now partitioned: {r1} | {r2, r3}.')

    await put('r1', 'e2e/b', 'two')
    await expect.poll(() => held('e2e/b', 'r1'), { timeout: 5000 }).toBe('true')
    // Two status ticks later r2 and r3 still do not hold it.
    await page.waitForTimeout(1200)
    expect(await heldRow('e2e/b')).toEqual(['true', 'false', 'false'])
    await page.getByTestId('durability-table').screenshot({ path: join(SHOTS, 'store-durability.png') })
    // A write on the other side too: each side now holds a write the other lacks — diverged, not "behind".
    await put('r2', 'e2e/c', 'three')
    await expect.poll(() => page.getByTestId('peer-r1-r2').getAttribute('data-relation'), { timeout: 5000 }).toBe('diverged')
    await expect.poll(() => page.getByTestId('peer-r2-r1').getAttribute('data-relation'), { timeout: 5000 }).toBe('diverged')
    await page.getByTestId('replica-table').scrollIntoViewIfNeeded()
    await screenshot(page, 'store-partitioned')

    await page.getByTestId('heal').click()
    await expect.poll(() => heldRow('e2e/b'), { timeout: 8000 }).toEqual(['true', 'true', 'true'])
    await expect.poll(() => heldRow('e2e/c'), { timeout: 8000 }).toEqual(['true', 'true', 'true'])
    await expect.poll(() => page.getByTestId('peer-r1-r2').getAttribute('data-cut'), { timeout: 5000 }).toBe('false')
    await expect.poll(() => page.getByTestId('peer-r1-r2').getAttribute('data-relation'), { timeout: 8000 }).toBe('equal')
    expect(await page.getByTestId('partition-now').textContent()).toBe('Now all links up.')
    expect(await page.getByTestId('partition-r2').getAttribute('data-group')).toBe('A')
    expect(await page.getByTestId('store-running').textContent()).toBe('3 of 3 replicas up')
    await screenshot(page, 'store-healed')
  })

  it('browses keys as r3 sees them', async () => {
    await page.getByTestId('store-browse-replica').selectOption('r3')
    await page.getByTestId('store-browse-prefix').fill('e2e/')
    await page.getByTestId('store-browse').click()
    await expect.poll(() => page.getByTestId('store-keys').getAttribute('data-replica')).toBe('r3')
    expect(await page.getByTestId('store-key-e2e/a').textContent()).toContain('one')
    expect(await page.getByTestId('store-key-e2e/b').textContent()).toContain('two')
  })

  it('charts a saved store benchmark (a tiny one; against etcd when installed) and stops the store', async () => {
    const started = await opened.lab.storeBench({ members: [1], keys: 100, sequentialOps: 50, concurrentOps: 400, inFlight: 16 })
    const run = await opened.lab.waitForBench(started.id)
    expect(run.status).toBe('done')
    await page.getByTestId('bench-table').waitFor({ timeout: 10_000 })
    expect(await page.getByTestId('bench-status').getAttribute('data-status')).toBe('done')
    if (run.etcd === 'ran') {
      expect(run.report!.systems.map((s) => s.system)).toEqual(['stabilis', 'etcd'])
      expect(await page.getByTestId('bench-row-stabilis-1-16 puts in flight').textContent()).toMatch(/×\d+\.\d\d/)
    } else {
      expect(await page.getByTestId('bench-note').textContent()).toMatch(/etcd is not installed/)
    }
    await expect.poll(() => paintedPixels(page, 'bench-chart-ops')).toBeGreaterThan(100)
    await fullShot('store-page')

    await page.getByTestId('store-stop').click()
    await page.getByTestId('store-stopped').waitFor({ timeout: 15_000 })
    expect(consoleErrors).toEqual([])
  })

  it('runs a short chaos test from the page and charts its timeline with the faults shaded', async () => {
    await page.getByTestId('chaos-replicas').fill('2')
    await page.getByTestId('chaos-duration').fill('4')
    await page.getByTestId('chaos-kill').uncheck()
    await page.getByTestId('chaos-partition').uncheck()
    await page.getByTestId('chaos-start').click()
    const verdict = page.getByTestId('chaos-verdict')
    await verdict.waitFor({ timeout: 60_000 })
    expect(await verdict.getAttribute('data-verdict')).toBe('pass')
    expect(await page.getByTestId('chaos-reasons').textContent()).toMatch(/0 missing after heal/)
    await expect.poll(() => paintedPixels(page, 'chaos-chart')).toBeGreaterThan(100)
    const [saved] = await opened.lab.listChaosRuns()
    expect(saved.options).toMatchObject({ replicas: 2, duration: 4, nemesis: ['pause'] })
    await page.getByTestId('chaos-chart').scrollIntoViewIfNeeded()
    await page.getByTestId('chaos-section').screenshot({ path: join(SHOTS, 'store-chaos.png') })
    expect(consoleErrors).toEqual([])
  })
})
