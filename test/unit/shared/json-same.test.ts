// sameJson compares as JSON does: a key holding undefined is no key. A saved trace (JSON) has lost such keys, a
// state replayed now may still hold them (a create's metadata with owner: undefined), and the two must match.
import { describe, expect, it } from 'vitest'
import { sameJson } from '../../../src-shared/json.ts'

describe('sameJson', () => {
  it('ignores keys holding undefined on either side, as JSON.stringify does', () => {
    const fresh = { meta: { name: 'node1', owner: undefined, finalizers: [] } }
    const saved = JSON.parse(JSON.stringify(fresh)) as unknown
    expect(sameJson(fresh, saved)).toBe(true)
    expect(sameJson(saved, fresh)).toBe(true)
  })
  it('still tells values, missing keys and array lengths apart', () => {
    expect(sameJson({ a: 1 }, { a: 2 })).toBe(false)
    expect(sameJson({ a: 1, b: null }, { a: 1 })).toBe(false)
    expect(sameJson([1, 2], [1, 2, 3])).toBe(false)
    expect(sameJson({ a: [{ b: 1 }] }, { a: [{ b: 1 }] })).toBe(true)
  })
})
