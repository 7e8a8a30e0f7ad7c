// The canonical form of a user model's state: the orchestration model's revision renumbering (orchestration/
// renumber.ts; a controller loop that writes the same objects again reaches the same state, not a new one with
// higher resourceVersions), generation fixed at 1 (user models do not model it), and everything frozen (user code
// cannot mutate a shared state by accident).
import type { OState } from '../orchestration/model.ts'
import { renumber } from '../orchestration/renumber.ts'

export function deepFreeze<T>(v: T): T {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return v
  Object.freeze(v)
  for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k])
  return v
}

export function normaliseUserState(s: OState): OState {
  return deepFreeze(renumber(s, { userModel: true }))
}
