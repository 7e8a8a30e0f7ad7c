// Where a model is resolved, once: a run's model id or user model file becomes the model reference every checker
// thread imports (checker/model-ref.ts). References name models/catalog.ts — or the copy the Electron build bundles,
// passed as LabOptions.modelCatalog — and its export `builtIn` (a registry id) or `userFile` (a file path).
import type { RunConfig } from '../../src-shared/types.ts'
import type { ModelDefinition } from '../checker/model.ts'
import { formatModelRef, loadDefinition, parseModelRef } from '../checker/model-ref.ts'

/** The catalog module by file URL (named, not imported: checker threads import it). */
export const DEFAULT_MODEL_CATALOG = new URL('../models/catalog.ts', import.meta.url)

const catalogHref = (catalog: URL | string | undefined): string => (catalog instanceof URL ? catalog.href : catalog ?? DEFAULT_MODEL_CATALOG.href)

/** The reference for a run's model: its user file when it has one, else the built-in model by id. */
export function modelRefFor(config: Pick<RunConfig, 'model' | 'modelFile'>, catalog?: URL | string): string {
  const module = catalogHref(catalog)
  return config.modelFile ? formatModelRef({ module, export: 'userFile', arg: config.modelFile }) : formatModelRef({ module, export: 'builtIn', arg: config.model })
}

/** The reference for a user model file. */
export function userFileRef(file: string, catalog?: URL | string): string {
  return formatModelRef({ module: catalogHref(catalog), export: 'userFile', arg: file })
}

/** A saved run's model definition in the lab's own thread (replay, the explorer), through the same reference. */
export function definitionFor(config: Pick<RunConfig, 'model' | 'modelFile'>, catalog?: URL | string): Promise<ModelDefinition> {
  return loadDefinition(parseModelRef(modelRefFor(config, catalog)))
}
