import { describe, expect, it } from 'vitest'
import { collisionProbability, fingerprint } from '../../../src-main/checker/fingerprint.ts'
import { VisitedSet } from '../../../src-main/checker/visited.ts'

describe('fingerprint', () => {
  it('is deterministic, never 0 in the low lane, and distinguishes near-identical inputs', () => {
    const fp = new Int32Array(2)
    const seen = new Set<string>()
    for (let len = 0; len <= 9; len++) {
      for (let v = 0; v < 256; v++) {
        const bytes = new Uint8Array(len + 1)
        bytes[len] = v
        fingerprint(bytes, fp)
        expect(fp[0]).not.toBe(0)
        const key = `${fp[0]}:${fp[1]}`
        expect(seen.has(key)).toBe(false)
        seen.add(key)
        const again = new Int32Array(2)
        fingerprint(bytes.slice(), again)
        expect([...again]).toEqual([...fp])
      }
    }
  })

  it('reports the birthday-bound collision probability', () => {
    expect(collisionProbability(1_745_408)).toBeCloseTo(8.26e-8, 9)
  })
})

describe('VisitedSet', () => {
  it('keeps ids across growth and finds every inserted fingerprint', () => {
    const set = new VisitedSet(4)
    const fp = new Int32Array(2)
    const n = 100_000
    for (let i = 0; i < n; i++) {
      fingerprint(new Uint8Array(new Uint32Array([i]).buffer), fp)
      expect(set.insert(fp[0], fp[1], i)).toBe(-1)
    }
    expect(set.size).toBe(n)
    for (let i = 0; i < n; i += 997) {
      fingerprint(new Uint8Array(new Uint32Array([i]).buffer), fp)
      expect(set.insert(fp[0], fp[1], 999_999)).toBe(i)
      expect(set.has(fp[0], fp[1])).toBe(true)
    }
    expect(set.has(12345, 678)).toBe(false)
  })
})

describe('SharedVisited', () => {
  it('inserts, grows in place from a tiny table, and restores from a snapshot', async () => {
    const { SharedVisited, createSharedVisited } = await import('../../../src-main/checker/shared-visited.ts')
    const set = new SharedVisited(createSharedVisited(2))
    const fp = new Int32Array(2)
    const n = 50_000
    set.enter()
    for (let i = 0; i < n; i++) {
      fingerprint(new Uint8Array(new Uint32Array([i]).buffer), fp)
      expect(set.insert(fp[0], fp[1])).toBe(true)
    }
    for (let i = 0; i < n; i += 101) {
      fingerprint(new Uint8Array(new Uint32Array([i]).buffer), fp)
      expect(set.insert(fp[0], fp[1])).toBe(false)
    }
    set.leave()
    expect(set.size).toBe(n)
    expect(set.bytes / n).toBeLessThanOrEqual(24)
    const copy = new SharedVisited(SharedVisited.restore(set.snapshot()))
    copy.enter()
    fingerprint(new Uint8Array(new Uint32Array([777]).buffer), fp)
    expect(copy.has(fp[0], fp[1])).toBe(true)
    expect(copy.has(12345, 678)).toBe(false)
    copy.leave()
    expect(copy.size).toBe(n)
  })
})
