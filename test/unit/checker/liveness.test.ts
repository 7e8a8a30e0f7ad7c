import { describe, expect, it } from 'vitest'
import { checkLiveness, tarjan } from '../../../src-main/checker/liveness.ts'
import { createRing } from '../../../src-main/models/ring.ts'
import { createSpinner } from '../../../src-main/models/spinner.ts'
import type { ActionGroup, Model } from '../../../src-main/checker/model.ts'
import type { PropertyResult } from '../../../src-shared/types.ts'
import { check } from './helpers.ts'

const live = (m: Parameters<typeof checkLiveness>[0], name: string): PropertyResult => checkLiveness(m, 'test').get(name)!
const actions = (r: PropertyResult): (string | null)[] => r.trace!.map((s) => s.action)

describe('iterative Tarjan', () => {
  it('finds the SCCs of a graph deeper than any call stack, in reverse topological order', () => {
    // A chain 0 → 1 → … → n-1 with a back edge n-1 → n/2: one SCC of n/2 nodes, and n/2 singletons.
    const n = 200_000
    const off = new Int32Array(n + 1)
    const to: number[] = []
    for (let v = 0; v < n; v++) {
      off[v] = to.length
      if (v + 1 < n) to.push(v + 1)
      else to.push(n / 2)
    }
    off[n] = to.length
    const sccs: number[][] = []
    tarjan({ n, off, to: Int32Array.from(to) }, () => true, () => true, (m) => sccs.push([m.length, Math.min(...m)]))
    expect(sccs.length).toBe(n / 2 + 1)
    expect(sccs[0]).toEqual([n / 2, n / 2])
    expect(sccs.at(-1)).toEqual([1, 0])
  })
})

describe('eventually', () => {
  it('a cycle that never finishes is a lasso counterexample', () => {
    const r = live(createSpinner(false, false, false), 'terminates')
    expect(r.status).toBe('violated')
    expect(r.counterexample).toBe('lasso')
    expect(r.loopStart).toBe(0)
    expect(actions(r)).toEqual([null, 'spin', 'spin', 'spin'])
    expect(r.trace!.map((s) => (s.state as { at: string }).at)).toEqual(['a', 'b', 'c', 'a'])
  })

  it('the same cycle is no counterexample when finishing is weakly fair', () => {
    expect(live(createSpinner(true, false, false), 'terminates').status).toBe('holds')
  })

  it('a dead end before the goal is a (finite) counterexample even under fairness', () => {
    const r = live(createSpinner(true, false, true), 'terminates')
    expect([r.status, r.counterexample]).toEqual(['violated', 'deadlock'])
    expect(actions(r)).toEqual([null, 'jam'])
  })
})

