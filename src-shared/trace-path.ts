// The textual form of a trace's path that `stabilis replay --path` reads and the trace explorer copies.
import type { TraceStep } from './types.ts'

/** Splits a textual path ("A;B(rm1);C", or a JSON array of names) into action names. */
export function parsePath(text: string): string[] {
  const t = text.trim()
  if (t.startsWith('[')) {
    const parsed: unknown = JSON.parse(t)
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new Error('a JSON path must be an array of action names')
    return parsed
  }
  return t
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** The textual form parsePath reads: action names joined by ";". */
export function formatPath(path: readonly string[]): string {
  return path.join(';')
}

/** The path of a saved trace: the actions of every step after the initial state. */
export function tracePath(trace: readonly TraceStep[]): string[] {
  return trace.slice(1).map((s) => s.action ?? '')
}
