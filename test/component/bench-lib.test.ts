// Pure helpers of the lab bench: routes, filtering, tags, JSON diffs, overlays, progress/ETA, shortcuts.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { depthOverlay, uniqueOverlay } from '../../src-renderer/lib/compare-series.ts'
import { changedPaths, diffJson } from '../../src-shared/json-diff.ts'
import { boundedProgress, formatEta } from '../../src-renderer/lib/progress.ts'
import { compareHref, parseHash, traceHref } from '../../src-renderer/lib/route.ts'
import { applyRunEvent, filterRuns, parseTags } from '../../src-renderer/lib/runs.ts'
import { handleShortcutKey, registerShortcuts } from '../../src-renderer/lib/shortcuts.svelte.ts'
import { makeDetail, makeRun, makeSample } from './fixtures.ts'

describe('routes', () => {
  it('parses the compare, comparison, trace and diagnostics pages and builds their links', () => {
    expect(parseHash('#/compare/3,1,2')).toEqual({ page: 'compare', ids: [3, 1, 2] })
    expect(parseHash('#/comparisons')).toEqual({ page: 'comparisons' })
    expect(parseHash('#/comparisons/7')).toEqual({ page: 'comparison', id: 7 })
    expect(parseHash('#/run/4/trace/all-committed')).toEqual({ page: 'trace', id: 4, property: 'all-committed' })
    expect(parseHash(traceHref(4, 'a b/c'))).toEqual({ page: 'trace', id: 4, property: 'a b/c' })
    expect(parseHash(compareHref([1, 2]))).toEqual({ page: 'compare', ids: [1, 2] })
    expect(parseHash('#/diagnostics/chart')).toEqual({ page: 'chart-perf' })
    expect(parseHash('#/compare/1,x')).toMatchObject({ page: 'not-found' })
  })
})

describe('filterRuns and tags', () => {
  const runs = [
    makeRun({ id: 1, name: 'Baseline', tags: ['small'], config: { ...makeRun().config, params: { rms: 2, bug: false } } }),
    makeRun({ id: 2, status: 'stopped', verdict: 'unknown', tags: ['large', 'night'], notes: 'overnight attempt' }),
    makeRun({ id: 3, model: 'other', verdict: 'violated' }),
  ]
  const ids = (text: string): number[] => filterRuns(runs, text).map((r) => r.id)

  it('matches every word anywhere, or in one field with field:value', () => {
    expect(ids('')).toEqual([1, 2, 3])
    expect(ids('baseline')).toEqual([1])
    expect(ids('rms=2')).toEqual([1])
    expect(ids('#2')).toEqual([2])
    expect(ids('overnight')).toEqual([2])
    expect(ids('tag:large')).toEqual([2])
    expect(ids('status:done verdict:holds')).toEqual([1])
    expect(ids('model:other')).toEqual([3])
    expect(ids('twophase small')).toEqual([1])
    expect(ids('nothing-like-this')).toEqual([])
  })

  it('splits tags on commas and spaces, dropping duplicates', () => {
    expect(parseTags(' a, b  c,,a ')).toEqual(['a', 'b', 'c'])
  })

  it('applies edits, deletions and restores to the list', () => {
    let list = runs.slice()
    list = applyRunEvent(list, { type: 'run-updated', run: { ...runs[1], name: 'renamed' } })
    expect(list[1].name).toBe('renamed')
    list = applyRunEvent(list, { type: 'runs-deleted', runIds: [1, 3] })
    expect(list.map((r) => r.id)).toEqual([2])
    list = applyRunEvent(list, { type: 'run-updated', run: runs[2] })
    expect(list.map((r) => r.id)).toEqual([3, 2])
  })
})

describe('diffJson', () => {
  it('lists changed, added and removed paths; plain-value lists change as a whole', () => {
    const before = { tm: 'init', rm: { rm1: 'working', rm2: 'working' }, msgs: ['a'], pods: [{ phase: 'Pending' }], gone: 1 }
    const after = { tm: 'init', rm: { rm1: 'prepared', rm2: 'working' }, msgs: ['a', 'b'], pods: [{ phase: 'Running' }, { phase: 'Pending' }], 'odd key': true }
    expect(diffJson(before, after)).toEqual([
      { path: 'rm.rm1', kind: 'changed', before: 'working', after: 'prepared' },
      { path: 'msgs', kind: 'changed', before: ['a'], after: ['a', 'b'] },
      { path: 'pods[0].phase', kind: 'changed', before: 'Pending', after: 'Running' },
      { path: 'pods[1]', kind: 'added', after: { phase: 'Pending' } },
      { path: 'gone', kind: 'removed', before: 1 },
      { path: '["odd key"]', kind: 'added', after: true },
    ])
    expect(diffJson(before, structuredClone(before))).toEqual([])
  })

  it('marks the branches above each change', () => {
    const { leaves, branches } = changedPaths(diffJson({ a: { b: [{ c: 1 }] } }, { a: { b: [{ c: 2 }] } }))
    expect([...leaves]).toEqual(['a.b[0].c'])
    expect([...branches].sort()).toEqual(['', 'a', 'a.b', 'a.b[0]'])
  })
})

