// The property catalogue: each property has an id, a one-line meaning and a kind. "Stable" (as in Themelios): the
// object's own status write is the newest write in the cluster and it has observed its generation. Properties read
// the head view (causal: the merge of all heads) and the kubelets' running containers (the real world, which no
// datastore rollback undoes) — except the "status when stable" family (rs-/sts-/job-status-when-stable,
// job-finished-tracked, dep-old-rs-scaled-down), which judge a status against the view the controller computed it
// from: view_at(status.observedRevision) (Themelios' observed_revision; a causal merge of heads: the merge of
// status.observedMerge). Under a level with stale reads the newest write may be a status computed from an old view;
// Kubernetes tolerates that (the next reconcile corrects it), so it is not a violation. What stale data really
// breaks shows in the safety properties on the real world (pod-on-one-node, sts-one-pod-per-ordinal) and in
// `converges`. When that view is no longer retained in the bounded history (pruned, or a status never written:
// observedRevision 0) the check is skipped for that object.
// The predicates themselves are in property-checks.ts, written once over a view that live mode builds too; here are
// their meanings and the model state's view.
import { bindProperties, propertyInfos, type PropertyDecl } from '../../checker/model.ts'
import type { PropertyKind } from '../../../src-shared/types.ts'
import type { ModelContext, OState } from './model.ts'
import { merge } from './history.ts'
import { CHECKS, workloadConvergesCheck, type PropertyId, type PropertyView, type WorkloadKind } from './property-checks.ts'
import type { Cluster, Observed } from './resources.ts'

export type { PropertyId, WorkloadKind } from './property-checks.ts'

/**
 * The view a status was computed from: the retained entry at status.observedRevision, or the merge of the retained
 * entries in status.observedMerge (causal). undefined when any of them has been pruned (or was never written).
 */
export function observedView(s: OState, o: { status: Observed }): Cluster | undefined {
  const revs = o.status.observedMerge ?? [o.status.observedRevision]
  const parts: Cluster[] = []
  for (const r of revs) {
    const e = s.h.e.find((x) => x.rev === r)
    if (!e) return undefined
    parts.push(e.c)
  }
  return merge(parts)
}

/** A model state as the property checks see it (property-checks.ts); the head view is computed once per state. */
class StateView implements PropertyView {
  readonly ctx: ModelContext
  readonly s: OState
  private head: { c: Cluster; rev: number } | null = null
  constructor(ctx: ModelContext, s: OState) {
    this.ctx = ctx
    this.s = s
  }
  private headOf(): { c: Cluster; rev: number } {
    if (this.head === null) {
      const h = this.ctx.head(this.s)
      this.head = { c: h.c, rev: Math.max(...h.revs) }
    }
    return this.head
  }
  get cluster(): Cluster {
    return this.headOf().c
  }
  get rev(): number {
    return this.headOf().rev
  }
  retained(): Iterable<Cluster> {
    return this.s.h.e.map((e) => e.c)
  }
  *running(): Iterable<readonly [string, readonly string[]]> {
    const { ctx, s } = this
    for (let i = 0; i < ctx.controllers.length; i++) {
      const c = ctx.controllers[i]
      if (c.kind === 'kubelet') yield [c.node!, s.c[i].run ?? []]
    }
  }
  observed(o: { status: Observed }): Cluster | undefined {
    return observedView(this.s, o)
  }
  quiescent(): boolean {
    return this.ctx.quiescent(this.s)
  }
}

/** One view per state, shared by all of its property checks (they run one after another on each new state). */
function viewOf(ctx: ModelContext): (s: OState) => PropertyView {
  let last: OState | null = null
  let view: PropertyView | null = null
  return (s) => {
    if (s !== last || view === null) {
      last = s
      view = new StateView(ctx, s)
    }
    return view
  }
}

