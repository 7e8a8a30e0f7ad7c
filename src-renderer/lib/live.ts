// What a live run is doing, told honestly from what the page has heard: the phase, a clock that keeps going, a
// rate averaged over seconds rather than one 250 ms interval, and a TLC-style table of progress over time.
import type { ProgressSample } from '../../src-shared/types.ts'
import { downsample } from './run-series.ts'

/** Progress arrives every 250 ms while states are explored; this much silence means the search has ended. */
export const SEARCH_ENDED_AFTER_MS = 1500

export type LivePhase = 'starting' | 'exploring' | 'analysing' | 'stopping'

export function livePhase(samples: number, silentMs: number, stopping: boolean): LivePhase {
  if (stopping) return 'stopping'
  if (samples === 0) return 'starting'
  return silentMs > SEARCH_ENDED_AFTER_MS ? 'analysing' : 'exploring'
}

export const PHASE_TEXT: Record<LivePhase, string> = {
  starting: 'Starting the checker threads…',
  exploring: 'Exploring states',
  analysing: 'Search finished — checking liveness and convergence, building traces',
  stopping: 'Stopping: saving what was explored',
}

/** Unique states per second over the last `windowMs` of samples (the newest interval alone swings within a level). */
export function averagedUniqueRate(samples: readonly ProgressSample[], windowMs = 5000): number {
  const last = samples.at(-1)
  if (!last) return 0
  let first = last
  for (let i = samples.length - 2; i >= 0; i--) {
    first = samples[i]
    if (last.elapsedMs - first.elapsedMs >= windowMs) break
  }
  const dt = (last.elapsedMs - first.elapsedMs) / 1000
  return dt > 0 ? (last.unique - first.unique) / dt : last.uniquePerSec
}

export interface ProgressRow {
  seconds: number
  depth: number
  distinct: number
  generated: number
  queue: number
  distinctPerSec: number
}

/** At most `max` rows evenly spread over the run (first and last kept), like TLC's periodic progress lines. */
export function progressRows(samples: readonly ProgressSample[], max = 12): ProgressRow[] {
  const picked = downsample(samples, max)
  return picked.map((s, i) => {
    const prev = i > 0 ? picked[i - 1] : null
    const dt = prev ? (s.elapsedMs - prev.elapsedMs) / 1000 : s.elapsedMs / 1000
    const du = s.unique - (prev?.unique ?? 0)
    return { seconds: s.elapsedMs / 1000, depth: s.maxDepth, distinct: s.unique, generated: s.generated, queue: s.queue, distinctPerSec: dt > 0 ? du / dt : 0 }
  })
}
