// The window's last size and position, kept in the user-data folder so the app reopens as it was left.
import { readFileSync, writeFileSync } from 'node:fs'

export interface WindowState {
  width: number
  height: number
  x?: number
  y?: number
  maximized?: boolean
}

export const DEFAULT_WINDOW: WindowState = { width: 1280, height: 820 }

/** The saved state, or the default when there is none or it is unreadable (a bad file must not stop the app). */
export function loadWindowState(file: string): WindowState {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowState>
    const ok = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min
    if (!ok(s.width, 400) || !ok(s.height, 300)) return { ...DEFAULT_WINDOW }
    return {
      width: s.width,
      height: s.height,
      ...(ok(s.x, -1e5) && ok(s.y, -1e5) ? { x: s.x, y: s.y } : {}),
      ...(s.maximized === true ? { maximized: true } : {}),
    }
  } catch {
    return { ...DEFAULT_WINDOW }
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  try {
    writeFileSync(file, JSON.stringify(state))
  } catch {
    // losing the window size is not worth an error dialog
  }
}
