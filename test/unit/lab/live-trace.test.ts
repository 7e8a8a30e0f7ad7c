// A live violation as a trace and a live run beside the matrix cell that predicts it, through the Lab and the CLI on
// a real SQLite file: a real live run (statefulset-stale-reads, every instance on its own store replica, the member of
// db-0's node cut off while that node restarts: kubernetes#59848) and a real matrix cell checked by the checker.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cellCommand, relationOf } from '../../../src-main/lab/live-compare.ts'
import { eventStep, liveTrace, objectsOf } from '../../../src-main/lab/live-trace.ts'
import { openLab, type OpenLab } from '../../../src-main/lab/open-lab.ts'
import type { LiveEvent, LiveRunSummary } from '../../../src-shared/live-types.ts'
import { sequenceOf } from '../../../src-renderer/lib/sequence.ts'
import { runCli } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/tmp.ts'

const dbFile = join(tempDir(), 'live-trace.db')
let opened: OpenLab
let violating: LiveRunSummary
let holding: LiveRunSummary

beforeAll(async () => {
  opened = openLab(dbFile, { modelsDir: null })
  const { lab } = opened
  holding = await lab.waitForLive((await lab.startLive({ scenario: 'statefulset-scale', store: 'stabilis', replicas: 3, durationS: 5, seed: 1 })).id)
  // The stale node restarts its old pod in most runs; a few seeds make the test independent of one interleaving.
  for (let seed = 1; seed <= 4; seed++) {
    const run = await lab.waitForLive((await lab.startLive({ scenario: 'statefulset-stale-reads', store: 'stabilis', replicas: 5, faults: 'stale-node', durationS: 8, seed })).id)
    violating = run
    if (run.result?.properties.some((p) => p.status === 'violated')) break
  }
}, 120_000)

afterAll(async () => {
  await opened?.close()
})

