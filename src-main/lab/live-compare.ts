// A live run beside the check that predicts it (docs/live.md, "Compare"): per property the checker's verdict against
// the observed status, and the checker's worst-case steps to converge against the writes the live run needed.
import type { LiveComparison, LiveComparisonProperty, LiveRelation, LiveRunSummary } from '../../src-shared/live-types.ts'
import type { PropertyKind, RunDetail, Verdict } from '../../src-shared/types.ts'

/** The command that saves the matrix cell predicting a live run (one level, one instance count). */
export function cellCommand(scenario: string, level: string, instances: number): string {
  return `npx stabilis matrix ${scenario} --consistency ${level} --instances ${instances}`
}

/**
 * A `sometimes` property is met or not; every other kind can be broken. For those, a live "holds" under a predicted
 * violation is a violation not seen in this run; for `sometimes`, a live "not met yet" under a predicted witness is.
 */
export function relationOf(kind: PropertyKind, predicted: Verdict | null, observed: Verdict | null): LiveRelation {
  if (predicted === null || observed === null || predicted === 'unknown') return 'open'
  if (kind === 'sometimes') {
    if (observed === 'holds') return predicted === 'holds' ? 'consistent' : 'contradicts'
    return predicted === 'holds' ? 'not-seen' : 'confirmed'
  }
  if (observed === 'unknown') return 'open'
  if (observed === 'violated') return predicted === 'violated' ? 'confirmed' : 'contradicts'
  return predicted === 'violated' ? 'not-seen' : 'consistent'
}

/**
 * Lines a live run up with a saved check (`check` null: nothing saved, the comparison says so and names the
 * command). Properties in the check's order, then any only the live run judged.
 */
export function compareLive(
  live: LiveRunSummary,
  level: string,
  instances: number,
  source: LiveComparison['source'],
  check: RunDetail | null,
): LiveComparison {
  const r = live.result
  const observed = new Map((r?.properties ?? []).map((p) => [p.name, p]))
  const predictedProps = check?.properties ?? []
  const names = [...predictedProps.map((p) => p.name), ...[...observed.keys()].filter((n) => !predictedProps.some((p) => p.name === n))]
  const properties: LiveComparisonProperty[] = names.map((name) => {
    const pr = predictedProps.find((p) => p.name === name)
    const ob = observed.get(name)
    const predicted = check ? (pr?.status ?? null) : null
    const obs = ob?.status ?? null
    return {
      name,
      kind: (pr?.kind ?? ob?.kind)!,
      predicted,
      observed: obs,
      ...(ob?.firstViolationMs !== undefined ? { firstViolationMs: ob.firstViolationMs, where: ob.where } : {}),
      relation: relationOf((pr?.kind ?? ob?.kind)!, predicted, obs),
    }
  })
  const conv = predictedProps.find((p) => p.kind === 'converges')
  const worst = conv?.convergence?.worstSteps ?? null
  const observedWorst = Math.max(0, ...(r?.disturbances ?? []).filter((d) => d.converged).map((d) => d.steps))
  return {
    live,
    level,
    instances,
    source,
    command: cellCommand(live.scenario, level, instances),
    ...(check
      ? {
          check: {
            runId: check.summary.id,
            status: check.summary.status,
            verdict: check.summary.verdict,
            complete: check.summary.complete,
            unique: check.summary.unique,
            seconds: check.summary.seconds,
            params: check.summary.config.params,
          },
        }
      : {}),
    properties,
    convergence: {
      predictedWorstSteps: worst,
      predictedUnbounded: conv?.convergence?.unbounded ?? null,
      predictedVerdict: conv?.status ?? null,
      observedConverged: r?.convergence.converged ?? false,
      observedSteps: r?.convergence.steps ?? 0,
      observedMs: r?.convergence.ms ?? 0,
      observedWorstSteps: observedWorst,
      withinPrediction: worst === null || !r ? null : observedWorst <= worst,
    },
  }
}
