// Per-action coverage counted by the explorers, checked against a plain BFS written here; and the analysis phases
// the checker reports after the search (liveness properties, states rebuilt, traces built, done).
import { describe, expect, it } from 'vitest'
import { actionLabelOf, CoverageCounter, mergeCoverage } from '../../../src-main/checker/coverage.ts'
import { checkLiveness } from '../../../src-main/checker/liveness.ts'
import type { Model } from '../../../src-main/checker/model.ts'
import type { ExploreProgress } from '../../../src-main/checker/run-types.ts'
import { createRing } from '../../../src-main/models/ring.ts'
import { createTwoPhase } from '../../../src-main/models/twophase.ts'
import type { ActionCoverage, ParamValues, PhaseReport } from '../../../src-shared/types.ts'
import { join } from 'node:path'
import { checkRequest, runCheck } from '../../../src-main/lab/check-runner.ts'
import { tempDir } from '../../helpers/tmp.ts'
import { check } from './helpers.ts'

type AnyModel = Model<unknown, unknown>

/** A plain BFS from the initial states: per label, successors computed and successors that were new. */
function referenceCoverage(model: AnyModel): { byLabel: Map<string, { enabled: number; newStates: number }>; roots: number; inits: number } {
  const key = (s: unknown): string => Buffer.from(model.encode(s)).toString('hex')
  const seen = new Set<string>()
  const queue: unknown[] = []
  const inits = model.init()
  for (const s of inits) {
    if (seen.has(key(s))) continue
    seen.add(key(s))
    queue.push(s)
  }
  const roots = queue.length
  const byLabel = new Map<string, { enabled: number; newStates: number }>()
  for (let i = 0; i < queue.length; i++) {
    for (const a of model.actions(queue[i])) {
      const label = actionLabelOf(model, a)
      const c = byLabel.get(label) ?? { enabled: 0, newStates: 0 }
      byLabel.set(label, c)
      const next = model.next(queue[i], a)
      if (next === undefined) continue
      c.enabled++
      if (!seen.has(key(next))) {
        seen.add(key(next))
        c.newStates++
        queue.push(next)
      }
    }
  }
  return { byLabel, roots, inits: inits.length }
}

const sum = (a: ActionCoverage[], f: 'enabled' | 'newStates'): number => a.reduce((n, c) => n + c[f], 0)

describe('per-action coverage', () => {
  const cases: [string, ParamValues, AnyModel][] = [
    ['twophase', { rms: 3 }, createTwoPhase(3, false) as AnyModel],
    ['ring', { n: 4, k: 3 }, createRing(4, 3, false) as AnyModel],
  ]
  for (const [name, params, model] of cases) {
    for (const [strategy, workers] of [['bfs', 1], ['bfs', 2], ['dfs', 2]] as const) {
      it(`${name} ${JSON.stringify(params)}, ${strategy} on ${workers} worker(s): enabled sums to generated, new states to unique − roots`, async () => {
        const r = await check(name, params, { strategy, workers })
        const ref = referenceCoverage(model)
        const actions = r.actions!
        // Initial states count as generated (duplicates included) but are no action's doing.
        expect(sum(actions, 'enabled')).toBe(r.generated - ref.inits)
        expect(sum(actions, 'newStates')).toBe(r.unique - ref.roots)
        // Enabled counts are exact per label whatever the order of the search; new states depend on which of two
        // actions reaching one state came first, so only their sum is fixed (checked above) for DFS and 2 workers.
        const byLabel = new Map(actions.map((a) => [a.label, a]))
        expect([...byLabel.keys()].sort()).toEqual([...ref.byLabel.keys()].sort())
        for (const [label, c] of ref.byLabel) {
          expect(byLabel.get(label)!.enabled, label).toBe(c.enabled)
          if (strategy === 'bfs' && workers === 1) expect(byLabel.get(label)!.newStates, label).toBe(c.newStates)
        }
      })
    }
  }

  it('labels twophase actions with the numbers replaced, and lists an action that is never enabled', async () => {
    const r = await check('twophase', { rms: 3 })
    const labels = r.actions!.map((a) => a.label)
    expect(labels).toContain('TMRcvPrepared(rm#)')
    expect(labels.every((l) => !/\d/.test(l))).toBe(true)
    // Most enabled first: the order the Run page and the CSV show.
    const enabled = r.actions!.map((a) => a.enabled)
    expect(enabled).toEqual([...enabled].sort((a, b) => b - a))
  })

  it('uses the model’s own actionLabel when it has one, and flags labels never enabled', () => {
    const base = createTwoPhase(2, false) as AnyModel
    const model: AnyModel = { ...base, actionLabel: (a) => ((a as { kind: string }).kind.startsWith('TM') ? 'manager' : 'resource') }
    const counter = new CoverageCounter(model)
    const state = model.init()[0]
    const acts = model.actions(state)
    const ids = counter.idsFor(acts)
    // The same list object again is the model's fixed list: the same ids, no labelling.
    expect(counter.idsFor(acts)).toBe(ids)
    for (let i = 0; i < acts.length; i++) if (model.next(state, acts[i]) !== undefined) counter.enabled[ids[i]]++
    const taken = counter.take()
    expect(taken.map((c) => c.label).sort()).toEqual(['manager', 'resource'])
    const merged = mergeCoverage([taken, [{ label: 'manager', enabled: 2, newStates: 1 }, { label: 'idle', enabled: 0, newStates: 0 }]])
    expect(merged.at(-1)).toEqual({ label: 'idle', enabled: 0, newStates: 0 })
    expect(merged.find((c) => c.label === 'manager')!.enabled).toBe(taken.find((c) => c.label === 'manager')!.enabled + 2)
  })

  it('is not reported for random walks', async () => {
    const r = await check('twophase', { rms: 3 }, { strategy: 'sim', walks: 10 })
    expect(r.actions).toBeUndefined()
  })
})

