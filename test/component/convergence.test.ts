// Formatting of self-stabilisation results, lasso marks, the live page's phase and table, the Store page's peer
// words, and the components that show them (happy-dom).
import { render } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import type { PropertyResult, TraceStep } from '../../src-shared/types.ts'
import type { StoreView } from '../../src-shared/store-types.ts'
import ConvergencePanel from '../../src-renderer/components/ConvergencePanel.svelte'
import PropertiesTable from '../../src-renderer/components/PropertiesTable.svelte'
import TraceSteps from '../../src-renderer/components/TraceSteps.svelte'
import { convergenceHeadline, loopMarks, loopText, meanSteps } from '../../src-renderer/lib/convergence.ts'
import { averagedUniqueRate, isAnalysis, livePhase, phaseFraction, phaseProgressText, progressRows } from '../../src-renderer/lib/live.ts'
import { compactParams } from '../../src-renderer/lib/runs.ts'
import { peerLabel, reachableGroups, rememberSeen, replicasUpText } from '../../src-renderer/lib/store-view.ts'
import { makeSample } from './fixtures.ts'

const conv = { oscillations: 0, stuck: 0, leavesGoal: 0, worstSteps: 13, unbounded: 0, stepsHistogram: [20, 5, 0, 5] }
const steps = (n: number): TraceStep[] => Array.from({ length: n }, (_, i) => ({ index: i, action: i ? `move(m${i})` : null, state: { i } }))

describe('convergence words', () => {
  it('says the worst case of a holding property and what breaks a violated one', () => {
    expect(convergenceHeadline(conv, 'holds')).toBe('converges: worst case 13 steps')
    expect(convergenceHeadline({ ...conv, worstSteps: 1 }, 'holds')).toBe('converges: worst case 1 step')
    expect(convergenceHeadline({ ...conv, oscillations: 1, unbounded: 8 }, 'violated')).toBe('1 oscillation; 8 states with no bound')
    expect(convergenceHeadline({ ...conv, stuck: 2, leavesGoal: 3 }, 'violated')).toBe('2 stuck states, 3 steps leaving the goal')
    expect(convergenceHeadline({ ...conv, unbounded: 1200 }, 'unknown')).toBe('1,200 states with no bound')
  })

  it('takes the mean over states, not over step counts', () => {
    expect(meanSteps([20, 5, 0, 5])).toBeCloseTo((5 + 15) / 30, 9)
    expect(meanSteps([])).toBeNull()
  })

  it('marks a lasso: start, cycle, back edge; nothing without a loop', () => {
    expect(loopMarks(steps(5), 1)).toEqual([null, 'loop-start', 'in-loop', 'in-loop', 'back-edge'])
    expect(loopMarks(steps(3), undefined)).toEqual([null, null, null])
    expect(loopText(steps(9), 0)).toBe('a cycle of 8 steps from step 0, repeated forever')
  })
})

describe('live page', () => {
  it('names the phase from what the checker reported, never from silence', () => {
    expect(livePhase(0, null, false)).toBe('starting')
    expect(livePhase(3, null, false)).toBe('exploring')
    expect(livePhase(3, { phase: 'exploring' }, false)).toBe('exploring')
    expect(livePhase(3, { phase: 'checking liveness', done: 1, total: 2, unit: 'properties' }, false)).toBe('checking liveness')
    expect(livePhase(3, { phase: 'building traces' }, false)).toBe('building traces')
    expect(livePhase(3, { phase: 'done' }, false)).toBe('finishing')
    expect(livePhase(3, { phase: 'building traces' }, true)).toBe('stopping')
    expect(isAnalysis('checking liveness') && isAnalysis('finishing') && !isAnalysis('exploring') && !isAnalysis(null)).toBe(true)
  })

  it('says how far the analysis is', () => {
    expect(phaseProgressText({ phase: 'checking liveness', done: 4096, total: 823543, unit: 'states' })).toBe('4,096 of 823,543 states')
    expect(phaseProgressText({ phase: 'checking liveness', done: 12288, unit: 'states' })).toBe('12,288 states')
    expect(phaseProgressText({ phase: 'done' })).toBeNull()
    expect(phaseFraction({ phase: 'building traces', done: 1, total: 4, unit: 'traces' })).toBe(0.25)
    expect(phaseFraction({ phase: 'building traces', done: 0, total: 0 })).toBeNull()
  })

  it('averages the unique rate over seconds, and keeps a table of a few rows with first and last', () => {
    const samples = Array.from({ length: 41 }, (_, i) => makeSample(i * 250, i * 100))
    expect(averagedUniqueRate(samples)).toBeCloseTo(400, 9)
    const rows = progressRows(samples, 5)
    expect(rows).toHaveLength(5)
    expect(rows[0].seconds).toBe(0)
    expect(rows.at(-1)).toMatchObject({ seconds: 10, distinct: 4000, generated: 16000 })
    expect(rows.at(-1)!.distinctPerSec).toBeCloseTo(400, 9)
  })
})

