// One end-to-end fixture: a lab on a fresh database, its web host, and a Chromium page opened with the token.
// Registers its own beforeAll/afterAll; console errors and page errors are collected for the test to assert on.
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { startWebHost, type WebHost } from '../../src-main/hosts/web/server.ts'
import type { LabOptions } from '../../src-main/lab/lab.ts'
import { openLab, type OpenLab } from '../../src-main/lab/open-lab.ts'
import { launchBrowser } from './browser.ts'
import { tempDir } from './tmp.ts'

export interface E2eLab {
  dir: string
  dbFile: string
  opened: OpenLab
  host: WebHost
  browser: Browser
  page: Page
  consoleErrors: string[]
}

export interface E2eLabOptions {
  lab?: (dir: string) => LabOptions
  viewport?: { width: number; height: number }
}

export function useE2eLab(opts: E2eLabOptions = {}): E2eLab {
  const dir = tempDir()
  const e2e = { dir, dbFile: join(dir, 'e2e.db'), consoleErrors: [] as string[] } as E2eLab
  beforeAll(async () => {
    e2e.opened = openLab(e2e.dbFile, opts.lab?.(dir) ?? {})
    e2e.host = await startWebHost({ lab: e2e.opened.lab })
    e2e.browser = await launchBrowser()
    e2e.page = await e2e.browser.newPage({ viewport: opts.viewport ?? { width: 1360, height: 900 }, acceptDownloads: true })
    e2e.page.on('console', (m) => m.type() === 'error' && e2e.consoleErrors.push(m.text()))
    e2e.page.on('pageerror', (err) => e2e.consoleErrors.push(err.message))
    await e2e.page.goto(e2e.host.openUrl)
  })
  afterAll(async () => {
    await e2e.browser?.close()
    await e2e.host?.close()
    await e2e.opened?.close()
  })
  return e2e
}

/**
 * Starts a twophase run from the New run page: `params` by parameter name, `fields` by test id (other form fields);
 * resolves with the new run's id once the page has moved to it.
 */
export async function startRunFromForm(
  page: Page,
  hostUrl: string,
  params: Record<string, string | boolean>,
  fields: Record<string, string> = {},
): Promise<number> {
  await page.goto(`${hostUrl}#/new`)
  await page.getByTestId('new-run-form').waitFor()
  await page.getByTestId('model-select').selectOption('twophase')
  for (const [name, value] of Object.entries(params)) {
    const input = page.getByTestId(`param-${name}`)
    if (typeof value === 'boolean') await input.setChecked(value)
    else await input.fill(value)
  }
  for (const [testid, value] of Object.entries(fields)) await page.getByTestId(testid).fill(value)
  await page.getByTestId('start-run').click()
  await page.waitForURL(/#\/run\/\d+$/)
  return Number(/#\/run\/(\d+)$/.exec(page.url())![1])
}
