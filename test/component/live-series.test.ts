import { describe, expect, it } from 'vitest'
import { writeRates, writeRatesOptions } from '../../src-renderer/lib/live-series.ts'
import { parseHash } from '../../src-renderer/lib/route.ts'
import type { LiveEvent } from '../../src-shared/live-types.ts'

const ev = (seq: number, atMs: number, who: string, type: LiveEvent['type'] = 'write'): LiveEvent => ({ seq, atMs, type, who, what: 'x' })

describe('live write rates', () => {
  it('buckets controller writes per second, leaving faults, user writes and other events out', () => {
    const r = writeRates([ev(0, 10, 'scheduler-1'), ev(1, 100, 'scheduler-1'), ev(2, 300, 'kubelet-node1'), ev(3, 310, 'fault'), ev(4, 320, 'monitor', 'converged'), ev(5, 600, 'user')], 250)
    expect(r.who).toEqual(['kubelet-node1', 'scheduler-1'])
    expect(r.data[0]).toEqual([0.125, 0.375, 0.625])
    expect(r.data[1]).toEqual([0, 4, 0])
    expect(r.data[2]).toEqual([8, 0, 0])
    expect(writeRatesOptions(r.who, false).series.map((s) => s.label)).toEqual(['elapsed (s)', 'kubelet-node1', 'scheduler-1'])
  })

  it('no writes: empty series', () => {
    expect(writeRates([ev(0, 5, 'monitor', 'converged')]).data).toEqual([[]])
  })
})

describe('live routes', () => {
  it('#/live and #/live/<id>', () => {
    expect(parseHash('#/live')).toEqual({ page: 'live' })
    expect(parseHash('#/live/12')).toEqual({ page: 'live', id: 12 })
    expect(parseHash('#/live/x')).toEqual({ page: 'not-found', path: '/live/x' })
  })
})
