// An in-memory LabApi for component tests: every method is a spy, and emit() pushes events to subscribers.
import { vi } from 'vitest'
import type { LabApi } from '../../src-shared/api.ts'
import type { LabEvent } from '../../src-shared/types.ts'
import { makeDetail, makeRun, twoPhaseInfo } from './fixtures.ts'

export function createFakeLab(over: Partial<LabApi> = {}) {
  const listeners = new Set<(e: LabEvent) => void>()
  const lab = {
    listModels: vi.fn(async () => [twoPhaseInfo]),
    startRun: vi.fn(async () => makeRun({ id: 42, status: 'running' })),
    stopRun: vi.fn(async () => {}),
    getRun: vi.fn(async () => makeDetail()),
    listRuns: vi.fn(async () => [makeRun()]),
    exportCsv: vi.fn(async () => 'id,unique\n1,288\n'),
    onEvent: vi.fn((listener: (e: LabEvent) => void) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }),
    ...over,
  } satisfies LabApi
  const emit = (event: LabEvent): void => {
    for (const l of listeners) l(event)
  }
  return { lab, emit, listeners }
}
