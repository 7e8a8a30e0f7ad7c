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
import type { Property } from '../../checker/model.ts'
import type { PropertyInfo } from '../../../src-shared/types.ts'
import { replicaSetPods } from './controllers/replicaset.ts'
import { ordinalOf, statefulSetPods } from './controllers/statefulset.ts'
import type { ModelContext, OState } from './model.ts'
import { merge } from './history.ts'
import {
  HASH_LABEL,
  PAUSED_AT,
  createdAt,
  KINDS,
  TRACKING_FINALIZER,
  isTerminating,
  list,
  ownedBy,
  podActive,
  podFinished,
  podReady,
  type AnyObject,
  type Cluster,
  type Deployment,
  type Job,
  type Meta,
  type Observed,
  type ReplicaSet,
  type StatefulSet,
} from './resources.ts'

export type PropertyId =
  | 'unique-names'
  | 'pod-on-one-node'
  | 'sts-one-pod-per-ordinal'
  | 'rs-status-when-stable'
  | 'rs-stable-at-spec'
  | 'sts-status-when-stable'
  | 'sts-first-ordinal'
  | 'dep-hash-consistent'
  | 'dep-pods-hash'
  | 'dep-old-rs-scaled-down'
  | 'dep-no-rs-while-paused'
  | 'job-status-when-stable'
  | 'job-finished-tracked'
  | 'rs-ready'
  | 'sts-ready'
  | 'dep-complete'
  | 'job-complete'
  | 'converges'

type Spec = PropertyInfo & { make(ctx: ModelContext): (s: OState) => boolean }

const headRev = (ctx: ModelContext, s: OState): number => Math.max(...ctx.head(s).revs)
const stable = (ctx: ModelContext, s: OState, o: { meta: Meta; status: { observedGeneration: number } }): boolean =>
  o.meta.rv === headRev(ctx, s) && o.status.observedGeneration >= o.meta.generation

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

/** Running containers by pod uid → nodes running one. */
/** The nodes running a container of each pod, by pod uid and by pod name. */
function runningPods(ctx: ModelContext, s: OState): { byUid: Map<string, Set<string>>; byName: Map<string, Set<string>> } {
  const byUid = new Map<string, Set<string>>()
  const byName = new Map<string, Set<string>>()
  const add = (m: Map<string, Set<string>>, k: string, node: string): void => {
    let set = m.get(k)
    if (!set) m.set(k, (set = new Set()))
    set.add(node)
  }
  ctx.controllers.forEach((c, i) => {
    if (c.kind !== 'kubelet') return
    for (const k of s.c[i].run ?? []) {
      const at = k.lastIndexOf('@')
      add(byUid, k.slice(at + 1), c.node!)
      add(byName, k.slice(0, at), c.node!)
    }
  })
  return { byUid, byName }
}

const rsGoal = (c: Cluster, rs: ReplicaSet): boolean => {
  const active = replicaSetPods(c, rs).filter(podActive)
  return (
    rs.status.observedGeneration >= rs.meta.generation &&
    rs.status.replicas === rs.spec.replicas &&
    rs.status.ready === rs.spec.replicas &&
    active.length === rs.spec.replicas &&
    active.every(podReady)
  )
}

const stsGoal = (c: Cluster, sts: StatefulSet): boolean => {
  const live = statefulSetPods(c, sts).filter((p) => !isTerminating(p))
  return (
    sts.status.observedGeneration >= sts.meta.generation &&
    sts.status.replicas === sts.spec.replicas &&
    sts.status.ready === sts.spec.replicas &&
    sts.status.updated === sts.spec.replicas &&
    live.length === sts.spec.replicas &&
    live.every(podReady)
  )
}

export function deploymentReplicaSets(c: Cluster, d: Deployment): ReplicaSet[] {
  return list(c, 'ReplicaSet').filter((rs) => ownedBy(rs, d))
}

const depComplete = (c: Cluster, d: Deployment): boolean => {
  const rss = deploymentReplicaSets(c, d)
  const current = rss.find((rs) => rs.spec.template.image === d.spec.template.image)
  return (
    d.status.observedGeneration >= d.meta.generation &&
    current !== undefined &&
    d.status.updated === d.spec.replicas &&
    d.status.replicas === d.spec.replicas &&
    d.status.available === d.spec.replicas &&
    rss.every((rs) => rs === current || (rs.spec.replicas === 0 && rs.status.replicas === 0)) &&
    rsGoal(c, current)
  )
}