describe('compare overlays', () => {
  const a = { ...makeDetail(makeRun({ id: 1 })), samples: [makeSample(250, 10), makeSample(500, 20)], depthHistogram: [1, 3] }
  const b = { ...makeDetail(makeRun({ id: 2 })), samples: [makeSample(400, 30)], depthHistogram: [1, 1, 2] }

  it('joins runs on the union of their times, starting each line at (0, 0)', () => {
    // uPlot.join leaves a run's missing times undefined; the series span those gaps.
    expect(uniqueOverlay([a, b])).toEqual([
      [0, 0.25, 0.4, 0.5],
      [0, 10, undefined, 20],
      [0, undefined, 30, undefined],
    ])
  })

  it('aligns depth histograms and normalises them to shares', () => {
    expect(depthOverlay([a, b], false)).toEqual([[1, 2, 3], [1, 3, null], [1, 1, 2]])
    expect(depthOverlay([a, b], true)).toEqual([[1, 2, 3], [0.25, 0.75, null], [0.25, 0.25, 0.5]])
  })
})

describe('boundedProgress', () => {
  it('gives no ETA, and says why, while the completed levels grow unevenly or are too few', () => {
    expect(boundedProgress({ maxDepth: 10, timeout: 0 }, 3, [1, 2, 4], 4)).toMatchObject({ etaSeconds: null, etaNote: expect.stringMatching(/levels still grow/) })
    // Steady growth ×2 is still no estimate: nothing says where the space peaks.
    expect(boundedProgress({ maxDepth: 10, timeout: 0 }, 3, [1, 2, 4, 8, 3], 4)!.etaSeconds).toBeNull()
    // Shrinking, but unevenly: none either.
    expect(boundedProgress({ maxDepth: 10, timeout: 0 }, 3, [100, 90, 30, 5], 4)!.etaSeconds).toBeNull()
    // A timeout still bounds it.
    expect(boundedProgress({ maxDepth: 10, timeout: 60 }, 15, [1, 2, 9, 12, 5], 4)).toMatchObject({ etaSeconds: 45, etaIsCeiling: true })
  })

  it('is null for an unbounded run', () => {
    expect(boundedProgress({ maxDepth: 0, timeout: 0 }, 5, [1, 2], 100)).toBeNull()
  })

  it('uses the timeout as a ceiling', () => {
    expect(boundedProgress({ maxDepth: 0, timeout: 60 }, 15, [1], 10)).toEqual({ fraction: 0.25, label: '15 s of 60 s', etaSeconds: 45, etaIsCeiling: true })
  })

  it('estimates the levels left from how the completed levels shrink, never from the partial one', () => {
    // Completed 100, 90, 72 (ratios 0.9, 0.8: falling by 0.1): the current level expects 72 × 0.7 = 50.4 (20 found),
    // then × 0.6, 0.5, … down to 0 — 84.02 states at 10/s.
    const p = boundedProgress({ maxDepth: 20, timeout: 0 }, 3, [100, 90, 72, 20], 10)!
    expect(p.label).toBe('depth 4 of 20')
    expect(p.etaSeconds).toBeCloseTo(8.40216, 4)
    expect(p.etaIsCeiling).toBe(false)
    // Later in the same level the estimate moves down with the states found; it does not jump.
    expect(boundedProgress({ maxDepth: 20, timeout: 0 }, 3, [100, 90, 72, 40], 10)!.etaSeconds).toBeCloseTo(6.40216, 4)
    expect(boundedProgress({ maxDepth: 20, timeout: 100 }, 3, [100, 90, 72, 20], 10)).toMatchObject({ etaIsCeiling: false })
    expect(formatEta(6)).toBe('6 s')
    expect(formatEta(600)).toBe('10 min')
  })
})

describe('shortcuts', () => {
  const cleanups: (() => void)[] = []
  afterEach(() => cleanups.splice(0).forEach((f) => f()))
  const key = (k: string, target: EventTarget = document.body): KeyboardEvent => {
    const e = new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true })
    Object.defineProperty(e, 'target', { value: target })
    return e
  }

  it('runs single keys and two-key sequences, the page over the app, never while typing', () => {
    const app = vi.fn()
    const page = vi.fn()
    const go = vi.fn()
    cleanups.push(registerShortcuts('App', [{ keys: 'j', description: 'app j', run: app }, { keys: 'g r', description: 'runs', run: go }]))
    cleanups.push(registerShortcuts('Page', [{ keys: 'j|ArrowDown', description: 'next', run: page }]))
    expect(handleShortcutKey(key('j'))).toBe(true)
    expect(handleShortcutKey(key('ArrowDown'))).toBe(true)
    expect(page).toHaveBeenCalledTimes(2)
    expect(app).not.toHaveBeenCalled()
    handleShortcutKey(key('g'))
    handleShortcutKey(key('r'))
    expect(go).toHaveBeenCalledTimes(1)
    const input = document.createElement('input')
    expect(handleShortcutKey(key('j', input))).toBe(false)
    expect(page).toHaveBeenCalledTimes(2)
  })
})