describe('converges', () => {
  it('spinner: oscillation without fairness, holds with it, leaves-goal with restart, stuck with a dead end', () => {
    const osc = live(createSpinner(false, false, false), 'settles')
    expect([osc.status, osc.counterexample, osc.loopStart]).toEqual(['violated', 'oscillation', 0])
    expect(osc.convergence!.oscillations).toBe(1)
    const fair = live(createSpinner(true, false, false), 'settles')
    expect(fair.status).toBe('holds')
    // a, b, c can spin (unfairly) for ever: no finite worst case for them.
    expect(fair.convergence).toMatchObject({ oscillations: 0, stuck: 0, leavesGoal: 0, unbounded: 3, stepsHistogram: [1] })
    const leaves = live(createSpinner(true, true, false), 'settles')
    expect([leaves.status, leaves.counterexample]).toEqual(['violated', 'leaves-goal'])
    expect(actions(leaves)).toEqual([null, 'finish', 'restart'])
    const stuck = live(createSpinner(true, false, true), 'settles')
    expect([stuck.status, stuck.counterexample]).toEqual(['violated', 'stuck'])
  })

  /** Independent check: peel non-goal states whose successors are all settled; returns worst steps or null if a cycle / dead end remains. */
  function bruteForceRing(n: number, k: number): { converges: boolean; hist: number[] } {
    const m = createRing(n, k, false)
    const all = m.init()
    const key = (s: Uint8Array): number => s.reduce((a, x, i) => a + x * k ** i, 0)
    const goal = (s: Uint8Array): boolean => m.properties[0].check(s)
    const steps = new Map<number, number>()
    for (const s of all) if (goal(s)) steps.set(key(s), 0)
    for (let changed = true; changed; ) {
      changed = false
      for (const s of all) {
        if (steps.has(key(s))) continue
        const succ = m.actions(s).map((a) => m.next(s, a)).filter((t): t is Uint8Array => t !== undefined)
        if (succ.length > 0 && succ.every((t) => steps.has(key(t)))) {
          steps.set(key(s), 1 + Math.max(...succ.map((t) => steps.get(key(t))!)))
          changed = true
        }
      }
    }
    const hist: number[] = []
    for (const v of steps.values()) hist[v] = (hist[v] ?? 0) + 1
    return { converges: steps.size === all.length, hist: Array.from(hist, (x) => x ?? 0) }
  }

  for (const [n, k] of [[3, 2], [4, 3], [5, 4]] as const) {
    it(`Dijkstra ring n=${n} K=${k} (K ≥ n−1) converges from every state; steps-to-converge match a brute force`, () => {
      const r = live(createRing(n, k, false), 'stabilises')
      const bf = bruteForceRing(n, k)
      expect(bf.converges).toBe(true)
      expect(r.status).toBe('holds')
      expect(r.convergence!.unbounded).toBe(0)
      expect(r.convergence!.stepsHistogram).toEqual(bf.hist)
      expect(r.convergence!.worstSteps).toBe(bf.hist.length - 1)
      expect(r.convergence!.stepsHistogram.reduce((a, b) => a + b, 0)).toBe(k ** n)
    })
  }

  for (const [n, k, fair] of [[4, 2, false], [4, 2, true], [5, 3, true]] as const) {
    it(`Dijkstra ring n=${n} K=${k}${fair ? ' (fair)' : ''}: does not converge, and shows the oscillation`, () => {
      const r = live(createRing(n, k, fair), 'stabilises')
      expect(bruteForceRing(n, k).converges).toBe(false)
      expect([r.status, r.counterexample]).toEqual(['violated', 'oscillation'])
      const trace = r.trace!
      const states = trace.map((s) => s.state as { x: number[]; privileged: string[] })
      const loop = r.loopStart!
      expect(states.at(-1)).toEqual(states[loop])
      expect(trace.length - 1 - loop).toBeGreaterThan(0)
      for (let i = loop; i < states.length; i++) expect(states[i].privileged.length).toBeGreaterThan(1)
      // every step moves a privileged machine
      for (let i = 1; i < trace.length; i++) expect(states[i - 1].privileged).toContain(trace[i].action!.slice(5, -1))
      if (fair) {
        // weak fairness: every machine that is privileged throughout the cycle moves in it
        const moved = new Set(trace.slice(loop + 1).map((s) => s.action))
        for (let m = 0; m < n; m++) {
          const always = states.slice(loop).every((s) => s.privileged.includes(`m${m}`))
          if (always) expect(moved.has(`move(m${m})`)).toBe(true)
        }
      }
    })
  }
})

describe('a lasso under a quotient (Model.fingerprint)', () => {
  it('a cycle that comes back to an equivalent state, not an identical one, is an oscillation with its trace', () => {
    // The spinner with a step counter the fingerprint leaves out, as the orchestration models leave out how their
    // revisions are numbered: replaying the cycle ends on the start's fingerprint, with a higher counter.
    const inner = createSpinner(false, false, false)
    type S = { s: number; n: number }
    const m: Model<S, string> = {
      init: () => inner.init().map((s) => ({ s, n: 0 })),
      actions: (x) => inner.actions(x.s),
      next: (x, a) => {
        const t = inner.next(x.s, a as never)
        return t === undefined ? undefined : { s: t, n: x.n + 1 }
      },
      encode: (x) => Uint8Array.of(x.s, x.n),
      decode: (b) => ({ s: b[0], n: b[1] }),
      fingerprint: (x, out) => {
        out[0] = x.s + 1
        out[1] = 7
      },
      formatAction: (a) => a,
      describe: (x) => ({ ...(inner.describe!(x.s) as object), n: x.n }),
      groups: inner.groups,
      groupOf: (a) => inner.groupOf!(a as never),
      properties: inner.properties.map((p) => ({ ...p, check: (x: S) => p.check(x.s) })),
    }
    const osc = live(m as Model<unknown, unknown>, 'settles')
    expect([osc.status, osc.counterexample, osc.loopStart]).toEqual(['violated', 'oscillation', 0])
    const states = osc.trace!.map((t) => t.state as { at: string; n: number })
    expect(states.map((x) => x.at)).toEqual(['a', 'b', 'c', 'a'])
    expect(states.at(-1)!.n).toBe(3)
  })
})

