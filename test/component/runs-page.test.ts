// The runs page keeps its table current from run events.
import { render, waitFor } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import { setLab } from '../../src-renderer/lib/lab.ts'
import RunsPage from '../../src-renderer/pages/RunsPage.svelte'
import { createFakeLab } from './fake-lab.ts'
import { makeRun, makeSample } from './fixtures.ts'

const cell = (row: HTMLElement, col: string): string => row.querySelector(`td[data-col="${col}"]`)?.textContent?.trim() ?? ''

describe('RunsPage', () => {
  it('lists runs and applies started, progress and finished events', async () => {
    const { lab, emit } = createFakeLab()
    setLab(lab)
    const { findByTestId, getByTestId } = render(RunsPage)
    await findByTestId('run-row-1')

    emit({ type: 'run-started', run: makeRun({ id: 2, status: 'running', verdict: 'unknown', unique: 0 }) })
    const row = await findByTestId('run-row-2')
    expect(cell(row, 'status')).toBe('running')

    emit({ type: 'run-progress', runId: 2, samples: [makeSample(500, 4321)], depthHistogram: [1] })
    await waitFor(() => expect(cell(getByTestId('run-row-2'), 'unique')).toBe('4,321'))

    emit({ type: 'run-finished', run: makeRun({ id: 2, status: 'done', verdict: 'violated', unique: 5000 }) })
    await waitFor(() => expect(cell(getByTestId('run-row-2'), 'status')).toBe('done'))
    expect(cell(getByTestId('run-row-2'), 'verdict')).toBe('violated')
    expect(cell(getByTestId('run-row-2'), 'unique')).toBe('5,000')
  })

  it('shows the empty state when the lab has no runs', async () => {
    const { lab } = createFakeLab({ listRuns: async () => [] })
    setLab(lab)
    const { findByTestId } = render(RunsPage)
    expect((await findByTestId('runs-empty')).textContent).toContain('No runs yet')
  })
})
