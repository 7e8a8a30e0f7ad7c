// What a live run is doing, told honestly from what the checker reports: the phase, a clock that keeps going, a
// rate averaged over seconds rather than one 250 ms interval, and a TLC-style table of progress over time.
import type { PhaseReport, ProgressSample } from '../../src-shared/types.ts'
import { formatCount } from '../../src-shared/format.ts'
import { downsample } from './run-series.ts'

/** What the page shows: the checker's reported phase, or starting / exploring before any report of one. */
export type LivePhase = 'starting' | 'exploring' | 'checking liveness' | 'building traces' | 'finishing' | 'stopping'

/** The phase from what the checker reported (never guessed from silence: the analysis reports its own phase). */
export function livePhase(samples: number, reported: PhaseReport | null, stopping: boolean): LivePhase {
  if (stopping) return 'stopping'
  if (reported && reported.phase !== 'exploring') return reported.phase === 'done' ? 'finishing' : reported.phase
  return samples === 0 ? 'starting' : 'exploring'
}

/** The phases after the search, when the figures stand still. */
export function isAnalysis(phase: LivePhase | null): boolean {
  return phase === 'checking liveness' || phase === 'building traces' || phase === 'finishing'
}

export const PHASE_TEXT: Record<LivePhase, string> = {
  starting: 'Starting the checker threads…',
  exploring: 'Exploring states',
  'checking liveness': 'Search finished — checking liveness and convergence',
  'building traces': 'Search finished — building the traces (counterexamples, witnesses)',
  finishing: 'Analysis finished — saving the results',
  stopping: 'Stopping: saving what was explored',
}

/** How far the analysis is: "2 of 5 properties", "120,000 of 823,543 states" (null without figures). */
export function phaseProgressText(r: PhaseReport | null): string | null {
  if (!r || r.done === undefined) return null
  const unit = r.unit ? ` ${r.unit}` : ''
  return r.total !== undefined ? `${formatCount(r.done)} of ${formatCount(r.total)}${unit}` : `${formatCount(r.done)}${unit}`
}

/** The fraction done, 0..1, when the report has a total. */
export function phaseFraction(r: PhaseReport | null): number | null {
  if (!r || r.done === undefined || !r.total) return null
  return Math.min(1, r.done / r.total)
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
