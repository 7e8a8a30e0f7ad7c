// What the live trace and live comparison pages say, and the pages themselves against a fake lab (happy-dom). The
// timeline is one recorded from a real run (statefulset-stale-reads on the store ×5, db-0's node cut off while it
// restarts); the trace and comparison are built from it by the lab's own functions.
import { fireEvent, render, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { compareLive } from '../../src-main/lab/live-compare.ts'
import { liveTrace } from '../../src-main/lab/live-trace.ts'
import type { LiveComparisonProperty, LiveEvent, LiveRunSummary } from '../../src-shared/live-types.ts'
import type { RunDetail } from '../../src-shared/types.ts'
import { setLab } from '../../src-renderer/lib/lab.ts'
import { liveTraceSummary, observedText, relationSummary, sourceText, stepsText } from '../../src-renderer/lib/live-compare.ts'
import { parseHash } from '../../src-renderer/lib/route.ts'
import { toasts } from '../../src-renderer/lib/toast.svelte.ts'
import LiveComparePage from '../../src-renderer/pages/LiveComparePage.svelte'
import LiveTracePage from '../../src-renderer/pages/LiveTracePage.svelte'
import { createFakeLab } from './fake-lab.ts'
import { makeDetail, makeRun } from './fixtures.ts'

afterEach(() => {
  toasts.splice(0)
  vi.restoreAllMocks()
})

const ev = (seq: number, atMs: number, type: LiveEvent['type'], who: string, what: string, endpoint?: number, viewRev?: number): LiveEvent => ({
  seq, atMs, type, who, what, ...(endpoint !== undefined ? { endpoint, viewRev } : {}), ...(type === 'write' || type === 'containers' || type === 'fault' ? { ok: true } : {}),
})

const TIMELINE: LiveEvent[] = [
  ev(2, 71, 'write', 'statefulset-1', 'create Pod/db-0', 1, 6),
  ev(8, 314, 'converged', 'monitor', 'converged after "start": 8 writes, 314 ms'),
  ev(9, 1011, 'fault', 'fault', 'partition @kubelet-node2'),
  ev(11, 1223, 'containers', 'kubelet-node2', 'containers; start db-0@u0002', 4, 15),
  ev(12, 1230, 'converged', 'monitor', 'converged after "node-restart node2": 0 writes, 10 ms'),
  ev(13, 1233, 'write', 'fault', 'delete Node/node2', 0, 13),
  ev(14, 1233, 'fault', 'fault', 'node-restart node2'),
  ev(15, 1297, 'write', 'podgc-1', 'force-delete Pod/db-0', 2, 16),
  ev(16, 1357, 'write', 'statefulset-1', 'create Pod/db-0', 1, 17),
  ev(18, 1425, 'write', 'scheduler-1', 'update Pod/db-0', 0, 17),
  ev(19, 1485, 'write', 'kubelet-node1', 'update Pod/db-0; start db-0@u0003', 3, 21),
  ev(20, 1489, 'violation', 'monitor', 'sts-one-pod-per-ordinal violated on r1'),
  ev(22, 3016, 'fault', 'fault', 'heal'),
]

const RUN: LiveRunSummary = {
  id: 5, kind: 'live', scenario: 'statefulset-stale-reads', store: 'stabilis', replicas: 5, status: 'done',
  startedAt: '2026-01-05T10:00:00.000Z', finishedAt: '2026-01-05T10:00:04.000Z', error: null,
  config: { scenario: 'statefulset-stale-reads', store: 'stabilis', replicas: 5, seed: 1 },
  result: {
    runId: 5, status: 'done', scenario: 'statefulset-stale-reads', store: 'stabilis', replicas: 5, seed: 1, level: 'causal', seconds: 3.4, oscillations: 0,
    properties: [
      { name: 'pod-on-one-node', kind: 'always', status: 'holds' },
      {
        name: 'sts-one-pod-per-ordinal', kind: 'always', status: 'violated', firstViolationMs: 1489, where: 'r1', atSeq: 19,
        state: { where: 'r1', rev: 22, objects: { 'StatefulSet/db': { meta: { name: 'db' } }, 'Pod/db-0': { meta: { name: 'db-0', uid: 'u0003' }, spec: { nodeName: 'node1' } } }, running: { node1: ['db-0@u0003'], node2: ['db-0@u0002'] } },
      },
      { name: 'sts-ready', kind: 'sometimes', status: 'holds' },
      { name: 'converges', kind: 'converges', status: 'holds' },
    ],
    convergence: { converged: true, steps: 1, ms: 77 },
    disturbances: [
      { label: 'start', atMs: 0, converged: true, steps: 8, ms: 314 },
      { label: 'partition @kubelet-node2', atMs: 1009, converged: true, steps: 0, ms: 3 },
      { label: 'node-restart node2', atMs: 1220, converged: false, steps: 0, ms: 10 },
      { label: 'heal', atMs: 3016, converged: true, steps: 1, ms: 77 },
    ],
    faults: [], writes: { total: 10, accepted: 10, rejected: 0, unavailable: 0, byController: {} },
  },
}

function checkDetail(): RunDetail {
  const base = makeDetail(makeRun({ id: 12, model: 'statefulset-stale-reads', verdict: 'violated', complete: true }))
  const conv = { oscillations: 0, stuck: 0, leavesGoal: 0, worstSteps: 9, unbounded: 0, stepsHistogram: [1] }
  return {
    ...base,
    properties: [
      { name: 'pod-on-one-node', kind: 'always', description: '', status: 'violated' },
      { name: 'sts-one-pod-per-ordinal', kind: 'always', description: '', status: 'violated' },
      { name: 'sts-ready', kind: 'sometimes', description: '', status: 'holds' },
      { name: 'converges', kind: 'converges', description: '', status: 'holds', convergence: conv },
    ],
  }
}

const trace = liveTrace(RUN, TIMELINE)
const withCell = compareLive(RUN, 'causal', 1, { kind: 'matrix', matrixId: 3, runId: 12 }, checkDetail())
const withoutCell = compareLive(RUN, 'causal', 1, null, null)

describe('live trace and comparison words', () => {
  it('says where the slice starts, when the property broke and how many events led there', () => {
    expect(liveTraceSummary(trace)).toBe('sts-one-pod-per-ordinal broke 269 ms after “node-restart node2”, at 1,489 ms on r1: 8 events led there')
  })

  it('names the prediction’s source, or that none is saved', () => {
    expect(sourceText(withCell)).toBe('The newest saved matrix cell of statefulset-stale-reads at causal with 1 instance: matrix #3, check run #12.')
    expect(sourceText(withoutCell)).toBe('No saved matrix cell of statefulset-stale-reads at causal with 1 instance.')
    expect(sourceText({ ...withCell, source: { kind: 'run', runId: 4 }, instances: 2 })).toBe('Check run #4, chosen for statefulset-stale-reads at causal with 2 instances.')
  })

  it('words each observation and sums up how they stand to the prediction', () => {
    const by = (n: string): LiveComparisonProperty => withCell.properties.find((p) => p.name === n)!
    expect(observedText(by('sts-one-pod-per-ordinal'))).toBe('violated at 1,489 ms on r1')
    expect(observedText({ ...by('sts-ready'), observed: 'unknown' })).toBe('not met')
    expect(observedText({ ...by('sts-ready'), observed: null })).toBe('not judged live')
    expect(relationSummary(withCell.properties)).toBe('1 predicted and seen live, 1 predicted, not seen in this run, 2 as predicted')
    expect(relationSummary(withoutCell.properties)).toBe('nothing to compare')
  })

  it('sets the checker’s worst case against the writes observed', () => {
    expect(stepsText(withCell.convergence)).toEqual({
      predicted: 'at most 9 steps',
      observed: '1 write, 77 ms after the last disturbance; at most 8 writes after any disturbance',
      verdict: 'within the checker’s worst case',
    })
    expect(stepsText({ ...withCell.convergence, predictedWorstSteps: 5, withinPrediction: false }).verdict).toBe('more writes than the checker’s worst case')
    expect(stepsText({ ...withCell.convergence, predictedWorstSteps: null, predictedUnbounded: 1200 }).predicted).toBe('no bound (1,200 states from which it may never converge)')
    expect(stepsText(withoutCell.convergence)).toMatchObject({ predicted: 'no check', verdict: '' })
    expect(stepsText({ ...withCell.convergence, observedConverged: false }).observed).toBe('did not converge')
  })

  it('routes a live trace and a live comparison', () => {
    expect(parseHash('#/live/5/trace/sts-one-pod-per-ordinal')).toEqual({ page: 'live-trace', id: 5, property: 'sts-one-pod-per-ordinal' })
    expect(parseHash('#/live/5/trace')).toEqual({ page: 'live-trace', id: 5 })
    expect(parseHash('#/compare/live/5')).toEqual({ page: 'compare-live', id: 5 })
    expect(parseHash('#/compare/live/5?run=12')).toEqual({ page: 'compare-live', id: 5, checkRunId: 12 })
    expect(parseHash('#/compare/live/5?run=x').page).toBe('not-found')
  })
})

describe('LiveTracePage', () => {
  it('draws the slice with controllers as lanes, the violation marked, the objects and the state where it broke', async () => {
    const { lab } = createFakeLab({ getLiveTrace: vi.fn(async () => trace), getLiveRun: vi.fn(async () => RUN) })
    setLab(lab)
    const { findByTestId, getByTestId, getAllByTestId } = render(LiveTracePage, { props: { id: 5 } })
    expect((await findByTestId('live-trace-summary')).textContent).toContain('269 ms after “node-restart node2”')
    expect(lab.getLiveTrace).toHaveBeenCalledWith(5, undefined)
    for (const lane of ['kubelet-node2', 'podgc-1', 'statefulset-1', 'scheduler-1', 'kubelet-node1', 'monitor', 'faults']) getByTestId(`lane-${lane}`)
    expect(getByTestId('seq-mark').closest('tr')?.dataset.testid).toBe(`seq-row-${trace.steps.length - 1}`)
    expect(getByTestId('seq-cell-4').textContent).toContain('reads @16')
    expect(getByTestId('sequence-view').querySelector('th.head')).toBeNull() // each member has its own revisions: no one head
    expect(getByTestId('live-trace-objects').textContent).toContain('Pod/db-0')
    expect(getByTestId('live-trace-selected').textContent).toContain('sts-one-pod-per-ordinal is violated here')
    expect(getByTestId('live-trace-selected').textContent).toContain('db-0@u0003')
    await fireEvent.click(getByTestId('view-steps'))
    const steps = getAllByTestId('trace-step')
    expect(steps).toHaveLength(trace.steps.length)
    expect(steps.at(-1)!.textContent).toContain('violated here')
    expect(getByTestId('live-trace-command').textContent).toBe('npx stabilis live-trace 5 --property sts-one-pod-per-ordinal')
  })

  it('shows the lab’s words when the run has nothing to trace', async () => {
    const { lab } = createFakeLab({ getLiveTrace: vi.fn(async () => Promise.reject(new Error('live run 3 violated no property, so it has no violation to trace'))), getLiveRun: vi.fn(async () => RUN) })
    setLab(lab)
    const { findByTestId } = render(LiveTracePage, { props: { id: 3 } })
    expect((await findByTestId('live-trace-error')).textContent).toContain('violated no property')
  })
})

describe('LiveComparePage', () => {
  it('sets the matrix cell beside the run: verdicts, trace links, steps', async () => {
    const { lab } = createFakeLab({ compareLive: vi.fn(async () => withCell), listRuns: vi.fn(async () => [makeRun({ id: 12, model: 'statefulset-stale-reads' })]) })
    setLab(lab)
    const { findByTestId, getByTestId } = render(LiveComparePage, { props: { id: 5 } })
    expect((await findByTestId('live-compare-source')).textContent).toContain('matrix #3, check run #12')
    const row = getByTestId('live-compare-row-sts-one-pod-per-ordinal')
    expect(row.dataset.relation).toBe('confirmed')
    expect(row.textContent).toContain('violated at 1,489 ms on r1')
    expect(getByTestId('live-compare-trace-sts-one-pod-per-ordinal').getAttribute('href')).toBe('#/live/5/trace/sts-one-pod-per-ordinal')
    expect(getByTestId('live-compare-row-pod-on-one-node').dataset.relation).toBe('not-seen')
    expect(getByTestId('live-compare-steps').textContent).toContain('at most 9 steps')
    expect(() => getByTestId('live-compare-none')).toThrow()
  })

  it('offers the checks of the cell first, and opens the comparison with the one picked', async () => {
    const check = (id: number, consistency: string) => makeRun({ id, model: 'statefulset-stale-reads', config: { ...makeRun().config, model: 'statefulset-stale-reads', params: { consistency, instances: 1 } } })
    const { lab } = createFakeLab({
      compareLive: vi.fn(async () => withCell),
      listRuns: vi.fn(async () => [check(14, 'synchronous'), check(13, 'causal'), makeRun({ id: 2 })]),
    })
    setLab(lab)
    window.location.hash = '#/compare/live/5'
    const { findByTestId } = render(LiveComparePage, { props: { id: 5 } })
    const select = (await findByTestId('live-compare-choose')) as HTMLSelectElement
    await waitFor(() => expect([...select.options].map((o) => o.value)).toEqual(['', '13', '14']))
    expect(select.options[1].textContent).toContain('causal ×1')
    select.value = '14'
    await fireEvent.change(select)
    expect(window.location.hash).toBe('#/compare/live/5?run=14')
  })

  it('says when no cell is saved and gives the command that makes one', async () => {
    const { lab } = createFakeLab({ compareLive: vi.fn(async () => withoutCell) })
    setLab(lab)
    const { findByTestId } = render(LiveComparePage, { props: { id: 5 } })
    expect((await findByTestId('live-compare-command')).textContent).toBe('npx stabilis matrix statefulset-stale-reads --consistency causal --instances 1')
    await waitFor(() => expect(lab.listRuns).toHaveBeenCalled())
  })
})
