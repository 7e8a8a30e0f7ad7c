import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_WINDOW, loadWindowState, saveWindowState } from '../../../../src-main/hosts/electron/window-state.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const dir = tempDir()

describe('window state', () => {
  it('round-trips size, position and maximized', () => {
    const file = join(dir, 'w.json')
    saveWindowState(file, { width: 900, height: 640, x: -20, y: 30, maximized: true })
    expect(loadWindowState(file)).toEqual({ width: 900, height: 640, x: -20, y: 30, maximized: true })
    expect(JSON.parse(readFileSync(file, 'utf8')).width).toBe(900)
  })

  it('falls back to the default for a missing, corrupt or absurd file', () => {
    expect(loadWindowState(join(dir, 'none.json'))).toEqual(DEFAULT_WINDOW)
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{not json')
    expect(loadWindowState(bad)).toEqual(DEFAULT_WINDOW)
    writeFileSync(bad, JSON.stringify({ width: 10, height: 5 }))
    expect(loadWindowState(bad)).toEqual(DEFAULT_WINDOW)
  })
})
