// The scenario properties judged on a live state: one replica's (or the merged) objects, the kubelets' running
// containers (the real world, which no datastore rollback undoes), the revisions the monitor saw on that replica
// (so a status is judged against the view it was computed from, as in the model) and whether any controller would
// still write. Same names and meanings as the model's catalogue (models/orchestration/properties.ts); the checks are
// written again over this state so live mode does not depend on the model's state layout.
import type { PropertyInfo } from '../../src-shared/types.ts'
import { replicaSetPods } from '../models/orchestration/controllers/replicaset.ts'
import { ordinalOf, statefulSetPods } from '../models/orchestration/controllers/statefulset.ts'
import {
  createdAt,
  HASH_LABEL,
  isTerminating,
  KINDS,
  list,
  ownedBy,
  PAUSED_AT,
  podActive,
  podFinished,
  podReady,
  TRACKING_FINALIZER,
  type AnyObject,
  type Cluster,
  type Deployment,
  type Job,
  type Meta,
  type Observed,
  type ReplicaSet,
  type StatefulSet,
} from '../models/orchestration/resources.ts'

export interface LiveState {
  cluster: Cluster
  /** The revision of this state on its replica (the newest write it holds). */
  rev: number
  /** Kubelet node → running containers ("pod@uid"). */
  running: ReadonlyMap<string, readonly string[]>
  /** The state at an observedRevision a controller stamped into a status, when still retained. */
  at(observedRevision: number): Cluster | undefined
  /** No controller would write (or start / stop a container) on this state. */
  quiescent(): boolean
}

type Check = (s: LiveState) => boolean

const stable = (s: LiveState, o: { meta: Meta; status: { observedGeneration: number } }): boolean =>
  o.meta.rv === s.rev && o.status.observedGeneration >= o.meta.generation

const observedView = (s: LiveState, o: { status: Observed }): Cluster | undefined =>
  o.status.observedMerge ? undefined : o.status.observedRevision > 0 ? s.at(o.status.observedRevision) : undefined

function rsGoal(c: Cluster, rs: ReplicaSet): boolean {
  const active = replicaSetPods(c, rs).filter(podActive)
  return (
    rs.status.observedGeneration >= rs.meta.generation &&
    rs.status.replicas === rs.spec.replicas &&
    rs.status.ready === rs.spec.replicas &&
    active.length === rs.spec.replicas &&
    active.every(podReady)
  )
}

