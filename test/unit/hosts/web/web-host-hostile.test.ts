// The web host against malformed, unauthenticated requests (each once took the whole host down), and `serve`
// keeping its port and token across a restart.
import { spawn } from 'node:child_process'
import { statSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startWebHost } from '../../../../src-main/hosts/web/server.ts'
import { openLab } from '../../../../src-main/lab/open-lab.ts'
import { CLI } from '../../../helpers/cli.ts'
import { tempDir } from '../../../helpers/tmp.ts'

/** Sends raw bytes, returns the first line of whatever comes back ('' if the socket just closed). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(text))
    let got = ''
    sock.on('data', (d) => (got += d.toString('latin1')))
    sock.on('error', reject)
    sock.on('close', () => resolve(got.split('\r\n')[0]))
    sock.setTimeout(3000, () => sock.destroy())
  })
}

describe('web host: hostile requests', () => {
  const dir = tempDir()
  const opened = openLab(join(dir, 'h.db'))
  const hostP = startWebHost({ lab: opened.lab, staticDir: dir })
  afterAll(async () => {
    await (await hostP).close()
    await opened.close()
  })

  const cases: [string, string, string][] = [
    ['a malformed percent-encoding', 'GET /%c0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', '400 Bad Request'],
    ['a bad absolute request-target', 'GET http://[::1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', '400 Bad Request'],
    ['an absolute target with a bad port', 'GET http://a:99999/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', '400 Bad Request'],
    ['a WebSocket upgrade with a bad target', 'GET http://[x/api/events HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n', '401 Unauthorized'],
    ['garbage', '\x00\x01\x02 nonsense\r\n\r\n', '400 Bad Request'],
  ]
  for (const [what, text, status] of cases) {
    it(`answers ${what} with ${status} and keeps serving`, async () => {
      const host = await hostP
      expect(await raw(host.port, text)).toBe(`HTTP/1.1 ${status}`)
      const res = await fetch(`${host.url}api/call/listRuns`, { method: 'POST', headers: { authorization: `Bearer ${host.token}` }, body: '{}' })
      expect(res.status).toBe(200)
    })
  }
})

/** Starts `stabilis serve`, resolves with the printed link; the caller stops the process. */
function serve(args: string[]): Promise<{ link: string; stop: () => Promise<void>; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr.on('data', (d) => (err += d))
  const stop = (): Promise<void> => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM'))))
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d
      const m = /(http:\/\/\S+\?token=\S+)/.exec(out)
      if (m) resolve({ link: m[1], stop, stderr: () => err })
    })
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)))
  })
}

describe('stabilis serve', () => {
  const dir = tempDir()
  const db = join(dir, 'serve.db')

  it('keeps its port (--port) and token across a restart; --new-token replaces the token', async () => {
    const a = await serve(['--db', db, '--port', '0'])
    const first = new URL(a.link)
    await a.stop()
    expect(statSync(join(dir, 'web-token')).mode & 0o777).toBe(0o600)
    const port = Number(first.port)
    const b = await serve(['--db', db, '--port', String(port)])
    const second = new URL(b.link)
    expect(second.port).toBe(first.port)
    expect(second.searchParams.get('token')).toBe(first.searchParams.get('token'))
    const res = await fetch(`${second.origin}/api/call/listRuns`, { method: 'POST', headers: { authorization: `Bearer ${first.searchParams.get('token')}` }, body: '{}' })
    expect(res.status).toBe(200)
    await b.stop()
    const c = await serve(['--db', db, '--port', '0', '--new-token'])
    expect(new URL(c.link).searchParams.get('token')).not.toBe(first.searchParams.get('token'))
    await c.stop()
  })
})
