// The model library as a checker thread meets it: the module the lab's model references name (lab/model-refs.ts).
// `builtIn` gives a built-in model by id, `userFile` a user model file (docs/sdk.md). Everything is imported on
// demand: twophase, ring and spinner stand alone, so an explorer thread for one of them starts without loading the
// orchestration library; a user model thread loads the SDK and the file only.
import type { ModelDefinition } from '../checker/model.ts'

const STANDALONE: Readonly<Record<string, () => Promise<ModelDefinition>>> = {
  twophase: () => import('./twophase.ts').then((m) => m.twoPhase),
  ring: () => import('./ring.ts').then((m) => m.ring),
  spinner: () => import('./spinner.ts').then((m) => m.spinner),
}

export async function builtIn(id: string): Promise<ModelDefinition> {
  const standalone = STANDALONE[id]
  return standalone ? standalone() : (await import('./registry.ts')).getModelDefinition(id)
}

export async function userFile(file: string): Promise<ModelDefinition> {
  return (await import('./sdk/loader.ts')).importModelFile(file)
}