function stsGoal(c: Cluster, sts: StatefulSet): boolean {
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

const depRSs = (c: Cluster, d: Deployment): ReplicaSet[] => list(c, 'ReplicaSet').filter((rs) => ownedBy(rs, d))

function depComplete(c: Cluster, d: Deployment): boolean {
  const rss = depRSs(c, d)
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

function jobGoal(c: Cluster, j: Job): boolean {
  const pods = list(c, 'Pod').filter((p) => ownedBy(p, j))
  if (j.spec.suspend) return j.status.active === 0 && pods.every((p) => !podActive(p))
  return j.status.complete && j.status.succeeded >= j.spec.completions && pods.every((p) => !p.meta.finalizers.includes(TRACKING_FINALIZER))
}

type Workload = ReplicaSet | StatefulSet | Deployment | Job
const WORKLOADS = ['ReplicaSet', 'StatefulSet', 'Deployment', 'Job'] as const

function workloadGoal(c: Cluster, kind: (typeof WORKLOADS)[number], o: Workload): boolean {
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
  return WORKLOADS.every((k) => (list(c, k) as Workload[]).every((o) => workloadGoal(c, k, o)))
}

const runningPods = (s: LiveState): string[][] => [...s.running.values()].map((r) => [...r])

const CHECKS: Record<string, Check> = {
  'unique-names': (s) => {
    for (const kind of KINDS) {
      const uids = new Set<string>()
      for (const [name, o] of Object.entries(s.cluster.objs[kind] as Record<string, AnyObject>)) {
        if (o.meta.name !== name || uids.has(o.meta.uid)) return false
        uids.add(o.meta.uid)
      }
    }
    return true
  },
  'pod-on-one-node': (s) => {
    const seen = new Set<string>()
    for (const run of runningPods(s)) {
      for (const k of run) {
        const uid = k.slice(k.lastIndexOf('@') + 1)
        if (seen.has(uid)) return false
        seen.add(uid)
      }
    }
    return true
  },
  'sts-one-pod-per-ordinal': (s) => {
    const sets = list(s.cluster, 'StatefulSet').map((x) => x.meta.name)
    const count = new Map<string, number>()
    for (const run of runningPods(s)) {
      for (const k of run) {
        const pod = k.slice(0, k.lastIndexOf('@'))
        if (sets.some((set) => ordinalOf(set, pod) >= 0)) count.set(pod, (count.get(pod) ?? 0) + 1)
      }
    }
    return [...count.values()].every((n) => n <= 1)
  },
  'rs-status-when-stable': (s) =>
    list(s.cluster, 'ReplicaSet').every((rs) => {
      const v = stable(s, rs) ? observedView(s, rs) : undefined
      if (!v) return true
      const active = replicaSetPods(v, rs).filter(podActive)
      return rs.status.replicas === active.length && rs.status.ready === active.filter(podReady).length
    }),
  'rs-stable-at-spec': (s) => list(s.cluster, 'ReplicaSet').every((rs) => !stable(s, rs) || rs.status.replicas === rs.spec.replicas),
  'sts-status-when-stable': (s) =>
    list(s.cluster, 'StatefulSet').every((sts) => {
      const v = stable(s, sts) ? observedView(s, sts) : undefined
      if (!v) return true
      const live = statefulSetPods(v, sts).filter((p) => !isTerminating(p))
      return sts.status.replicas === live.length && sts.status.ready === live.filter(podReady).length
    }),
  'sts-first-ordinal': (s) =>
    list(s.cluster, 'StatefulSet').every((sts) => {
      if (!stable(s, sts)) return true
      const ords = statefulSetPods(s.cluster, sts).map((p) => ordinalOf(sts.meta.name, p.meta.name))
      return ords.length === 0 || ords.includes(0)
    }),
  'dep-hash-consistent': (s) =>
    list(s.cluster, 'Deployment').every((d) =>
      depRSs(s.cluster, d).every((rs) => {
        const h = rs.meta.labels[HASH_LABEL]
        return h !== undefined && h !== '' && rs.spec.selector[HASH_LABEL] === h && rs.spec.template.labels[HASH_LABEL] === h && rs.meta.name.endsWith(`-${h}`)
      }),
    ),
  'dep-pods-hash': (s) =>
    list(s.cluster, 'Deployment').every((d) =>
      depRSs(s.cluster, d).every((rs) => replicaSetPods(s.cluster, rs).every((p) => p.meta.labels[HASH_LABEL] === rs.meta.labels[HASH_LABEL])),
    ),
  'dep-old-rs-scaled-down': (s) =>
    list(s.cluster, 'Deployment').every((d) => {
      const st = d.status
      const complete = st.updated === d.spec.replicas && st.replicas === d.spec.replicas && st.available === d.spec.replicas
      if (d.spec.paused || !stable(s, d) || !complete) return true
      const v = observedView(s, d)
      if (!v) return true
      return depRSs(v, d).every((rs) => rs.spec.template.image === d.spec.template.image || rs.spec.replicas === 0)
    }),
  'dep-no-rs-while-paused': (s) =>
    list(s.cluster, 'Deployment').every((d) => {
      if (!d.spec.paused) return true
      const at = Number(d.meta.annotations?.[PAUSED_AT] ?? 0)
      return depRSs(s.cluster, d).every((rs) => createdAt(rs) < at)
    }),
  'job-status-when-stable': (s) =>
    list(s.cluster, 'Job').every((j) => {
      const v = stable(s, j) ? observedView(s, j) : undefined
      if (!v) return true
      const active = list(v, 'Pod').filter((p) => ownedBy(p, j) && podActive(p))
      return j.status.active === active.length && j.status.ready === active.filter(podReady).length
    }),
  'job-finished-tracked': (s) =>
    list(s.cluster, 'Job').every((j) => {
      const v = stable(s, j) ? observedView(s, j) : undefined
      if (!v) return true
      return list(v, 'Pod').every(
        (p) => !ownedBy(p, j) || !podFinished(p) || !p.meta.finalizers.includes(TRACKING_FINALIZER) || j.status.uncounted.some((u) => u.startsWith(p.meta.uid + ':')),
      )
    }),
  'rs-ready': (s) => list(s.cluster, 'ReplicaSet').every((rs) => rsGoal(s.cluster, rs)),
  'sts-ready': (s) => list(s.cluster, 'StatefulSet').every((x) => stsGoal(s.cluster, x)),
  'dep-complete': (s) => list(s.cluster, 'Deployment').every((d) => depComplete(s.cluster, d)),
  'job-complete': (s) => list(s.cluster, 'Job').every((j) => jobGoal(s.cluster, j)),
  converges: (s) => goalHolds(s.cluster) && s.quiescent(),
}

function convergesOne(name: string): Check {
  return (s) => {
    for (const k of WORKLOADS) {
      const o = (s.cluster.objs[k] as Record<string, Workload>)[name]
      if (o) return workloadGoal(s.cluster, k, o) && s.quiescent()
    }
    return false
  }
}

export interface LiveProperty extends PropertyInfo {
  check: Check
}

/** The live checks for a scenario's properties (by name); an unknown name is an error, not a silent pass. */
export function liveProperties(infos: readonly PropertyInfo[]): LiveProperty[] {
  return infos.map((p) => {
    const check = CHECKS[p.name] ?? (p.name.startsWith('converges-') ? convergesOne(p.name.slice('converges-'.length)) : undefined)
    if (!check) throw new Error(`live mode has no check for property "${p.name}"`)
    return { ...p, check }
  })
}
