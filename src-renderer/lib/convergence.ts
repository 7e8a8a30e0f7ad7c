// Words and figures for self-stabilisation results: convergence reports, counterexample types, lasso loops.
import { formatCount } from '../../src-shared/format.ts'
import type { ConvergenceReport, PropertyResult, TraceStep } from '../../src-shared/types.ts'

export type CounterexampleKind = NonNullable<PropertyResult['counterexample']>

/** A short name, the counterexample as "one of them", and one sentence for each kind the checker reports. */
export const COUNTEREXAMPLE_TEXT: Record<CounterexampleKind, { name: string; one: string; explain: string }> = {
  oscillation: { name: 'oscillation', one: 'an oscillation', explain: 'the controllers can repeat a cycle of states outside the goal forever' },
  stuck: { name: 'stuck', one: 'a stuck state', explain: 'no controller can act, and the goal is not reached' },
  'leaves-goal': { name: 'leaves the goal', one: 'a step leaving the goal', explain: 'a controller step takes the system from the goal back out of it' },
  lasso: { name: 'lasso', one: 'a lasso', explain: 'a fair cycle that never reaches the goal' },
  deadlock: { name: 'deadlock', one: 'a deadlock', explain: 'the run ends without reaching the goal' },
}

export function counterexampleName(kind: PropertyResult['counterexample']): string | null {
  return kind ? COUNTEREXAMPLE_TEXT[kind].name : null
}

const plural = (n: number, one: string, many: string = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`

/** "worst case 13 steps to converge" when it holds; otherwise what keeps it from a bound. */
export function convergenceHeadline(c: ConvergenceReport, status: PropertyResult['status']): string {
  if (status === 'holds') return `converges: worst case ${plural(c.worstSteps, 'step')}`
  const why: string[] = []
  if (c.oscillations) why.push(plural(c.oscillations, 'oscillation'))
  if (c.stuck) why.push(plural(c.stuck, 'stuck state'))
  if (c.leavesGoal) why.push(plural(c.leavesGoal, 'step', 'steps') + ' leaving the goal')
  const bound = c.unbounded ? `${plural(c.unbounded, 'state')} with no bound` : ''
  return [why.join(', '), bound].filter(Boolean).join('; ') || 'does not converge'
}

/** A counterexample found by a search cut short (no figures of the whole space): "an oscillation, in the part searched". */
export function cutShortHeadline(kind: CounterexampleKind): string {
  return `${COUNTEREXAMPLE_TEXT[kind].one}, found in the part searched`
}

/** The histogram's mean (states weighted), for "typical" beside the worst case; null when empty. */
export function meanSteps(hist: readonly number[]): number | null {
  let n = 0
  let sum = 0
  hist.forEach((count, k) => {
    n += count
    sum += count * k
  })
  return n > 0 ? sum / n : null
}

export type LoopMark = 'loop-start' | 'in-loop' | 'back-edge' | null

/**
 * Marks of a lasso trace: the last step returns to the state at loopStart (the checker repeats that state as the
 * trace's last), so steps after loopStart form the cycle and the last one is the back edge.
 */
export function loopMarks(steps: readonly TraceStep[], loopStart: number | undefined): LoopMark[] {
  return steps.map((_, i) => {
    if (loopStart === undefined) return null
    if (i === loopStart) return 'loop-start'
    if (i === steps.length - 1 && i > loopStart) return 'back-edge'
    return i > loopStart ? 'in-loop' : null
  })
}

/** "cycle of 8 steps, from step 0" */
export function loopText(steps: readonly TraceStep[], loopStart: number): string {
  const len = steps.length - 1 - loopStart
  return `a cycle of ${plural(len, 'step')} from step ${loopStart}, repeated forever`
}
