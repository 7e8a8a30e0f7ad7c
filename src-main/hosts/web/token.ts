// The web host's token survives a restart: kept in a file beside the database (mode 0600), so open tabs and
// bookmarks of `stabilis serve` keep working. A token file that is unreadable or malformed is replaced.
import { randomBytes } from 'node:crypto'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,128}$/

export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

/** The token saved in `file`, or a new one written there. */
export function persistentToken(file: string): { token: string; created: boolean } {
  try {
    const saved = readFileSync(file, 'utf8').trim()
    if (TOKEN_SHAPE.test(saved)) return { token: saved, created: false }
  } catch {
    // missing or unreadable: make a new one below
  }
  const token = newToken()
  writeFileSync(file, token + '\n', { mode: 0o600 })
  chmodSync(file, 0o600)
  return { token, created: true }
}
