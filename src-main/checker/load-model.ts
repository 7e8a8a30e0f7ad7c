// Resolves a model for the checker: a registry id, or (tests, user models) a module — a path or file: URL — whose
// default export is a ModelDefinition or a user ModelSpec (models/sdk). Errors loading a module name the file.
import type { ParamValues } from '../../src-shared/types.ts'
import { getModelDefinition } from '../models/registry.ts'
import type { Model } from './model.ts'

export async function loadModel(id: string, params: ParamValues, modelModule?: string): Promise<Model<unknown, unknown>> {
  if (modelModule) {
    // Imported on demand: the SDK's loader would otherwise add to every explorer thread's start-up.
    const { importModelFile } = await import('../models/sdk/loader.ts')
    const def = await importModelFile(modelModule)
    return def.create(params)
  }
  return getModelDefinition(id).create(params)
}
