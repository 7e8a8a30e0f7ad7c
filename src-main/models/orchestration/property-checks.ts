// The property predicates, written once over a plain view of a cluster: the model judges its states through it
// (properties.ts builds the view from a state and the model context) and live mode judges a replica's objects
// through it (live/properties.ts builds it from the informers and the kubelets). What each property means, and why
// the "status when stable" family reads the view a status was computed from, is in properties.ts.
import { splitContainers } from './controllers/kubelet.ts'
import { replicaSetPods } from './controllers/replicaset.ts'
import { memo } from './memo.ts'
import { ordinalOf, statefulSetPods } from './controllers/statefulset.ts'
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

/** What properties read of a state. */
export interface PropertyView {
  /** The objects judged: the head (causal: the merge of the heads), or one replica's objects. */
  readonly cluster: Cluster
  /** The newest revision in it: an object whose own write is this one is "stable" (with its generation observed). */
  readonly rev: number
  /** Every datastore state still retained (unique-names judges each). */
  retained(): Iterable<Cluster>
  /** Each kubelet's node and its running containers ("pod@uid"): the real world, which no rollback undoes. */
  running(): Iterable<readonly [string, readonly string[]]>
  /** The view a status was computed from, or undefined once it is no longer retained (the check then skips it). */
  observed(o: { status: Observed }): Cluster | undefined
  /** No controller has anything left to do. */
  quiescent(): boolean
  /**
   * pod-on-one-node judges pods by uid only, not also by name. Live mode sets it: there two running copies of one
   * StatefulSet pod name (a recreated pod beside its predecessor's container) are sts-one-pod-per-ordinal's finding.
   */
  readonly podsByUidOnly?: boolean
}

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

type Check = (v: PropertyView) => boolean

const stable = (v: PropertyView, o: { meta: Meta; status: { observedGeneration: number } }): boolean =>
  o.meta.rv === v.rev && o.status.observedGeneration >= o.meta.generation

