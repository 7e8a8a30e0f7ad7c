// The CLI at its edges: a closed pipe, an output file that cannot be written, an empty replay path, a system error
// that is the user's to fix, and a store whose replica is killed under it.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RunRepository } from '../../../../src-main/lab/db/run-repository.ts'
import { CLI, runCli } from '../../../helpers/cli.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const dir = tempDir()
const db = join(dir, 'edges.db')
const config = { model: 'twophase', params: { rms: 2 }, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false } as const

/** The processes `pid` started (Linux /proc: every thread's children). */
function childPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
    readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter((x) => x.trim() !== '').map(Number),
  )
}

describe('stabilis at its edges', () => {
  it('runs | head -1 prints one line and no EPIPE stack trace', async () => {
    const file = join(dir, 'many.db')
    const repo = RunRepository.open(file)
    for (let i = 0; i < 3000; i++) repo.createRun(config, new Date().toISOString())
    repo.close()
    const r = await new Promise<{ out: string; err: string; code: number | null }>((done) => {
      const sh = spawn('bash', ['-c', `"${process.execPath}" "${CLI}" runs --db "${file}" | head -1; echo "cli exit \${PIPESTATUS[0]}" >&2`])
      let out = ''
      let err = ''
      sh.stdout.on('data', (d) => (out += d))
      sh.stderr.on('data', (d) => (err += d))
      sh.on('close', (code) => done({ out, err, code }))
    })
    expect(r.out).toMatch(/^ +3000 .*twophase rms=2.*\n$/)
    expect(r.err).toBe('cli exit 0\n')
  })

  it('check --csv to a path that cannot be written is refused before any run starts', async () => {
    const blocker = join(dir, 'a-file')
    writeFileSync(blocker, 'x')
    const cases: [string, RegExp][] = [
      [join(dir, 'no', 'such', 'folder', 'r.csv'), /--csv .*r\.csv: the folder .*folder does not exist/],
      [dir, /--csv .* is a folder; name a file/],
      [join(blocker, 'r.csv'), /--csv .*r\.csv: .*a-file is not a folder/],
    ]
    for (const [csv, message] of cases) {
      const r = await runCli(['check', 'twophase', '--db', db, '--csv', csv])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(message)
      expect(r.stdout).toBe('')
    }
    expect(JSON.parse((await runCli(['runs', '--db', db, '--json'])).stdout)).toEqual([])
  })

  it('replay --path ";;;" is refused, never "reproduced"', async () => {
    const made = await runCli(['check', 'twophase', '--set', 'rms=2', '--db', db, '--json'])
    const runId = String(JSON.parse(made.stdout).runId)
    const r = await runCli(['replay', runId, '--path', ';;;', '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('stabilis: path names no action: give the actions to replay, e.g. "A;B"\n')
    expect(r.stdout).not.toMatch(/reproduced/)
  })

  it('a file the system refuses is reported as such, not as an internal error', async () => {
    const made = await runCli(['check', 'twophase', '--set', 'rms=2', '--db', db, '--json'])
    const runId = String(JSON.parse(made.stdout).runId)
    const r = await runCli(['export', runId, '--csv', join(dir, 'nowhere', 'x.csv'), '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^stabilis: ENOENT: no such file or directory, open '.*nowhere\/x\.csv'\n$/)
  })

  it('store up ends with a message, exit 1, when its only replica is killed', async () => {
    const child = spawn(process.execPath, [CLI, 'store', 'up', '--replicas', '1', '--dir', join(dir, 'store')], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((r) => child.on('close', r))
    try {
      await expect.poll(() => /127\.0\.0\.1:\d+/.test(stdout), { timeout: 20_000 }).toBe(true)
      const replica = childPids(child.pid!)[0]
      expect(replica).toBeGreaterThan(0)
      process.kill(replica, 'SIGKILL')
      expect(await exited).toBe(1)
      expect(stderr).toMatch(/replica r1 exited.*; 0 of 1 still up\nevery replica has exited: stopping\n$/)
      expect(stderr).not.toMatch(/Warning|unsettled/)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
