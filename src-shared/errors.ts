// Errors that name the problem; hosts map them to exit codes (CLI) or status codes (HTTP).
import type { LabErrorShape } from './api.ts'

export class LabError extends Error {
  readonly code: LabErrorShape['code']
  constructor(code: LabErrorShape['code'], message: string) {
    super(message)
    this.name = 'LabError'
    this.code = code
  }
}

export const badInput = (message: string): LabError => new LabError('bad-input', message)
export const notFound = (message: string): LabError => new LabError('not-found', message)

export function toErrorShape(err: unknown): LabErrorShape {
  if (err instanceof LabError) return { code: err.code, message: err.message }
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) }
}

export function fromErrorShape(shape: LabErrorShape): LabError {
  return new LabError(shape.code, shape.message)
}
