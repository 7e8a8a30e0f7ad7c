// The built-in models that stand alone (no orchestration code), each imported on its own: an explorer thread for
// one of them then starts without loading the whole model library (see checker/load-model.ts).
import type { ModelDefinition } from '../checker/model.ts'

export const STANDALONE_MODELS: Readonly<Record<string, () => Promise<ModelDefinition>>> = {
  twophase: () => import('./twophase.ts').then((m) => m.twoPhase),
  ring: () => import('./ring.ts').then((m) => m.ring),
  spinner: () => import('./spinner.ts').then((m) => m.spinner),
}
