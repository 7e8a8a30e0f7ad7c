// The Store page's chaos section against a fake lab: a saved run's verdict, checks, fault list and timeline chart
// (with a shaded span per fault), starting a run with the chosen nemesis, and the finished event updating the view.
import { fireEvent, render, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it, vi } from 'vitest'
import ChaosSection from '../../src-renderer/components/ChaosSection.svelte'
import { chaosData, chaosOptions, faultSpans } from '../../src-renderer/components/ChaosChartOptions.ts'
import { setLab } from '../../src-renderer/lib/lab.ts'
import { toasts } from '../../src-renderer/lib/toast.svelte.ts'
import type { StoreChaosReport, StoreChaosRun } from '../../src-shared/store-types.ts'
import { createFakeLab } from './fake-lab.ts'

afterEach(() => {
  toasts.splice(0)
  vi.restoreAllMocks()
})

const OPTIONS = { replicas: 3, duration: 10, nemesis: ['kill', 'partition', 'pause'] as ('kill' | 'partition' | 'pause')[], clients: 6, seed: 1 }

function report(verdict: 'pass' | 'fail'): StoreChaosReport {
  return {
    options: OPTIONS, seconds: 10, operations: 1234, acknowledged: 600, indeterminate: 20, lost: verdict === 'pass' ? 0 : 1,
    lostKeys: verdict === 'pass' ? [] : ['chaos/c1/000000007 on r2'], converged: true, convergeMs: 40,
    faults: [{ kind: 'kill', target: 'r2', startMs: 1000, endMs: 3000 }, { kind: 'partition', target: 'r1 | r2 r3', startMs: 5000, endMs: 7000 }],
    timeline: Array.from({ length: 10 }, (_, second) => ({ second, ok: 100 + second, failed: second === 1 ? 5 : 0, unknown: second === 2 ? 3 : 0 })),
    violations: [], violationsDuringFaults: 2, verdict,
    reasons: ['600 acknowledged inserts, 0 missing after heal (replica by replica)', 'replicas converged 40 ms after heal', '0 session violations outside faults, 2 during faults (no guarantee under a fault)'],
  }
}

const run = (id: number, verdict: 'pass' | 'fail' | null, status: StoreChaosRun['status'] = 'done'): StoreChaosRun => ({
  id, kind: 'store-chaos', status, startedAt: '2026-01-05T10:00:00.000Z', finishedAt: status === 'running' ? null : '2026-01-05T10:00:12.000Z',
  options: OPTIONS, report: verdict ? report(verdict) : null, error: null,
})

describe('chaos section', () => {
  it('shows a saved run: verdict, checks, faults and the timeline with every fault shaded', async () => {
    const { lab } = createFakeLab({ listChaosRuns: vi.fn(async () => [run(4, 'pass')]) })
    setLab(lab)
    const { findByTestId, getByTestId } = render(ChaosSection)
    const verdict = await findByTestId('chaos-verdict')
    expect(verdict.dataset.verdict).toBe('pass')
    expect(verdict.textContent!.replace(/\s+/g, ' ')).toMatch(/PASS · 1,234 operations in 10 s · 600 acknowledged inserts · lost 0 · 2 faults/)
    expect(getByTestId('chaos-reasons').textContent).toContain('replicas converged 40 ms after heal')
    expect(getByTestId('chaos-faults').textContent).toContain('kill r2 at 1.0 s for 2.0 s')
    expect(getByTestId('chaos-chart').querySelector('canvas')).not.toBeNull()
  })

  it('the chart data follow the timeline, and the draw hook shades one span per fault', () => {
    const r = report('pass')
    const data = chaosData(r)
    expect(data[1]).toEqual(r.timeline.map((s) => s.ok))
    expect(data[2][1]).toBe(5)
    expect(chaosOptions('light', r).hooks?.drawClear).toHaveLength(1)
    const rects = faultSpans(r.faults, (sec) => sec * 10, 0, 100).map(({ x, y, w, h }) => [x, y, w, h])
    expect(rects).toEqual([[10, 0, 20, 100], [50, 0, 20, 100]])
  })

  it('starts a run with the chosen nemesis, and shows its verdict when it finishes', async () => {
    const storeChaos = vi.fn(async () => run(5, null, 'running'))
    const { lab, emit } = createFakeLab({ storeChaos })
    setLab(lab)
    const { findByTestId, getByTestId } = render(ChaosSection)
    await findByTestId('chaos-empty')
    await fireEvent.click(getByTestId('chaos-pause'))
    await fireEvent.click(getByTestId('chaos-start'))
    expect(storeChaos).toHaveBeenCalledWith({ duration: 60, replicas: 3, nemesis: ['kill', 'partition'] })
    await waitFor(() => expect(getByTestId('chaos-start').hasAttribute('disabled')).toBe(true))
    emit({ type: 'store-chaos-progress', runId: 5, message: 'fault 1: kill r1 at 1.0 s for 2.0 s' })
    await waitFor(() => expect(getByTestId('chaos-progress').textContent).toContain('fault 1: kill r1'))
    emit({ type: 'store-chaos-finished', run: run(5, 'fail') })
    await waitFor(() => expect(getByTestId('chaos-verdict').dataset.verdict).toBe('fail'))
    expect(getByTestId('chaos-problems').textContent).toContain('lost: chaos/c1/000000007 on r2')
  })
})
