// Every LabApi method must be reachable from each host: the Electron preload and IPC handlers (electron mocked,
// since its binary cannot be downloaded here) and the web host (a real HTTP server on loopback).
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { LAB_EVENT_CHANNEL, LAB_IPC_PREFIX, LAB_METHODS, type LabApi } from '../../../src-shared/api.ts'
import { badInput } from '../../../src-shared/errors.ts'
import type { LabEvent } from '../../../src-shared/types.ts'
import { startWebHost } from '../../../src-main/hosts/web/server.ts'
import { registerLabIpc } from '../../../src-main/hosts/electron/ipc.ts'
import { openLab } from '../../../src-main/lab/open-lab.ts'
import { tempDir } from '../../helpers/tmp.ts'

const electron = vi.hoisted(() => ({
  exposed: {} as Record<string, unknown>,
  invoke: vi.fn(async (..._args: unknown[]): Promise<unknown> => ({ ok: true, result: 'ok' })),
  on: vi.fn(),
  removeListener: vi.fn(),
}))

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (electron.exposed[key] = api) },
  ipcRenderer: { invoke: electron.invoke, on: electron.on, removeListener: electron.removeListener },
}))

/** A LabApi whose every method records its call, so wiring tests can tell which method was reached. */
function recordingLab(): { lab: LabApi; calls: [string, unknown[]][]; emit: (e: LabEvent) => void } {
  const calls: [string, unknown[]][] = []
  const listeners = new Set<(e: LabEvent) => void>()
  const lab: Record<string, unknown> = {
    onEvent: (l: (e: LabEvent) => void) => (listeners.add(l), () => listeners.delete(l)),
  }
  for (const m of LAB_METHODS) {
    lab[m] = async (...args: unknown[]) => {
      calls.push([m, args])
      if (args[0] === 'fail') throw badInput(`bad ${m}`)
      return `${m}-result`
    }
  }
  return { lab: lab as unknown as LabApi, calls, emit: (e) => listeners.forEach((l) => l(e)) }
}

describe('Electron preload', () => {
  beforeEach(() => electron.invoke.mockClear())

  it('exposes exactly the LabApi on window.lab and routes each method to its IPC channel', async () => {
    await import('../../../src-main/hosts/electron/preload.ts')
    const api = electron.exposed.lab as Record<string, (...a: unknown[]) => Promise<unknown>>
    expect(Object.keys(electron.exposed)).toEqual(['lab'])
    expect(Object.keys(api).sort()).toEqual([...LAB_METHODS, 'onEvent'].sort())
    for (const m of LAB_METHODS) {
      electron.invoke.mockResolvedValueOnce({ ok: true, result: `${m}!` })
      await expect(api[m](1, 'two')).resolves.toBe(`${m}!`)
      expect(electron.invoke).toHaveBeenLastCalledWith(LAB_IPC_PREFIX + m, 1, 'two')
    }
  })

  it('turns an error envelope back into a LabError with its code', async () => {
    const api = electron.exposed.lab as Record<string, (...a: unknown[]) => Promise<unknown>>
    electron.invoke.mockResolvedValueOnce({ ok: false, error: { code: 'not-found', message: 'no run with id 7' } })
    await expect(api.getRun(7)).rejects.toMatchObject({ code: 'not-found', message: 'no run with id 7' })
  })

  it('subscribes to events on the event channel and unsubscribes', () => {
    const api = electron.exposed.lab as LabApi
    const off = api.onEvent(() => {})
    expect(electron.on).toHaveBeenCalledWith(LAB_EVENT_CHANNEL, expect.any(Function))
    off()
    expect(electron.removeListener).toHaveBeenCalledWith(LAB_EVENT_CHANNEL, electron.on.mock.calls[0][1])
  })
})