describe('analysis phases', () => {
  const phases = async (name: string, params: ParamValues): Promise<PhaseReport[]> => {
    const heard: PhaseReport[] = []
    await check(name, params, { onProgress: (p: ExploreProgress) => p.phase && heard.push(p.phase), progressEveryMs: 60_000 })
    return heard
  }

  it('liveness: properties done of total, then done', async () => {
    const heard = await phases('ring', { n: 4, k: 3 })
    expect(heard[0]).toEqual({ phase: 'checking liveness', done: 0, total: 1, unit: 'properties' })
    expect(heard).toContainEqual({ phase: 'checking liveness', done: 1, total: 1, unit: 'properties' })
    expect(heard.at(-1)).toEqual({ phase: 'done' })
    expect(heard.some((h) => h.phase === 'building traces')).toBe(false)
  })

  it('traces: traces built of total, after liveness', async () => {
    // twophase: the witness of "all-committed" (sometimes) is a trace to build; no liveness property.
    const heard = await phases('twophase', { rms: 3 })
    expect(heard.map((h) => h.phase)).toEqual(['building traces', 'building traces', 'done'])
    expect(heard[0]).toMatchObject({ done: 0, total: 1, unit: 'traces' })
    expect(heard[1]).toMatchObject({ done: 1, total: 1, unit: 'traces' })
  })

  it('a liveness pass that rebuilds the graph reports the states done of the known total', () => {
    const model = createRing(7, 4, false) as AnyModel
    const heard: PhaseReport[] = []
    checkLiveness(model, 'ring', undefined, (r) => heard.push(r), 16_384)
    const states = heard.filter((h) => h.unit === 'states')
    expect(states.map((h) => h.done)).toEqual([0, 4096, 8192, 12288])
    expect(states.every((h) => h.total === 16_384 && h.phase === 'checking liveness')).toBe(true)
    expect(heard.at(-1)).toEqual({ phase: 'checking liveness', done: 1, total: 1, unit: 'properties' })
  })

  it('a resumed run rebuilds the graph for liveness and reports states rebuilt of the unique count; it has no coverage', async () => {
    const file = join(tempDir(), 'rs.ckpt')
    const config = {
      model: 'replicaset-scale', params: {}, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false,
    } as const
    const crashed = await runCheck(checkRequest(config, { checkpoint: { file, everyMs: 0 }, testCrashAfterCheckpointDepth: 4 }), () => {}).done
    expect(crashed.ok).toBe(false)
    const heard: PhaseReport[] = []
    const resumed = await runCheck(checkRequest(config, { checkpoint: { file, everyMs: 0, resume: true } }), (p) => p.phase && heard.push(p.phase)).done
    if (!resumed.ok) throw new Error(resumed.message)
    expect(heard[0]).toMatchObject({ phase: 'checking liveness', unit: 'properties', done: 0 })
    expect(heard).toContainEqual({ phase: 'checking liveness', done: 0, total: resumed.result.unique, unit: 'states' })
    expect(heard.at(-1)).toEqual({ phase: 'done' })
    expect(resumed.result.actions).toBeUndefined()
  })
})
