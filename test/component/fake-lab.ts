// An in-memory LabApi for component tests: every method is a spy, and emit() pushes events to subscribers.
import { vi } from 'vitest'
import { LAB_METHODS, type LabApi } from '../../src-shared/api.ts'
import type { Comparison, LabEvent, MatrixSpec, MatrixSummary } from '../../src-shared/types.ts'
import { makeDetail, makeRun, twoPhaseInfo } from './fixtures.ts'

export function createFakeLab(over: Partial<LabApi> = {}) {
  const listeners = new Set<(e: LabEvent) => void>()
  const comparisons: Comparison[] = []
  let nextComparison = 1
  const faked = {
    listModels: vi.fn(async () => [twoPhaseInfo]),
    startRun: vi.fn(async () => makeRun({ id: 42, status: 'running' })),
    stopRun: vi.fn(async () => {}),
    getRun: vi.fn(async () => makeDetail()),
    listRuns: vi.fn(async () => [makeRun()]),
    exportCsv: vi.fn(async () => 'id,unique\n1,288\n'),
    updateRun: vi.fn(async (runId: number, patch: { name?: string; notes?: string; tags?: string[] }) => makeRun({ id: runId, ...patch })),
    deleteRuns: vi.fn(async () => {}),
    restoreRuns: vi.fn(async (ids: number[]) => ids.map((id) => makeRun({ id }))),
    listComparisons: vi.fn(async () => comparisons.slice()),
    saveComparison: vi.fn(async (input: { id?: number; name: string; runIds: number[] }) => {
      const c: Comparison = { id: input.id ?? nextComparison++, name: input.name, runIds: input.runIds, createdAt: '2026-01-05T10:00:00.000Z', updatedAt: '2026-01-05T10:00:00.000Z' }
      const i = comparisons.findIndex((x) => x.id === c.id)
      if (i >= 0) comparisons[i] = c
      else comparisons.push(c)
      return c
    }),
    deleteComparison: vi.fn(async (id: number) => {
      const i = comparisons.findIndex((x) => x.id === id)
      if (i >= 0) comparisons.splice(i, 1)
    }),
    replayTrace: vi.fn(async (runId: number, target: { property?: string; path?: string[] }) => ({
      runId,
      model: 'twophase',
      property: target.property ?? null,
      path: target.path ?? ['TMCommit'],
      steps: makeDetail().properties[1].trace!,
      reproduced: true,
      divergedAt: null,
      message: 'reproduced 1 step',
      propertyStep: 1,
    })),
    startMatrix: vi.fn(async (spec: MatrixSpec) => fakeMatrixSummary(spec)),
    getMatrix: vi.fn(async (id: number) => ({ ...fakeMatrixSummary({ scenario: 'statefulset-stale-reads', consistency: ['synchronous'], instances: [1] }), id, cells: [] })),
    listMatrices: vi.fn(async () => [] as MatrixSummary[]),
    stopMatrix: vi.fn(async () => {}),
    listChaosRuns: vi.fn(async () => []),
    listLiveRuns: vi.fn(async () => []),
    onEvent: vi.fn((listener: (e: LabEvent) => void) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }),
  } satisfies Partial<LabApi>
  // Methods this fake does not model (the store, matrices, … as the contract grows) reject, naming themselves.
  const rest: Record<string, unknown> = {}
  for (const m of LAB_METHODS) {
    if (!(m in faked)) rest[m] = vi.fn(async () => Promise.reject(new Error(`the fake lab has no ${m}`)))
  }
  const lab = { ...rest, ...faked, ...over } as typeof faked & LabApi
  const emit = (event: LabEvent): void => {
    for (const l of listeners) l(event)
  }
  return { lab, emit, listeners, comparisons }
}

/** A just-started matrix for the given spec, with no cell finished. */
function fakeMatrixSummary(spec: MatrixSpec): MatrixSummary {
  const cellCount = spec.consistency.length * spec.instances.length
  return {
    id: 7,
    spec: { strategy: 'bfs', timeoutPerCell: 0, maxDepth: 0, concurrency: 2, workersPerCell: 1, ...spec, params: spec.params ?? {}, only: spec.only ?? [] },
    status: 'running',
    startedAt: '2026-01-05T10:00:00.000Z',
    finishedAt: null,
    cellCount,
    finished: 0,
    running: 0,
    pending: cellCount,
    holds: 0,
    violated: 0,
    unknown: 0,
  }
}
