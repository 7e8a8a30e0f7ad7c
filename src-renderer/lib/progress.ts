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
}

/**
 * For a depth bound the remaining levels are estimated from how the last level grew (geometrically, ratio clamped
 * to 1..50), then divided by the current unique-state rate; a timeout gives a ceiling. The smaller one wins.
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
  if (maxDepth) {
    const depth = Math.min(depthHistogram.length, maxDepth)
    fraction = Math.max(fraction, depth / maxDepth)
    parts.push(`depth ${depth} of ${maxDepth}`)
    const last = depthHistogram[depth - 1] ?? 0
    const prev = depthHistogram[depth - 2] ?? 0
    if (depth > 0 && depth < maxDepth && last > 0 && uniquePerSec > 0) {
      const ratio = Math.min(50, Math.max(1, prev > 0 ? last / prev : 1))
      let remaining = 0
      let level = last
      for (let d = depth + 1; d <= maxDepth && remaining < 1e15; d++) {
        level *= ratio
        remaining += level
      }
      eta = remaining / uniquePerSec
    } else if (depth >= maxDepth) eta = 0
  }
  if (timeout) {
    fraction = Math.max(fraction, Math.min(1, elapsedSeconds / timeout))
    parts.push(`${Math.floor(elapsedSeconds)} s of ${timeout} s`)
    const left = Math.max(0, timeout - elapsedSeconds)
    if (eta === null || left < eta) {
      eta = left
      ceiling = true
    }
  }
  return { fraction: Math.min(1, fraction), label: parts.join(' · '), etaSeconds: eta, etaIsCeiling: ceiling }
}

export function formatEta(seconds: number): string {
  if (seconds < 1) return 'under a second'
  if (seconds < 90) return `${Math.round(seconds)} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  return `${(seconds / 3600).toFixed(1)} h`
}
