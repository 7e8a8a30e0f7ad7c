// Runs the real stabilis command as a child process, the way a user or script would.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const CLI = fileURLToPath(new URL('../../bin/stabilis.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** A data folder of this test file's own: a command without --db never touches the user's database. */
let dataHome: string | null = null

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  dataHome ??= mkdtempSync(join(tmpdir(), 'stabilis-cli-data-'))
  return runNode([CLI, ...args], { ...process.env, XDG_DATA_HOME: dataHome, ...env })
}

/** Runs this Node with `args` as a child process, collecting its output. */
export function runNode(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
