// Where the CLI and web host keep their database when --db is not given: a per-user data folder.
import { homedir } from 'node:os'
import { join } from 'node:path'

export function defaultDbFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STABILIS_DB) return env.STABILIS_DB
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(base, 'stabilis', 'stabilis.db')
}
