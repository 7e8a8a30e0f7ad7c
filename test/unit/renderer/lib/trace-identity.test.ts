// Stable identities in an orchestration trace (display side), on a real counterexample: kubernetes#59848 under
// resettable sessions, where one pod name is used by two pods and the model renumbers uids between steps.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openLab } from '../../../../src-main/lab/open-lab.ts'
import { bookkeepingPaths, stableTrace } from '../../../../src-renderer/lib/trace-identity.ts'
import { actorOf, sequenceOf } from '../../../../src-renderer/lib/sequence.ts'
import { diffJson } from '../../../../src-shared/json-diff.ts'
import type { TraceStep } from '../../../../src-shared/types.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const dir = tempDir()
const opened = openLab(join(dir, 'ti.db'), { flushEveryMs: 100 })
afterAll(() => opened.close())

async function staleReadsTrace(): Promise<TraceStep[]> {
  const { lab } = opened
  const r = await lab.startRun({
    model: 'statefulset-stale-reads', params: { consistency: 'resettable-session', nodeRestarts: 1, history: 3, sparePod: false }, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: true,
  })
  await lab.waitForRun(r.id)
  return (await lab.getRun(r.id)).properties.find((p) => p.name === 'sts-one-pod-per-ordinal')!.trace!
}

const rawUid = /\bu\d{4,}\b/

describe('stable identities in traces', () => {
  it('labels each pod incarnation once for the whole trace; effects name what the state shows; diffs carry no renumbering', async () => {
    const raw = await staleReadsTrace()
    // The model keeps raw revisions (it fingerprints states up to renaming instead of renumbering them): no pod's
    // uid changes between steps unless the pod itself was replaced.
    expect(raw.some((s, i) => i > 0 && diffJson(raw[i - 1].state, s.state).some((c) => c.path.endsWith('.meta.uid') && c.kind === 'changed'))).toBe(false)

    const { steps } = stableTrace(raw)
    const text = JSON.stringify(steps)
    expect(text).not.toMatch(rawUid)
    expect(text).toContain('db-0#1')
    expect(text).toContain('db-0#2')
    for (let i = 1; i < steps.length; i++) {
      const changes = diffJson(steps[i - 1].state, steps[i].state)
      expect(changes.filter((c) => c.path.endsWith('.meta.uid'))).toEqual([])
      // Every pod label an effect names is in that step's state.
      for (const label of steps[i].effect?.match(/db-0#\d+/g) ?? []) expect(JSON.stringify(steps[i].state)).toContain(label)
      // History and other controllers' sessions are bookkeeping; what is left is the acting controller's doing.
      const { actor, read } = actorOf(steps[i].action!)
      const book = bookkeepingPaths(changes, read !== null ? actor : undefined)
      for (const c of changes.filter((x) => !book.has(x.path))) {
        expect(c.path).not.toMatch(/^history/)
        if (read !== null && c.path.startsWith('controllers')) expect(c.path).toContain(actor)
      }
    }
  })

  it('lays the trace out as lanes: each controller, what it read and wrote, rejected writes marked', async () => {
    const seq = sequenceOf(stableTrace(await staleReadsTrace()).steps)
    expect(seq.actors).toContain('kubelet-node1')
    expect(seq.actors.at(-1)).toBe('faults')
    const rejected = seq.rows.filter((r) => r.cell.rejected)
    expect(rejected.length).toBeGreaterThan(0)
    for (const r of seq.rows) if (r.actor !== 'faults') expect(r.cell.read).not.toBeNull()
  })
})
