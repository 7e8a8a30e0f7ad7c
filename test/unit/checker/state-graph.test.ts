// The graph recorded during the search equals the one a single-threaded pass builds: same ids, BFS tree, edge
// order, groups, boundary and property values, whatever the number of explorers and the order they expand in;
// and a parallel check's liveness results (verdicts, traces, convergence figures) equal the rebuilt graph's.
import { describe, expect, it } from 'vitest'
import { buildGraph, checkLiveness, graphRebuilds, type Graph } from '../../../src-main/checker/liveness.ts'
import type { Model, Property } from '../../../src-main/checker/model.ts'
import { fingerprintState, encodeState } from '../../../src-main/checker/state-key.ts'
import { assembleGraph, GraphRecorder, livenessBits } from '../../../src-main/checker/state-graph.ts'
import { VisitedSet } from '../../../src-main/checker/visited.ts'
import { getModelDefinition } from '../../../src-main/models/registry.ts'
import { mulberry32 } from '../../../src-main/checker/rng.ts'
import { check } from './helpers.ts'

type M = Model<unknown, unknown>

function liveProps(m: M): Property<unknown>[] {
  return m.properties.filter((p) => p.kind === 'eventually' || p.kind === 'converges') as Property<unknown>[]
}

/**
 * What W explorers record, with the frontier expanded in a seeded random order (as racing threads would): state
 * ids k·W + w for the k-th state explorer w stores, roots −(i + 2).
 */
function recordShuffled(m: M, W: number, seed: number) {
  const props = liveProps(m)
  const rng = mulberry32(seed)
  const recs = Array.from({ length: W }, () => new GraphRecorder())
  const stored = new Array(W).fill(0)
  const visited = new VisitedSet()
  const fp = new Int32Array(2)
  let frontier: { id: number; bytes: Uint8Array }[] = []
  m.init().forEach((s, i) => {
    fingerprintState(m, s, fp)
    if (visited.insert(fp[0], fp[1], 0) < 0) frontier.push({ id: -(i + 2), bytes: encodeState(m, s) })
  })
  while (frontier.length > 0) {
    const next: typeof frontier = []
    while (frontier.length > 0) {
      const at = rng() % frontier.length
      const { id, bytes } = frontier[at]
      frontier[at] = frontier[frontier.length - 1]
      frontier.pop()
      const w = rng() % W
      const rec = recs[w]
      const s = m.decode(bytes)
      rec.expanding(id)
      if (m.within && !m.within(s)) {
        rec.boundary()
        continue
      }
      m.actions(s).forEach((a, ai) => {
        const t = m.next(s, a)
        if (t === undefined) return
        fingerprintState(m, t, fp)
        rec.successor(fp[0], fp[1], ai, m.groupOf ? m.groupOf(a) : 0)
        if (visited.insert(fp[0], fp[1], 0) >= 0) return
        rec.stored(fp[0], fp[1], livenessBits(props, t))
        next.push({ id: stored[w]++ * W + w, bytes: encodeState(m, t) })
      })
    }
    frontier = next
  }
  return recs.map((r) => r.take())
}

function plain(g: Graph) {
  return {
    n: g.n,
    parent: Array.from(g.parent.data.subarray(0, g.n)),
    via: Array.from(g.via.data.subarray(0, g.n)),
    off: Array.from(g.off),
    to: Array.from(g.to),
    act: Array.from(g.act),
    grp: Array.from(g.grp),
    boundary: Array.from(g.boundary),
    values: g.values.map((v) => Array.from(v)),
  }
}

const cases: [string, Record<string, unknown>][] = [
  ['ring', { n: 4, k: 2 }],
  ['spinner', {}],
  ['job-single', { consistency: 'resettable-session', instances: 1 }],
  ['statefulset-available', { consistency: 'monotonic-session', instances: 2 }],
  ['statefulset-scale', { consistency: 'optimistic', instances: 1 }],
]

describe('the recorded graph', () => {
  for (const [id, params] of cases) {
    it(`${id}: equals the single-threaded build for 1, 2 and 3 explorers in shuffled orders`, () => {
      const def = getModelDefinition(id)
      const m = def.create(params as never) as M
      const props = liveProps(m)
      expect(props.length).toBeGreaterThan(0)
      const want = plain(buildGraph(m, props))
      expect(want.n).toBeGreaterThan(3)
      for (const [W, seed] of [[1, 1], [2, 7], [3, 42]]) {
        const g = assembleGraph(m, props, recordShuffled(m, W, seed))
        expect(g, `W=${W}`).not.toBeNull()
        expect(plain(g!)).toEqual(want)
      }
    })
  }

  it('a record that misses a state is refused (the caller rebuilds the graph)', () => {
    const m = getModelDefinition('ring').create({ n: 4, k: 2 } as never) as M
    const cols = recordShuffled(m, 2, 3)
    const short = { ...cols[1], from: cols[1].from.slice(0, -1), count: cols[1].count.slice(0, -1) }
    expect(assembleGraph(m, liveProps(m), [cols[0], short])).toBeNull()
  })
})

describe('liveness from the recorded graph', () => {
  it('a parallel check reports what the rebuilt graph gives: verdicts, counterexamples, convergence', async () => {
    for (const [id, params] of [cases[0], cases[3]]) {
      const m = getModelDefinition(id).create(params as never) as M
      const rebuilt = checkLiveness(m, id)
      const before = graphRebuilds.count
      const r = await check(id, params as never, { workers: 2 })
      expect(graphRebuilds.count, 'the check used the graph its explorers recorded').toBe(before)
      expect(r.complete).toBe(true)
      for (const [name, want] of rebuilt) {
        const got = r.properties.find((p) => p.name === name)!
        expect(got).toEqual(want)
      }
    }
  })
})
