// A sequence view of an orchestration trace: one lane per actor (each controller instance, then faults and user
// actions), one row per step: which datastore revision the actor read, what it wrote, and whether the write was
// rejected; beside it the datastore head after the step.
import type { TraceStep } from '../../src-shared/types.ts'

export interface SequenceCell {
  index: number
  /** The revision the actor read ("reads @R"), null for faults and user actions. */
  read: number | null
  /** What the step did (the model's effect line), or the action when the model says nothing. */
  what: string
  rejected: boolean
}

export interface SequenceRow {
  index: number
  actor: string
  cell: SequenceCell
  /** The datastore head revision(s) after the step. */
  head: number[] | null
}

export interface Sequence {
  actors: string[]
  rows: SequenceRow[]
}

const READS = /^(\S+) reads @(\d+)$/

export function actorOf(action: string): { actor: string; read: number | null } {
  const m = READS.exec(action)
  if (m) return { actor: m[1], read: Number(m[2]) }
  const kind = /^(fault|user|env)\b/.exec(action)?.[1]
  return { actor: kind === 'fault' ? 'faults' : kind ? 'user' : action.split(/[\s(:]/)[0], read: null }
}

function headOf(state: unknown): number[] | null {
  const h = (state as { head?: unknown } | null)?.head
  return Array.isArray(h) && h.every((x) => typeof x === 'number') ? (h as number[]) : null
}

export function sequenceOf(steps: readonly TraceStep[]): Sequence {
  const rows: SequenceRow[] = []
  const seen: string[] = []
  for (const s of steps) {
    if (s.action === null) continue
    const { actor, read } = actorOf(s.action)
    if (!seen.includes(actor)) seen.push(actor)
    const what = s.effect ?? s.action
    rows.push({ index: s.index, actor, head: headOf(s.state), cell: { index: s.index, read, what, rejected: /\brejected\b/.test(what) } })
  }
  // Controllers first in order of appearance, then faults and user actions.
  const tail = ['faults', 'user']
  const actors = [...seen.filter((a) => !tail.includes(a)), ...tail.filter((a) => seen.includes(a))]
  return { actors, rows }
}
