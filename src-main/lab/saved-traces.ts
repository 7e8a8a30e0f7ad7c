// Trace replay: rebuilds a path by re-running a model from its initial state, taking at each step the action whose
// formatAction name matches the path. Saved traces carry the state after each step, which both checks the model
// still behaves as it did and disambiguates two actions that print the same name.
import type { ExploreChoice, ExploreRequest, ExploreView, ReplayResult, ReplayTarget, TraceStep } from '../../src-shared/types.ts'
import { tracePath } from '../../src-shared/trace-path.ts'
import type { RunRepository } from './db/run-repository.ts'
import { definitionFor } from './model-refs.ts'
import { type Model, type Property, stateProperties } from '../checker/model.ts'
import { stepEffect } from '../checker/replay.ts'
import { badInput } from '../../src-shared/errors.ts'
import { jsonProblem, sameJson } from '../../src-shared/json.ts'

interface Walk {
  steps: TraceStep[]
  states: unknown[]
  divergedAt: number | null
  message: string
}

/** describe(), refused when it is not JSON (a BigInt, a cycle, a function): a replay is sent to a browser as JSON. */
function describeJson<S>(model: Model<S, unknown>, state: S, step: number): unknown {
  const d = model.describe(state)
  const problem = jsonProblem(d)
  if (problem) throw badInput(`describe() of the state at step ${step} cannot be sent as JSON: ${problem}; describe() must return plain data`)
  return d
}

function walk<S, A>(model: Model<S, A>, init: S, path: readonly string[], saved: readonly TraceStep[] | undefined): Walk {
  let state = init
  const states: unknown[] = [init]
  const steps: TraceStep[] = [{ index: 0, action: null, state: describeJson(model, init, 0) }]
  for (let i = 1; i <= path.length; i++) {
    const name = path[i - 1]
    const enabled: { action: A; next: S }[] = []
    const names: string[] = []
    for (const action of model.actions(state)) {
      const next = model.next(state, action)
      if (next === undefined) continue
      const n = model.formatAction(action)
      names.push(n)
      if (n === name) enabled.push({ action, next })
    }
    if (enabled.length === 0) {
      const list = names.length ? names.join(', ') : 'none'
      return { steps, states, divergedAt: i, message: `step ${i}: no enabled action "${name}" (enabled: ${list})` }
    }
    const want = saved?.[i]?.state
    const pick = (want !== undefined && enabled.find((e) => sameJson(describeJson(model, e.next, i), want))) || enabled[0]
    const effect = stepEffect(model as Model<unknown, unknown>, state, pick.action)
    state = pick.next
    states.push(state)
    const described = describeJson(model, state, i)
    steps.push({ index: i, action: name, ...(effect ? { effect } : {}), state: described })
    if (want !== undefined && !sameJson(described, want)) {
      return { steps, states, divergedAt: i, message: `step ${i}: "${name}" leads to a state that differs from the saved trace` }
    }
  }
  return { steps, states, divergedAt: null, message: '' }
}

/** The first step at which a property's trace ends: an always-property fails, a sometimes-property holds. */
function propertyStep<S>(property: Property<S> | undefined, states: readonly S[]): number | null {
  if (!property) return null
  if (property.kind === 'always') {
    const i = states.findIndex((s) => !property.check(s))
    return i < 0 ? null : i
  }
  if (property.kind === 'sometimes') {
    const i = states.findIndex((s) => property.check(s))
    return i < 0 ? null : i
  }
  return null
}

/**
 * Replays `path` from each initial state (those equal to the saved first state, when a trace is given) and
 * returns the walk that got furthest; reproduced means every step was taken and matched the saved trace.
 */
export function replayPath<S, A>(
  model: Model<S, A>,
  path: readonly string[],
  opts: { saved?: readonly TraceStep[]; property?: string; runId: number; model: string },
): ReplayResult {
  const inits = model.init()
  const candidates = opts.saved?.length ? inits.filter((s) => sameJson(describeJson(model, s, 0), opts.saved![0].state)) : inits
  const property = opts.property ? model.properties.find((p) => p.name === opts.property) : undefined
  const base = { runId: opts.runId, model: opts.model, property: opts.property ?? null, path: [...path] }
  if (candidates.length === 0) {
    return {
      ...base,
      steps: [],
      reproduced: false,
      divergedAt: 0,
      message: inits.length ? 'no initial state of the model equals the saved trace’s first state' : 'the model has no initial state',
      propertyStep: null,
    }
  }
  let best: Walk | null = null
  for (const init of candidates) {
    const w = walk(model, init, path, opts.saved)
    if (!best || w.steps.length > best.steps.length || (w.divergedAt === null && best.divergedAt !== null)) best = w
    if (w.divergedAt === null) break
  }
  const w = best!
  const at = propertyStep(property, w.states as S[])
  let message = w.message
  if (w.divergedAt === null) {
    message = `reproduced ${path.length} step${path.length === 1 ? '' : 's'}`
    if (property && at !== null) message += `; ${property.name} ${property.kind === 'always' ? 'is violated' : 'holds'} at step ${at}`
    else if (property && (property.kind === 'always' || property.kind === 'sometimes')) {
      message += `; ${property.name} is not ${property.kind === 'always' ? 'violated' : 'met'} on this path`
    }
  }
  return { ...base, steps: w.steps, reproduced: w.divergedAt === null, divergedAt: w.divergedAt, message, propertyStep: at }
}

