// What the live trace and the live comparison pages say: a violation's slice in one line, a prediction's source,
// each property's predicted and observed verdicts and how they stand to each other, and steps to converge.
import { formatCount } from '../../src-shared/format.ts'
import type { LiveComparison, LiveComparisonProperty, LiveRelation, LiveTrace } from '../../src-shared/live-types.ts'
import type { Verdict } from '../../src-shared/types.ts'

export const RELATION_TEXT: Record<LiveRelation, string> = {
  confirmed: 'predicted and seen live',
  consistent: 'as predicted',
  'not-seen': 'predicted, not seen in this run',
  contradicts: 'against the prediction',
  open: '—',
}

const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`

/** "sts-one-pod-per-ordinal broke 269 ms after "node-restart node2", at 1,489 ms on r1: 9 events led there". */
export function liveTraceSummary(t: LiveTrace): string {
  const after = t.violatedAtMs - t.from.atMs
  const events = t.steps.length - 1
  return `${t.property} broke ${formatCount(after)} ms after “${t.from.label}”, at ${formatCount(t.violatedAtMs)} ms on ${t.where}: ${plural(events, 'event')} led there`
}

/** Where the prediction comes from, or that there is none yet. */
export function sourceText(c: LiveComparison): string {
  const cell = `${c.live.scenario} at ${c.level} with ${plural(c.instances, 'instance')}`
  if (!c.source) return `No saved matrix cell of ${cell}.`
  if (c.source.kind === 'matrix') return `The newest saved matrix cell of ${cell}: matrix #${c.source.matrixId}, check run #${c.source.runId}.`
  return `Check run #${c.source.runId}, chosen for ${cell}.`
}

/** A predicted verdict in words; a sometimes property "holds" when it can be met. */
export function predictedText(p: LiveComparisonProperty): string {
  if (p.predicted === null) return 'not checked'
  return p.predicted
}

/** What the live run observed: "violated at 1,489 ms on r1", "holds", "not met", "not judged live". */
export function observedText(p: LiveComparisonProperty): string {
  if (p.observed === null) return 'not judged live'
  if (p.observed === 'violated' && p.firstViolationMs !== undefined) return `violated at ${formatCount(p.firstViolationMs)} ms${p.where ? ` on ${p.where}` : ''}`
  if (p.kind === 'sometimes' && p.observed === 'unknown') return 'not met'
  return p.observed
}

/** "1 predicted and seen live, 1 predicted, not seen in this run" over the properties, in a fixed order. */
export function relationSummary(props: readonly LiveComparisonProperty[]): string {
  const order: LiveRelation[] = ['contradicts', 'confirmed', 'not-seen', 'consistent']
  const parts = order.map((r) => [r, props.filter((p) => p.relation === r).length] as const).filter(([, n]) => n > 0)
  return parts.length ? parts.map(([r, n]) => `${n} ${RELATION_TEXT[r]}`).join(', ') : 'nothing to compare'
}

/** Steps to converge: the checker's worst case against the live run's writes. */
export function stepsText(c: LiveComparison['convergence']): { predicted: string; observed: string; verdict: string } {
  let predicted: string
  if (c.predictedWorstSteps !== null) {
    predicted = `at most ${plural(c.predictedWorstSteps, 'step')}${c.predictedUnbounded ? ` (${plural(c.predictedUnbounded, 'state')} with no bound)` : ''}`
  } else if (c.predictedUnbounded) predicted = `no bound (${plural(c.predictedUnbounded, 'state')} from which it may never converge)`
  else predicted = c.predictedVerdict === null ? 'no check' : `not reported (converges ${verdictWord(c.predictedVerdict)})`
  const observed = c.observedConverged
    ? `${plural(c.observedSteps, 'write')}, ${formatCount(c.observedMs)} ms after the last disturbance; at most ${plural(c.observedWorstSteps, 'write')} after any disturbance`
    : 'did not converge'
  const verdict = c.withinPrediction === null ? '' : c.withinPrediction ? 'within the checker’s worst case' : 'more writes than the checker’s worst case'
  return { predicted, observed, verdict }
}

function verdictWord(v: Verdict): string {
  return v === 'unknown' ? 'unknown: search not complete' : v
}