describe('Electron IPC handlers', () => {
  it('registers a handler for every method that calls the lab, and forwards events', async () => {
    const { lab, calls, emit } = recordingLab()
    const handlers = new Map<string, (e: unknown, ...a: unknown[]) => Promise<unknown>>()
    const sent: unknown[][] = []
    const wc = { isDestroyed: () => false, send: (...a: unknown[]) => sent.push(a) }
    registerLabIpc({ handle: (ch: string, fn: never) => handlers.set(ch, fn) } as never, lab, () => wc as never)
    expect([...handlers.keys()].sort()).toEqual(LAB_METHODS.map((m) => LAB_IPC_PREFIX + m).sort())
    for (const m of LAB_METHODS) {
      await expect(handlers.get(LAB_IPC_PREFIX + m)!({}, 42)).resolves.toEqual({ ok: true, result: `${m}-result` })
      expect(calls.at(-1)).toEqual([m, [42]])
    }
    await expect(handlers.get(LAB_IPC_PREFIX + 'startRun')!({}, 'fail')).resolves.toEqual({
      ok: false,
      error: { code: 'bad-input', message: 'bad startRun' },
    })
    const event: LabEvent = { type: 'run-progress', runId: 1, samples: [], depthHistogram: [] }
    emit(event)
    expect(sent).toEqual([[LAB_EVENT_CHANNEL, event]])
  })
})

describe('web host', () => {
  const { lab, calls } = recordingLab()
  const hostP = startWebHost({ lab, staticDir: tempDir() })
  afterAll(async () => (await hostP).close())

  const call = async (method: string, args: unknown[], token?: string) => {
    const host = await hostP
    const res = await fetch(`${host.url}api/call/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? host.token}` },
      body: JSON.stringify({ args }),
    })
    return { status: res.status, body: (await res.json()) as { result?: unknown; error?: { code: string; message: string } } }
  }

  it('binds 127.0.0.1 and prints a URL carrying the token', async () => {
    const host = await hostP
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(host.openUrl).toBe(`${host.url}?token=${host.token}`)
    expect(host.token.length).toBeGreaterThanOrEqual(32)
  })

  it('serves every LabApi method', async () => {
    for (const m of LAB_METHODS) {
      expect(await call(m, [7])).toEqual({ status: 200, body: { result: `${m}-result` } })
      expect(calls.at(-1)).toEqual([m, [7]])
    }
  })

  it('refuses a missing or wrong token, unknown methods, malformed bodies; maps error codes', async () => {
    const before = calls.length
    expect((await call('listRuns', [], 'wrong')).status).toBe(401)
    expect((await call('constructor', [])).status).toBe(404)
    expect((await call('startRun', ['fail'])).body.error).toEqual({ code: 'bad-input', message: 'bad startRun' })
    const host = await hostP
    const res = await fetch(`${host.url}api/call/listRuns`, { method: 'POST', headers: { authorization: `Bearer ${host.token}` }, body: '{nope' })
    expect(res.status).toBe(400)
    expect(calls.length).toBe(before + 1)
  })
})

describe('web host with a real lab', () => {
  it('streams run events over the WebSocket to a client with the token only', async () => {
    const opened = openLab(join(tempDir(), 'ws.db'))
    const host = await startWebHost({ lab: opened.lab, staticDir: tempDir() })
    try {
      const bad = new WebSocket(`${host.url.replace('http', 'ws')}api/events?token=nope`)
      const badResult = await new Promise((r) => ((bad.onerror = () => r('refused')), (bad.onopen = () => r('opened'))))
      expect(badResult).toBe('refused')

      const ws = new WebSocket(`${host.url.replace('http', 'ws')}api/events?token=${host.token}`)
      await new Promise((r) => (ws.onopen = r))
      const events: LabEvent[] = []
      const finished = new Promise<void>((resolve) => {
        ws.onmessage = (m) => {
          const e = JSON.parse(String(m.data)) as LabEvent
          events.push(e)
          if (e.type === 'run-finished') resolve()
        }
      })
      const run = await opened.lab.startRun({ model: 'twophase', params: { rms: 3 } } as never)
      await finished
      ws.close()
      expect(events[0]).toMatchObject({ type: 'run-started', run: { id: run.id } })
      expect(events.at(-1)).toMatchObject({ type: 'run-finished', run: { id: run.id, unique: 288, status: 'done' } })
    } finally {
      await host.close()
      await opened.close()
    }
  })
})