describe('liveness through the parallel checker', () => {
  it('ring and spinner verdicts come back in the run result with 2 workers', async () => {
    const ok = await check('ring', { n: 4, k: 3, fair: false }, { workers: 2 })
    expect(ok.unique).toBe(81)
    expect(ok.properties.map((p) => [p.name, p.status])).toEqual([
      ['stabilises', 'holds'],
      ['some-privileged', 'holds'],
    ])
    const bad = await check('spinner', { fair: false, leave: false, stuck: false }, { workers: 2 })
    expect(bad.properties.map((p) => [p.name, p.status, p.counterexample])).toEqual([
      ['terminates', 'violated', 'lasso'],
      ['settles', 'violated', 'oscillation'],
    ])
  })
})

/**
 * A graph as a model: states A, B and the goal G; each edge [from, to, group]. Groups p1 and p2 are two
 * interchangeable processes when `cls` is given (a symmetry-reduced graph), plain groups otherwise; q is a third.
 */
function graphModel(edges: [string, string, number][], cls: boolean): Model<string, number> {
  const names = ['p1', 'p2', 'q']
  const groups: ActionGroup[] = names.map((name, i) => ({ name, fair: true, ...(cls && i < 2 ? { cls: 'p' } : {}) }))
  return {
    init: () => ['A'],
    actions: () => edges.map((_, i) => i),
    next: (s, i) => (edges[i][0] === s ? edges[i][1] : undefined),
    encode: (s) => new TextEncoder().encode(s),
    decode: (b) => new TextDecoder().decode(b),
    formatAction: (i) => `${names[edges[i][2]]} ${edges[i][0]}→${edges[i][1]}`,
    describe: (s) => ({ at: s }),
    groups,
    groupOf: (i) => edges[i][2],
    properties: [{ name: 'settles', kind: 'converges', description: 'reaches G', check: (s) => s === 'G' }],
  }
}

describe('weak fairness per class on a symmetry-reduced graph', () => {
  const P1 = 0
  const P2 = 1
  const Q = 2
  const both = (edges: [string, string, number][]) => [live(graphModel(edges, false), 'settles'), live(graphModel(edges, true), 'settles')]

  it('a cycle fair per process is an oscillation without classes and only a candidate (unknown) with them', () => {
    // p1 spins A ↔ B; p2 could finish from A but is disabled in B: fair per process.
    const [plain, reduced] = both([['A', 'B', P1], ['B', 'A', P1], ['A', 'G', P2]])
    expect([plain.status, plain.counterexample]).toEqual(['violated', 'oscillation'])
    expect([reduced.status, reduced.trace]).toEqual(['unknown', undefined])
  })

  it('a cycle unfair per process (p2 always enabled, never taken) holds without classes; with them it cannot be told apart: unknown, never violated', () => {
    const [plain, reduced] = both([['A', 'B', P1], ['B', 'A', Q], ['A', 'G', P2], ['B', 'G', P2]])
    expect(plain.status).toBe('holds')
    expect(reduced.status).toBe('unknown')
  })

  it('a cycle unfair for the whole class (some member always enabled in every state, none taken) holds either way', () => {
    // q spins; p1 and p2 can both finish from A and from B and neither is ever taken on the cycle.
    const [plain, reduced] = both([['A', 'B', Q], ['B', 'A', Q], ['A', 'G', P1], ['B', 'G', P1], ['A', 'G', P2], ['B', 'G', P2]])
    expect(plain.status).toBe('holds')
    expect(reduced.status).toBe('holds')
    expect(reduced.convergence!.worstSteps).toBe(plain.convergence!.worstSteps)
  })

  it('a dead end is exact under the reduction: still a counterexample', () => {
    const [plain, reduced] = both([['A', 'B', P1], ['B', 'A', P1], ['A', 'X', P2]])
    expect([plain.status, plain.counterexample]).toEqual(['violated', 'oscillation'])
    // X is not the goal and has no step: stuck, reported with its trace, which the reduction does not blur.
    expect([reduced.status, reduced.counterexample, reduced.trace!.at(-1)!.state]).toEqual(['violated', 'stuck', { at: 'X' }])
  })
})

