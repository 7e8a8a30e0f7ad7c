// Turns a run's progress samples and depth histogram into uPlot data, and merges live batches into history.
import type uPlot from 'uplot'
import type { ProgressSample } from '../../src-shared/types.ts'

/** Samples from getRun() and from live batches, in time order without duplicates (either may arrive first). */
export function mergeSamples(have: readonly ProgressSample[], incoming: readonly ProgressSample[]): ProgressSample[] {
  if (incoming.length === 0) return have as ProgressSample[]
  const last = have.at(-1)
  // The usual case, a batch that follows what we have, stays a cheap append.
  if (!last || incoming[0].elapsedMs > last.elapsedMs) return [...have, ...incoming]
  const byTime = new Map<number, ProgressSample>()
  for (const s of have) byTime.set(s.elapsedMs, s)
  for (const s of incoming) byTime.set(s.elapsedMs, s)
  return [...byTime.values()].sort((a, b) => a.elapsedMs - b.elapsedMs)
}

/** At most `max` samples, evenly spread, always keeping the first and the last, so long runs chart smoothly. */
export function downsample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max || max < 2) return items as T[]
  const out: T[] = []
  const step = (items.length - 1) / (max - 1)
  for (let i = 0; i < max; i++) out.push(items[Math.round(i * step)])
  return out
}

export const MAX_CHART_POINTS = 2000

/**
 * The closing sample of a run comes when the analysis after the search ends (samples are otherwise 250 ms apart);
 * its "rate" averages over that analysis and would draw a slope down to the end. Rates stop at the last reading
 * taken while states were explored; the unique-states chart keeps it.
 */
function explorationSamples(samples: readonly ProgressSample[]): readonly ProgressSample[] {
  const n = samples.length
  if (n < 2) return samples
  const gap = samples[n - 1].elapsedMs - samples[n - 2].elapsedMs
  return gap > 1000 ? samples.slice(0, -1) : samples
}

export function rateSeries(samples: readonly ProgressSample[]): uPlot.AlignedData {
  const s = downsample(explorationSamples(samples), MAX_CHART_POINTS)
  return [s.map((x) => x.elapsedMs / 1000), s.map((x) => x.generatedPerSec), s.map((x) => x.uniquePerSec)]
}

export function uniqueSeries(samples: readonly ProgressSample[]): uPlot.AlignedData {
  const s = downsample(samples, MAX_CHART_POINTS)
  return [s.map((x) => x.elapsedMs / 1000), s.map((x) => x.unique)]
}

/** x = depth (1-based, the initial state is depth 1), y = unique states first found at that depth. */
export function depthSeries(histogram: readonly number[]): uPlot.AlignedData {
  return [histogram.map((_, i) => i + 1), histogram.slice()]
}
