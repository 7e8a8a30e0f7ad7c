// A Job's pods to the end, as Kubernetes runs them: the kubelet remembers a runOnce container that ran to
// completion, so a Succeeded report the datastore loses (an optimistic rollback) is made again instead of the pod
// being taken for one whose container was lost; the Job fails once more than spec.backoffLimit pods have failed.
// Without the first, an optimistic store turned every success into a failure and the Job's state space had no end.
import { describe, expect, it } from 'vitest'
import { checkLiveness } from '../../../src-main/checker/liveness.ts'
import type { Model } from '../../../src-main/checker/model.ts'
import { explore } from '../../../src-main/checker/reference-bfs.ts'
import { kubelet, splitContainers } from '../../../src-main/models/orchestration/controllers/kubelet.ts'
import { syncJob } from '../../../src-main/models/orchestration/controllers/job.ts'
import type { OAction, OState } from '../../../src-main/models/orchestration/model.ts'
import { emptyCluster, TRACKING_FINALIZER, type Cluster, type Job, type Pod } from '../../../src-main/models/orchestration/resources.ts'
import { createScenario } from '../../../src-main/models/orchestration/scenarios.ts'

const FULL = { maxDepth: 0, timeoutMs: 0, maxStates: 0, stopOnViolation: false }

const owner = { kind: 'Job', name: 'batch', uid: 'u0-Job-batch' } as const
function pod(name: string, phase: Pod['status']['phase'], finalizers: string[] = [TRACKING_FINALIZER]): Pod {
  return {
    meta: { name, uid: `u${name.slice(-4)}`, rv: 5, generation: 1, labels: { job: 'batch' }, owner, finalizers },
    spec: { image: 'batch:1', runOnce: true, nodeName: 'node1' },
    status: { phase, ready: phase === 'Running' },
  }
}
function job(status: Partial<Job['status']> = {}, backoffLimit = 6): Job {
  return {
    meta: { name: 'batch', uid: 'u0-Job-batch', rv: 4, generation: 1, labels: { job: 'batch' }, finalizers: [] },
    spec: { parallelism: 1, completions: 1, suspend: false, backoffLimit, template: { labels: { job: 'batch' }, image: 'batch:1' } },
    status: { active: 0, ready: 0, succeeded: 0, failed: 0, uncounted: [], complete: false, backoffLimitExceeded: false, observedGeneration: 1, observedRevision: 3, ...status },
  }
}
function cluster(pods: Pod[], j?: Job): Cluster {
  const c = emptyCluster()
  c.objs.Node.node1 = { meta: { name: 'node1', uid: 'u0-Node-node1', rv: 1, generation: 1, labels: {}, finalizers: [] }, spec: { capacity: 4 }, status: { ready: true } }
  for (const p of pods) c.objs.Pod[p.meta.name] = p
  if (j) c.objs.Job[j.meta.name] = j
  return c
}

describe('the kubelet remembers runOnce containers that ran to completion', () => {
  const k = kubelet('node1', 4)
  const step = (p: Pod, running: string[]) => k.step({ view: cluster([p]), rev: 9, revs: [9], running })!

  it('finishing a container reports Succeeded and keeps it as exited', () => {
    const r = step(pod('batch-0002', 'Running'), ['batch-0002@u0002'])
    expect(r.write).toMatchObject({ op: 'update', obj: { status: { phase: 'Succeeded' } } })
    expect(splitContainers(r.running!)).toEqual({ running: [], exited: ['exited:batch-0002@u0002'] })
  })

  it('a pod seen Running (or Pending) again after its container exited is reported Succeeded again, not Failed, and not restarted', () => {
    for (const phase of ['Running', 'Pending'] as const) {
      const r = step(pod('batch-0002', phase), ['exited:batch-0002@u0002'])
      expect(r.write).toMatchObject({ op: 'update', obj: { status: { phase: 'Succeeded' } } })
      expect(r.running).toEqual(['exited:batch-0002@u0002'])
    }
  })

  it('a long-running pod whose container is not running is restarted in the same step as the write the view needs next', () => {
    // A step that writes nothing moves the kubelet's session past its view: had it only restarted web-0001, the
    // pending web-0002 in that view would wait for a write that may never come (a matrix run saw converges stuck so).
    const long = (name: string, phase: Pod['status']['phase']): Pod => ({ ...pod(name, phase, []), spec: { image: 'web:1', nodeName: 'node1' } })
    const both = k.step({ view: cluster([long('web-0001', 'Running'), long('web-0002', 'Pending')]), rev: 9, revs: [9], running: [] })!
    expect(both.write).toMatchObject({ op: 'update', obj: { meta: { name: 'web-0002' }, status: { phase: 'Running' } } })
    expect(both.running).toEqual(['web-0001@u0001', 'web-0002@u0002'])
    const alone = k.step({ view: cluster([long('web-0001', 'Running')]), rev: 9, revs: [9], running: [] })!
    expect(alone).toEqual({ running: ['web-0001@u0001'] })
    expect(k.step({ view: cluster([long('web-0001', 'Running')]), rev: 9, revs: [9], running: ['web-0001@u0001'] })).toBeUndefined()
  })

  it('without that memory (a node restart clears it) a Running pod with no container was lost: Failed', () => {
    const r = step(pod('batch-0002', 'Running'), [])
    expect(r.write).toMatchObject({ op: 'update', obj: { status: { phase: 'Failed' } } })
  })

  it('exited containers are not running ones: pod-on-one-node does not count them', () => {
    const m = createScenario('job-single', { consistency: 'causal', instances: 2 }) as Model<OState, OAction>
    const s0 = m.init()[0]
    const check = (runs: string[][]): boolean => {
      let n = 0
      const s = { ...s0, c: s0.c.map((c) => (c.run ? { ...c, run: runs[n++] } : c)) }
      return m.properties.find((p) => p.name === 'pod-on-one-node')!.check(s)
    }
    expect(check([['exited:batch-0002@u0002'], ['batch-0002@u0002']])).toBe(true)
    expect(check([['batch-0002@u0002'], ['batch-0002@u0002']])).toBe(false)
  })
})

