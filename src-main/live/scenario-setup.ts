// A scenario as data for live runs: the model's own scenario (scenarioSetup in models/orchestration/scenarios.ts:
// the same controllers, initial cluster and user actions the checker explores, declared once there) with the
// properties to monitor. Live mode depends on nothing inside the model's history or state encoding.
import type { ParamValues, PropertyInfo } from '../../src-shared/types.ts'
import type { Write } from '../models/orchestration/api.ts'
import type { Controller } from '../models/orchestration/controllers/types.ts'
import { orchestrationScenarios, scenarioSetup, SCENARIO_IDS } from '../models/orchestration/scenarios.ts'
import type { Cluster } from '../models/orchestration/resources.ts'

export interface LiveUserAction {
  label: string
  /** The write on the latest state, or undefined when the action does not apply there. */
  write(head: Cluster): Write | undefined
}

export interface LiveScenario {
  id: string
  title: string
  params: { nodes: number; replicas: number; instances: number }
  /** Controller factories: a restart in live mode makes a fresh instance (its local state is lost). */
  controllers: { name: string; make(): Controller }[]
  initial: Cluster
  userActions: LiveUserAction[]
  properties: PropertyInfo[]
}

export const LIVE_SCENARIO_IDS = [...SCENARIO_IDS]

/** The scenario `id` with parameters (nodes, replicas, instances, …) over the scenario's own defaults. */
export function liveScenario(id: string, values: ParamValues = {}): LiveScenario {
  const def = orchestrationScenarios.find((d) => d.info.id === id)
  if (!def) throw new Error(`unknown scenario "${id}"; known: ${LIVE_SCENARIO_IDS.join(', ')}`)
  for (const [name, v] of Object.entries(values)) {
    const s = def.info.params.find((x) => x.name === name)
    if (!s || s.kind !== 'int') continue
    const n = Number(v)
    if (!Number.isInteger(n)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(v)}`)
    if (n < s.min || n > s.max) throw new Error(`${name} must be from ${s.min} to ${s.max}, got ${n}`)
  }
  const setup = scenarioSetup(id, values)
  const { nodes, replicas, instances } = setup.params
  return { id, title: setup.title, params: { nodes, replicas, instances }, controllers: setup.controllers, initial: setup.initial, userActions: setup.userActions, properties: def.info.properties }
}
