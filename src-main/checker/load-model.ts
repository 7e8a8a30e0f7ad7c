// Resolves a model for the checker: a registry id, or (tests, user models) a module whose default export is a ModelDefinition.
import type { ParamValues } from '../../src-shared/types.ts'
import { getModelDefinition } from '../models/registry.ts'
import type { Model, ModelDefinition } from './model.ts'

export async function loadModel(id: string, params: ParamValues, modelModule?: string): Promise<Model<unknown, unknown>> {
  if (modelModule) {
    const mod = (await import(modelModule)) as { default: ModelDefinition }
    return mod.default.create(params)
  }
  return getModelDefinition(id).create(params)
}
