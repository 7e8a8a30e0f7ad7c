// Live runs through the Lab and the CLI: saved in a real SQLite file (kind "live") with their event timeline, a
// fault injected while the run is live, stopped runs saved as stopped, the checker's prediction beside the run,
// bad input refused with nothing saved; `stabilis live … --json` as a child process with its exit codes.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openLab, type OpenLab } from '../../../src-main/lab/open-lab.ts'
import type { LiveEvent } from '../../../src-shared/live-types.ts'
import { CLI, runCli } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/tmp.ts'

const dir = tempDir()
const dbFile = join(dir, 'live.db')
const opened: OpenLab[] = []
afterAll(async () => {
  for (const o of opened) await o.close()
})

function open(): OpenLab {
  const o = openLab(dbFile, { modelsDir: null })
  opened.push(o)
  return o
}

describe('live runs in the Lab', () => {
  it('saves a run with its timeline, takes a fault while live, and reads both back after reopening', async () => {
    const o = open()
    const { lab } = o
    const streamed: LiveEvent[] = []
    lab.onEvent((e) => e.type === 'live-events' && streamed.push(...e.events))
    const started = await lab.startLive({ scenario: 'statefulset-scale', store: 'etcd', durationS: 6, params: { settleMs: 600 } })
    expect(started).toMatchObject({ kind: 'live', status: 'running', scenario: 'statefulset-scale', store: 'etcd', replicas: 1, result: null })
    // Inject a node restart as soon as the run has its store (the UI's fault buttons do the same).
    for (let i = 0; i < 200; i++) {
      try {
        await lab.liveFault(started.id, { atMs: 0, kind: 'node-restart', target: 'node1' })
        break
      } catch (e) {
        if (!/still starting/.test((e as Error).message)) throw e
        await new Promise((r) => setTimeout(r, 25))
      }
    }
    await expect(lab.liveFault(started.id, { atMs: 0, kind: 'node-restart', target: 'node7' })).resolves.toBeUndefined()
    const run = await lab.waitForLive(started.id)
    expect(run.status).toBe('done')
    const r = run.result!
    expect(r.faults.map((f) => [f.kind, f.target, f.error ?? null])).toEqual([
      ['node-restart', 'node1', null],
      ['node-restart', 'node7', 'no node node7; nodes: node1'],
    ])
    expect(r.convergence.converged).toBe(true)
    expect(r.properties.every((p) => p.status === 'holds')).toBe(true)
    await o.close()
    opened.splice(opened.indexOf(o), 1)

    const again = open()
    const saved = await again.lab.getLiveRun(started.id)
    expect(saved.result).toEqual({ ...r, runId: started.id, status: 'done' })
    expect(saved.prediction).toEqual({ level: 'monotonic-session' }) // no saved check of that cell in this database
    const events = await again.lab.getLiveEvents(started.id)
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i))
    expect(events.length).toBe(streamed.length)
    expect(events.filter((e) => e.type === 'fault').map((e) => [e.what, e.ok])).toEqual([
      ['node-restart node1', true],
      ['node-restart node7', false],
    ])
    expect(events.filter((e) => e.type === 'write').length).toBe(r.writes.total - r.writes.unavailable + 1) // + the fault's Node delete
    expect((await again.lab.getLiveEvents(started.id, 5))[0].seq).toBe(5)
    expect((await again.lab.listLiveRuns()).map((x) => x.id)).toContain(started.id)
  })

  it('stops a running live run (saved as stopped) and shows the saved check that predicts a run', async () => {
    const { lab } = open()
    const check = await lab.startRun({ model: 'job-single', params: { consistency: 'monotonic-session' }, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false })
    await lab.waitForRun(check.id)
    const started = await lab.startLive({ scenario: 'job-single', store: 'etcd', durationS: 30, faults: [{ atMs: 20_000, kind: 'heal' }] })
    await new Promise((r) => setTimeout(r, 1500))
    const stopped = await lab.stopLive(started.id)
    expect(stopped.status).toBe('stopped')
    expect(stopped.result!.seconds).toBeLessThan(20)
    const got = await lab.getLiveRun(started.id)
    expect(got.prediction).toMatchObject({ level: 'monotonic-session', runId: check.id, verdict: 'holds', violated: [] })
    // The checker's worst case against what was observed.
    expect(got.prediction!.worstSteps).toBeGreaterThanOrEqual(got.result!.convergence.steps)
  })

  it('a live run left running by a process that died reads as interrupted', async () => {
    const db = join(dir, 'crashed.db')
    const first = openLab(db, { modelsDir: null })
    first.repo.database
      .prepare(`INSERT INTO live_runs (scenario, store, replicas, config, status, started_at, owner_pid) VALUES ('job-single', 'etcd', 1, '{"scenario":"job-single","store":"etcd"}', 'running', '2026-01-01T00:00:00Z', 2147483646)`)
      .run()
    await first.close()
    const again = openLab(db, { modelsDir: null })
    opened.push(again)
    const runs = await again.lab.listLiveRuns()
    expect(runs.map((r) => [r.scenario, r.status, r.finishedAt !== null])).toEqual([['job-single', 'interrupted', true]])
  })

  it('refuses bad input with a clear message and saves nothing', async () => {
    const { lab } = open()
    const before = (await lab.listLiveRuns()).length
    await expect(lab.startLive({ scenario: 'nope', store: 'etcd' })).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/unknown scenario "nope"/) })
    const plan = join(dir, 'bad-plan.json')
    writeFileSync(plan, '[{"atMs": 10, "kind": "explode"}]')
    await expect(lab.startLive({ scenario: 'job-single', store: 'stabilis', faults: plan })).rejects.toThrow(/entry 0: kind must be one of/)
    await expect(lab.liveFault(999, { atMs: 0, kind: 'heal' })).rejects.toThrow(/live run 999 is not running/)
    expect((await lab.listLiveRuns()).length).toBe(before)
  })
})