const jobGoal = (c: Cluster, j: Job): boolean => {
  const pods = list(c, 'Pod').filter((p) => ownedBy(p, j))
  if (j.spec.suspend) return j.status.active === 0 && pods.every((p) => !podActive(p))
  return j.status.complete && j.status.succeeded >= j.spec.completions && pods.every((p) => !p.meta.finalizers.includes(TRACKING_FINALIZER))
}

const CATALOGUE: Record<PropertyId, Spec> = {
  'unique-names': {
    name: 'unique-names',
    kind: 'always',
    description: 'In every retained datastore state, no two objects of one kind share a name or a uid.',
    make: () => (s) => {
      for (const e of s.h.e) {
        for (const kind of KINDS) {
          const uids = new Set<string>()
          for (const [name, o] of Object.entries(e.c.objs[kind] as Record<string, AnyObject>)) {
            if (o.meta.name !== name || uids.has(o.meta.uid)) return false
            uids.add(o.meta.uid)
          }
        }
      }
      return true
    },
  },
  'pod-on-one-node': {
    name: 'pod-on-one-node',
    kind: 'always',
    description: 'A pod — one object by uid, and one name (two running copies of db-0 are the kubernetes#59848 bug) — has running containers on at most one node at a time.',
    make: (ctx) => (s) => {
      const { byUid, byName } = runningPods(ctx, s)
      return [...byUid.values(), ...byName.values()].every((nodes) => nodes.size <= 1)
    },
  },
  'sts-one-pod-per-ordinal': {
    name: 'sts-one-pod-per-ordinal',
    kind: 'always',
    description: 'At most one pod of each StatefulSet ordinal is running at a time, across all nodes.',
    make: (ctx) => (s) => {
      const sets = list(ctx.head(s).c, 'StatefulSet').map((x) => x.meta.name)
      const count = new Map<string, number>()
      ctx.controllers.forEach((c, i) => {
        for (const k of s.c[i].run ?? []) {
          const pod = k.slice(0, k.lastIndexOf('@'))
          for (const set of sets) {
            if (ordinalOf(set, pod) >= 0) count.set(pod, (count.get(pod) ?? 0) + 1)
          }
        }
      })
      return [...count.values()].every((n) => n <= 1)
    },
  },
  'rs-status-when-stable': {
    name: 'rs-status-when-stable',
    kind: 'always',
    description:
      'When a ReplicaSet is stable, status.replicas and status.ready equal its active and ready pods in the view the status was computed from (observedRevision; skipped once that view is pruned).',
    make: (ctx) => (s) => {
      return list(ctx.head(s).c, 'ReplicaSet').every((rs) => {
        if (!stable(ctx, s, rs)) return true
        const v = observedView(s, rs)
        if (!v) return true
        const active = replicaSetPods(v, rs).filter(podActive)
        return rs.status.replicas === active.length && rs.status.ready === active.filter(podReady).length
      })
    },
  },
  'rs-stable-at-spec': {
    name: 'rs-stable-at-spec',
    kind: 'always',
    description: 'When a ReplicaSet is stable, status.replicas equals spec.replicas.',
    make: (ctx) => (s) => list(ctx.head(s).c, 'ReplicaSet').every((rs) => !stable(ctx, s, rs) || rs.status.replicas === rs.spec.replicas),
  },
  'sts-status-when-stable': {
    name: 'sts-status-when-stable',
    kind: 'always',
    description:
      'When a StatefulSet is stable, status.replicas and status.ready equal its live and ready pods in the view the status was computed from (observedRevision; skipped once that view is pruned).',
    make: (ctx) => (s) => {
      return list(ctx.head(s).c, 'StatefulSet').every((sts) => {
        if (!stable(ctx, s, sts)) return true
        const v = observedView(s, sts)
        if (!v) return true
        const live = statefulSetPods(v, sts).filter((p) => !isTerminating(p))
        return sts.status.replicas === live.length && sts.status.ready === live.filter(podReady).length
      })
    },
  },
  'sts-first-ordinal': {
    name: 'sts-first-ordinal',
    kind: 'always',
    description: 'When a StatefulSet is stable and has pods, ordinal 0 is among them (ordered start).',
    make: (ctx) => (s) => {
      const c = ctx.head(s).c
      return list(c, 'StatefulSet').every((sts) => {
        if (!stable(ctx, s, sts)) return true
        const ords = statefulSetPods(c, sts).map((p) => ordinalOf(sts.meta.name, p.meta.name))
        return ords.length === 0 || ords.includes(0)
      })
    },
  },
  'dep-hash-consistent': {
    name: 'dep-hash-consistent',
    kind: 'always',
    description: "A Deployment's ReplicaSets carry one pod-template-hash in selector, labels and template, suffixing the name.",
    make: (ctx) => (s) => {
      const c = ctx.head(s).c
      return list(c, 'Deployment').every((d) =>
        deploymentReplicaSets(c, d).every((rs) => {
          const h = rs.meta.labels[HASH_LABEL]
          return h !== undefined && h !== '' && rs.spec.selector[HASH_LABEL] === h && rs.spec.template.labels[HASH_LABEL] === h && rs.meta.name.endsWith(`-${h}`)
        }),
      )
    },
  },
  'dep-pods-hash': {
    name: 'dep-pods-hash',
    kind: 'always',
    description: "Every pod of a Deployment's ReplicaSet carries that ReplicaSet's pod-template-hash.",
    make: (ctx) => (s) => {
      const c = ctx.head(s).c
      return list(c, 'Deployment').every((d) =>
        deploymentReplicaSets(c, d).every((rs) => replicaSetPods(c, rs).every((p) => p.meta.labels[HASH_LABEL] === rs.meta.labels[HASH_LABEL])),
      )
    },
  },
  'dep-old-rs-scaled-down': {
    name: 'dep-old-rs-scaled-down',
    kind: 'always',
    description:
      'When a Deployment (not paused) is stable and its status says complete, its old ReplicaSets have spec.replicas 0 in the view that status was computed from (observedRevision; skipped once pruned).',
    make: (ctx) => (s) => {
      return list(ctx.head(s).c, 'Deployment').every((d) => {
        const st = d.status
        const complete = st.updated === d.spec.replicas && st.replicas === d.spec.replicas && st.available === d.spec.replicas
        if (d.spec.paused || !stable(ctx, s, d) || !complete) return true
        const v = observedView(s, d)
        if (!v) return true
        return deploymentReplicaSets(v, d).every((rs) => rs.spec.template.image === d.spec.template.image || rs.spec.replicas === 0)
      })
    },
  },
  'dep-no-rs-while-paused': {
    name: 'dep-no-rs-while-paused',
    kind: 'always',
    description: 'No ReplicaSet is created for a Deployment after it was paused (while it stays paused).',
    make: (ctx) => (s) => {
      const c = ctx.head(s).c
      return list(c, 'Deployment').every((d) => {
        if (!d.spec.paused) return true
        const at = Number(d.meta.annotations?.[PAUSED_AT] ?? 0)
        return deploymentReplicaSets(c, d).every((rs) => createdAt(rs) < at)
      })
    },
  },
  'job-status-when-stable': {
    name: 'job-status-when-stable',
    kind: 'always',
    description:
      'When a Job is stable, status.active and status.ready equal its active and ready pods in the view the status was computed from (observedRevision; skipped once that view is pruned).',
    make: (ctx) => (s) => {
      return list(ctx.head(s).c, 'Job').every((j) => {
        if (!stable(ctx, s, j)) return true
        const v = observedView(s, j)
        if (!v) return true
        const active = list(v, 'Pod').filter((p) => ownedBy(p, j) && podActive(p))
        return j.status.active === active.length && j.status.ready === active.filter(podReady).length
      })
    },
  },
  'job-finished-tracked': {
    name: 'job-finished-tracked',
    kind: 'always',
    description:
      'When a Job is stable, each finished pod still holding the tracking finalizer in the view its status was computed from (observedRevision; skipped once pruned) is recorded in status.uncounted.',
    make: (ctx) => (s) => {
      return list(ctx.head(s).c, 'Job').every((j) => {
        if (!stable(ctx, s, j)) return true
        const v = observedView(s, j)
        if (!v) return true
        return list(v, 'Pod').every(
          (p) =>
            !ownedBy(p, j) ||
            !podFinished(p) ||
            !p.meta.finalizers.includes(TRACKING_FINALIZER) ||
            j.status.uncounted.some((u) => u.startsWith(p.meta.uid + ':')),
        )
      })
    },
  },
  'rs-ready': {
    name: 'rs-ready',
    kind: 'sometimes',
    description: 'Some reachable state has every ReplicaSet at spec.replicas ready pods, with status saying so.',
    make: (ctx) => (s) => {
      const c = ctx.head(s).c
      return list(c, 'ReplicaSet').every((rs) => rsGoal(c, rs))
    },
  },
  'sts-ready': {
    name: 'sts-ready',
    kind: 'sometimes',
    description: 'Some reachable state has every StatefulSet with all replicas ready and up to date, with status saying so.',
    make: (ctx) => (s) => {
      const c = ctx.head(s).c
      return list(c, 'StatefulSet').every((x) => stsGoal(c, x))
    },
  },
  'dep-complete': {
    name: 'dep-complete',
    kind: 'sometimes',
    description: 'Some reachable state has every Deployment complete: all replicas updated and available, old ReplicaSets at 0.',
    make: (ctx) => (s) => {
      const c = ctx.head(s).c
      return list(c, 'Deployment').every((d) => depComplete(c, d))
    },
  },
  'job-complete': {
    name: 'job-complete',
    kind: 'sometimes',
    description: 'Some reachable state has every Job complete with its tracking finalizers removed.',
    make: (ctx) => (s) => {
      const c = ctx.head(s).c
      return list(c, 'Job').every((j) => jobGoal(c, j))
    },
  },
  converges: {
    name: 'converges',
    kind: 'converges',
    description:
      'Self-stabilisation: once user and fault actions stop, every fair path reaches and stays in a state where every workload status matches its spec and no controller has anything left to do.',
    make: (ctx) => (s) => {
      const c = ctx.head(s).c
      return WORKLOAD_KINDS.every((k) => (list(c, k) as Workload[]).every((o) => workloadGoal(c, k, o))) && ctx.quiescent(s)
    },
  },
}

