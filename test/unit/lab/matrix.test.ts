// Matrices in the Lab: cells as ordinary saved runs in worker threads, one matrix record in a real SQLite file,
// events, stop, validation naming the field, and the text / Markdown forms the CLI prints.
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cellVerdictText, formatMatrixMarkdown, formatMatrixTable, matrixHeadline, resolveMatrixSpec } from '../../../src-main/lab/matrix.ts'
import { unknownCellsSpec } from '../../../src-shared/matrix-again.ts'
import { openLab } from '../../../src-main/lab/open-lab.ts'
import { listModelInfos } from '../../../src-main/models/registry.ts'
import type { LabEvent, MatrixSpec } from '../../../src-shared/types.ts'
import { tempDir } from '../../helpers/tmp.ts'

const dir = tempDir()
const dbFile = join(dir, 'matrix.db')
const opened = openLab(dbFile, { flushEveryMs: 100 })
const { lab } = opened
afterAll(() => opened.close())

const LEVELS = ['synchronous', 'monotonic-session', 'resettable-session', 'optimistic', 'causal']
const SCENARIOS = [
  'replicaset-scale', 'replicaset-overlapping', 'statefulset-scale', 'statefulset-available', 'statefulset-stale-reads',
  'deployment-create', 'deployment-rolling-update', 'deployment-paused', 'job-single', 'job-parallel',
]

describe('resolveMatrixSpec', () => {
  const models = listModelInfos()

  it('expands "all" to every scenario × every level, ordered scenario, instances, level', () => {
    const { spec, cells } = resolveMatrixSpec({ scenario: 'all', consistency: ['all'], instances: [1, 2] }, models)
    expect(spec).toMatchObject({ scenario: 'all', consistency: LEVELS, instances: [1, 2], strategy: 'auto', timeoutPerCell: 0, maxDepth: 0 })
    // One cell at a time with every core.
    expect([spec.concurrency, spec.workersPerCell]).toEqual([1, availableParallelism()])
    // Cells at once share the cores.
    const two = resolveMatrixSpec({ scenario: 'all', consistency: ['all'], instances: [1], concurrency: 2 }, models).spec
    expect(two.workersPerCell).toBe(Math.max(1, Math.floor(availableParallelism() / 2)))
    expect(resolveMatrixSpec({ scenario: 'all', consistency: ['all'], instances: [1], workersPerCell: 3 }, models).spec.workersPerCell).toBe(3)
    expect(cells).toHaveLength(SCENARIOS.length * 5 * 2)
    expect(new Set(cells.map((c) => c.scenario))).toEqual(new Set(SCENARIOS))
    expect(cells.slice(0, 6)).toEqual([
      ...LEVELS.map((consistency) => ({ scenario: cells[0].scenario, consistency, instances: 1 })),
      { scenario: cells[0].scenario, consistency: 'synchronous', instances: 2 },
    ])
  })

  it('runs only the cells `only` names, in grid order, each once; a cell outside the grid is named', () => {
    const grid = { scenario: 'all', consistency: ['all'], instances: [1, 2] }
    const only = [
      { scenario: 'job-single', consistency: 'causal', instances: 1 },
      { scenario: 'replicaset-scale', consistency: 'optimistic', instances: 2 },
      { scenario: 'job-single', consistency: 'causal', instances: 1 },
    ]
    const { spec, cells } = resolveMatrixSpec({ ...grid, only }, models)
    expect(cells).toEqual([only[1], only[0]])
    expect(spec.only).toEqual([only[0], only[1]])
    expect(resolveMatrixSpec(grid, models).spec.only).toEqual([])
    expect(() => resolveMatrixSpec({ ...grid, instances: [1], only }, models)).toThrow(/only\[1\]: .*"replicaset-scale".* is not a cell of this matrix/)
    expect(() => resolveMatrixSpec({ ...grid, only: 'x' }, models)).toThrow(/only must be a list of cells/)
  })

  it('names the bad field', () => {
    const bad = (spec: unknown): (() => unknown) => () => resolveMatrixSpec(spec, models)
    expect(bad({ scenario: 'twophase', consistency: [], instances: [1] })).toThrow(/unknown scenario "twophase"; scenarios: replicaset-scale/)
    expect(bad({ scenario: 'nope', instances: [1] })).toThrow(/unknown scenario "nope"/)
    expect(bad({ scenario: 'job-single', consistency: ['strong'], instances: [1] })).toThrow(/unknown consistency level "strong"; levels: synchronous, /)
    expect(bad({ scenario: 'job-single', consistency: ['all'], instances: [0] })).toThrow(/instances must be a whole number from 1 to 3, got 0/)
    expect(bad({ scenario: 'job-single', consistency: ['all'], instances: [] })).toThrow(/instances must be a list/)
    expect(bad({ scenario: 'job-single', consistency: ['all'], instances: [1], strategy: 'astar' })).toThrow(/strategy must be one of bfs, dfs, sim/)
    expect(bad({ scenario: 'job-single', consistency: ['all'], instances: [1], timeoutPerCell: -1 })).toThrow(/timeoutPerCell must be a whole number/)
    expect(bad({ scenario: 'job-single', consistency: ['all'], instances: [1], concurrency: 0 })).toThrow(/concurrency must be a whole number/)
    expect(bad({ scenario: 'job-single', consistency: ['all'], instances: [1], workersPerCell: 0 })).toThrow(/workersPerCell must be a whole number/)
  })
})

