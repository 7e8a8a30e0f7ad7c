// Rebuilding traces: replay recorded action indices from an initial state, checking the replay against the stored graph.
import { jsonProblem } from '../../src-shared/json.ts'
import type { TraceStep } from '../../src-shared/types.ts'
import { ModelFailure } from './model-failure.ts'
import { fingerprintState } from './state-key.ts'
import type { Model } from './model.ts'
import type { SharedVisited } from './shared-visited.ts'

export function pathText(trace: readonly TraceStep[]): string {
  const names = trace.slice(1).map((s) => s.action ?? '?')
  const shown = names.length > 12 ? [...names.slice(0, 5), `… ${names.length - 10} more …`, ...names.slice(-5)] : names
  return ['init', ...shown].join(' → ')
}

/** The model's one-line account of a step; a throwing explain() costs the trace its note, not the run. */
export function stepEffect(model: Model<unknown, unknown>, state: unknown, action: unknown): string | undefined {
  if (!model.explain) return undefined
  try {
    return model.explain(state, action)
  } catch (err) {
    return `(explain failed: ${err instanceof Error ? err.message : String(err)})`
  }
}

/**
 * Replays action indices from initial state `init`; disagreement with the stored graph means nondeterminism.
 * `onState` sees each raw state of the replay in order (the initial one first).
 */
export function replayActions(
  model: Model<unknown, unknown>,
  name: string,
  init: number,
  actions: readonly number[],
  visited: SharedVisited | null,
  onState?: (s: unknown) => void,
): TraceStep[] {
  const fp = new Int32Array(2)
  const steps: TraceStep[] = []
  const known = (s: unknown): boolean => {
    if (!visited) return true
    fingerprintState(model, s, fp)
    visited.enter()
    try {
      return visited.has(fp[0], fp[1])
    } finally {
      visited.leave()
    }
  }
  const nondet = (why: string): never => {
    throw new ModelFailure(`model "${name}" is nondeterministic: ${why} (path: ${pathText(steps)})`, steps)
  }
  // A trace is saved as JSON and crosses threads: a description that cannot (a BigInt, a cycle, a function) fails
  // the run here, naming the model, the step and the value, rather than the worker or the lab later on.
  const describe = (s: unknown, step: number): unknown => {
    const d = model.describe(s)
    const problem = jsonProblem(d)
    if (problem) {
      throw new ModelFailure(
        `model "${name}": describe() of the state at step ${step} cannot be saved as JSON: ${problem}; describe() must return plain data (path: ${pathText(steps)})`,
        steps,
      )
    }
    return d
  }
  let state = model.init()[init]
  if (state === undefined || !known(state)) nondet(`replaying found a different initial state ${init}`)
  steps.push({ index: 0, action: null, state: describe(state, 0) })
  onState?.(state)
  for (let i = 0; i < actions.length; i++) {
    const list = model.actions(state)
    const action = list[actions[i]]
    const succ = action === undefined ? undefined : model.next(state, action)
    const label = action === undefined ? `#${actions[i]}` : model.formatAction(action)
    if (succ === undefined) nondet(`replaying step ${i + 1} found the recorded action "${label}" disabled`)
    if (!known(succ)) nondet(`replaying step ${i + 1} (action "${label}") reached a state that was never explored`)
    const effect = stepEffect(model, state, action)
    state = succ
    steps.push({ index: i + 1, action: label, ...(effect ? { effect } : {}), state: describe(state, i + 1) })
    onState?.(state)
  }
  return steps
}
