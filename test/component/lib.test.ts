// Pure renderer helpers: routes, run-list events, sample merging and chart series.
import { describe, expect, it } from 'vitest'
import { exploreHref, parseHash } from '../../src-renderer/lib/route.ts'
import { depthSeries, downsample, mergeSamples, rateSeries } from '../../src-renderer/lib/run-series.ts'
import { applyRunEvent, paramsSummary } from '../../src-renderer/lib/runs.ts'
import { makeRun, makeSample } from './fixtures.ts'

describe('parseHash', () => {
  it('maps hashes to pages', () => {
    expect(parseHash('')).toEqual({ page: 'runs' })
    expect(parseHash('#/runs')).toEqual({ page: 'runs' })
    expect(parseHash('#/new')).toEqual({ page: 'new' })
    expect(parseHash('#/run/12')).toEqual({ page: 'run', id: 12 })
    expect(parseHash('#/run/abc')).toEqual({ page: 'not-found', path: '/run/abc' })
  })

  it('carries an explorer path (with ; and spaces in names) and its start in the address', () => {
    const path = ['move(m2)', 'a;b c']
    const href = exploreHref(5, path, 3)
    expect(parseHash(href)).toEqual({ page: 'explore', id: 5, init: 3, path })
    expect(parseHash(exploreHref(5, ['x'], undefined, 'stabilises'))).toEqual({ page: 'explore', id: 5, property: 'stabilises', path: ['x'] })
    expect(parseHash('#/run/5/explore')).toEqual({ page: 'explore', id: 5, path: [] })
    expect(parseHash('#/run/5/explore?path=%5B1%5D').page).toBe('not-found')
  })
})

describe('mergeSamples', () => {
  it('appends a following batch and merges an overlapping one without duplicates', () => {
    const a = [makeSample(250, 1), makeSample(500, 2)]
    expect(mergeSamples(a, [makeSample(750, 3)]).map((s) => s.elapsedMs)).toEqual([250, 500, 750])
    const merged = mergeSamples([makeSample(500, 2), makeSample(750, 3)], a)
    expect(merged.map((s) => s.elapsedMs)).toEqual([250, 500, 750])
  })
})

describe('series', () => {
  it('ends the rate series at the last reading of the search, not at the closing sample after the analysis', () => {
    const samples = [makeSample(250, 10), makeSample(500, 20), makeSample(4000, 20)]
    expect(rateSeries(samples)[0]).toEqual([0.25, 0.5])
    expect(rateSeries([...samples.slice(0, 2), makeSample(1000, 25)])[0]).toEqual([0.25, 0.5, 1])
  })

  it('downsamples to the limit keeping both ends', () => {
    const xs = Array.from({ length: 10_001 }, (_, i) => i)
    const d = downsample(xs, 100)
    expect(d).toHaveLength(100)
    expect(d[0]).toBe(0)
    expect(d.at(-1)).toBe(10_000)
  })

  it('builds rate data in seconds and 1-based depth bars', () => {
    expect(rateSeries([makeSample(500, 10)])).toEqual([[0.5], [80], [20]])
    expect(depthSeries([1, 3, 9])).toEqual([
      [1, 2, 3],
      [1, 3, 9],
    ])
  })
})

describe('applyRunEvent', () => {
  it('adds, updates and ignores as appropriate', () => {
    const runs = [makeRun({ id: 1 })]
    const started = applyRunEvent(runs, { type: 'run-started', run: makeRun({ id: 2, status: 'running' }) })
    expect(started.map((r) => r.id)).toEqual([2, 1])
    const progressed = applyRunEvent(started, {
      type: 'run-progress',
      runId: 2,
      samples: [makeSample(1500, 77)],
      depthHistogram: [],
    })
    expect(progressed[0]).toMatchObject({ unique: 77, generated: 308, seconds: 1.5 })
    // A finished run is not changed by a late progress batch.
    expect(applyRunEvent(runs, { type: 'run-progress', runId: 1, samples: [makeSample(9, 9)], depthHistogram: [] })).toBe(runs)
  })

  it('summarises parameters', () => {
    expect(paramsSummary({ rms: 3, bug: true })).toBe('rms=3 bug=true')
  })
})