export type WorkloadKind = 'ReplicaSet' | 'StatefulSet' | 'Deployment' | 'Job'
type Workload = ReplicaSet | StatefulSet | Deployment | Job
const WORKLOAD_KINDS: readonly WorkloadKind[] = ['ReplicaSet', 'StatefulSet', 'Deployment', 'Job']

/** A workload's status matches its spec (a Deployment's ReplicaSets are judged through the Deployment; paused counts). */
function workloadGoal(c: Cluster, kind: WorkloadKind, o: Workload): boolean {
  switch (kind) {
    case 'ReplicaSet':
      return rsGoal(c, o as ReplicaSet) || list(c, 'Deployment').some((d) => ownedBy(o, d))
    case 'StatefulSet':
      return stsGoal(c, o as StatefulSet)
    case 'Deployment':
      return (o as Deployment).spec.paused || depComplete(c, o as Deployment)
    case 'Job':
      return jobGoal(c, o as Job)
  }
}

/**
 * Per-resource self-stabilisation, for scenarios with several workloads: `converges-<name>` says which of them
 * fails to settle. Same goal as `converges`, restricted to one object (absent counts as not converged).
 */
export function workloadConverges(kind: WorkloadKind, name: string): { info: PropertyInfo; make(ctx: ModelContext): Property<OState> } {
  const info: PropertyInfo = {
    name: `converges-${name}`,
    kind: 'converges',
    description: `Self-stabilisation of ${kind} ${name}: every fair path reaches and stays in a state where its status matches its spec and no controller has anything left to do.`,
  }
  return {
    info,
    make: (ctx) => ({
      ...info,
      check: (s) => {
        const c = ctx.head(s).c
        const o = (c.objs[kind] as Record<string, Workload>)[name]
        return o !== undefined && workloadGoal(c, kind, o) && ctx.quiescent(s)
      },
    }),
  }
}

export function propertyInfo(id: PropertyId): PropertyInfo {
  const { name, kind, description } = CATALOGUE[id]
  return { name, kind, description }
}

export function makeProperties(ids: readonly PropertyId[], ctx: ModelContext): Property<OState>[] {
  return ids.map((id) => {
    const spec = CATALOGUE[id]
    return { name: spec.name, kind: spec.kind, description: spec.description, check: spec.make(ctx) }
  })
}
