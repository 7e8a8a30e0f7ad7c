// The uPlot wrapper: one plot per options object, throttled setData on new data, destroyed on unmount.
import { render, waitFor } from '@testing-library/svelte'
import type uPlot from 'uplot'
import { describe, expect, it, vi } from 'vitest'
import Chart from '../../src-renderer/components/Chart.svelte'
import type { ChartOptions } from '../../src-renderer/lib/chart-options.ts'

const options: ChartOptions = {
  scales: { x: { time: false } },
  series: [{ label: 'x' }, { label: 'y', stroke: 'red' }],
}

function renderChart(data: uPlot.AlignedData, opts: ChartOptions = options) {
  const created: uPlot[] = []
  const result = render(Chart, {
    props: { options: opts, data, label: 'test chart', testid: 'chart-test', oncreate: (u: uPlot) => created.push(u) },
  })
  return { ...result, created }
}

describe('Chart', () => {
  it('mounts one uPlot with a canvas inside its container, drawing the given data', () => {
    const { getByTestId, created } = renderChart([
      [1, 2, 3],
      [10, 20, 30],
    ])
    expect(created).toHaveLength(1)
    const box = getByTestId('chart-test')
    expect(box.querySelector('.uplot canvas')).not.toBeNull()
    expect(box.getAttribute('aria-label')).toBe('test chart')
    expect(Array.from(created[0].data[1])).toEqual([10, 20, 30])
    expect(created[0].series.map((s) => s.label)).toEqual(['x', 'y'])
  })

  it('updates the series with setData when the data prop changes, coalescing rapid updates', async () => {
    const { rerender, created } = renderChart([
      [1, 2],
      [5, 6],
    ])
    const u = created[0]
    const setData = vi.spyOn(u, 'setData')

    await rerender({ data: [[1, 2, 3], [5, 6, 7]] })
    await rerender({ data: [[1, 2, 3, 4], [5, 6, 7, 8]] })
    await rerender({ data: [[1, 2, 3, 4, 5], [5, 6, 7, 8, 9]] })

    await waitFor(() => expect(Array.from(u.data[1])).toEqual([5, 6, 7, 8, 9]))
    // Three prop changes inside one throttle window reach uPlot as a single draw of the newest data.
    expect(setData).toHaveBeenCalledTimes(1)
    expect(Array.from(u.data[0])).toEqual([1, 2, 3, 4, 5])
    // The plot was updated in place, not rebuilt.
    expect(created).toHaveLength(1)
  })

  it('rebuilds the plot when the options change, destroying the old one', async () => {
    const { rerender, created, getByTestId } = renderChart([[1], [2]])
    const first = created[0]
    const destroy = vi.spyOn(first, 'destroy')

    await rerender({ options: { ...options, series: [{ label: 'x' }, { label: 'z', stroke: 'blue' }] } })

    expect(destroy).toHaveBeenCalledTimes(1)
    expect(created).toHaveLength(2)
    expect(created[1].series[1].label).toBe('z')
    expect(getByTestId('chart-test').querySelectorAll('.uplot')).toHaveLength(1)
  })

  it('says so while there is no data point, and stops saying it once data arrives', async () => {
    const { rerender, queryByTestId, getByTestId } = render(Chart, {
      props: { options, data: [[], []], label: 'c', testid: 'chart-test', emptyText: 'Nothing yet' },
    })
    expect(getByTestId('chart-test-empty').textContent).toBe('Nothing yet')
    await rerender({ data: [[1], [2]] })
    expect(queryByTestId('chart-test-empty')).toBeNull()
  })

  it('destroys the uPlot on unmount', () => {
    const { unmount, created } = renderChart([[1], [2]])
    const u = created[0]
    const destroy = vi.spyOn(u, 'destroy')
    expect(document.querySelector('.uplot')).not.toBeNull()

    unmount()

    expect(destroy).toHaveBeenCalledTimes(1)
    expect(u.root.isConnected).toBe(false)
    expect(document.querySelector('.uplot')).toBeNull()
  })
})
