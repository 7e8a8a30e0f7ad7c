// The Electron host: one window, isolated and sandboxed, the lab behind IPC. No logic lives here.
import { join } from 'node:path'
import { app, BrowserWindow, ipcMain, session, shell } from 'electron'
import { openLab, type OpenLab } from '../../lab/open-lab.ts'
import checkWorker from '../../checker/check-worker.ts?modulePath'
import modelCatalog from '../../models/catalog.ts?modulePath'
import replicaEntry from '../../store/replica-main.ts?modulePath'
import { registerLabIpc } from './ipc.ts'
import { loadWindowState, saveWindowState } from './window-state.ts'

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

let window: BrowserWindow | null = null
let opened: OpenLab | null = null

function createWindow(): void {
  const stateFile = join(app.getPath('userData'), 'window-state.json')
  const saved = loadWindowState(stateFile)
  window = new BrowserWindow({
    width: saved.width,
    height: saved.height,
    ...(saved.x !== undefined ? { x: saved.x, y: saved.y } : {}),
    minWidth: 900,
    minHeight: 600,
    title: 'Stabilis',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  })
  window.once('ready-to-show', () => {
    if (saved.maximized) window?.maximize()
    window?.show()
  })
  window.on('close', () => {
    if (!window) return
    const maximized = window.isMaximized()
    const b = maximized ? window.getNormalBounds() : window.getBounds()
    saveWindowState(stateFile, { width: b.width, height: b.height, x: b.x, y: b.y, maximized })
  })
  // Links open in the user's browser; the app window never navigates away from the renderer.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:/.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  window.webContents.on('will-navigate', (e) => e.preventDefault())
  const devUrl = process.env.ELECTRON_RENDERER_URL
  if (devUrl) void window.loadURL(devUrl)
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'))
  window.on('closed', () => (window = null))
}

void app.whenReady().then(() => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } })
  })
  const userData = app.getPath('userData')
  opened = openLab(join(userData, 'stabilis.db'), { checkWorker, modelCatalog, store: { dir: join(userData, 'store'), replicaEntry } })
  registerLabIpc(ipcMain, opened.lab, () => window?.webContents)
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

// Running checks are stopped and saved before the process exits, so they show as "stopped", not lost.
let quitting = false
app.on('before-quit', (e) => {
  if (quitting || !opened) return
  e.preventDefault()
  quitting = true
  void opened.close().finally(() => app.quit())
})