describe('Lab matrices (worker threads + SQLite)', () => {
  it('runs every cell as a saved run and saves the matrix with exact verdicts', async () => {
    const events: LabEvent[] = []
    const off = lab.onEvent((e) => events.push(e))
    const spec: MatrixSpec = {
      scenario: 'statefulset-stale-reads', consistency: ['synchronous', 'monotonic-session', 'resettable-session'], instances: [1], timeoutPerCell: 60, strategy: 'bfs',
      params: { nodeRestarts: 1, history: 3, sparePod: false, expectations: false, idleReads: true, sameViews: true, oldRevisions: true },
    }
    const started = await lab.startMatrix(spec)
    expect(started).toMatchObject({ status: 'running', cellCount: 3, finished: 0, spec: { scenario: 'statefulset-stale-reads', instances: [1], timeoutPerCell: 60 } })
    const done = await lab.waitForMatrix(started.id)
    off()
    expect(done).toMatchObject({ id: started.id, status: 'done', cellCount: 3, finished: 3, holds: 2, violated: 1, unknown: 0 })
    expect(done.finishedAt).not.toBeNull()
    const brief = done.cells.map(({ scenario, consistency, instances, status, verdict, violated, unique, complete }) => ({
      scenario, consistency, instances, status, verdict, violated, unique, complete,
    }))
    expect(brief).toEqual([
      { scenario: 'statefulset-stale-reads', consistency: 'synchronous', instances: 1, status: 'done', verdict: 'holds', violated: [], unique: 205, complete: true },
      { scenario: 'statefulset-stale-reads', consistency: 'monotonic-session', instances: 1, status: 'done', verdict: 'holds', violated: [], unique: 1467, complete: true },
      { scenario: 'statefulset-stale-reads', consistency: 'resettable-session', instances: 1, status: 'done', verdict: 'violated', violated: ['pod-on-one-node', 'sts-one-pod-per-ordinal'], unique: 5337, complete: true },
    ])

    // Each cell is an ordinary run: listed, tagged with the matrix, with its counterexample trace.
    const runIds = done.cells.map((c) => c.runId!)
    expect(new Set(runIds).size).toBe(3)
    for (const [i, id] of runIds.entries()) {
      const run = await lab.getRun(id)
      expect(run.summary).toMatchObject({ model: 'statefulset-stale-reads', status: 'done', unique: done.cells[i].unique, tags: [`matrix-${started.id}`] })
      expect(run.summary.config).toMatchObject({ workers: done.spec.workersPerCell, timeout: 60, strategy: 'bfs', params: { consistency: done.cells[i].consistency, instances: 1 } })
    }
    const violatedRun = await lab.getRun(runIds[2])
    expect(violatedRun.properties.find((p) => p.name === 'sts-one-pod-per-ordinal')?.trace?.length).toBeGreaterThan(1)
    // Status computed from a stale view is judged against that view (observedRevision): not a violation.
    expect(violatedRun.properties.find((p) => p.name === 'sts-status-when-stable')?.status).toBe('holds')

    // Events: each cell starts and finishes once; matrix-finished comes last.
    const progress = events.filter((e) => e.type === 'matrix-progress')
    expect(progress).toHaveLength(6)
    expect(progress.filter((e) => e.type === 'matrix-progress' && e.cell.status === 'running')).toHaveLength(3)
    const last = events.filter((e) => e.type === 'matrix-progress' || e.type === 'matrix-finished').at(-1)
    expect(last).toMatchObject({ type: 'matrix-finished', matrix: { id: started.id, status: 'done', holds: 2, violated: 1 } })

    expect(await lab.getMatrix(started.id)).toEqual(done)
    expect((await lab.listMatrices())[0]).toMatchObject({ id: started.id, status: 'done', cellCount: 3 })

    // Text forms used by the CLI.
    expect(cellVerdictText(done.cells[2])).toBe('violated: pod-on-one-node, sts-one-pod-per-ordinal')
    expect(formatMatrixTable(done)).toMatch(/statefulset-stale-reads\s+1\s+synchronous\s+holds\s+205/)
    const md = formatMatrixMarkdown(done).split('\n')
    expect(md[0]).toBe('| scenario | inst | synchronous | monotonic-session | resettable-session |')
    expect(md[2]).toMatch(/^\| statefulset-stale-reads \| 1 \| ✅ holds · 205 · [\d.]+ s \| ✅ holds · 1,467 · [\d.]+ s \| ❌ pod-on-one-node, sts-one-pod-per-ordinal · 5,337 · /)
  })

  it('runs cells with the portfolio by default: the same verdicts, exact counts where it holds, the first violation shrunk', async () => {
    const spec: MatrixSpec = { scenario: 'statefulset-stale-reads', consistency: ['synchronous', 'resettable-session'], instances: [1], timeoutPerCell: 60, params: { nodeRestarts: 1, history: 3, sparePod: false, expectations: false, idleReads: true, sameViews: true, oldRevisions: true } }
    const done = await lab.waitForMatrix((await lab.startMatrix(spec)).id)
    expect(done).toMatchObject({ status: 'done', holds: 1, violated: 1, unknown: 0, spec: { strategy: 'auto' } })
    expect(done.cells.map((c) => [c.verdict, c.violated, c.complete])).toEqual([
      ['holds', [], true],
      ['violated', ['pod-on-one-node', 'sts-one-pod-per-ordinal'], false],
    ])
    expect(done.cells[0].unique).toBe(205)
    expect(done.cells[1].firstViolationMs).toBeGreaterThan(0)
    const run = await lab.getRun(done.cells[1].runId!)
    expect(run.summary.config.strategy).toBe('auto')
    expect(run.summary.firstViolationMs).toBeGreaterThan(0)
    expect(run.summary.coverage!.bfsDepth).toBeGreaterThan(0)
    const replay = await lab.replayTrace(run.summary.id, { property: 'sts-one-pod-per-ordinal' })
    expect(replay.reproduced).toBe(true)
    expect(replay.propertyStep).toBe(replay.steps.length - 1)
  })

  it('marks a cell cut by its depth limit as unknown at limit', async () => {
    const started = await lab.startMatrix({ scenario: 'job-single', consistency: ['synchronous'], instances: [1], maxDepth: 3 })
    const done = await lab.waitForMatrix(started.id)
    expect(done.cells[0]).toMatchObject({ status: 'done', verdict: 'unknown', complete: false, violated: [] })
    expect(cellVerdictText(done.cells[0])).toBe('unknown at limit')
    // Explored whole but unknown: only a possibly fair cycle of the symmetry-reduced graph does that; time won't help.
    expect(cellVerdictText({ ...done.cells[0], complete: true })).toBe('unknown: a cycle under symmetry')
  })

  it('stops a matrix: the running cell is saved as stopped, later cells never start', async () => {
    // job-single × causal × 1 runs for minutes without a limit (docs/models.md, "Matrix").
    const started = await lab.startMatrix({ scenario: 'job-single', consistency: ['causal'], instances: [1, 2], concurrency: 1 })
    await new Promise((r) => setTimeout(r, 600))
    await lab.stopMatrix(started.id)
    const done = await lab.waitForMatrix(started.id)
    expect(done.status).toBe('stopped')
    expect(done.cells[0]).toMatchObject({ consistency: 'causal', instances: 1, status: 'stopped' })
    expect(done.cells.slice(1).map((c) => [c.status, c.runId])).toEqual([['pending', null]])
    await lab.stopMatrix(started.id) // stopping a finished matrix is harmless
    await expect(lab.stopMatrix(99_999)).rejects.toThrow(/no matrix with id 99999/)
  })

  it('rejects a bad spec naming the field and saves nothing', async () => {
    const before = (await lab.listMatrices()).length
    await expect(lab.startMatrix({ scenario: 'nope', consistency: ['all'], instances: [1] })).rejects.toThrow(/unknown scenario "nope"/)
    await expect(lab.startMatrix({ scenario: 'job-single', consistency: ['eventual'], instances: [1] })).rejects.toThrow(/unknown consistency level "eventual"/)
    await expect(lab.startMatrix({ scenario: 'job-single', consistency: ['all'], instances: [4] })).rejects.toThrow(/instances must be a whole number from 1 to 3/)
    expect((await lab.listMatrices()).length).toBe(before)
    await expect(lab.getMatrix(12345)).rejects.toThrow(/no matrix with id 12345/)
  })

  it('keeps matrices in the database file across a restart', async () => {
    const again = openLab(dbFile)
    try {
      const list = await again.lab.listMatrices()
      expect(list.map((m) => m.status)).toEqual(['stopped', 'done', 'done', 'done'])
      const first = await again.lab.getMatrix(list[3].id)
      expect(first.cells.map((c) => c.verdict)).toEqual(['holds', 'holds', 'violated'])
    } finally {
      await again.close()
    }
  })
  it('shows where an unknown cell\'s BFS stood: its whole depths are the true levels of the space', async () => {
    // Cut by time after a second or two: how deep it gets varies, what it reports must not.
    const cell = { scenario: 'replicaset-scale', consistency: ['monotonic-session'], instances: [1], timeoutPerCell: 2, params: { expectations: false, idleReads: true, sameViews: true, oldRevisions: true } }
    const done = await lab.waitForMatrix((await lab.startMatrix(cell)).id)
    const c = done.cells[0]
    expect(c).toMatchObject({ verdict: 'unknown', complete: false })
    const f = c.frontier!
    expect(f.depth).toBeGreaterThanOrEqual(3)
    const run = await lab.getRun(c.runId!)
    expect(run.summary.coverage!.bfsDepth).toBe(f.depth)
    expect([f.before, f.states, f.beyond]).toEqual([run.depthHistogram[f.depth - 2], run.depthHistogram[f.depth - 1], run.depthHistogram[f.depth] ?? 0])
    // A plain BFS bounded at that depth finds exactly those levels.
    const bounded = await lab.startRun({ model: 'replicaset-scale', params: { consistency: 'monotonic-session', instances: 1, expectations: false, idleReads: true, sameViews: true, oldRevisions: true }, strategy: 'bfs', workers: 1, maxDepth: f.depth, timeout: 0, seed: 1, stopOnViolation: false })
    await lab.waitForRun(bounded.id)
    const levels = (await lab.getRun(bounded.id)).depthHistogram
    expect(levels.slice(0, f.depth)).toEqual(run.depthHistogram.slice(0, f.depth))
    expect(f.states).toBeGreaterThan(f.before)
    // Every form names it: the text table, the Markdown's second table, the CSV.
    expect(formatMatrixTable(done)).toContain(`whole to depth ${f.depth}: ${f.states.toLocaleString('en-US')} states there`)
    const md = formatMatrixMarkdown(done)
    expect(md).toContain('Unknown cells, where the BFS stood at the limit')
    expect(md).toContain(`| replicaset-scale | 1 | monotonic-session | ${c.unique.toLocaleString('en-US')} | ${f.depth} | ${f.states.toLocaleString('en-US')} | ${(f.states / f.before).toFixed(2)} |`)
  })
  it('runs a matrix\'s unknown cells again with another limit: a depth-cut cell, unbounded, holds with its exact count', async () => {
    const first = await lab.waitForMatrix(
      (await lab.startMatrix({ scenario: 'statefulset-scale', consistency: ['synchronous', 'monotonic-session'], instances: [2], maxDepth: 5 })).id,
    )
    expect(first.cells.map((c) => [c.consistency, c.verdict])).toEqual([['synchronous', 'unknown'], ['monotonic-session', 'unknown']])
    const holds = await lab.waitForMatrix((await lab.startMatrix({ scenario: 'statefulset-scale', consistency: ['synchronous'], instances: [2] })).id)
    expect(unknownCellsSpec(holds)).toBeUndefined()
    const spec = unknownCellsSpec(first, { maxDepth: 0 })!
    expect(spec.only).toHaveLength(2)
    const again = await lab.waitForMatrix((await lab.startMatrix(spec)).id)
    expect(again.cells.map((c) => [c.consistency, c.verdict, c.unique])).toEqual([['synchronous', 'holds', 135], ['monotonic-session', 'holds', 1_908]])
    expect(again.spec).toMatchObject({ scenario: 'statefulset-scale', maxDepth: 0, only: spec.only })
    expect(matrixHeadline(again)).toContain('2 chosen cells')
  })
})