describe('a live violation as a trace', () => {
  it('slices the events from the last disturbance before the first violation up to it, with the objects and state', async () => {
    const r = violating.result!
    const p = r.properties.find((x) => x.name === 'sts-one-pod-per-ordinal')!
    expect(p.status).toBe('violated')
    const t = await opened.lab.getLiveTrace(violating.id)
    expect(t).toMatchObject({ runId: violating.id, property: 'sts-one-pod-per-ordinal', kind: 'always', level: 'causal', violatedAtMs: p.firstViolationMs, where: p.where })
    // From the last disturbance at or before the violation: a fault of the plan, not the start.
    const last = r.disturbances.filter((d) => d.atMs <= p.firstViolationMs!).at(-1)!
    expect(t.from).toEqual({ label: last.label, atMs: last.atMs })
    expect(t.from.label).not.toBe('start')
    expect(t.events.every((e) => e.atMs >= t.from.atMs && e.type !== 'converged')).toBe(true)
    expect(t.events.at(-1)).toMatchObject({ type: 'violation', what: `sts-one-pod-per-ordinal violated on ${p.where}` })
    expect(t.steps.map((s) => s.index)).toEqual(t.steps.map((_, i) => i))
    expect(t.steps[0].action).toBeNull()
    expect(t.steps.at(-1)!.action).toBe(`monitor: sts-one-pod-per-ordinal violated on ${p.where}`)
    // The node restart deleted Node/node2; db-0 was replaced and started on the other node.
    expect(t.objects).toEqual(expect.arrayContaining(['Node/node2', 'Pod/db-0']))
    expect(t.objects.filter((o) => /^container db-0@/.test(o)).length).toBeGreaterThanOrEqual(1)
    // Where it broke: two containers of ordinal 0 running at once, on two nodes.
    const running = Object.values(t.state!.running).flat().filter((c) => c.startsWith('db-0@'))
    expect(new Set(running).size).toBe(2)
    // The objects the slice touched come first (Node/node2 is gone there: deleted by the restart's fault).
    expect(Object.keys(t.state!.objects)[0]).toBe(t.objects.find((o) => o in t.state!.objects))
    expect(t.state!.objects).toHaveProperty(['Pod/db-0'])
    // Controllers are lanes in the sequence view, as in the checker's traces.
    const seq = sequenceOf(t.steps)
    expect(seq.actors).toEqual(expect.arrayContaining(['statefulset-1', 'scheduler-1', 'kubelet-node1', 'faults']))
    expect(t.objects.some((o) => /^container db-0@\S+ on node1$/.test(o))).toBe(true)
  })

  it('names the problem for a run with no violation, an unknown property or one that held', async () => {
    await expect(opened.lab.getLiveTrace(holding.id)).rejects.toThrow(`live run ${holding.id} violated no property`)
    await expect(opened.lab.getLiveTrace(violating.id, 'no-such')).rejects.toThrow(/has no property "no-such"; its properties: unique-names/)
    await expect(opened.lab.getLiveTrace(violating.id, 'unique-names')).rejects.toThrow(/"unique-names" .* was not violated \(holds\); violated: sts-one-pod-per-ordinal/)
    await expect(opened.lab.getLiveTrace(9999)).rejects.toThrow('no live run 9999')
  })

  it('prints the slice from the CLI (live-trace), the violation marked', async () => {
    const live = await runCli(['live', 'statefulset-stale-reads', '--store', 'stabilis', '--replicas', '5', '--faults', 'stale-node', '--seed', String(violating.result!.seed), '--db', dbFile])
    // One run of the CLI: when it violates (as the runs above), it names the command that shows how.
    if (live.code === 1) {
      expect(live.stdout).toMatch(/\n {2}the events that led to it: stabilis live-trace \d+ --db /)
      expect(live.stdout).toContain(`--db ${dbFile} --property sts-one-pod-per-ordinal\n`)
    } else expect(live.stdout).not.toContain('live-trace')
    const out = await runCli(['live-trace', String(violating.id), '--db', dbFile])
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(new RegExp(`^live run ${violating.id}: statefulset-stale-reads on stabilis ×5 \\(causal\\), sts-one-pod-per-ordinal violated at \\d+ ms on r\\d`))
    expect(out.stdout).toMatch(/podgc-1 on r\d reads @\d+: force-delete Pod\/db-0/)
    expect(out.stdout).toMatch(/monitor: sts-one-pod-per-ordinal violated on \S+ {3}<- violated here/)
    expect(out.stdout).toContain('objects involved: ')
    const json = await runCli(['live-trace', String(violating.id), '--db', dbFile, '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({ runId: violating.id, property: 'sts-one-pod-per-ordinal' })
    const bad = await runCli(['live-trace', String(holding.id), '--db', dbFile])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('violated no property')
  })
})

describe('a live run beside the matrix cell that predicts it', () => {
  it('says when no cell is saved and names the command; then lines the newest cell up with what was observed', async () => {
    const { lab } = opened
    const none = await lab.compareLive(violating.id)
    expect(none.source).toBeNull()
    expect(none.command).toBe('npx stabilis matrix statefulset-stale-reads --consistency causal --instances 1')
    expect(none.properties.find((p) => p.name === 'sts-one-pod-per-ordinal')).toMatchObject({ predicted: null, observed: 'violated', relation: 'open' })

    const m = await lab.startMatrix({ scenario: 'statefulset-stale-reads', consistency: ['causal'], instances: [1], timeoutPerCell: 30 })
    const matrix = await lab.waitForMatrix(m.id)
    const cell = matrix.cells[0]
    const c = await lab.compareLive(violating.id)
    expect(c.source).toEqual({ kind: 'matrix', matrixId: m.id, runId: cell.runId })
    expect(c.check).toMatchObject({ runId: cell.runId, verdict: cell.verdict })
    const sts = c.properties.find((p) => p.name === 'sts-one-pod-per-ordinal')!
    expect(sts.observed).toBe('violated')
    expect(sts.firstViolationMs).toBeGreaterThan(0)
    expect(sts.predicted).toBe(cell.violated.includes('sts-one-pod-per-ordinal') ? 'violated' : (await lab.getRun(cell.runId!)).properties.find((p) => p.name === 'sts-one-pod-per-ordinal')!.status)
    expect(sts.relation).toBe(relationOf('always', sts.predicted, 'violated'))
    expect(c.convergence).toMatchObject({ observedConverged: violating.result!.convergence.converged, observedSteps: violating.result!.convergence.steps })
    expect(c.convergence.observedWorstSteps).toBe(Math.max(...violating.result!.disturbances.filter((d) => d.converged).map((d) => d.steps)))

    // A chosen check run of the same scenario; another scenario's run is refused.
    const chosen = await lab.compareLive(violating.id, cell.runId!)
    expect(chosen.source).toEqual({ kind: 'run', runId: cell.runId })
    const other = await lab.startRun({ model: 'twophase', params: { rms: 2 }, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false })
    await lab.waitForRun(other.id)
    await expect(lab.compareLive(violating.id, other.id)).rejects.toThrow(`run ${other.id} checks twophase, not statefulset-stale-reads`)
    await expect(lab.compareLive(violating.id, 0)).rejects.toThrow('checkRunId must be a run id')
  }, 90_000)
})

describe('pieces', () => {
  const run = { id: 1, store: 'stabilis' } as LiveRunSummary
  const ev = (e: Partial<LiveEvent>): LiveEvent => ({ seq: 0, atMs: 0, type: 'write', who: 'statefulset-1', what: '', ...e })

  it('names the objects and containers an event touched', () => {
    expect(objectsOf(ev({ what: 'update Pod/db-0; start db-0@u3', who: 'kubelet-node1' }))).toEqual(['Pod/db-0', 'container db-0@u3 on node1'])
    expect(objectsOf(ev({ what: 'containers; start a@u1, b@u2; stop c@u0', who: 'kubelet-n2' }))).toEqual(['container a@u1 on n2', 'container b@u2 on n2', 'container c@u0 on n2'])
    expect(objectsOf(ev({ what: 'force-delete Pod/web-abcde' }))).toEqual(['Pod/web-abcde'])
    expect(objectsOf(ev({ what: 'create Pod/web-*' }))).toEqual([])
  })

  it('turns an event into a step the sequence view reads: lane, revision read, rejection', () => {
    const s = eventStep(run, ev({ seq: 4, who: 'scheduler-1', endpoint: 1, viewRev: 7, what: 'update Pod/db-0', ok: false, reason: 'stale resourceVersion' }), 3)
    expect(s).toMatchObject({ index: 3, action: 'scheduler-1 reads @7', effect: 'on r2: update Pod/db-0 — rejected: stale resourceVersion' })
    expect(s.state).toMatchObject({ seq: 4, member: 'r2', viewRevision: 7, outcome: 'rejected', objects: ['Pod/db-0'] })
    const fault = eventStep(run, ev({ type: 'fault', who: 'fault', what: 'partition r2', ok: true }), 1)
    const seq = sequenceOf([{ index: 0, action: null, state: {} }, s, fault])
    expect(seq.actors).toEqual(['scheduler-1', 'faults'])
    expect(seq.rows[0].cell).toMatchObject({ read: 7, rejected: true })
  })

  it('puts a kubelet report of containers already running where the property broke before the violation', () => {
    const result = {
      level: 'causal',
      disturbances: [{ label: 'start', atMs: 0, converged: true, steps: 1, ms: 5 }, { label: 'node-restart node2', atMs: 100, converged: true, steps: 2, ms: 90 }],
      properties: [{ name: 'p', kind: 'always', status: 'violated', firstViolationMs: 150, where: 'r1', atSeq: 2, state: { where: 'r1', rev: 9, objects: {}, running: { node1: ['db-0@u3'], node2: ['db-0@u2'] } } }],
    } as unknown as LiveRunSummary['result']
    const timeline = [
      ev({ seq: 0, atMs: 10, who: 'kubelet-node2', what: 'update Pod/db-0; start db-0@u2', endpoint: 1, viewRev: 3 }),
      ev({ seq: 1, atMs: 120, who: 'podgc-1', what: 'force-delete Pod/db-0', endpoint: 0, viewRev: 5 }),
      ev({ seq: 2, atMs: 140, who: 'scheduler-1', what: 'update Pod/db-0', endpoint: 0, viewRev: 6 }),
      ev({ seq: 3, atMs: 150, type: 'violation', who: 'monitor', what: 'p violated on r1' }),
      ev({ seq: 4, atMs: 155, who: 'kubelet-node1', what: 'update Pod/db-0; start db-0@u3', endpoint: 2, viewRev: 7 }),
      ev({ seq: 5, atMs: 170, who: 'statefulset-1', what: 'update StatefulSet/db', endpoint: 1, viewRev: 8 }),
      ev({ seq: 6, atMs: 400, who: 'kubelet-node1', what: 'containers; start db-0@u3', endpoint: 2, viewRev: 9 }),
    ]
    const t = liveTrace({ ...run, scenario: 's', replicas: 3, status: 'done', result } as LiveRunSummary, timeline)
    expect(t.events.map((e) => e.seq)).toEqual([1, 2, 4, 3])
    expect(t.steps[3].state).toMatchObject({ seq: 4, note: expect.stringContaining('before its write returns') })
    expect(t.objects).toContain('container db-0@u3 on node1')
    expect(t.from).toEqual({ label: 'node-restart node2', atMs: 100 })
  })

  it('refuses a property judged only at the end of the run (converges), naming why', () => {
    const result = { level: 'causal', disturbances: [], properties: [{ name: 'converges', kind: 'converges', status: 'violated' }] } as unknown as LiveRunSummary['result']
    expect(() => liveTrace({ ...run, status: 'done', result } as LiveRunSummary, [], 'converges')).toThrow('"converges" (converges) of live run 1 was judged at the end of the run')
    expect(() => liveTrace({ ...run, status: 'running', result: null } as LiveRunSummary, [])).toThrow('live run 1 has no result yet (running)')
  })

  it('relates a prediction to an observation: one run can miss a predicted violation, never contradict it silently', () => {
    expect(relationOf('always', 'violated', 'violated')).toBe('confirmed')
    expect(relationOf('always', 'violated', 'holds')).toBe('not-seen')
    expect(relationOf('always', 'holds', 'violated')).toBe('contradicts')
    expect(relationOf('always', 'holds', 'holds')).toBe('consistent')
    expect(relationOf('always', 'unknown', 'violated')).toBe('open')
    expect(relationOf('sometimes', 'holds', 'unknown')).toBe('not-seen')
    expect(relationOf('sometimes', 'violated', 'holds')).toBe('contradicts')
    expect(relationOf('converges', null, 'holds')).toBe('open')
    expect(cellCommand('job-single', 'causal', 2)).toBe('npx stabilis matrix job-single --consistency causal --instances 2')
  })
})
