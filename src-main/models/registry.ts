// The model library: every built-in model by id. Workers and lab services resolve models here.
import type { ModelInfo } from '../../src-shared/types.ts'
import { notFound } from '../../src-shared/errors.ts'
import type { ModelDefinition } from '../checker/model.ts'
import { orchestrationScenarios } from './orchestration/scenarios.ts'
import { ring } from './ring.ts'
import { spinner } from './spinner.ts'
import { twoPhase } from './twophase.ts'

const BUILT_IN: readonly ModelDefinition[] = [twoPhase, ring, spinner, ...orchestrationScenarios]

export function listModelInfos(): ModelInfo[] {
  return BUILT_IN.map((d) => d.info)
}

export function getModelDefinition(id: string): ModelDefinition {
  const def = BUILT_IN.find((d) => d.info.id === id)
  if (!def) throw notFound(`unknown model "${id}"; known: ${BUILT_IN.map((d) => d.info.id).join(', ')}`)
  return def
}
