// ReplicaSet controller: adopts matching orphan pods, creates pods (generateName) up to spec.replicas, deletes the
// surplus (unscheduled first, then not ready, then the highest name), then writes status (replicas, ready,
// available, observedGeneration, observedRevision [+ observedMerge]: the view it read). One write per step: the first RS (name order) needing one.
// Its pod creates and deletes are expected (ControllerExpectations): its next view contains them, so it does not
// create or delete again from a view from before its own write (the `expectations` parameter; transitions.ts).
// Simplified: minReadySeconds 0 (available = ready), no burst limits, pods are never released (orphaned) on a label change.
import type { Write } from '../api.ts'
import { clone, isTerminating, list, matches, newMeta, ownedBy, ownerRef, podActive, podReady, type Cluster, type Pod, type ReplicaSet } from '../resources.ts'
import { observedAt, sameStatus, type Controller, type ObservedAt } from './types.ts'

export function replicaSetPods(view: Cluster, rs: ReplicaSet): Pod[] {
  return list(view, 'Pod').filter((p) => ownedBy(p, rs) && matches(rs.spec.selector, p.meta.labels))
}

function deletionRank(p: Pod): number {
  if (p.spec.nodeName === undefined) return 0
  if (p.status.phase === 'Pending') return 1
  if (!podReady(p)) return 2
  return 3
}

export function syncReplicaSet(view: Cluster, at: ObservedAt, rs: ReplicaSet): Write | undefined {
  if (isTerminating(rs)) return undefined
  for (const p of list(view, 'Pod')) {
    if (p.meta.owner === undefined && !isTerminating(p) && matches(rs.spec.selector, p.meta.labels)) {
      const q = clone(p)
      q.meta.owner = ownerRef('ReplicaSet', rs)
      return { op: 'update', kind: 'Pod', obj: q }
    }
  }
  const pods = replicaSetPods(view, rs)
  const active = pods.filter(podActive)
  if (active.length < rs.spec.replicas) {
    const obj: Pod = {
      meta: newMeta('', rs.spec.template.labels, ownerRef('ReplicaSet', rs)),
      spec: { image: rs.spec.template.image },
      status: { phase: 'Pending', ready: false },
    }
    return { op: 'create', kind: 'Pod', obj, generateName: `${rs.meta.name}-` }
  }
  if (active.length > rs.spec.replicas) {
    const victim = [...active].sort((a, b) => deletionRank(a) - deletionRank(b) || (a.meta.name < b.meta.name ? 1 : -1))[0]
    return { op: 'delete', kind: 'Pod', name: victim.meta.name, uid: victim.meta.uid }
  }
  const ready = active.filter(podReady).length
  const status: ReplicaSet['status'] = { replicas: active.length, ready, available: ready, observedGeneration: rs.meta.generation, ...at }
  if (!sameStatus(rs.status, status)) {
    const next = clone(rs)
    next.status = status
    return { op: 'update', kind: 'ReplicaSet', obj: next }
  }
  return undefined
}

export function replicaSetController(name: string): Controller {
  return {
    kind: 'replicaset',
    name,
    reads: { kinds: ['ReplicaSet', 'Pod'] },
    step(input) {
      const { view } = input
      for (const rs of list(view, 'ReplicaSet')) {
        const write = syncReplicaSet(view, observedAt(input), rs)
        if (write) return { write }
      }
      return undefined
    },
    expects: (w) => w.kind === 'Pod' && (w.op === 'create' || w.op === 'delete'),
  }
}
