// The Electron main process with `electron` mocked (its binary cannot be downloaded here): the window is
// isolated and sandboxed, loads the CommonJS preload, and every response carries the CSP.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { LAB_IPC_PREFIX, LAB_METHODS } from '../../../../src-shared/api.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const userData = tempDir()
// The window reopens at the size it was closed at.
writeFileSync(join(userData, 'window-state.json'), JSON.stringify({ width: 1000, height: 700, x: 10, y: 20 }))
const fake = vi.hoisted(() => ({
  windows: [] as { options: Record<string, any>; loaded: string[] }[],
  handlers: new Map<string, unknown>(),
  appEvents: new Map<string, (...a: any[]) => void>(),
  headerHook: null as null | ((d: any, cb: (r: any) => void) => void),
  ready: null as null | (() => void),
}))

vi.mock('../../../../src-main/checker/check-worker.ts?modulePath', () => ({ default: '/bundled/check-worker.js' }))
vi.mock('../../../../src-main/models/catalog.ts?modulePath', () => ({ default: '/bundled/catalog.js' }))
vi.mock('../../../../src-main/store/replica-main.ts?modulePath', () => ({ default: '/bundled/replica.js' }))
vi.mock('electron', () => {
  class BrowserWindow {
    static getAllWindows = () => fake.windows
    webContents = { setWindowOpenHandler: vi.fn(), on: vi.fn(), isDestroyed: () => false, send: vi.fn() }
    entry: { options: Record<string, any>; loaded: string[] }
    constructor(options: Record<string, any>) {
      this.entry = { options, loaded: [] }
      fake.windows.push(this.entry)
    }
    once() {}
    on() {}
    show() {}
    loadFile(f: string) {
      this.entry.loaded.push(f)
      return Promise.resolve()
    }
    loadURL(u: string) {
      this.entry.loaded.push(u)
      return Promise.resolve()
    }
  }
  return {
    app: {
      whenReady: () => new Promise<void>((r) => (fake.ready = r)),
      getPath: () => userData,
      on: (ev: string, fn: (...a: any[]) => void) => fake.appEvents.set(ev, fn),
      quit: vi.fn(),
    },
    BrowserWindow,
    ipcMain: { handle: (ch: string, fn: unknown) => fake.handlers.set(ch, fn) },
    session: { defaultSession: { webRequest: { onHeadersReceived: (fn: any) => (fake.headerHook = fn) } } },
    shell: { openExternal: vi.fn() },
  }
})

afterAll(async () => {
  // Close the lab the host opened, as the app does on quit.
  const quit = fake.appEvents.get('before-quit')
  quit?.({ preventDefault() {} })
  await new Promise((r) => setTimeout(r, 50))
})

describe('Electron main', () => {
  it('opens an isolated, sandboxed window with the CommonJS preload, wires every LabApi method and sets a CSP', async () => {
    await import('../../../../src-main/hosts/electron/main.ts')
    fake.ready!()
    await vi.waitFor(() => expect(fake.windows).toHaveLength(1))
    const prefs = fake.windows[0].options.webPreferences
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false })
    expect(prefs.preload).toMatch(/preload[\\/]index\.cjs$/)
    expect(fake.windows[0].options).toMatchObject({ width: 1000, height: 700, x: 10, y: 20 })
    expect(fake.windows[0].loaded[0]).toMatch(/renderer[\\/]index\.html$/)
    expect([...fake.handlers.keys()].sort()).toEqual(LAB_METHODS.map((m) => LAB_IPC_PREFIX + m).sort())
    let headers: Record<string, string[]> = {}
    fake.headerHook!({ responseHeaders: { a: ['b'] } }, (r: { responseHeaders: Record<string, string[]> }) => (headers = r.responseHeaders))
    expect(headers['Content-Security-Policy'][0]).toMatch(/default-src 'self'; script-src 'self'/)
    expect(headers.a).toEqual(['b'])
    // The database lives in the app's user-data folder.
    const list = fake.handlers.get(LAB_IPC_PREFIX + 'listRuns') as (e: unknown) => Promise<{ ok: boolean; result: unknown }>
    await expect(list({})).resolves.toEqual({ ok: true, result: [] })
    expect(existsSync(join(userData, 'stabilis.db'))).toBe(true)
  })
})
