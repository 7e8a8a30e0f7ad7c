// The run page against a fake lab: figures, charts, verdicts, traces, live progress, stop and export.
import { fireEvent, render, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { setLab } from '../../src-renderer/lib/lab.ts'
import RunPage from '../../src-renderer/pages/RunPage.svelte'
import { toasts } from '../../src-renderer/lib/toast.svelte.ts'
import { createFakeLab } from './fake-lab.ts'
import { makeDetail, makeRun, makeSample } from './fixtures.ts'

afterEach(() => {
  toasts.splice(0)
  vi.restoreAllMocks()
})

describe('RunPage', () => {
  it('shows a finished run: figures, three charts, verdicts and the witness trace', async () => {
    const { lab } = createFakeLab({
      getRun: vi.fn(async () => makeDetail(makeRun({ id: 7, unique: 1_745_408, generated: 9_876_543, maxDepth: 23 }))),
    })
    setLab(lab)
    const { findByTestId, getByTestId, getAllByTestId } = render(RunPage, { props: { id: 7 } })

    expect((await findByTestId('run-unique')).textContent).toBe('1,745,408')
    expect(lab.getRun).toHaveBeenCalledWith(7)
    expect(getByTestId('run-generated').textContent).toBe('9,876,543')
    expect(getByTestId('run-max-depth').textContent).toBe('23')
    expect(getByTestId('run-status').textContent).toBe('done')
    for (const id of ['chart-rates', 'chart-unique', 'chart-depths']) {
      expect(getByTestId(id).querySelector('canvas'), id).not.toBeNull()
    }
    expect(getByTestId('property-consistent').dataset.status).toBe('holds')
    expect(getByTestId('property-all-committed').dataset.status).toBe('holds')
    const steps = getAllByTestId('trace-step')
    expect(steps).toHaveLength(2)
    expect(steps[0].textContent).toContain('initial state')
    expect(steps[1].textContent).toContain('TMCommit')
    expect(steps[1].querySelector('pre')?.textContent).toContain('"tmState": "committed"')
    expect(() => getByTestId('stop-run')).toThrow()
  })

  it('shows what a portfolio run covered and when it found its first violation', async () => {
    const run = makeRun({ id: 12, coverage: { walks: 1234, walkSteps: 56_789, walkDepth: 64, bfsDepth: 9 }, firstViolationMs: 4321 })
    run.config = { ...run.config, strategy: 'auto', seed: 5 }
    const { lab } = createFakeLab({ getRun: vi.fn(async () => makeDetail(run)) })
    setLab(lab)
    const { findByTestId, getByTestId } = render(RunPage, { props: { id: 12 } })
    expect((await findByTestId('run-coverage')).textContent).toMatch(/1,234 \(56,789 steps, deepest 64\); BFS complete to depth 9/)
    expect(getByTestId('first-violation').textContent).toBe('after 4.32 s')
    expect(getByTestId('run-config').textContent).toContain('Seed5')
  })

  it('follows live progress, stops on request and reloads when the run finishes', async () => {
    const running = makeRun({ id: 9, status: 'running', verdict: 'unknown', unique: 0, generated: 0 })
    const getRun = vi
      .fn()
      .mockResolvedValueOnce({ ...makeDetail(running), samples: [makeSample(250, 10)], properties: [] })
      .mockResolvedValueOnce(
        makeDetail(makeRun({ id: 9, status: 'stopped', verdict: 'violated', unique: 500, generated: 2000 })),
      )
    const { lab, emit } = createFakeLab({ getRun })
    setLab(lab)
    const { findByTestId, getByTestId } = render(RunPage, { props: { id: 9 } })

    expect((await findByTestId('run-status')).textContent).toBe('running')
    expect(getByTestId('run-unique').textContent).toBe('10')

    emit({ type: 'run-progress', runId: 9, samples: [makeSample(500, 1234), makeSample(750, 2345)], depthHistogram: [1, 2] })
    emit({ type: 'run-progress', runId: 8, samples: [makeSample(1000, 99_999)], depthHistogram: [1] })
    await waitFor(() => expect(getByTestId('run-unique').textContent).toBe('2,345'))

    await fireEvent.click(getByTestId('stop-run'))
    expect(lab.stopRun).toHaveBeenCalledWith(9)

    emit({ type: 'run-finished', run: makeRun({ id: 9, status: 'stopped', verdict: 'violated', unique: 500 }) })
    await waitFor(() => expect(getByTestId('run-status').textContent).toBe('stopped'))
    await waitFor(() => expect(getRun).toHaveBeenCalledTimes(2))
    await waitFor(() => expect(getByTestId('property-consistent')).toBeTruthy())
    expect(getByTestId('run-unique').textContent).toBe('500')
    expect(() => getByTestId('stop-run')).toThrow()
  })

  it('reloads a running run that falls silent, so a lost "finished" event cannot leave it running', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    try {
      const running = makeRun({ id: 4, status: 'running', verdict: 'unknown' })
      const getRun = vi
        .fn()
        .mockResolvedValueOnce({ ...makeDetail(running), properties: [] })
        .mockResolvedValue(makeDetail(makeRun({ id: 4, status: 'done', verdict: 'holds' })))
      const { lab } = createFakeLab({ getRun })
      setLab(lab)
      const { findByTestId, getByTestId } = render(RunPage, { props: { id: 4 } })
      expect((await findByTestId('run-status')).textContent).toBe('running')

      vi.advanceTimersByTime(2000)
      expect(getRun).toHaveBeenCalledTimes(1)
      vi.advanceTimersByTime(2000)
      expect(getRun).toHaveBeenCalledTimes(2)
      await waitFor(() => expect(getByTestId('run-status').textContent).toBe('done'))
      vi.advanceTimersByTime(10_000)
      expect(getRun).toHaveBeenCalledTimes(2)
    } finally {
      vi.useRealTimers()
    }
  })

  it('exports CSV reports as downloads', async () => {
    const { lab } = createFakeLab()
    setLab(lab)
    const createUrl = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:test')
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {})
    const clicks: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(this.download)
    })
    const { findByTestId, getByTestId } = render(RunPage, { props: { id: 1 } })

    await fireEvent.click(await findByTestId('export-summary'))
    await waitFor(() => expect(clicks).toEqual(['stabilis-run-1-summary.csv']))
    expect(lab.exportCsv).toHaveBeenCalledWith([1], 'summary')

    await fireEvent.click(getByTestId('export-samples'))
    await waitFor(() => expect(clicks).toHaveLength(2))
    expect(lab.exportCsv).toHaveBeenLastCalledWith([1], 'samples')
    expect(clicks[1]).toBe('stabilis-run-1-samples.csv')
    const blob = createUrl.mock.calls[0][0] as Blob
    expect(await blob.text()).toBe('id,unique\n1,288\n')
  })

  it('shows the error instead of a blank page when the run cannot be loaded', async () => {
    const { lab } = createFakeLab({ getRun: vi.fn(async () => Promise.reject(new Error('run 5 not found'))) })
    setLab(lab)
    const { findByRole } = render(RunPage, { props: { id: 5 } })
    expect((await findByRole('alert')).textContent).toContain('run 5 not found')
    expect(toasts.map((t) => t.message)).toEqual(['run 5 not found'])
  })
})
