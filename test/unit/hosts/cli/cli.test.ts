import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../../helpers/cli.ts'
import { parseCsvObjects } from '../../../helpers/csv-parse.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const dir = tempDir()
const db = join(dir, 'cli.db')

describe('stabilis check', () => {
  it('twophase rms=3 --json: 288 unique, 1146 generated, depth 11, exit 0, progress kept off stdout', async () => {
    const r = await runCli(['check', 'twophase', '--set', 'rms=3', '--json', '--db', db])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ status: 'done', unique: 288, generated: 1146, maxDepth: 11 })
    expect(typeof out.runId).toBe('number')
    expect(out.seconds).toBeGreaterThan(0)
    expect(out.properties.map((p: { name: string; kind: string; status: string }) => [p.name, p.kind, p.status])).toEqual([
      ['consistent', 'always', 'holds'],
      ['all-committed', 'sometimes', 'holds'],
    ])
  })

  it('the broken TM exits 1 with the shortest counterexample', async () => {
    const r = await runCli(['check', 'twophase', '--set', 'rms=3', '--set', 'bug=true', '--json', '--db', db])
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout)
    const consistent = out.properties.find((p: { name: string }) => p.name === 'consistent')
    expect(consistent.status).toBe('violated')
    expect(consistent.trace).toHaveLength(4)
    expect(consistent.trace[1].action).toBe('TMCommit')
  })

  it('reports an oscillation of the K-state ring with K too small as a lasso, with the collision probability', async () => {
    const r = await runCli(['check', 'ring', '--set', 'n=4', '--set', 'k=2', '--json', '--db', db])
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout)
    expect(out.collisionProbability).toBeGreaterThan(0)
    expect(out.collisionProbability).toBeLessThan(1e-12)
    const conv = out.properties.find((p: { kind: string }) => p.kind === 'converges')
    expect(conv).toMatchObject({ status: 'violated', counterexample: 'oscillation' })
    expect(conv.loopStart).toBeGreaterThanOrEqual(0)
    expect(conv.loopStart).toBeLessThan(conv.trace.length)
  })

  it('prints a readable report without --json and writes --csv', async () => {
    const csv = join(dir, 'one.csv')
    const r = await runCli(['check', 'twophase', '--set', 'rms=2', '--db', db, '--csv', csv])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/unique 56 {2}generated 154 {2}max depth 8/)
    expect(parseCsvObjects(readFileSync(csv, 'utf8'))[0]).toMatchObject({ model: 'twophase', param_rms: '2', unique_states: '56' })
  })

  const bad: [string, string[], RegExp][] = [
    ['a parameter out of range', ['check', 'twophase', '--set', 'rms=-1'], /parameter "rms" must be between 1 and 12, got -1/],
    ['a non-numeric parameter', ['check', 'twophase', '--set', 'rms=three'], /parameter "rms" must be a whole number, got "three"/],
    ['an unknown parameter', ['check', 'twophase', '--set', 'size=3'], /model "twophase" has no parameter "size"/],
    ['an unknown model', ['check', 'nosuchmodel'], /unknown model "nosuchmodel"; known: .*twophase/],
    ['an unknown flag', ['check', 'twophase', '--frobnicate'], /unknown flag --frobnicate for "check"/],
    ['a flag without its value', ['check', 'twophase', '--workers'], /--workers needs a value/],
    ['a bad strategy', ['check', 'twophase', '--strategy', 'zigzag'], /strategy must be one of bfs, dfs, sim/],
    ['an unknown command', ['frob'], /unknown command "frob"/],
  ]
  for (const [what, args, message] of bad) {
    it(`exits 2 on ${what}, naming it, without a stack trace`, async () => {
      const r = await runCli(args[0] === 'check' ? [...args, '--db', db] : args)
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(message)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(r.stdout).toBe('')
    })
  }

  it('exits 2 on an unreadable --db and leaves the file as it was', async () => {
    const file = join(dir, 'not-a.db')
    writeFileSync(file, 'precious notes, not SQLite\n')
    const r = await runCli(['check', 'twophase', '--db', file])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/cannot open database ".*not-a\.db": file is not a database/)
    expect(readFileSync(file, 'utf8')).toBe('precious notes, not SQLite\n')
  })
})