describe('stabilis live', () => {
  it('--json prints the result object and exits 0 when nothing is violated', async () => {
    const r = await runCli(['live', 'replicaset-scale', '--store', 'etcd', '--duration', '10', '--seed', '7', '--json', '--db', dbFile])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ status: 'done', store: 'etcd', replicas: 1, seed: 7, convergence: { converged: true }, faults: [] })
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['runId', 'status', 'store', 'replicas', 'properties', 'convergence', 'faults', 'writes']))
    expect(out.properties.map((p: { name: string }) => p.name)).toEqual(['unique-names', 'pod-on-one-node', 'rs-status-when-stable', 'rs-stable-at-spec', 'rs-ready', 'converges'])
    expect(out.convergence.steps).toBeGreaterThan(0)
    expect(out.writes.total).toBeGreaterThanOrEqual(out.convergence.steps)
    expect(r.stderr).toMatch(/converged after "start"/)
  })

  it('exits 2 on bad input, naming it', async () => {
    const r = await runCli(['live', 'replicaset-scale', '--store', 'zookeeper', '--db', dbFile])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--store must be stabilis or etcd, got "zookeeper"/)
    const f = await runCli(['live', 'replicaset-scale', '--store', 'etcd', '--faults', 'earthquake', '--db', dbFile])
    expect(f.code).toBe(2)
    expect(f.stderr).toMatch(/--faults must be a preset/)
  })

  it('exits 130 when interrupted, with the run saved as stopped', async () => {
    writeFileSync(join(dir, 'late.json'), '[{"atMs": 50000, "kind": "heal"}]')
    const child = spawn(process.execPath, [CLI, 'live', 'job-single', '--store', 'etcd', '--faults', join(dir, 'late.json'), '--duration', '60', '--json', '--db', dbFile], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    for (let i = 0; i < 400 && !/converged after "start"/.test(err); i++) await new Promise((r) => setTimeout(r, 25))
    child.kill('SIGINT')
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code, err).toBe(130)
    expect(JSON.parse(out)).toMatchObject({ status: 'stopped' })
  })
})
