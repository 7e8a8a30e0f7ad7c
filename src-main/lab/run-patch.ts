// Validation of what a caller may change or name about saved runs: a run's name, notes and tags, and lists of run ids.
import { badInput } from '../../src-shared/errors.ts'
import type { RunPatch } from '../../src-shared/types.ts'

export const MAX_TAGS = 20
export const MAX_TAG_LENGTH = 40
export const MAX_NAME_LENGTH = 200
export const MAX_NOTES_LENGTH = 20_000

/** A list of run ids (whole numbers ≥ 1), de-duplicated; names what is wrong with it. */
export function runIdList(what: string, ids: unknown, min = 1, max = 1000): number[] {
  if (!Array.isArray(ids)) throw badInput(`${what} needs a list of run ids`)
  if (ids.length < min || ids.length > max) {
    throw badInput(min === max ? `${what} needs ${min} run ids` : `${what} needs ${min} to ${max} run ids, got ${ids.length}`)
  }
  for (const id of ids) if (!Number.isInteger(id) || id < 1) throw badInput(`run id must be a whole number, got ${JSON.stringify(id)}`)
  return [...new Set(ids as number[])]
}

/** Checks a RunPatch: names the bad field; tags are trimmed and de-duplicated. */
export function validateRunPatch(input: unknown): RunPatch {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badInput('the change must be an object with name, notes or tags')
  const raw = input as Record<string, unknown>
  for (const k of Object.keys(raw)) if (!['name', 'notes', 'tags'].includes(k)) throw badInput(`a run has no editable field "${k}"; editable: name, notes, tags`)
  const out: RunPatch = {}
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string') throw badInput('name must be text')
    out.name = raw.name.trim()
    if (out.name.length > MAX_NAME_LENGTH) throw badInput(`name must be at most ${MAX_NAME_LENGTH} characters`)
  }
  if (raw.notes !== undefined) {
    if (typeof raw.notes !== 'string') throw badInput('notes must be text')
    if (raw.notes.length > MAX_NOTES_LENGTH) throw badInput(`notes must be at most ${MAX_NOTES_LENGTH} characters`)
    out.notes = raw.notes
  }
  if (raw.tags !== undefined) {
    if (!Array.isArray(raw.tags) || !raw.tags.every((t) => typeof t === 'string')) throw badInput('tags must be a list of words')
    const tags = [...new Set((raw.tags as string[]).map((t) => t.trim()).filter((t) => t !== ''))]
    const long = tags.find((t) => t.length > MAX_TAG_LENGTH)
    if (long) throw badInput(`tag "${long.slice(0, 20)}…" is longer than ${MAX_TAG_LENGTH} characters`)
    const comma = tags.find((t) => t.includes(','))
    if (comma) throw badInput(`tag "${comma}" must not contain a comma`)
    if (tags.length > MAX_TAGS) throw badInput(`a run takes at most ${MAX_TAGS} tags`)
    out.tags = tags
  }
  return out
}
