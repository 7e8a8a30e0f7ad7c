// The web host: the renderer bundle over HTTP, LabApi calls as POST /api/call/<method>, events over a WebSocket.
// Binds 127.0.0.1 by default; every API request needs the random token printed at start.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocketServer } from 'ws'
import { LAB_METHODS, type LabApi, type LabMethod } from '../../../src-shared/api.ts'
import { toErrorShape } from '../../../src-shared/errors.ts'

export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../../out/renderer', import.meta.url))
const MAX_BODY = 1 << 20

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

export interface WebHostOptions {
  lab: LabApi
  host?: string
  port?: number
  token?: string
  staticDir?: string
}

export interface WebHost {
  url: string
  /** The URL a browser opens: carries the token once; the page keeps it and drops it from the address bar. */
  openUrl: string
  port: number
  token: string
  close(): Promise<void>
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS })
  res.end(text)
}

const HTTP_STATUS = { 'bad-input': 400, 'not-found': 404, internal: 500 } as const

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new Error('request body over 1 MiB')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

async function handleCall(lab: LabApi, method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!(LAB_METHODS as readonly string[]).includes(method)) {
    sendJson(res, 404, { error: { code: 'not-found', message: `no LabApi method "${method}"` } })
    return
  }
  let args: unknown[]
  try {
    const body = JSON.parse((await readBody(req)) || '{}') as { args?: unknown }
    args = Array.isArray(body.args) ? body.args : []
  } catch (err) {
    sendJson(res, 400, { error: { code: 'bad-input', message: `malformed request: ${(err as Error).message}` } })
    return
  }
  try {
    const fn = lab[method as LabMethod] as (...a: unknown[]) => Promise<unknown>
    const result = await fn.apply(lab, args)
    sendJson(res, 200, { result: result ?? null })
  } catch (err) {
    const shape = toErrorShape(err)
    sendJson(res, HTTP_STATUS[shape.code], { error: shape })
  }
}

function serveStatic(dir: string, urlPath: string, res: ServerResponse): void {
  const root = resolve(dir)
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    sendJson(res, 400, { error: { code: 'bad-input', message: 'malformed percent-encoding in the path' } })
    return
  }
  let file = normalize(join(root, decoded))
  if (file !== root && !file.startsWith(root + sep)) {
    sendJson(res, 403, { error: { code: 'bad-input', message: 'path outside the app' } })
    return
  }
  // Unknown paths fall back to the app shell (the renderer routes by hash).
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html')
  if (!existsSync(file)) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
    res.end(`The renderer is not built (${root} is missing): run npm run build.`)
    return
  }
  res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', ...SECURITY_HEADERS })
  createReadStream(file).pipe(res)
}

/** The request target as a URL; null when it is not one (e.g. a malformed absolute-form target). */
function parseTarget(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://localhost')
  } catch {
    return null
  }
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const { lab } = opts
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const staticDir = opts.staticDir ?? DEFAULT_STATIC_DIR

  // One request, however malformed, must never take the host (and the runs it holds) down.
  const server = createServer((req, res) => {
    try {
      route(req, res)
    } catch (err) {
      if (res.headersSent) res.destroy()
      else sendJson(res, 400, { error: { code: 'bad-input', message: `malformed request: ${(err as Error).message}` } })
    }
  })
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })

  function route(req: IncomingMessage, res: ServerResponse): void {
    const url = parseTarget(req.url)
    if (!url) {
      sendJson(res, 400, { error: { code: 'bad-input', message: 'malformed request target' } })
      return
    }
    if (url.pathname.startsWith('/api/')) {
      const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, '')
      if (!sameToken(bearer, token)) {
        sendJson(res, 401, { error: { code: 'bad-input', message: 'missing or wrong token: open the URL the host printed' } })
        return
      }
      const m = /^\/api\/call\/([A-Za-z]+)$/.exec(url.pathname)
      if (req.method === 'POST' && m) {
        void handleCall(lab, m[1], req, res)
        return
      }
      sendJson(res, 404, { error: { code: 'not-found', message: `no API route ${req.method} ${url.pathname}` } })
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: { code: 'bad-input', message: `method ${req.method} not allowed` } })
      return
    }
    serveStatic(staticDir, url.pathname, res)
  }

  const wss = new WebSocketServer({ noServer: true })
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    const url = parseTarget(req.url)
    if (!url || url.pathname !== '/api/events' || !sameToken(url.searchParams.get('token'), token)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const off = lab.onEvent((event) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event))
      })
      ws.on('close', off)
      ws.on('error', off)
    })
  })

  const host = opts.host ?? '127.0.0.1'
  await new Promise<void>((res, rej) => {
    server.once('error', rej)
    server.listen(opts.port ?? 0, host, () => res())
  })
  const port = (server.address() as AddressInfo).port
  const shownHost = host.includes(':') ? `[${host}]` : host
  const url = `http://${shownHost}:${port}/`
  return {
    url,
    openUrl: `${url}?token=${token}`,
    port,
    token,
    async close() {
      for (const c of wss.clients) c.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((res) => server.close(() => res()))
    },
  }
}
