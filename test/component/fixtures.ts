// Small, realistic DTOs for component tests.
import type { ModelInfo, ProgressSample, RunDetail, RunSummary } from '../../src-shared/types.ts'

export function makeRun(over: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 1,
    kind: 'check',
    model: 'twophase',
    config: {
      model: 'twophase',
      params: { rms: 3, bug: false },
      strategy: 'bfs',
      workers: 1,
      maxDepth: 0,
      timeout: 0,
      seed: 1,
      stopOnViolation: false,
    },
    status: 'done',
    startedAt: '2026-01-05T10:00:00.000Z',
    finishedAt: '2026-01-05T10:00:01.000Z',
    unique: 288,
    generated: 1146,
    maxDepth: 11,
    seconds: 0.5,
    complete: true,
    verdict: 'holds',
    error: null,
    ...over,
  }
}

export function makeSample(elapsedMs: number, unique: number): ProgressSample {
  return {
    elapsedMs,
    generated: unique * 4,
    unique,
    queue: 10,
    maxDepth: 5,
    generatedPerSec: unique * 8,
    uniquePerSec: unique * 2,
    memoryBytes: 1 << 20,
  }
}

export const twoPhaseInfo: ModelInfo = {
  id: 'twophase',
  title: 'Two-phase commit',
  description: 'A transaction manager and N resource managers.',
  params: [
    { name: 'rms', kind: 'int', label: 'Resource managers', default: 3, min: 1, max: 12 },
    { name: 'bug', kind: 'bool', label: 'Broken TM', default: false },
  ],
  properties: [
    { name: 'consistent', kind: 'always', description: 'No RM committed while another aborted.' },
    { name: 'all-committed', kind: 'sometimes', description: 'Every RM committed.' },
  ],
}

export function makeDetail(summary: RunSummary = makeRun()): RunDetail {
  return {
    summary,
    samples: [makeSample(250, 100), makeSample(500, 288)],
    depthHistogram: [1, 3, 9, 20],
    properties: [
      { name: 'consistent', kind: 'always', description: 'No RM committed while another aborted.', status: 'holds' },
      {
        name: 'all-committed',
        kind: 'sometimes',
        description: 'Every RM committed.',
        status: 'holds',
        trace: [
          { index: 0, action: null, state: { tmState: 'init' } },
          { index: 1, action: 'TMCommit', state: { tmState: 'committed' } },
        ],
      },
    ],
  }
}
