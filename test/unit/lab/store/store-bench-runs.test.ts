// Store benchmarks as runs: storeBench runs the driver on real replica processes (a tiny size), reports progress,
// saves the report in a real SQLite file, and lists / reads it back after reopening; etcd missing is said clearly.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { openLab, type OpenLab } from '../../../../src-main/lab/open-lab.ts'
import { ETCD_MISSING_NOTE, findEtcd, QUICK_BENCH, resolveBenchOptions } from '../../../../src-main/lab/store/bench-runs.ts'
import type { LabEvent } from '../../../../src-shared/types.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const dir = tempDir()
const dbFile = join(dir, 'bench.db')
let opened: OpenLab | null = null
afterAll(() => opened?.close())

const tiny = { members: [1], keys: 40, sequentialOps: 20, concurrentOps: 80, inFlight: 8, rounds: 2 }

describe('store benchmarks as runs', () => {
  it('runs a tiny benchmark of this store, with progress events, and saves it (etcd not installed: said so)', async () => {
    opened = openLab(dbFile, { findEtcd: () => null, modelsDir: null })
    const { lab } = opened
    const events: LabEvent[] = []
    const off = lab.onEvent((e) => (e.type === 'store-bench-progress' || e.type === 'store-bench-finished') && events.push(e))

    const started = await lab.storeBench(tiny)
    expect(started).toMatchObject({ kind: 'store-bench', status: 'running', etcd: 'not-installed', note: ETCD_MISSING_NOTE, report: null })
    expect(started.options).toMatchObject({ size: 'quick', members: [1], keys: 40, sequentialOps: 20, concurrentOps: 80, inFlight: 8, valueBytes: 32, rounds: 2 })
    await expect(lab.storeBench(tiny)).rejects.toThrow(/already running/)

    const run = await lab.waitForBench(started.id)
    off()
    expect(run.status).toBe('done')
    expect(run.error).toBeNull()
    expect(run.report!.systems.map((s) => [s.system, s.members])).toEqual([['stabilis', 1]])
    const workloads = run.report!.systems[0].workloads
    expect(workloads.map((w) => w.workload)).toEqual(['sequential puts', '8 puts in flight', '50/50 get/put'])
    // Each figure is the median of 2 rounds; ops count both rounds; the replica's own CPU is reported (Linux /proc).
    expect(workloads.map((w) => [w.rounds, w.ops])).toEqual([[2, 40], [2, 160], [2, 160]])
    for (const w of workloads) {
      expect(w.opsPerSec).toBeGreaterThan(0)
      expect(w.p99Ms).toBeGreaterThanOrEqual(w.p50Ms)
      expect(w.errors).toBe(0)
      // Reported per row (measured in /proc's 10 ms ticks, so a workload this small may read 0).
      expect(w.serverCpu).toBeGreaterThanOrEqual(0)
    }
    expect(run.report!.cores).toBeGreaterThan(0)
    expect(run.report!.ratios).toEqual([])
    const rounds = ['sequential puts', '8 puts in flight', '50/50 get/put'].flatMap((w) => [1, 2].map((r) => `×1: ${w}, round ${r}/2`))
    expect(events.filter((e) => e.type === 'store-bench-progress')).toEqual(
      ['starting stabilis ×1', ...rounds].map((message, i) => ({ type: 'store-bench-progress', runId: started.id, step: i + 1, steps: 7, message })),
    )
    expect(events.at(-1)).toEqual({ type: 'store-bench-finished', run })
    expect(await lab.listBenchRuns()).toEqual([run])
    // The check runs list is not affected.
    expect(await lab.listRuns()).toEqual([])
    await opened.close()
    opened = null

    // Still there after reopening the file; a benchmark left "running" by a dead process reads as interrupted.
    const db = new Database(dbFile)
    db.prepare(`INSERT INTO bench_runs (status, options, etcd, started_at, owner_pid) VALUES ('running', ?, 'skipped', ?, 2147483646)`).run(
      JSON.stringify(run.options),
      new Date().toISOString(),
    )
    db.close()
    opened = openLab(dbFile, { findEtcd: () => null, modelsDir: null })
    const list = await opened.lab.listBenchRuns()
    expect(list.map((r) => r.status)).toEqual(['interrupted', 'done'])
    expect(await opened.lab.getBenchRun(started.id)).toEqual(run)
    await expect(opened.lab.getBenchRun(999)).rejects.toThrow(/no store benchmark with id 999/)
  })

  it('stops a running benchmark at once: saved as stopped with the workloads it finished', async () => {
    opened ??= openLab(dbFile, { findEtcd: () => null, modelsDir: null })
    const { lab } = opened
    // Sized to take minutes; the stop comes once the first workload is under way.
    const started = await lab.storeBench({ members: [1, 3], keys: 40, sequentialOps: 1_000_000, concurrentOps: 1_000_000, inFlight: 8 })
    await new Promise((r) => setTimeout(r, 1500))
    const t0 = performance.now()
    const run = await lab.stopBenchRun(started.id)
    const tookMs = performance.now() - t0
    expect([run.status, run.error]).toEqual(['stopped', null])
    // The workload under way is left out: nothing measured, so no system in the report; the 3-replica one never started.
    expect(run.report!.systems).toEqual([])
    expect(tookMs).toBeLessThan(10_000)
    expect(await lab.getBenchRun(started.id)).toEqual(run)
    await expect(lab.stopBenchRun(started.id)).rejects.toThrow(/is not running \(it is stopped\)/)
    // A new benchmark can start at once.
    const next = await lab.storeBench(tiny)
    expect((await lab.waitForBench(next.id)).status).toBe('done')
  })

  it('checks options: quick by default, full on request, clear errors for bad values', () => {
    expect(resolveBenchOptions()).toEqual({ options: { size: 'quick', members: [1, 3], ...QUICK_BENCH }, etcd: true })
    expect(resolveBenchOptions({ size: 'full', etcd: false }).options).toMatchObject({ keys: 10_000, sequentialOps: 1000, concurrentOps: 8000, inFlight: 64 })
    expect(() => resolveBenchOptions({ members: [0] })).toThrow(/replica count must be a whole number from 1 to 7/)
    expect(() => resolveBenchOptions({ members: [] })).toThrow(/1 to 4 replica counts/)
    expect(() => resolveBenchOptions({ inFlight: 1.5 })).toThrow(/inFlight must be a whole number/)
    expect(() => resolveBenchOptions({ rounds: 0 })).toThrow(/rounds must be a whole number from 1 to 50, got 0/)
    expect(resolveBenchOptions({ size: 'full' }).options.rounds).toBe(5)
    expect(() => resolveBenchOptions({ size: 'huge' as 'full' })).toThrow(/size must be "quick" or "full"/)
  })

  it('finds etcd on PATH only when an executable is there', () => {
    const bin = join(dir, 'bin')
    mkdirSync(bin, { recursive: true })
    expect(findEtcd(bin)).toBeNull()
    writeFileSync(join(bin, 'etcd'), '#!/bin/sh\n')
    chmodSync(join(bin, 'etcd'), 0o755)
    expect(findEtcd(`/nonexistent:${bin}`)).toBe(join(bin, 'etcd'))
  })
})