/** Most enabled actions listed for one state (a model with more shows the first ones and says so). */
export const MAX_CHOICES = 200

/**
 * Explore by hand: walks `path` from initial state `init` and lists what each enabled action would do from where
 * it ends. The path is plain action names, so a URL or `stabilis replay --path` can carry it.
 */
export function exploreFrom<S, A>(
  model: Model<S, A>,
  initIndex: number | undefined,
  path: readonly string[],
  base: { runId: number; model: string },
  savedFirst?: unknown,
): ExploreView {
  const inits = model.init()
  const matching = savedFirst === undefined ? -1 : inits.findIndex((s) => sameJson(model.describe(s), savedFirst))
  const init = initIndex ?? Math.max(0, matching)
  if (!Number.isInteger(init) || init < 0 || init >= inits.length) {
    throw new RangeError(`initial state ${init} does not exist; the model has ${inits.length} (0 to ${inits.length - 1})`)
  }
  const w = walk(model, inits[init], path, undefined)
  const state = w.states.at(-1) as S
  const enabled: ExploreChoice[] = []
  for (const action of model.actions(state)) {
    const next = model.next(state, action)
    if (next === undefined) continue
    const effect = stepEffect(model as Model<unknown, unknown>, state, action)
    enabled.push({ action: model.formatAction(action), ...(effect ? { effect } : {}), state: model.describe(next) })
    if (enabled.length >= MAX_CHOICES) break
  }
  const checks = stateProperties(model)
    .map((p) => ({ name: p.name, kind: p.kind, holds: Boolean(p.check(state)) }))
  const taken = w.steps.slice(1).map((s) => s.action ?? '')
  return { ...base, init, inits: inits.length, path: taken, steps: w.steps, enabled, checks, error: w.divergedAt === null ? null : w.message }
}

/** Replays a saved run's trace (a property's) or a path of action names against the run's model. */
export async function replayRunTrace(repo: RunRepository, runId: number, target: ReplayTarget, catalog?: URL | string): Promise<ReplayResult> {
  if (!Number.isInteger(runId)) throw badInput(`run id must be a whole number, got ${JSON.stringify(runId)}`)
  if (typeof target !== 'object' || target === null) throw badInput('replay needs a property name or a path')
  const { summary, properties } = repo.getRun(runId)
  const def = await definitionFor(summary.config, catalog)
  const model = def.create(summary.config.params)
  if (target.path !== undefined) {
    if (!Array.isArray(target.path) || !target.path.every((a) => typeof a === 'string')) throw badInput('path must be a list of action names')
    // An empty path would replay nothing and report it "reproduced".
    if (target.path.length === 0) throw badInput('path names no action: give the actions to replay, e.g. "A;B"')
    const known = target.property === undefined || model.properties.some((p) => p.name === target.property)
    if (!known) throw badInput(`model "${summary.model}" has no property "${target.property}"`)
    return replayPath(model, target.path, { runId, model: summary.model, property: target.property })
  }
  if (typeof target.property !== 'string') throw badInput('replay needs a property name or a path')
  const prop = properties.find((p) => p.name === target.property)
  if (!prop) {
    throw badInput(`run ${runId} has no property "${target.property}"; its properties: ${properties.map((p) => p.name).join(', ') || 'none'}`)
  }
  if (!prop.trace?.length) throw badInput(`property "${prop.name}" of run ${runId} has no saved trace (${prop.status})`)
  const property = model.properties.some((p) => p.name === prop.name) ? prop.name : undefined
  const result = replayPath(model, tracePath(prop.trace), { saved: prop.trace, property, runId, model: summary.model })
  return { ...result, property: prop.name }
}

/** The state a path leads to in a saved run's model, with the actions enabled there (explore by hand). */
export async function exploreRunState(repo: RunRepository, runId: number, request: ExploreRequest, catalog?: URL | string): Promise<ExploreView> {
  if (!Number.isInteger(runId)) throw badInput(`run id must be a whole number, got ${JSON.stringify(runId)}`)
  if (typeof request !== 'object' || request === null) throw badInput('explore needs { path, init }')
  const path = request.path ?? []
  if (!Array.isArray(path) || !path.every((a) => typeof a === 'string')) throw badInput('path must be a list of action names')
  const init = request.init
  const { summary, properties } = repo.getRun(runId)
  const saved = request.property !== undefined ? properties.find((p) => p.name === request.property)?.trace?.[0]?.state : undefined
  const def = await definitionFor(summary.config, catalog)
  const model = def.create(summary.config.params)
  try {
    return exploreFrom(model, init, path, { runId, model: summary.model }, saved)
  } catch (err) {
    if (err instanceof RangeError) throw badInput(err.message)
    throw err
  }
}