/** The nodes running a container of each pod, by pod uid and by pod name. */
function runningPods(v: PropertyView): { byUid: Map<string, Set<string>>; byName: Map<string, Set<string>> } {
  const byUid = new Map<string, Set<string>>()
  const byName = new Map<string, Set<string>>()
  const add = (m: Map<string, Set<string>>, k: string, node: string): void => {
    let set = m.get(k)
    if (!set) m.set(k, (set = new Set()))
    set.add(node)
  }
  for (const [node, run] of v.running()) {
    for (const k of splitContainers(run).running) {
      const at = k.lastIndexOf('@')
      add(byUid, k.slice(at + 1), node)
      add(byName, k.slice(0, at), node)
    }
  }
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

export type WorkloadKind = 'ReplicaSet' | 'StatefulSet' | 'Deployment' | 'Job'
type Workload = ReplicaSet | StatefulSet | Deployment | Job
export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['ReplicaSet', 'StatefulSet', 'Deployment', 'Job']

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

/** Every workload's status matches its spec (the goal of `converges`, without the quiescence part). */
export function goalHolds(c: Cluster): boolean {
  return WORKLOAD_KINDS.every((k) => (list(c, k) as Workload[]).every((o) => workloadGoal(c, k, o)))
}

/** Per snapshot, cached by identity: a successor shares all but its newest snapshot with its parent. */
const namesOk = memo<boolean>('unique names')

function uniqueNames(c: Cluster): boolean {
  let ok = namesOk.get(c)
  if (ok === undefined) {
    ok = true
    for (const kind of KINDS) {
      const uids = new Set<string>()
      for (const [name, o] of Object.entries(c.objs[kind] as Record<string, AnyObject>)) {
        if (o.meta.name !== name || uids.has(o.meta.uid)) ok = false
        uids.add(o.meta.uid)
      }
    }
    namesOk.set(c, ok)
  }
  return ok
}

export const CHECKS: Readonly<Record<PropertyId, Check>> = {
  'unique-names': (v) => {
    for (const c of v.retained()) if (!uniqueNames(c)) return false
    return true
  },
  'pod-on-one-node': (v) => {
    const { byUid, byName } = runningPods(v)
    return [...byUid.values(), ...(v.podsByUidOnly ? [] : byName.values())].every((nodes) => nodes.size <= 1)
  },
  'sts-one-pod-per-ordinal': (v) => {
    const sets = list(v.cluster, 'StatefulSet').map((x) => x.meta.name)
    const count = new Map<string, number>()
    for (const [, run] of v.running()) {
      for (const k of run) {
        const pod = k.slice(0, k.lastIndexOf('@'))
        for (const set of sets) {
          if (ordinalOf(set, pod) >= 0) count.set(pod, (count.get(pod) ?? 0) + 1)
        }
      }
    }
    return [...count.values()].every((n) => n <= 1)
  },
  'rs-status-when-stable': (v) =>
    list(v.cluster, 'ReplicaSet').every((rs) => {
      const view = stable(v, rs) ? v.observed(rs) : undefined
      if (!view) return true
      const active = replicaSetPods(view, rs).filter(podActive)
      return rs.status.replicas === active.length && rs.status.ready === active.filter(podReady).length
    }),
  'rs-stable-at-spec': (v) => list(v.cluster, 'ReplicaSet').every((rs) => !stable(v, rs) || rs.status.replicas === rs.spec.replicas),
  'sts-status-when-stable': (v) =>
    list(v.cluster, 'StatefulSet').every((sts) => {
      const view = stable(v, sts) ? v.observed(sts) : undefined
      if (!view) return true
      const live = statefulSetPods(view, sts).filter((p) => !isTerminating(p))
      return sts.status.replicas === live.length && sts.status.ready === live.filter(podReady).length
    }),
  'sts-first-ordinal': (v) =>
    list(v.cluster, 'StatefulSet').every((sts) => {
      if (!stable(v, sts)) return true
      const ords = statefulSetPods(v.cluster, sts).map((p) => ordinalOf(sts.meta.name, p.meta.name))
      return ords.length === 0 || ords.includes(0)
    }),
  'dep-hash-consistent': (v) =>
    list(v.cluster, 'Deployment').every((d) =>
      deploymentReplicaSets(v.cluster, d).every((rs) => {
        const h = rs.meta.labels[HASH_LABEL]
        return h !== undefined && h !== '' && rs.spec.selector[HASH_LABEL] === h && rs.spec.template.labels[HASH_LABEL] === h && rs.meta.name.endsWith(`-${h}`)
      }),
    ),
  'dep-pods-hash': (v) =>
    list(v.cluster, 'Deployment').every((d) =>
      deploymentReplicaSets(v.cluster, d).every((rs) => replicaSetPods(v.cluster, rs).every((p) => p.meta.labels[HASH_LABEL] === rs.meta.labels[HASH_LABEL])),
    ),
  'dep-old-rs-scaled-down': (v) =>
    list(v.cluster, 'Deployment').every((d) => {
      const st = d.status
      const complete = st.updated === d.spec.replicas && st.replicas === d.spec.replicas && st.available === d.spec.replicas
      if (d.spec.paused || !stable(v, d) || !complete) return true
      const view = v.observed(d)
      if (!view) return true
      return deploymentReplicaSets(view, d).every((rs) => rs.spec.template.image === d.spec.template.image || rs.spec.replicas === 0)
    }),
  'dep-no-rs-while-paused': (v) =>
    list(v.cluster, 'Deployment').every((d) => {
      if (!d.spec.paused) return true
      const at = Number(d.meta.annotations?.[PAUSED_AT] ?? 0)
      return deploymentReplicaSets(v.cluster, d).every((rs) => createdAt(rs) < at)
    }),
  'job-status-when-stable': (v) =>
    list(v.cluster, 'Job').every((j) => {
      const view = stable(v, j) ? v.observed(j) : undefined
      if (!view) return true
      const active = list(view, 'Pod').filter((p) => ownedBy(p, j) && podActive(p))
      return j.status.active === active.length && j.status.ready === active.filter(podReady).length
    }),
  'job-finished-tracked': (v) =>
    list(v.cluster, 'Job').every((j) => {
      const view = stable(v, j) ? v.observed(j) : undefined
      if (!view) return true
      return list(view, 'Pod').every(
        (p) => !ownedBy(p, j) || !podFinished(p) || !p.meta.finalizers.includes(TRACKING_FINALIZER) || j.status.uncounted.some((u) => u.startsWith(p.meta.uid + ':')),
      )
    }),
  'rs-ready': (v) => list(v.cluster, 'ReplicaSet').every((rs) => rsGoal(v.cluster, rs)),
  'sts-ready': (v) => list(v.cluster, 'StatefulSet').every((x) => stsGoal(v.cluster, x)),
  'dep-complete': (v) => list(v.cluster, 'Deployment').every((d) => depComplete(v.cluster, d)),
  'job-complete': (v) => list(v.cluster, 'Job').every((j) => jobGoal(v.cluster, j)),
  converges: (v) => goalHolds(v.cluster) && v.quiescent(),
}

/**
 * `converges-<name>`: the goal of `converges` for one workload (absent counts as not converged). Without a kind
 * (live mode knows the property by name only) the first workload kind holding that name is judged.
 */
export function workloadConvergesCheck(kind: WorkloadKind | null, name: string): Check {
  return (v) => {
    for (const k of kind ? [kind] : WORKLOAD_KINDS) {
      const o = (v.cluster.objs[k] as Record<string, Workload>)[name]
      if (o) return workloadGoal(v.cluster, k, o) && v.quiescent()
    }
    return false
  }
}
