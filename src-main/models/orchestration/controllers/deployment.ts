// Deployment controller (RollingUpdate): the new ReplicaSet is "<deployment>-<pod-template-hash>" with the hash in
// its name, labels, selector and template; it scales the new ReplicaSet up within replicas + maxSurge and old ones
// down (unavailable old replicas first) while available pods stay ≥ replicas − maxUnavailable; then status. A paused Deployment only syncs status:
// no new ReplicaSet, no scaling. Simplified: no Recreate strategy, no proportional scaling of a paused rollout,
// no revision history limit or rollback annotations, no progress deadline, minReadySeconds 0, no adoption of orphans.
import type { Write } from '../api.ts'
import {
  clone,
  HASH_LABEL,
  isTerminating,
  list,
  newMeta,
  ownedBy,
  ownerRef,
  templateHash,
  type Cluster,
  type Deployment,
  type ReplicaSet,
} from '../resources.ts'
import { observedAt, sameStatus, type Controller, type ObservedAt } from './types.ts'

export function syncDeployment(view: Cluster, at: ObservedAt, d: Deployment): Write | undefined {
  if (isTerminating(d)) return undefined
  const rss = list(view, 'ReplicaSet').filter((rs) => ownedBy(rs, d) && !isTerminating(rs))
  const hash = templateHash(d.spec.template)
  const newRS = rss.find((rs) => rs.meta.labels[HASH_LABEL] === hash)
  const old = rss.filter((rs) => rs !== newRS)
  const { replicas, maxSurge, maxUnavailable } = d.spec
  const scale = (rs: ReplicaSet, n: number): Write => {
    const next = clone(rs)
    next.spec.replicas = n
    return { op: 'update', kind: 'ReplicaSet', obj: next }
  }
  if (!d.spec.paused) {
    const total = rss.reduce((n, rs) => n + rs.spec.replicas, 0)
    if (!newRS) {
      const labels = { ...d.spec.template.labels, [HASH_LABEL]: hash }
      const obj: ReplicaSet = {
        meta: newMeta(`${d.meta.name}-${hash}`, labels, ownerRef('Deployment', d)),
        spec: {
          replicas: Math.max(0, Math.min(replicas + maxSurge - total, replicas)),
          selector: { ...d.spec.selector, [HASH_LABEL]: hash },
          template: { labels, image: d.spec.template.image },
        },
        status: { replicas: 0, ready: 0, available: 0, observedGeneration: 0, observedRevision: 0 },
      }
      return { op: 'create', kind: 'ReplicaSet', obj }
    }
    if (newRS.spec.replicas > replicas) return scale(newRS, replicas)
    if (newRS.spec.replicas < replicas && total < replicas + maxSurge) {
      return scale(newRS, newRS.spec.replicas + Math.min(replicas + maxSurge - total, replicas - newRS.spec.replicas))
    }
    const minAvailable = replicas - maxUnavailable
    const available = rss.reduce((n, rs) => n + rs.status.available, 0)
    const newUnavailable = Math.max(0, newRS.spec.replicas - newRS.status.available)
    // cleanupUnhealthyReplicas: old replicas that are not available go first.
    const maxCleanup = total - minAvailable - newUnavailable
    if (maxCleanup > 0) {
      const sick = old.find((rs) => rs.spec.replicas > rs.status.available)
      if (sick) return scale(sick, sick.spec.replicas - Math.min(maxCleanup, sick.spec.replicas - sick.status.available))
    }
    const canScaleDown = Math.min(total - minAvailable - newUnavailable, available - minAvailable)
    if (canScaleDown > 0) {
      const victim = old.find((rs) => rs.spec.replicas > 0)
      if (victim) return scale(victim, victim.spec.replicas - Math.min(victim.spec.replicas, canScaleDown))
    }
  }
  const sum = (f: (rs: ReplicaSet) => number): number => rss.reduce((n, rs) => n + f(rs), 0)
  const availableNow = sum((rs) => rs.status.available)
  const status: Deployment['status'] = {
    replicas: sum((rs) => rs.status.replicas),
    updated: newRS ? newRS.status.replicas : 0,
    ready: sum((rs) => rs.status.ready),
    available: availableNow,
    unavailable: Math.max(0, replicas - availableNow),
    observedGeneration: d.meta.generation,
    ...at,
  }
  if (!sameStatus(d.status, status)) {
    const next = clone(d)
    next.status = status
    return { op: 'update', kind: 'Deployment', obj: next }
  }
  return undefined
}

export function deploymentController(name: string): Controller {
  return {
    kind: 'deployment',
    name,
    reads: { kinds: ['Deployment', 'ReplicaSet'] },
    step(input) {
      const { view } = input
      for (const d of list(view, 'Deployment')) {
        const write = syncDeployment(view, observedAt(input), d)
        if (write) return { write }
      }
      return undefined
    },
  }
}