describe('stabilis models, runs, export', () => {
  it('models --json lists twophase with its parameters and properties', async () => {
    const r = await runCli(['models', '--json'])
    expect(r.code).toBe(0)
    const twophase = JSON.parse(r.stdout).find((m: { id: string }) => m.id === 'twophase')
    expect(twophase.params.map((p: { name: string }) => p.name)).toEqual(['rms', 'bug'])
    expect(twophase.properties.map((p: { name: string }) => p.name)).toEqual(['consistent', 'all-committed'])
  })

  it('runs lists saved runs after the process that made them has gone; export writes every report', async () => {
    const r = await runCli(['runs', '--db', db, '--json'])
    expect(r.code).toBe(0)
    const runs = JSON.parse(r.stdout) as { id: number; unique: number; status: string }[]
    expect(runs.length).toBeGreaterThanOrEqual(3)
    expect(runs.every((x) => x.status === 'done')).toBe(true)
    const ids = runs.map((x) => String(x.id))
    const out = join(dir, 'reports') + '/'
    const e = await runCli(['export', ...ids, '--csv', out, '--db', db])
    expect(e.code, e.stderr).toBe(0)
    const summary = parseCsvObjects(readFileSync(join(out, 'summary.csv'), 'utf8'))
    expect(summary.map((x) => Number(x.unique_states)).sort((a, b) => a - b)).toEqual(runs.map((x) => x.unique).sort((a, b) => a - b))
    const depths = parseCsvObjects(readFileSync(join(out, 'depths.csv'), 'utf8'))
    expect(depths.length).toBeGreaterThan(0)
    const props = parseCsvObjects(readFileSync(join(out, 'properties.csv'), 'utf8'))
    expect(props.some((p) => p.property === 'consistent' && p.status === 'violated' && p.trace_steps === '3')).toBe(true)
  })

  it('export of an unknown run exits 2 naming it', async () => {
    const r = await runCli(['export', '424242', '--csv', join(dir, 'x.csv'), '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no run with id 424242/)
  })
})

describe('stabilis store up', () => {
  it('starts a replica that etcdctl can use, prints its endpoint, and stops cleanly on SIGINT', async () => {
    const { spawn, execFileSync } = await import('node:child_process')
    const { CLI } = await import('../../../helpers/cli.ts')
    const child = spawn(process.execPath, [CLI, 'store', 'up', '--replicas', '1', '--dir', join(dir, 'store')], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += d))
    await expect.poll(() => /127\.0\.0\.1:\d+/.exec(stdout)?.[0], { timeout: 20_000 }).toBeTruthy()
    const endpoint = /127\.0\.0\.1:\d+/.exec(stdout)![0]
    const etcdctl = (...args: string[]) => execFileSync('etcdctl', [`--endpoints=${endpoint}`, ...args], { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' } })
    expect(etcdctl('put', 'greeting', 'hello')).toBe('OK\n')
    expect(etcdctl('get', 'greeting')).toBe('greeting\nhello\n')
    const exited = new Promise<number | null>((r) => child.on('close', r))
    child.kill('SIGINT')
    expect(await exited).toBe(0)
  })

  it('store bench: Ctrl-C stops it, prints the workloads finished so far, exits 130', async () => {
    const { spawn } = await import('node:child_process')
    const { CLI } = await import('../../../helpers/cli.ts')
    // 10M concurrent ops would take an hour: the stop must come from SIGINT.
    const child = spawn(process.execPath, [CLI, 'store', 'bench', '--replicas', '1', '--ops', '10000000', '--rounds', '1', '--json', '--db', join(dir, 'bench.db')], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((r) => child.on('close', r))
    // Each finished workload is reported on stderr: stop once the 1,000 sequential puts are done, in the long one.
    await expect.poll(() => stderr, { timeout: 40_000 }).toMatch(/^ {2}stabilis ×1 sequential puts: [\d,]+ ops\/s, p99 [\d.]+ ms$/m)
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(stderr).toMatch(/stopping: the report keeps the workloads finished so far/)
    const report = JSON.parse(stdout) as { systems: { system: string; workloads: { workload: string; ops: number }[] }[] }
    expect(report.systems.map((x) => x.system)).toEqual(['stabilis'])
    expect(report.systems[0].workloads.map((w) => [w.workload, w.ops])).toEqual([['sequential puts', 1000]])
  })

  it('rejects an unknown flag with exit 2', async () => {
    const r = await runCli(['store', 'up', '--replica', '2'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/unknown flag --replica for "store up"/)
  })
})

describe('stabilis resume', () => {
  it('names a run that cannot be resumed, and an unknown one', async () => {
    const r = await runCli(['resume', '424242', '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no run with id 424242/)
    const bad = await runCli(['resume', 'abc', '--db', db])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/run id must be a whole number, got "abc"/)
  })
})
