// Progress of a bounded run (max depth and/or timeout) and an estimate of the time left.
import type { RunConfig } from '../../src-shared/types.ts'

export interface BoundedProgress {
  /** 0..1: the further of the depth and time bounds. */
  fraction: number
  /** "depth 7 of 12 · 40 s of 60 s" */
  label: string
  /** Seconds left, or null when unknown. */
  etaSeconds: number | null
  /** True when the ETA is a ceiling (the timeout) rather than an estimate. */
  etaIsCeiling: boolean
  /** Why there is no ETA, when there is none. */
  etaNote?: string
}

/** Growth ratios of consecutive completed levels must agree within this factor before an ETA is shown. */
export const STABLE_GROWTH = 1.5

/**
 * States left under a depth bound, from how the completed levels shrink; null when they do not support an
 * estimate. The level being explored is partial, so it is never used for a ratio (that made an estimate swing from
 * seconds to minutes within each level). While levels still grow nothing says where a finite space peaks (twophase
 * rms=9 under depth 40 extrapolated geometrically to days; it took 40 s), so there is no estimate then. Once they
 * shrink, the ratio between levels falls roughly linearly (twophase rms=9: 0.998, 0.891, 0.79, 0.70, 0.62, …), so
 * the ratio's last step is carried on: on that run the estimate of the states left came out within about 20% of the truth once shown.
 */
export function statesLeftToDepth(depthHistogram: readonly number[], maxDepth: number): number | null {
  const depth = depthHistogram.length
  const done = depthHistogram.slice(0, Math.max(0, depth - 1))
  if (done.length < 3) return null
  const [a, b, c] = done.slice(-3)
  if (a <= 0 || b <= 0 || c <= 0) return null
  const r1 = b / a
  const r2 = c / b
  if (Math.max(r1, r2) / Math.min(r1, r2) > STABLE_GROWTH) return null
  if (r1 >= 1 || r2 >= 1) return null
  const trend = Math.min(0, r2 - r1)
  let ratio = r2 + trend
  let level = c * Math.max(0, ratio)
  let left = Math.max(0, level - (depthHistogram[depth - 1] ?? 0))
  for (let d = depth + 1; d <= maxDepth; d++) {
    ratio += trend
    if (ratio <= 0 || level < 1e-9) break
    level *= ratio
    left += level
  }
  return left
}

/**
 * Progress of a bounded run. Under a depth bound the states left come from statesLeftToDepth, divided by the
 * unique-state rate (pass one averaged over a few seconds); a timeout gives a ceiling. The smaller one wins. With
 * no steady growth and no timeout there is no ETA, and etaNote says why.
 */
export function boundedProgress(
  config: Pick<RunConfig, 'maxDepth' | 'timeout'>,
  elapsedSeconds: number,
  depthHistogram: readonly number[],
  uniquePerSec: number,
): BoundedProgress | null {
  const { maxDepth, timeout } = config
  if (!maxDepth && !timeout) return null
  const parts: string[] = []
  let fraction = 0
  let eta: number | null = null
  let ceiling = false
  let note: string | undefined
  if (maxDepth) {
    const depth = Math.min(depthHistogram.length, maxDepth)
    fraction = Math.max(fraction, depth / maxDepth)
    parts.push(`depth ${depth} of ${maxDepth}`)
    const left = statesLeftToDepth(depthHistogram, maxDepth)
    if (left !== null && uniquePerSec > 0) eta = left / uniquePerSec
    else note = 'no estimate while the levels still grow: nothing yet says where the state space peaks'
  }
  if (timeout) {
    fraction = Math.max(fraction, Math.min(1, elapsedSeconds / timeout))
    parts.push(`${Math.floor(elapsedSeconds)} s of ${timeout} s`)
    const left = Math.max(0, timeout - elapsedSeconds)
    if (eta === null || left < eta) {
      eta = left
      ceiling = true
      note = undefined
    }
  }
  return { fraction: Math.min(1, fraction), label: parts.join(' · '), etaSeconds: eta, etaIsCeiling: ceiling, ...(note ? { etaNote: note } : {}) }
}

export function formatEta(seconds: number): string {
  if (seconds < 1) return 'under a second'
  if (seconds < 90) return `${Math.round(seconds)} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  return `${(seconds / 3600).toFixed(1)} h`
}
