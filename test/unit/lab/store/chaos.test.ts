// `store chaos`: a short run through the lab on real replica processes and a real SQLite file (clients, the
// kill / partition / pause nemesis, heal, checks), saved with its verdict; and the checker on histories built
// to hold a lost write and session violations inside and outside fault windows.
import { describe, expect, it } from 'vitest'
import { openLab } from '../../../../src-main/lab/open-lab.ts'
import { checkSessions, lostInserts, resolveChaosOptions, type Op } from '../../../../src-main/lab/store/chaos.ts'
import { tempDir } from '../../../helpers/tmp.ts'
import { join } from 'node:path'

describe('store chaos', () => {
  it('runs clients against three replicas under kill, partition and pause, heals, checks, and saves the run with a pass', async () => {
    const { lab, close } = openLab(join(tempDir('stabilis-chaos-db-'), 'lab.db'))
    try {
      const progress: string[] = []
      lab.onEvent((e) => {
        if (e.type === 'store-chaos-progress') progress.push(e.message)
      })
      const started = await lab.storeChaos({ replicas: 3, duration: 12, nemesis: ['kill', 'partition', 'pause'], clients: 4, seed: 3 })
      expect(started.status).toBe('running')
      const run = await lab.waitForChaos(started.id)
      expect(run.status).toBe('done')
      const r = run.report!
      expect(r.faults.length).toBeGreaterThanOrEqual(2)
      expect(r.acknowledged).toBeGreaterThan(100)
      expect(r.lost).toBe(0)
      expect(r.converged).toBe(true)
      expect(r.violations).toEqual([])
      expect(r.verdict).toBe('pass')
      expect(r.timeline.reduce((a, s) => a + s.ok + s.failed + s.unknown, 0)).toBe(r.operations)
      expect(progress.some((l) => /^fault 1: (kill|partition|pause) /.test(l))).toBe(true)
      expect((await lab.listChaosRuns()).map((x) => x.id)).toEqual([started.id])
      expect((await lab.getChaosRun(started.id)).report?.verdict).toBe('pass')
      // Chaos runs do not show up as benchmarks.
      expect(await lab.listBenchRuns()).toEqual([])
    } finally {
      await close()
    }
  })

  it('refuses bad options with the option named', async () => {
    expect(() => resolveChaosOptions({ nemesis: ['flood' as 'kill'] })).toThrow('nemesis takes kill, partition and pause, got ["flood"]')
    expect(() => resolveChaosOptions({ replicas: 1, nemesis: ['partition'] })).toThrow('a partition needs at least 2 replicas')
    expect(() => resolveChaosOptions({ duration: 0 })).toThrow('duration must be a whole number from 1 to 86400, got 0')
  })

  it('the checker counts a missing acknowledged insert on each replica that lacks it', () => {
    const keys = new Set(['chaos/c0/000000001'])
    const { lost, lostKeys } = lostInserts([{ client: 0, seq: 1 }, { client: 0, seq: 2 }], [{ name: 'r1', keys }, { name: 'r2', keys: new Set() }])
    expect(lost).toBe(3)
    expect(lostKeys).toEqual(['chaos/c0/000000002 on r1', 'chaos/c0/000000001 on r2', 'chaos/c0/000000002 on r2'])
  })

  it('the checker flags read-your-writes and monotonic-read violations, apart from those overlapping a fault', () => {
    const ins = (seq: number, t0: number): Op => ({ type: 'insert', client: 0, seq, t0, t1: t0 + 5, ok: true, unknown: false })
    const read = (t0: number, seqs: number[]): Op => ({ type: 'read', client: 0, lo: 1, t0, t1: t0 + 5, ok: true, unknown: false, seqs: new Set(seqs) })
    // Insert 2 acknowledged at 25 ms, then a read at 30 ms without it; a read at 40 ms sees it, one at 50 ms does not.
    const history = [ins(1, 0), ins(2, 20), read(30, [1]), read(40, [1, 2]), read(50, [1])]
    const clean = checkSessions(history, [])
    expect(clean.violations.map((v) => v.kind)).toEqual(['read-your-writes', 'read-your-writes', 'monotonic-reads'])
    expect(clean.duringFaults).toBe(0)
    const faulted = checkSessions(history, [{ kind: 'partition', target: 'r1 | r2 r3', startMs: 10, endMs: 20 }])
    expect(faulted.violations).toEqual([])
    expect(faulted.duringFaults).toBe(3)
  })
})