describe('spec.backoffLimit', () => {
  it('more failed pods than the limit (counted or recorded) fail the Job; up to the limit, a failed pod is replaced', () => {
    const at = { observedRevision: 9 }
    expect(syncJob(cluster([], job({ failed: 6 })), at, job({ failed: 6 }))).toMatchObject({ op: 'create', kind: 'Pod' })
    const failing = job({ failed: 6, uncounted: ['u0007:F'] })
    const recorded = syncJob(cluster([pod('batch-0007', 'Failed', [])], failing), at, failing)
    expect(recorded).toMatchObject({ op: 'update', kind: 'Job', obj: { status: { failed: 7, uncounted: [] } } })
    const over = job({ failed: 7 })
    expect(syncJob(cluster([], over), at, over)).toMatchObject({ op: 'update', kind: 'Job', obj: { status: { backoffLimitExceeded: true, complete: false } } })
  })

  it('a failed Job lets go of its pods, deletes the active ones and creates none', () => {
    const failed = job({ failed: 7, backoffLimitExceeded: true })
    const holding = cluster([pod('batch-0009', 'Running')], failed)
    expect(syncJob(holding, { observedRevision: 9 }, failed)).toMatchObject({ op: 'update', kind: 'Pod', obj: { meta: { finalizers: [] } } })
    const freed = cluster([pod('batch-0009', 'Running', [])], failed)
    expect(syncJob(freed, { observedRevision: 9 }, failed)).toMatchObject({ op: 'delete', kind: 'Pod', name: 'batch-0009' })
    const idle = cluster([pod('batch-0009', 'Failed', [])], failed)
    // Then it rests, failed: nothing left to do, and never complete.
    expect(syncJob(idle, { observedRevision: 9 }, failed)).toBeUndefined()
  })

  it('job-single, synchronous, one node restart: with backoffLimit 0 the Job fails and never converges; with 1 (or the default 6) it completes', () => {
    const converges = (backoffLimit?: number) => {
      const m = createScenario('job-single', { consistency: 'synchronous', nodeRestarts: 1, ...(backoffLimit !== undefined ? { backoffLimit } : {}) })
      return { unique: explore(m, FULL).unique, r: checkLiveness(m as Model<unknown, unknown>, 'job-single').get('converges')! }
    }
    const zero = converges(0)
    expect(zero.unique).toBe(303)
    expect(zero.r.status).toBe('violated')
    expect(zero.r.convergence).toMatchObject({ oscillations: 0, stuck: 7 })
    for (const limit of [1, undefined]) {
      const ok = converges(limit)
      expect(ok.unique).toBe(275)
      expect(ok.r.status).toBe('holds')
      expect(ok.r.convergence).toMatchObject({ stuck: 0, worstSteps: 17 })
    }
  })
})

describe('job-single under optimistic: a rolled-back success is reported again', () => {
  it.each([
    [1, 40, 14],
    [2, 164, 25],
  ])('%i instance(s): the rollback happens, the kubelet reports Succeeded again, and the Job converges (%i states, worst %i steps)', (instances, unique, worst) => {
    const m = createScenario('job-single', { consistency: 'optimistic', instances }) as Model<OState, OAction>
    const kubeletAt = m.groups!.findIndex((g) => g.name === 'kubelet-node1') / 2
    // Walk the whole space: some step of the kubelet re-reports a container it remembers as exited.
    const fp = new Int32Array(2)
    const seen = new Set<string>()
    let frontier = m.init()
    let reReported = 0
    while (frontier.length > 0) {
      const next: OState[] = []
      for (const s of frontier) {
        m.fingerprint!(s, fp)
        const key = `${fp[0]}:${fp[1]}`
        if (seen.has(key)) continue
        seen.add(key)
        const exited = splitContainers(s.c[kubeletAt].run ?? []).exited
        for (const a of m.actions(s)) {
          const t = m.next(s, a)
          if (!t) continue
          if (a.t === 'step' && a.i === kubeletAt && exited.length > 0 && /Running" → "Succeeded"|Pending" → "Succeeded"/.test(m.explain!(s, a))) reReported++
          next.push(t)
        }
      }
      frontier = next
    }
    expect(seen.size).toBe(unique)
    expect(reReported).toBeGreaterThan(0)
    const r = checkLiveness(m as Model<unknown, unknown>, 'job-single').get('converges')!
    expect(r.status).toBe('holds')
    expect(r.convergence).toMatchObject({ oscillations: 0, stuck: 0, worstSteps: worst })
  })
})
