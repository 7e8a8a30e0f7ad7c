// The benchmark driver's parts: median rounds, CPU read from /proc, and two real systems (single-replica stores,
// real processes) taking turns through every workload.
import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import {
  formatReport, medianRound, mixedOp, processCpuSeconds, seededRandom, runWorkloads, startEtcd, startStabilis, type RunningSystem, type WorkloadResult,
} from '../../../../src-main/lab/store/bench.ts'

const round = (opsPerSec: number, p99Ms: number, serverCpu?: number): WorkloadResult => ({
  workload: 'w', ops: 100, seconds: 100 / opsPerSec, opsPerSec, p50Ms: p99Ms / 2, p99Ms, errors: 1, loadgenCpu: opsPerSec / 10_000,
  ...(serverCpu === undefined ? {} : { serverCpu }),
})

describe('the store benchmark driver', () => {
  it('keeps the median round of each figure and totals ops, seconds and errors', () => {
    const m = medianRound([round(1000, 9, 0.5), round(3000, 30, 0.7), round(2000, 10, 0.2)])
    expect(m).toMatchObject({ workload: 'w', ops: 300, errors: 3, opsPerSec: 2000, p99Ms: 10, p50Ms: 5, loadgenCpu: 0.2, serverCpu: 0.5, rounds: 3 })
    expect(m.seconds).toBeCloseTo(0.1 + 1 / 30 + 0.05, 10)
    // An even count takes the middle two's mean; a round without server CPU leaves it out.
    expect(medianRound([round(1000, 8), round(3000, 12, 0.4)])).toMatchObject({ opsPerSec: 2000, p99Ms: 10, rounds: 2 })
    expect(medianRound([round(1000, 8), round(3000, 12, 0.4)])).not.toHaveProperty('serverCpu')
  })

  it('mixes gets and puts half and half over keys of both parities, the same sequence on every run', () => {
    const rand = seededRandom()
    let gets = 0
    const kinds = new Set<string>()
    const keys = new Set<number>()
    for (let i = 0; i < 20_000; i++) {
      const m = mixedOp(rand, 10_000)
      if (m.get) gets++
      kinds.add(`${m.get ? 'get' : 'put'} ${m.key % 2}`)
      keys.add(m.key)
    }
    expect(gets / 20_000).toBeGreaterThan(0.48)
    expect(gets / 20_000).toBeLessThan(0.52)
    expect([...kinds].sort()).toEqual(['get 0', 'get 1', 'put 0', 'put 1'])
    // 20k draws over 10k keys reach ~86% of them when uniform.
    expect(keys.size).toBeGreaterThan(8_000)
    const a = seededRandom()
    const b = seededRandom()
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b))
  })

  it('reads the CPU time of processes from /proc, and says null for a process that is gone', () => {
    const before = processCpuSeconds([process.pid])!
    // Spin until the process has used 300 ms of CPU by its own count (getrusage), however busy the machine is.
    const start = process.cpuUsage()
    const used = (): number => {
      const u = process.cpuUsage(start)
      return u.user + u.system
    }
    let x = 0
    while (used() < 300_000) for (let i = 0; i < 1000; i++) x += Math.sqrt(x + 1)
    expect(x).toBeGreaterThan(0)
    expect(processCpuSeconds([process.pid])! - before).toBeGreaterThanOrEqual(0.2)
    expect(processCpuSeconds([2147483646])).toBeNull()
    expect(processCpuSeconds([])).toBeNull()
  })

  it('runs every workload on two systems in turns, the same number of rounds each, and reports medians', async () => {
    const systems: RunningSystem[] = []
    try {
      systems.push(await startStabilis(1), await startStabilis(1))
      const rounds: string[] = []
      const finished: string[] = []
      const results = await runWorkloads(systems, { keys: 30, valueBytes: 16, sequentialOps: 10, concurrentOps: 60, inFlight: 6, rounds: 3 }, {
        onRound: (r) => rounds.push(r),
        onWorkload: (system, members, w) => finished.push(`${system}×${members} ${w.workload} ${w.rounds}`),
      })
      expect(rounds).toEqual(['sequential puts', '6 puts in flight', '50/50 get/put'].flatMap((w) => [1, 2, 3].map((r) => `${w}, round ${r}/3`)))
      expect(finished).toEqual(['sequential puts', '6 puts in flight', '50/50 get/put'].flatMap((w) => [`stabilis×1 ${w} 3`, `stabilis×1 ${w} 3`]))
      for (const r of results) {
        expect(r.workloads.map((w) => [w.ops, w.errors])).toEqual([[30, 0], [180, 0], [180, 0]])
        // Reported for every row; /proc counts in 10 ms ticks, so a workload this small may read 0 (the reading
        // itself is tested above).
        for (const w of r.workloads) {
          expect(typeof w.serverCpu).toBe('number')
          expect(w.serverCpu).toBeGreaterThanOrEqual(0)
          expect(w.serverCpu).toBeLessThanOrEqual(availableParallelism())
        }
      }
      const text = formatReport({ date: '', options: { keys: 30, valueBytes: 16, sequentialOps: 10, concurrentOps: 60, inFlight: 6, rounds: 3 }, cores: 2, systems: results, ratios: [], targets: [] })
      expect(text).toMatch(/^median of 3 round\(s\) per workload, the systems taking turns; 2 cores\n/)
      expect(text).toMatch(/stabilis +1 +6 puts in flight +\d+ .* +\d+%[ *] +\d+% +\d+\n/)
    } finally {
      await Promise.all(systems.map((s) => s.stop()))
    }
  })

  it('says clearly when the etcd binary cannot be run, without waiting for the start deadline', async () => {
    const t0 = performance.now()
    await expect(startEtcd(1, '/nonexistent/etcd')).rejects.toThrow(/cannot run \/nonexistent\/etcd: spawn \/nonexistent\/etcd ENOENT/)
    expect(performance.now() - t0).toBeLessThan(15_000)
  })
})
