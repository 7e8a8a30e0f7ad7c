// StatefulSet controller (OrderedReady): ControllerRevision for the current template, a PVC per ordinal when the
// set has volume claims, pods "<set>-<ordinal>" created in order, each waiting for the previous one to be Running
// and Ready; surplus ordinals deleted highest first; a rolling update deletes out-of-date pods highest ordinal first
// once all are ready; then status. Simplified: no partitions, no Parallel policy, no PVC retention policy, no
// revision history limit, status counts non-terminating pods, pods are (re)created at the update revision.
import type { Write } from '../api.ts'
import {
  clone,
  isTerminating,
  list,
  newMeta,
  ownedBy,
  ownerRef,
  podFinished,
  podReady,
  REVISION_LABEL,
  templateHash,
  type Cluster,
  type ControllerRevision,
  type PersistentVolumeClaim,
  type Pod,
  type StatefulSet,
} from '../resources.ts'
import { observedAt, sameStatus, type Controller, type ObservedAt } from './types.ts'

/** The ordinal of a pod named "<set>-<n>", or -1. */
export function ordinalOf(set: string, pod: string): number {
  if (!pod.startsWith(set + '-')) return -1
  const rest = pod.slice(set.length + 1)
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : -1
}

export function statefulSetPods(view: Cluster, sts: StatefulSet): Pod[] {
  return list(view, 'Pod').filter((p) => ownedBy(p, sts) && ordinalOf(sts.meta.name, p.meta.name) >= 0)
}

export function claimName(sts: string, ordinal: number): string {
  return `data-${sts}-${ordinal}`
}

export function syncStatefulSet(view: Cluster, at: ObservedAt, sts: StatefulSet): Write | undefined {
  if (isTerminating(sts)) return undefined
  const name = sts.meta.name
  const hash = templateHash(sts.spec.template)
  const updateRevision = `${name}-${hash}`
  if (!view.objs.ControllerRevision[updateRevision]) {
    const mine = list(view, 'ControllerRevision').filter((r) => ownedBy(r, sts))
    const obj: ControllerRevision = {
      meta: newMeta(updateRevision, { ...sts.spec.selector }, ownerRef('StatefulSet', sts)),
      data: hash,
      revision: mine.reduce((m, r) => Math.max(m, r.revision), 0) + 1,
    }
    return { op: 'create', kind: 'ControllerRevision', obj }
  }
  const pods = statefulSetPods(view, sts)
  const byOrdinal = new Map(pods.map((p) => [ordinalOf(name, p.meta.name), p]))
  let healthy = true
  for (let i = 0; i < sts.spec.replicas; i++) {
    const claims: string[] = []
    if (sts.spec.volumeClaims) {
      const claim = claimName(name, i)
      if (!view.objs.PersistentVolumeClaim[claim]) {
        const obj: PersistentVolumeClaim = { meta: newMeta(claim, { ...sts.spec.selector }, ownerRef('StatefulSet', sts)), spec: {}, status: { phase: 'Bound' } }
        return { op: 'create', kind: 'PersistentVolumeClaim', obj }
      }
      claims.push(claim)
    }
    const pod = byOrdinal.get(i)
    if (!pod) {
      if (view.objs.Pod[`${name}-${i}`]) {
        healthy = false // a pod of that name we do not own (e.g. still terminating from an old set): wait
        break
      }
      const obj: Pod = {
        meta: newMeta(`${name}-${i}`, { ...sts.spec.template.labels, [REVISION_LABEL]: updateRevision }, ownerRef('StatefulSet', sts)),
        spec: { image: sts.spec.template.image, claims: claims.length > 0 ? claims : undefined },
        status: { phase: 'Pending', ready: false },
      }
      if (obj.spec.claims === undefined) delete obj.spec.claims
      return { op: 'create', kind: 'Pod', obj }
    }
    if (podFinished(pod) && !isTerminating(pod)) return { op: 'delete', kind: 'Pod', name: pod.meta.name, uid: pod.meta.uid }
    if (isTerminating(pod) || !podReady(pod)) {
      healthy = false
      break
    }
  }
  if (healthy) {
    const condemned = pods.filter((p) => ordinalOf(name, p.meta.name) >= sts.spec.replicas)
    condemned.sort((a, b) => ordinalOf(name, b.meta.name) - ordinalOf(name, a.meta.name))
    if (condemned.length > 0) {
      const top = condemned[0]
      if (!isTerminating(top)) return { op: 'delete', kind: 'Pod', name: top.meta.name, uid: top.meta.uid }
      healthy = false
    }
  }
  if (healthy) {
    for (let i = sts.spec.replicas - 1; i >= 0; i--) {
      const pod = byOrdinal.get(i)!
      if (pod.meta.labels[REVISION_LABEL] !== updateRevision) return { op: 'delete', kind: 'Pod', name: pod.meta.name, uid: pod.meta.uid }
    }
  }
  const live = pods.filter((p) => !isTerminating(p))
  const ready = live.filter(podReady).length
  const updated = live.filter((p) => p.meta.labels[REVISION_LABEL] === updateRevision).length
  const allUpdated = updated === sts.spec.replicas && live.length === sts.spec.replicas
  const currentRevision = allUpdated || sts.status.currentRevision === '' ? updateRevision : sts.status.currentRevision
  const status: StatefulSet['status'] = {
    replicas: live.length,
    ready,
    available: ready,
    current: live.filter((p) => p.meta.labels[REVISION_LABEL] === currentRevision).length,
    updated,
    currentRevision,
    updateRevision,
    observedGeneration: sts.meta.generation,
    ...at,
  }
  if (!sameStatus(sts.status, status)) {
    const next = clone(sts)
    next.status = status
    return { op: 'update', kind: 'StatefulSet', obj: next }
  }
  return undefined
}

export function statefulSetController(name: string): Controller {
  return {
    kind: 'statefulset',
    name,
    reads: { kinds: ['StatefulSet', 'Pod', 'ControllerRevision', 'PersistentVolumeClaim'] },
    step(input) {
      const { view } = input
      for (const sts of list(view, 'StatefulSet')) {
        const write = syncStatefulSet(view, observedAt(input), sts)
        if (write) return { write }
      }
      return undefined
    },
  }
}
