// The sandboxed preload: exposes exactly the LabApi as window.lab, nothing else of ipcRenderer.
import { contextBridge, ipcRenderer } from 'electron'
import { LAB_EVENT_CHANNEL, LAB_IPC_PREFIX, LAB_METHODS, type LabApi, type LabErrorShape } from '../../../src-shared/api.ts'
import { fromErrorShape } from '../../../src-shared/errors.ts'
import type { LabEvent } from '../../../src-shared/types.ts'

type Envelope = { ok: true; result: unknown } | { ok: false; error: LabErrorShape }

const api: Record<string, unknown> = {
  onEvent(listener: (e: LabEvent) => void) {
    const handler = (_e: unknown, event: LabEvent): void => listener(event)
    ipcRenderer.on(LAB_EVENT_CHANNEL, handler)
    return () => ipcRenderer.removeListener(LAB_EVENT_CHANNEL, handler)
  },
}
for (const method of LAB_METHODS) {
  api[method] = async (...args: unknown[]) => {
    const env = (await ipcRenderer.invoke(LAB_IPC_PREFIX + method, ...args)) as Envelope
    if (!env.ok) throw fromErrorShape(env.error)
    return env.result
  }
}

contextBridge.exposeInMainWorld('lab', api as unknown as LabApi)
