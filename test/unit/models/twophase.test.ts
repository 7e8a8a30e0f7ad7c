import { describe, expect, it } from 'vitest'
import { explore, type ExploreLimits } from '../../../src-main/checker/reference-bfs.ts'
import { createTwoPhase } from '../../../src-main/models/twophase.ts'

const FULL: ExploreLimits = { maxDepth: 0, timeoutMs: 0, maxStates: 0, stopOnViolation: false }

// Closed forms from DESIGN.md for two-phase commit with n resource managers.
const uniqueOf = (n: number): number => 2 ** n + 4 ** n + 6 ** n
const generatedOf = (n: number): number => n * 2 ** n + (n + 1) * 4 ** n + (4 * n * 6 ** n) / 3 + 2

describe('twophase state counts', () => {
  for (let n = 1; n <= 6; n++) {
    it(`rms=${n}: unique, generated and depth equal the closed forms`, () => {
      const r = explore(createTwoPhase(n, false), FULL)
      expect(r.unique).toBe(uniqueOf(n))
      expect(r.generated).toBe(Math.round(generatedOf(n)))
      expect(r.maxDepth).toBe(3 * n + 2)
      expect(r.complete).toBe(true)
      expect(r.depthHistogram.reduce((a, b) => a + b, 0)).toBe(r.unique)
      expect(r.depthHistogram.length).toBe(3 * n + 2)
      expect(r.properties.map((p) => [p.name, p.status])).toEqual([
        ['consistent', 'holds'],
        ['all-committed', 'holds'],
      ])
    })
  }

  it('rms=3 is the reference: 288 unique, 1,146 generated, depth 11', () => {
    const r = explore(createTwoPhase(3, false), FULL)
    expect([r.unique, r.generated, r.maxDepth]).toEqual([288, 1146, 11])
  })
})

describe('twophase with the broken TM', () => {
  it('violates consistency with a shortest (3-step) counterexample that replays', () => {
    const r = explore(createTwoPhase(3, true), FULL)
    const consistent = r.properties.find((p) => p.name === 'consistent')!
    expect(consistent.status).toBe('violated')
    const trace = consistent.trace!
    expect(trace.map((s) => s.action)).toEqual([null, 'TMCommit', 'RMChooseToAbort(rm1)', 'RMRcvCommitMsg(rm2)'])
    const last = trace[trace.length - 1].state as { rmState: Record<string, string> }
    const states = Object.values(last.rmState)
    expect(states).toContain('committed')
    expect(states).toContain('aborted')
  })

  it('stops at the first violation when asked, with fewer states explored', () => {
    const full = explore(createTwoPhase(4, true), FULL)
    const early = explore(createTwoPhase(4, true), { ...FULL, stopOnViolation: true })
    expect(early.stopReason).toBe('violation')
    expect(early.complete).toBe(false)
    expect(early.unique).toBeLessThan(full.unique)
    expect(early.properties.find((p) => p.name === 'consistent')!.status).toBe('violated')
    expect(early.properties.find((p) => p.name === 'all-committed')!.status).toBe('unknown')
  })
})

describe('limits', () => {
  it('a depth limit below the diameter leaves the run incomplete and sometimes-properties unknown', () => {
    const r = explore(createTwoPhase(3, false), { ...FULL, maxDepth: 5 })
    expect(r.maxDepth).toBe(5)
    expect(r.complete).toBe(false)
    expect(r.stopReason).toBe('depth')
    expect(r.properties.find((p) => p.name === 'consistent')!.status).toBe('unknown')
  })

  it('a depth limit at the diameter still completes', () => {
    const r = explore(createTwoPhase(3, false), { ...FULL, maxDepth: 11 })
    expect(r.complete).toBe(true)
    expect(r.unique).toBe(288)
  })

  it('a state limit stops at that many unique states', () => {
    const r = explore(createTwoPhase(5, false), { ...FULL, maxStates: 1000 })
    expect(r.stopReason).toBe('states')
    expect(r.unique).toBe(1000)
  })

  it('shouldStop ends the run as stopped', () => {
    let calls = 0
    const r = explore(createTwoPhase(6, false), FULL, { shouldStop: () => ++calls > 3 })
    expect(r.stopReason).toBe('stopped')
    expect(r.unique).toBeLessThan(uniqueOf(6))
  })

  it('reports progress with a depth histogram while running', () => {
    const seen: number[] = []
    explore(createTwoPhase(6, false), FULL, { progressEveryMs: 0, onProgress: (p) => seen.push(p.unique) })
    expect(seen.length).toBeGreaterThan(1)
    expect(seen).toEqual([...seen].sort((a, b) => a - b))
  })
})
