// A model for the checker from the reference the lab resolved (model-ref.ts): import the module it names, take the
// export, create the model with the run's parameters. Imported on demand: what an explorer thread loads before its
// first state is its start-up time.
import type { ParamValues } from '../../src-shared/types.ts'
import type { Model } from './model.ts'
import { loadDefinition, parseModelRef } from './model-ref.ts'

export async function loadModel(id: string, params: ParamValues, modelModule?: string): Promise<Model<unknown, unknown>> {
  if (!modelModule) throw new Error(`model "${id}": no model reference to import (the lab resolves a model into one before a check)`)
  const def = await loadDefinition(parseModelRef(modelModule))
  return def.create(params)
}
