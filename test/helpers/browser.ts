// Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core; no browser is ever downloaded.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const SHOTS = join(import.meta.dirname, '../../test-results')

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  })
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}

/** Non-transparent pixels in the first canvas under a test id: proves a chart actually drew. */
/** The app scrolls inside <main>, so a full-page shot needs a viewport as tall as the content (then restored). */
export async function fullPageScreenshot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize()!
  const height = await page.evaluate(() => Math.max(document.querySelector('main')?.scrollHeight ?? 0, window.innerHeight))
  await page.setViewportSize({ width: size.width, height: Math.min(height + 8, 4000) })
  await page.waitForTimeout(250)
  await screenshot(page, name)
  await page.setViewportSize(size)
}

export async function paintedPixels(page: Page, testid: string): Promise<number> {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`[data-testid="${id}"] canvas`) as HTMLCanvasElement | null
    if (!canvas) return -1
    const ctx = canvas.getContext('2d')!
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height)
    let n = 0
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++
    return n
  }, testid)
}
