// Registers every LabApi method as an IPC handler and forwards lab events to the window.
// Results travel in an envelope so a LabError keeps its code across the boundary (Electron would flatten it).
import type { IpcMain, WebContents } from 'electron'
import { LAB_EVENT_CHANNEL, LAB_IPC_PREFIX, LAB_METHODS, type LabApi } from '../../../src-shared/api.ts'
import { toErrorShape } from '../../../src-shared/errors.ts'

export function registerLabIpc(ipcMain: Pick<IpcMain, 'handle'>, lab: LabApi, target: () => WebContents | undefined): () => void {
  for (const method of LAB_METHODS) {
    ipcMain.handle(LAB_IPC_PREFIX + method, async (_event, ...args: unknown[]) => {
      try {
        const fn = lab[method] as (...a: unknown[]) => Promise<unknown>
        return { ok: true, result: await fn.apply(lab, args) }
      } catch (err) {
        return { ok: false, error: toErrorShape(err) }
      }
    })
  }
  return lab.onEvent((event) => {
    const wc = target()
    if (wc && !wc.isDestroyed()) wc.send(LAB_EVENT_CHANNEL, event)
  })
}
