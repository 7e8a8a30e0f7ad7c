// Progress rates, worked out in one place: states per second over the interval since the previous report (the first
// report: since the start). The pool and the reference BFS attach them; the lab and the charts use them as they are.
import type { ExploreProgress } from './run-types.ts'

/** A progress report before its rates are known. */
export type ProgressFigures = Omit<ExploreProgress, 'generatedPerSec' | 'uniquePerSec'>

export function withRates(prev: ExploreProgress | null, p: ProgressFigures): ExploreProgress {
  const dt = (p.elapsedMs - (prev?.elapsedMs ?? 0)) / 1000
  return {
    ...p,
    generatedPerSec: dt > 0 ? (p.generated - (prev?.generated ?? 0)) / dt : 0,
    uniquePerSec: dt > 0 ? (p.unique - (prev?.unique ?? 0)) / dt : 0,
  }
}
