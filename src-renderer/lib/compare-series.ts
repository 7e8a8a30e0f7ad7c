// Overlaid series for comparing runs: one line per run on a shared x axis (elapsed seconds, or depth).
// Each run is downsampled first, then the runs are joined on the union of their x values (gaps = null, spanned).
import uPlot from 'uplot'
import type { RunDetail } from '../../src-shared/types.ts'
import { downsample } from './run-series.ts'

/** Points per run before joining, so four long runs still chart quickly. */
export const MAX_POINTS_PER_RUN = 1000

function join(tables: uPlot.AlignedData[]): uPlot.AlignedData {
  if (tables.length === 0) return [[]]
  if (tables.length === 1) return tables[0]
  return uPlot.join(tables)
}

function overTime(runs: readonly RunDetail[], y: (s: RunDetail['samples'][number]) => number, origin: boolean): uPlot.AlignedData {
  return join(
    runs.map((r) => {
      const s = downsample(r.samples, MAX_POINTS_PER_RUN)
      const xs = s.map((x) => x.elapsedMs / 1000)
      const ys = s.map(y)
      // Nothing is found before the start: (0 s, 0) begins each line, so even a run with one sample draws one.
      if (origin && xs.length && xs[0] > 0) {
        xs.unshift(0)
        ys.unshift(0)
      }
      return [xs, ys] as uPlot.AlignedData
    }),
  )
}

export const uniqueOverlay = (runs: readonly RunDetail[]): uPlot.AlignedData => overTime(runs, (s) => s.unique, true)
export const rateOverlay = (runs: readonly RunDetail[]): uPlot.AlignedData => overTime(runs, (s) => s.generatedPerSec, false)

/** x = depth 1..max over all runs; y = unique states at that depth, or its share of the run's total when normalised. */
export function depthOverlay(runs: readonly RunDetail[], normalise: boolean): uPlot.AlignedData {
  const max = Math.max(0, ...runs.map((r) => r.depthHistogram.length))
  const xs = Array.from({ length: max }, (_, i) => i + 1)
  const ys = runs.map((r) => {
    const total = r.depthHistogram.reduce((a, b) => a + b, 0)
    return xs.map((_, i) => {
      const v = r.depthHistogram[i]
      if (v === undefined) return null
      return normalise ? (total > 0 ? v / total : 0) : v
    })
  })
  return [xs, ...ys] as uPlot.AlignedData
}
