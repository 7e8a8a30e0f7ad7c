// LabApi over the web host: POST /api/call/<method> for requests, a WebSocket for events. The token comes from the page URL.
import { LAB_METHODS, type LabApi, type LabErrorShape } from '../../src-shared/api.ts'
import { fromErrorShape } from '../../src-shared/errors.ts'
import type { LabEvent } from '../../src-shared/types.ts'

const TOKEN_KEY = 'stabilis.token'

/** Reads ?token= from the URL once, keeps it for reloads, and removes it from the address bar. */
export function takeToken(loc: Location = window.location, store: Storage = window.sessionStorage): string {
  const url = new URL(loc.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    store.setItem(TOKEN_KEY, fromUrl)
    url.searchParams.delete('token')
    window.history.replaceState(null, '', url.pathname + url.search + url.hash)
    return fromUrl
  }
  return store.getItem(TOKEN_KEY) ?? ''
}

/** What a call answered with 401 throws, and onUnauthorized hears about: the token is missing or no longer valid. */
export const UNAUTHORIZED = 'unauthorized'

export function createWebLab(token: string, base: string = window.location.origin, onUnauthorized?: () => void): LabApi {
  const listeners = new Set<(e: LabEvent) => void>()
  let socket: WebSocket | null = null
  let retry = 0

  const connect = (): void => {
    if (!token) return
    const wsUrl = new URL('/api/events', base)
    wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:'
    wsUrl.searchParams.set('token', token)
    const ws = new WebSocket(wsUrl)
    socket = ws
    ws.onopen = () => (retry = 0)
    ws.onmessage = (msg) => {
      const event = JSON.parse(String(msg.data)) as LabEvent
      for (const l of listeners) l(event)
    }
    ws.onclose = () => {
      // A newer socket may already have replaced this one (unsubscribe then subscribe while closing).
      if (socket !== ws) return
      socket = null
      // Reconnect with backoff while anyone listens; a restarted host comes back without a reload.
      if (listeners.size > 0) setTimeout(connect, Math.min(5000, 200 * 2 ** retry++))
    }
  }

  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    const res = await fetch(new URL(`/api/call/${method}`, base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ args }),
    })
    if (res.status === 401) {
      onUnauthorized?.()
      throw fromErrorShape({ code: 'bad-input', message: token ? 'this page\'s token is no longer valid: open the link `stabilis serve` printed' : 'this page has no token: open the link `stabilis serve` printed' })
    }
    const body = (await res.json()) as { result?: unknown; error?: LabErrorShape }
    if (!res.ok || body.error) throw fromErrorShape(body.error ?? { code: 'internal', message: `HTTP ${res.status}` })
    return body.result
  }

  const api: Partial<LabApi> = {
    onEvent(listener) {
      listeners.add(listener)
      if (!socket || socket.readyState >= WebSocket.CLOSING) connect()
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0 && socket) socket.close()
      }
    },
  }
  for (const method of LAB_METHODS) {
    ;(api as Record<string, unknown>)[method] = (...args: unknown[]) => call(method, args)
  }
  return api as LabApi
}
