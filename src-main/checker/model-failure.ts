// A failure inside a model's own code (a throw, nondeterminism, an unencodable state), with the path that led to it.
import type { TraceStep } from '../../src-shared/types.ts'

export class ModelFailure extends Error {
  readonly trace: TraceStep[]
  constructor(message: string, trace: TraceStep[]) {
    super(message)
    this.name = 'ModelFailure'
    this.trace = trace
  }
}
