#!/usr/bin/env node
// npm start: opens the desktop app (electron-vite preview), or says plainly why Electron cannot start here and
// what to do instead. Requiring the electron package would try to download its binary, so only files are checked.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const WEB_HINT = `The same interface runs in a browser: npx stabilis serve (then open the link it prints).`

function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return join(process.env.ELECTRON_OVERRIDE_DIST_PATH, process.platform === 'win32' ? 'electron.exe' : 'electron')
  let pkg
  try {
    pkg = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'))
  } catch {
    return null
  }
  const pathFile = join(pkg, 'path.txt')
  return existsSync(pathFile) ? join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim()) : null
}

function problem() {
  const bin = electronBinary()
  if (bin === null || !existsSync(bin)) {
    return [
      'Electron cannot start: its binary is not installed (npm downloads it from GitHub when installing; that',
      'download did not happen or failed, e.g. offline or behind a proxy).',
      'To install it: node node_modules/electron/install.js (needs access to github.com), then npm start again.',
    ]
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return ['Electron cannot start: there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set).', 'On a headless machine: xvfb-run npm start.']
  }
  return null
}

const why = problem()
if (why) {
  process.stderr.write(`${why.join('\n')}\n${WEB_HINT}\n`)
  process.exit(1)
}
const child = spawn(join(root, 'node_modules', '.bin', 'electron-vite'), ['preview'], { stdio: 'inherit', cwd: root })
child.on('exit', (code, signal) => {
  if (code) process.stderr.write(`\nThe desktop app exited with code ${code}. ${WEB_HINT}\n`)
  process.exit(code ?? (signal ? 1 : 0))
})
