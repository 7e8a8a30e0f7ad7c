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
 * Levels left under a depth bound, in states, from how the completed levels grew; null when the growth is not
 * steady enough to support an estimate. The level being explored is partial, so it is never used for the ratio
 * (that was what made an estimate swing from seconds to minutes within each level).
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
  const ratio = Math.min(50, r2)
  let level = c * ratio
  let left = Math.max(0, level - (depthHistogram[depth - 1] ?? 0))
  for (let d = depth + 1; d <= maxDepth && left < 1e15; d++) {
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
    else note = 'no estimate yet: the levels are not growing steadily'
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
