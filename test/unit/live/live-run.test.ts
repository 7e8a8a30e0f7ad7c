// Live runs end to end on real stores: every scenario's controllers converge against one etcd member with every
// property holding; a few on three etcd members and on three store replicas; faults from presets are applied and
// the run converges again after them. Each run ends as soon as it has converged after its last fault.
import { describe, expect, it } from 'vitest'
import { PRESETS } from '../../../src-main/live/faults.ts'
import { levelOf, resolveLiveConfig, runLive, type LiveOutcome } from '../../../src-main/live/run.ts'
import { LIVE_SCENARIO_IDS } from '../../../src-main/live/scenario-setup.ts'
import type { LiveConfig } from '../../../src-shared/live-types.ts'

const noFile = (f: string): never => {
  throw new Error(`no file ${f}`)
}

async function live(c: Partial<LiveConfig> & Pick<LiveConfig, 'scenario' | 'store'>): Promise<LiveOutcome> {
  return runLive(resolveLiveConfig({ durationS: 20, ...c }, noFile))
}

function expectConverged(out: LiveOutcome): void {
  const bad = out.properties.filter((p) => p.status !== 'holds' && !(p.kind === 'sometimes' && p.status === 'unknown'))
  expect(bad, JSON.stringify(out.properties)).toEqual([])
  expect(out.convergence.converged).toBe(true)
  expect(out.convergence.steps).toBeGreaterThan(0)
  expect(out.writes.accepted).toBeGreaterThanOrEqual(out.convergence.steps - out.writes.rejected)
  // The timeline holds every write with who wrote it, from which view, and whether it was accepted.
  const writes = out.events.filter((e) => e.type === 'write')
  expect(writes.length).toBe(out.writes.total - out.writes.unavailable)
  for (const w of writes) expect(w).toMatchObject({ who: expect.any(String), viewRev: expect.any(Number), ok: expect.any(Boolean) })
}

describe('live runs on etcd', () => {
  it.each(LIVE_SCENARIO_IDS)('%s converges on one etcd member with every property holding', async (scenario) => {
    const out = await live({ scenario, store: 'etcd', replicas: 1 })
    expectConverged(out)
    expect(out.level).toBe('monotonic-session')
    // Nothing is left to do: the run ended on convergence, well before its 20 s limit.
    expect(out.seconds).toBeLessThan(20)
  })

  it.each(['statefulset-stale-reads', 'deployment-rolling-update'])('%s converges on three etcd members', async (scenario) => {
    const out = await live({ scenario, store: 'etcd', replicas: 3 })
    expectConverged(out)
    expect(out.replicas).toBe(3)
  })

  it('reads=linearizable (a quorum list before every step) realises the synchronous level and converges', async () => {
    const out = await live({ scenario: 'replicaset-scale', store: 'etcd', replicas: 1, params: { reads: 'linearizable' } })
    expectConverged(out)
    expect(out.level).toBe('synchronous')
  })

  it('kill -9 and restart of the only member: nothing converges while it is down, then the run converges again', async () => {
    const out = await live({ scenario: 'job-parallel', store: 'etcd', replicas: 1, faults: 'kill' })
    expect(out.faults.map((f) => [f.kind, f.error])).toEqual([
      ['kill', undefined],
      ['restart', undefined],
    ])
    expect(out.disturbances.map((d) => d.label)).toEqual(['start', 'kill @0', 'restart @0'])
    expect(out.convergence.converged).toBe(true)
    expect(out.properties.every((p) => p.status === 'holds')).toBe(true)
  })
})