/** What each property means; its check is in property-checks.ts, shared with live mode. */
const CATALOGUE: Readonly<Record<PropertyId, { kind: PropertyKind; description: string }>> = {
  'unique-names': {
    kind: 'always',
    description:
      'In every retained datastore state, no two objects of one kind share a name or a uid.',
  },
  'pod-on-one-node': {
    kind: 'always',
    description:
      'A pod — one object by uid, and one name (two running copies of db-0 are the kubernetes#59848 bug) — has running containers on at most one node at a time.',
  },
  'sts-one-pod-per-ordinal': {
    kind: 'always',
    description:
      'At most one pod of each StatefulSet ordinal is running at a time, across all nodes.',
  },
  'rs-status-when-stable': {
    kind: 'always',
    description:
      'When a ReplicaSet is stable, status.replicas and status.ready equal its active and ready pods in the view the status was computed from (observedRevision; skipped once that view is pruned).',
  },
  'rs-stable-at-spec': {
    kind: 'always',
    description:
      'When a ReplicaSet is stable, status.replicas equals spec.replicas.',
  },
  'sts-status-when-stable': {
    kind: 'always',
    description:
      'When a StatefulSet is stable, status.replicas and status.ready equal its live and ready pods in the view the status was computed from (observedRevision; skipped once that view is pruned).',
  },
  'sts-first-ordinal': {
    kind: 'always',
    description:
      'When a StatefulSet is stable and has pods, ordinal 0 is among them (ordered start).',
  },
  'dep-hash-consistent': {
    kind: 'always',
    description:
      "A Deployment's ReplicaSets carry one pod-template-hash in selector, labels and template, suffixing the name.",
  },
  'dep-pods-hash': {
    kind: 'always',
    description:
      "Every pod of a Deployment's ReplicaSet carries that ReplicaSet's pod-template-hash.",
  },
  'dep-old-rs-scaled-down': {
    kind: 'always',
    description:
      'When a Deployment (not paused) is stable and its status says complete, its old ReplicaSets have spec.replicas 0 in the view that status was computed from (observedRevision; skipped once pruned).',
  },
  'dep-no-rs-while-paused': {
    kind: 'always',
    description:
      'No ReplicaSet is created for a Deployment after it was paused (while it stays paused).',
  },
  'job-status-when-stable': {
    kind: 'always',
    description:
      'When a Job is stable, status.active and status.ready equal its active and ready pods in the view the status was computed from (observedRevision; skipped once that view is pruned).',
  },
  'job-finished-tracked': {
    kind: 'always',
    description:
      'When a Job is stable, each finished pod still holding the tracking finalizer in the view its status was computed from (observedRevision; skipped once pruned) is recorded in status.uncounted.',
  },
  'rs-ready': {
    kind: 'sometimes',
    description:
      'Some reachable state has every ReplicaSet at spec.replicas ready pods, with status saying so.',
  },
  'sts-ready': {
    kind: 'sometimes',
    description:
      'Some reachable state has every StatefulSet with all replicas ready and up to date, with status saying so.',
  },
  'dep-complete': {
    kind: 'sometimes',
    description:
      'Some reachable state has every Deployment complete: all replicas updated and available, old ReplicaSets at 0.',
  },
  'job-complete': {
    kind: 'sometimes',
    description:
      'Some reachable state has every Job complete with its tracking finalizers removed.',
  },
  converges: {
    kind: 'converges',
    description:
      'Self-stabilisation: once user and fault actions stop, every fair path reaches and stays in a state where every workload status matches its spec and no controller has anything left to do.',
  },
}

type Decl = PropertyDecl<OState, (s: OState) => PropertyView>

const declOf = (id: PropertyId): Decl => {
  const check = CHECKS[id]
  return { name: id, ...CATALOGUE[id], check: (view) => (s) => check(view(s)) }
}

/**
 * Per-resource self-stabilisation, for scenarios with several workloads: `converges-<name>` says which of them
 * fails to settle. Same goal as `converges`, restricted to one object (absent counts as not converged).
 */
function workloadConverges(kind: WorkloadKind, name: string): Decl {
  const check = workloadConvergesCheck(kind, name)
  return {
    name: `converges-${name}`,
    kind: 'converges',
    description: `Self-stabilisation of ${kind} ${name}: every fair path reaches and stays in a state where its status matches its spec and no controller has anything left to do.`,
    check: (view) => (s) => check(view(s)),
  }
}

/** A scenario's properties, declared once: its ids from the catalogue, then one `converges-<name>` per listed workload. */
export function scenarioProperties(ids: readonly PropertyId[], convergesEach: readonly [WorkloadKind, string][] = []): readonly Decl[] {
  return [...ids.map(declOf), ...convergesEach.map(([k, n]) => workloadConverges(k, n))]
}

/** The ModelInfo view of a scenario's properties. */
export const scenarioPropertyInfos = (decls: readonly Decl[]) => propertyInfos(decls)

/** A scenario's properties for one model instance. */
export const bindScenarioProperties = (decls: readonly Decl[], ctx: ModelContext) => bindProperties(decls, viewOf(ctx))
