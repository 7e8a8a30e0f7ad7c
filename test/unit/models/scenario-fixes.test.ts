// The model fixes that let known failures show (issue: right answers on the Kubernetes matrix): N instances means
// N of every controller and N nodes; a pod is one pod by uid and by name; eventual freshness in the fairness; a
// complete Job lets go of its pods; the published scenario parameters.
import { describe, expect, it } from 'vitest'
import { checkLiveness } from '../../../src-main/checker/liveness.ts'
import type { Model } from '../../../src-main/checker/model.ts'
import type { OAction, OState } from '../../../src-main/models/orchestration/model.ts'
import { createScenario, orchestrationScenarios } from '../../../src-main/models/orchestration/scenarios.ts'

const kubelets = (m: ReturnType<typeof createScenario>): string[] => (m.groups ?? []).map((g) => g.name).filter((n) => n.startsWith('kubelet-') && !n.endsWith(')'))

describe('instances: N of every controller, kubelets included', () => {
  it('two instances bring two nodes unless nodes is set; a scenario with more nodes keeps them', () => {
    expect(kubelets(createScenario('replicaset-scale', { instances: 2 }))).toEqual(['kubelet-node1', 'kubelet-node2'])
    expect(kubelets(createScenario('replicaset-scale', { instances: 1 }))).toEqual(['kubelet-node1'])
    expect(kubelets(createScenario('replicaset-scale', { instances: 2, nodes: 1 }))).toEqual(['kubelet-node1'])
    expect(kubelets(createScenario('statefulset-stale-reads', { instances: 1 }))).toEqual(['kubelet-node1', 'kubelet-node2'])
    expect(kubelets(createScenario('job-single', { instances: 3 })).length).toBe(3)
    const nodes = orchestrationScenarios[0].info.params.find((p) => p.name === 'nodes')!
    expect(nodes.default).toBe(0)
  })
})

describe('pod identity: by uid and by name', () => {
  const m = createScenario('statefulset-stale-reads', { consistency: 'causal', instances: 1 }) as Model<OState, OAction>
  const s0 = m.init()[0]
  const k = m.groups!.map((g) => g.name).filter((n) => !n.endsWith(')'))
  const i1 = k.indexOf('kubelet-node1')
  const i2 = k.indexOf('kubelet-node2')
  const withRuns = (a: string[], b: string[]): OState => ({ ...s0, c: s0.c.map((c, i) => (i === i1 ? { ...c, run: a } : i === i2 ? { ...c, run: b } : c)) })
  const check = (name: string, s: OState): boolean => m.properties.find((p) => p.name === name)!.check(s)

  it('two running copies of db-0 (two uids) on two nodes violate pod-on-one-node, as kubernetes#59848', () => {
    expect(check('pod-on-one-node', withRuns(['db-0@u0003'], ['db-0@u0009']))).toBe(false)
    expect(check('sts-one-pod-per-ordinal', withRuns(['db-0@u0003'], ['db-0@u0009']))).toBe(false)
  })
  it('one pod (one uid) on two nodes violates it too; one copy on one node does not', () => {
    expect(check('pod-on-one-node', withRuns(['db-0@u0003'], ['db-0@u0003']))).toBe(false)
    expect(check('pod-on-one-node', withRuns(['db-0@u0003'], []))).toBe(true)
    expect(check('pod-on-one-node', withRuns(['db-0@u0003'], ['zspare-pod@u0-Pod-zspare-pod']))).toBe(true)
  })
})

describe('eventual freshness', () => {
  it('each controller has a fair group for its steps from the freshest view and one for stale reads', () => {
    const m = createScenario('job-single', { consistency: 'resettable-session', instances: 2, nodes: 1 }) as Model<OState, OAction>
    const s = m.init()[0]
    const steps = m.actions(s).filter((a) => a.t === 'step')
    const fresh = steps.filter((a) => a.t === 'step' && a.fresh)
    expect(fresh.length).toBeGreaterThan(0)
    for (const a of steps) {
      const g = m.groups![m.groupOf!(a)]
      expect(g.fair).toBe(true)
      expect(g.name.endsWith('(stale reads)')).toBe(a.t === 'step' && !a.fresh)
    }
  })

  it('job-single, resettable-session, 2 instances, 1 node: converges holds (a controller re-reading a stale revision is not an oscillation; the Job frees the pod deleted while Pending)', () => {
    // With idle reads (as published) the re-read whose write is rejected is a step, and eventual freshness makes a
    // path of nothing else unfair; without them (the default) it is no step at all. Either way: no oscillation.
    const converge = (idleReads: boolean) => {
      const m = createScenario('job-single', { consistency: 'resettable-session', instances: 2, nodes: 1, idleReads })
      return checkLiveness(m as Model<unknown, unknown>, 'job-single').get('converges')!
    }
    const [published, reduced] = [converge(true), converge(false)]
    for (const r of [published, reduced]) {
      expect(r.status).toBe('holds')
      expect(r.convergence).toMatchObject({ oscillations: 0, stuck: 0, leavesGoal: 0 })
    }
    expect(published.convergence!.worstSteps).toBeGreaterThan(20)
    // The same worst path without its rejected writes.
    expect(reduced.convergence!.worstSteps).toBeGreaterThan(10)
    expect(reduced.convergence!.worstSteps).toBeLessThan(published.convergence!.worstSteps)
  })
})

describe('published parameters', () => {
  it('job-parallel runs with parallelism 5; statefulset-stale-reads has the unscheduled spare pod (switchable)', () => {
    const job = createScenario('job-parallel').describe(createScenario('job-parallel').init()[0]) as { resources: { Job: Record<string, { spec: { parallelism: number } }> } }
    expect(job.resources.Job.batch.spec.parallelism).toBe(5)
    const pods = (p: Record<string, boolean>): string[] => {
      const m = createScenario('statefulset-stale-reads', p)
      return Object.keys((m.describe(m.init()[0]) as { resources: { Pod?: Record<string, unknown> } }).resources.Pod ?? {})
    }
    expect(pods({})).toEqual(['zspare-pod'])
    expect(pods({ sparePod: false })).toEqual([])
  })
})