describe('live runs on the store', () => {
  it.each(['replicaset-overlapping', 'statefulset-available', 'job-single'])('%s converges on three replicas, one controller instance per replica in turn', async (scenario) => {
    const out = await live({ scenario, store: 'stabilis', replicas: 3 })
    expectConverged(out)
    expect(out.level).toBe('causal')
    // Instances are spread over the replicas: writes reached the store through more than one of them.
    expect(new Set(out.events.filter((e) => e.type === 'write').map((e) => e.endpoint)).size).toBeGreaterThan(1)
  })

  it('restart preset: a node restart and a controller restart, then the workload settles again', async () => {
    const out = await live({ scenario: 'statefulset-scale', store: 'stabilis', replicas: 3, faults: 'restart' })
    expect(out.faults.map((f) => f.kind)).toEqual(PRESETS.restart.plan.map((f) => f.kind))
    expect(out.faults.every((f) => f.error === undefined)).toBe(true)
    // The node restart deleted node1's Node object; its kubelet rejoined by creating it again.
    expect(out.events.some((e) => e.who === 'fault' && e.what === 'delete Node/node1' && e.ok)).toBe(true)
    expect(out.events.some((e) => e.who === 'kubelet-node1' && e.what === 'create Node/node1' && e.ok)).toBe(true)
    expect(out.convergence.converged).toBe(true)
  })

  it('a violation found live is recorded with the event after which it was seen, and a timeline event', async () => {
    // kubernetes#59848 needs the kubelet of db-0's node alone on its replica (5 replicas, one per controller instance).
    const out = await live({ scenario: 'statefulset-stale-reads', store: 'stabilis', replicas: 5, faults: 'stale-node' })
    expect(out.faults.map((f) => f.kind)).toEqual(['partition', 'node-restart', 'heal'])
    // The stale node restarts db-0 while its replacement runs on the other node.
    expect(out.properties.find((p) => p.name === 'sts-one-pod-per-ordinal')?.status).toBe('violated')
    for (const p of out.properties.filter((x) => x.status === 'violated')) {
      expect(p.kind).toBe('always')
      const v = out.events.find((e) => e.type === 'violation' && e.what.startsWith(p.name))
      expect(v).toBeDefined()
      expect(p.atSeq).toBeLessThan(v!.seq)
      expect(p.firstViolationMs).toBeLessThanOrEqual(v!.atMs)
      // Over time: it stopped holding at the first violation (and, with the heal, held again).
      expect(p.changes![0]).toEqual([p.firstViolationMs, false])
    }
    expect(out.convergence.converged).toBe(true)
  })
})

describe('live configuration', () => {
  it('rejects bad input naming the problem', () => {
    expect(() => resolveLiveConfig({ scenario: 'nope', store: 'etcd' }, noFile)).toThrow(/unknown scenario "nope"/)
    expect(() => resolveLiveConfig({ scenario: 'job-single', store: 'mysql' as 'etcd' }, noFile)).toThrow(/--store must be stabilis or etcd/)
    expect(() => resolveLiveConfig({ scenario: 'job-single', store: 'etcd', faults: 'flood' }, noFile)).toThrow(/preset \(none, partition/)
    expect(() => resolveLiveConfig({ scenario: 'job-single', store: 'etcd', faults: [{ atMs: -1, kind: 'kill', target: 'e1' }] }, noFile)).toThrow(/entry 0: atMs/)
    expect(() => resolveLiveConfig({ scenario: 'job-single', store: 'etcd', faults: [{ atMs: 5, kind: 'melt' as 'kill' }] }, noFile)).toThrow(/kind must be one of/)
    expect(() => resolveLiveConfig({ scenario: 'job-single', store: 'etcd', params: { colour: 'red' } }, noFile)).toThrow(/unknown setting "colour"/)
    expect(() => resolveLiveConfig({ scenario: 'job-single', store: 'etcd', params: { nodes: 9 } }, noFile)).toThrow(/nodes must be from 0 to 4/)
    expect(() => resolveLiveConfig({ scenario: 'job-single', store: 'etcd', faults: 'plan.json' }, noFile)).toThrow(/no file plan.json/)
  })

  it('a plan file is read, checked and sorted by time', () => {
    const cfg = resolveLiveConfig({ scenario: 'job-single', store: 'stabilis', faults: 'p.json' }, () => [
      { atMs: 900, kind: 'heal' },
      { atMs: 100, kind: 'partition', target: 'r1' },
    ])
    expect(cfg.plan).toEqual([
      { atMs: 100, kind: 'partition', target: 'r1' },
      { atMs: 900, kind: 'heal' },
    ])
    expect(cfg.replicas).toBe(3)
  })

  it('names the model level each set-up realises', () => {
    expect(levelOf({ store: 'etcd', replicas: 1, reads: 'linearizable' })).toBe('synchronous')
    expect(levelOf({ store: 'etcd', replicas: 1, reads: 'informer' })).toBe('monotonic-session')
    expect(levelOf({ store: 'etcd', replicas: 3, reads: 'informer' })).toBe('resettable-session')
    expect(levelOf({ store: 'stabilis', replicas: 3, reads: 'informer' })).toBe('causal')
  })
})
