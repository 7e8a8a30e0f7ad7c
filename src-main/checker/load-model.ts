// Resolves a model for the checker: a registry id, or (tests, user models) a module — a path or file: URL — whose
// default export is a ModelDefinition or a user ModelSpec (models/sdk). Errors loading a module name the file.
// Everything is imported on demand: what an explorer thread loads before its first state is its start-up time.
import type { ParamValues } from '../../src-shared/types.ts'
import { STANDALONE_MODELS } from '../models/standalone.ts'
import type { Model } from './model.ts'

export async function loadModel(id: string, params: ParamValues, modelModule?: string): Promise<Model<unknown, unknown>> {
  if (modelModule) {
    const { importModelFile } = await import('../models/sdk/loader.ts')
    const def = await importModelFile(modelModule)
    return def.create(params)
  }
  const standalone = STANDALONE_MODELS[id]
  const def = standalone ? await standalone() : (await import('../models/registry.ts')).getModelDefinition(id)
  return def.create(params)
}
