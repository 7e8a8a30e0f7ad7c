// The runs table: rows from props, sorting by header click, empty state.
import { fireEvent, render } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import RunsTable from '../../src-renderer/components/RunsTable.svelte'
import { makeRun } from './fixtures.ts'

const runs = [
  makeRun({ id: 1, unique: 288, generated: 1146, config: { ...makeRun().config, params: { rms: 3, bug: false } } }),
  makeRun({
    id: 2,
    unique: 1_745_408,
    generated: 9_000_000,
    status: 'running',
    verdict: 'unknown',
    startedAt: '2026-01-05T11:00:00.000Z',
  }),
  makeRun({ id: 3, unique: 40, generated: 90, verdict: 'violated', model: 'another', startedAt: '2026-01-04T09:00:00.000Z' }),
]

const cell = (row: HTMLElement, col: string): string => row.querySelector(`td[data-col="${col}"]`)?.textContent?.trim() ?? ''

const rowIds = (table: HTMLElement): string[] =>
  Array.from(table.querySelectorAll('tbody tr')).map((tr) => tr.getAttribute('data-testid') ?? '')

describe('RunsTable', () => {
  it('renders one row per run with formatted figures, newest first', () => {
    const { getByTestId } = render(RunsTable, { props: { runs } })
    const table = getByTestId('runs-table')
    expect(rowIds(table)).toEqual(['run-row-3', 'run-row-2', 'run-row-1'])

    const row2 = getByTestId('run-row-2')
    expect(cell(row2, 'id')).toBe('#2')
    expect(cell(row2, 'params')).toBe('rms=3')
    expect(row2.querySelector('td[data-col="params"]')?.getAttribute('title')).toBe('rms=3\nbug=false')
    expect(cell(row2, 'strategy')).toBe('bfs')
    expect(cell(row2, 'status')).toBe('running')
    expect(cell(row2, 'verdict')).toBe('unknown')
    expect(cell(row2, 'unique')).toBe('1,745,408')
    expect(cell(row2, 'generated')).toBe('9,000,000')
    expect(cell(getByTestId('run-row-3'), 'verdict')).toBe('violated')
  })

  it('sorts by a column on header click and reverses on a second click', async () => {
    const { getByTestId } = render(RunsTable, { props: { runs } })
    const table = getByTestId('runs-table')

    await fireEvent.click(getByTestId('sort-unique'))
    expect(rowIds(table)).toEqual(['run-row-2', 'run-row-1', 'run-row-3'])
    expect(getByTestId('sort-unique').closest('th')?.getAttribute('aria-sort')).toBe('descending')

    await fireEvent.click(getByTestId('sort-unique'))
    expect(rowIds(table)).toEqual(['run-row-3', 'run-row-1', 'run-row-2'])
    expect(getByTestId('sort-unique').closest('th')?.getAttribute('aria-sort')).toBe('ascending')

    // Text columns start alphabetically; ties keep id order.
    await fireEvent.click(getByTestId('sort-model'))
    expect(rowIds(table)).toEqual(['run-row-3', 'run-row-1', 'run-row-2'])

    await fireEvent.click(getByTestId('sort-startedAt'))
    expect(rowIds(table)).toEqual(['run-row-2', 'run-row-1', 'run-row-3'])
  })

  it('re-sorts when the runs prop changes (live updates)', async () => {
    const { getByTestId, rerender } = render(RunsTable, { props: { runs } })
    await fireEvent.click(getByTestId('sort-unique'))
    await rerender({ runs: [...runs, makeRun({ id: 4, unique: 5_000_000 })] })
    expect(rowIds(getByTestId('runs-table'))).toEqual(['run-row-4', 'run-row-2', 'run-row-1', 'run-row-3'])
  })

  it('opens a run when its row is clicked', async () => {
    const onopen = vi.fn()
    const { getByTestId } = render(RunsTable, { props: { runs, onopen } })
    await fireEvent.click(getByTestId('run-row-2'))
    expect(onopen).toHaveBeenCalledWith(2)
  })

  it('shows an empty state and no table when there are no runs', () => {
    const { queryByTestId, getByTestId } = render(RunsTable, { props: { runs: [] } })
    expect(queryByTestId('runs-table')).toBeNull()
    expect(getByTestId('runs-empty').textContent).toContain('No runs yet')
  })
})