describe('compact parameters', () => {
  it('shows the level by value, true flags by name, drops false flags', () => {
    expect(compactParams({ consistency: 'causal', instances: 2, fair: true, bug: false })).toBe('causal instances=2 fair')
  })
})

describe('Store page words', () => {
  const replica = (name: string, heads: string[], peers: StoreView['replicas'][0]['peers'], up = true): StoreView['replicas'][0] => ({
    name, up, pid: up ? 1 : null, endpoint: '', revision: up ? 4 : 0, heads, keys: 2, changes: 2, storageError: null, peers,
  })
  const peer = (name: string, relation: string, cut = false) => ({ name, connected: !cut, relation, cut })

  it('calls mutual "behind" across a cut diverged, a down peer down, and a stale relation as last seen', () => {
    const view: StoreView = {
      running: true, dir: null, durability: [],
      replicas: [
        replica('r1', ['a'], [peer('r2', 'behind', true), peer('r3', 'behind', true)]),
        replica('r2', ['b'], [peer('r1', 'behind', true), peer('r3', 'equal')]),
        replica('r3', ['c'], [peer('r1', 'equal'), peer('r2', 'equal')], false),
      ],
    }
    const [r1, r2] = view.replicas
    expect(peerLabel(view, r1, r1.peers[0]).relation).toBe('diverged')
    expect(peerLabel(view, r2, r2.peers[0]).text).toBe('diverged')
    expect(peerLabel(view, r1, r1.peers[1]).text).toBe('down')
    expect(replicasUpText(view)).toBe('2 of 3 replicas up (r3 down)')
    expect(reachableGroups(view)).toEqual([['r1'], ['r2', 'r3']])
    expect(rememberSeen({ r3: { revision: 9, keys: 3 } }, view)).toEqual({ r1: { revision: 4, keys: 2 }, r2: { revision: 4, keys: 2 }, r3: { revision: 9, keys: 3 } })
    const alone: StoreView = { ...view, replicas: [replica('r1', ['a'], [peer('r2', 'behind', true)]), replica('r2', ['a0'], [peer('r1', 'equal', true)])] }
    expect(peerLabel(alone, alone.replicas[0], alone.replicas[0].peers[0]).text).toBe('behind (as last seen)')
  })
})

describe('components', () => {
  const ring: PropertyResult = {
    name: 'stabilises', kind: 'converges', description: 'd', status: 'violated', counterexample: 'oscillation', loopStart: 1,
    trace: steps(4), convergence: { ...conv, oscillations: 1, unbounded: 3 },
  }

  it('TraceSteps draws the loop and says where it goes back to', () => {
    const { getAllByTestId, getByTestId } = render(TraceSteps, { props: { steps: steps(4), loopStart: 1 } })
    expect(getAllByTestId('trace-step').map((li) => li.dataset.loop ?? '')).toEqual(['', 'loop-start', 'in-loop', 'back-edge'])
    expect(getByTestId('back-edge').textContent).toContain('back to step 1')
    expect(getByTestId('loop-note').textContent).toContain('a cycle of 2 steps from step 1')
  })

  it('PropertiesTable names the counterexample type and the convergence result', () => {
    const { getByTestId } = render(PropertiesTable, { props: { properties: [ring], runId: 3 } })
    expect(getByTestId('property-result-stabilises').textContent).toMatch(/oscillation\s*· 1 oscillation; 3 states with no bound/)
    expect(getByTestId('cx-kind-stabilises').textContent).toContain('oscillation: the controllers can repeat a cycle')
  })

  it('ConvergencePanel shows the figures and links to the lasso', () => {
    const { getByTestId } = render(ConvergencePanel, { props: { properties: [{ ...ring, name: 'settles', status: 'holds', counterexample: undefined, convergence: conv }, ring], runId: 3 } })
    expect(getByTestId('convergence-settles').querySelector('[data-testid="conv-worst"]')?.textContent).toBe('13 steps')
    expect(getByTestId('convergence-settles').querySelector('[data-testid="conv-mean"]')?.textContent).toBe('0.7 steps')
    expect(getByTestId('convergence-trace').getAttribute('href')).toBe('#/run/3/trace/stabilises')
  })

  it('ConvergencePanel shows an oscillation found by a search cut short, without figures, and links to it', () => {
    const { getByTestId, queryByTestId } = render(ConvergencePanel, { props: { properties: [{ ...ring, convergence: undefined }], runId: 4 } })
    expect(getByTestId('convergence-headline').textContent).toBe('an oscillation, found in the part searched')
    expect(getByTestId('convergence-trace').getAttribute('href')).toBe('#/run/4/trace/stabilises')
    expect(queryByTestId('conv-worst')).toBeNull()
    // Unknown with nothing found: no card at all.
    const none = render(ConvergencePanel, { props: { properties: [{ ...ring, name: 'other', status: 'unknown', counterexample: undefined, trace: undefined, convergence: undefined }], runId: 4 } })
    expect(none.queryByTestId('convergence-other')).toBeNull()
  })
})
