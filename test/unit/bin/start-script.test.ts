// npm start where Electron cannot start: it says why and what to do instead, and exits 1 (a child process, as npm runs it).
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../helpers/tmp.ts'

const START = join(import.meta.dirname, '../../../bin/start.js')

function start(env: NodeJS.ProcessEnv): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [START], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: 'utf8', timeout: 20_000 })
  return { code: r.status, stderr: r.stderr }
}

describe('npm start without a usable Electron', () => {
  const dir = tempDir()

  it('names a missing binary, how to install it, and the web host', () => {
    const r = start({ ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'nowhere') })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/Electron cannot start: its binary is not installed/)
    expect(r.stderr).toMatch(/node node_modules\/electron\/install\.js/)
    expect(r.stderr).toMatch(/npx stabilis serve/)
  })

  it('names a missing display (Linux)', () => {
    writeFileSync(join(dir, 'electron'), '')
    const r = start({ ELECTRON_OVERRIDE_DIST_PATH: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/no display \(neither DISPLAY nor WAYLAND_DISPLAY is set\)/)
    expect(r.stderr).toMatch(/xvfb-run npm start/)
  })
})
