// Job controller (NonIndexed): pods carry the tracking finalizer; a finished pod is first recorded in
// status.uncounted, then its finalizer is removed, then it is moved into succeeded/failed (three writes, as with
// uncountedTerminatedPods); once finished, it removes the finalizer from any pod still holding it. Keeps
// min(parallelism, completions − succeeded) pods active, deletes active pods when suspended, marks the Job complete;
// once more than spec.backoffLimit pods have failed, marks it failed (BackoffLimitExceeded) and deletes its active
// pods. Its pod writes are expected, as the ReplicaSet controller's are (replicaset.ts). Simplified: no Indexed
// mode, no pod failure policy, no backoff delay between retries, no activeDeadline or TTL, no start time;
// status.ready counts Running+Ready pods.
import type { Write } from '../api.ts'
import { clone, isTerminating, list, newMeta, ownedBy, ownerRef, podActive, podFinished, podReady, TRACKING_FINALIZER, type Cluster, type Job, type Pod } from '../resources.ts'
import { observedAt, sameStatus, stamp, type Controller, type ObservedAt } from './types.ts'

export function syncJob(view: Cluster, at: ObservedAt, j: Job): Write | undefined {
  if (isTerminating(j)) return undefined
  const pods = list(view, 'Pod').filter((p) => ownedBy(p, j))
  const byUid = new Map(pods.map((p) => [p.meta.uid, p]))
  const active = pods.filter(podActive)
  // Every status write carries the whole recomputed status, as the Kubernetes controller's does.
  const status = (patch: Partial<Job['status']>): Write => {
    const next = clone(j)
    next.status = stamp(
      {
        ...next.status,
        active: active.length,
        ready: active.filter(podReady).length,
        ...patch,
        observedGeneration: j.meta.generation,
      },
      at,
    )
    return { op: 'update', kind: 'Job', obj: next }
  }
  const uncounted = j.status.uncounted
  const isUncounted = (uid: string): boolean => uncounted.some((u) => u.startsWith(uid + ':'))
  // 1. Record every finished pod that still carries the finalizer (one status write for all of them).
  const fresh = pods
    .filter((p) => podFinished(p) && p.meta.finalizers.includes(TRACKING_FINALIZER) && !isUncounted(p.meta.uid))
    .map((p) => `${p.meta.uid}:${p.status.phase === 'Succeeded' ? 'S' : 'F'}`)
  if (fresh.length > 0) return status({ uncounted: [...uncounted, ...fresh].sort() })
  // 2. Remove the finalizer of recorded pods.
  for (const p of pods) {
    if (isUncounted(p.meta.uid) && p.meta.finalizers.includes(TRACKING_FINALIZER)) {
      const q = clone(p)
      q.meta.finalizers = q.meta.finalizers.filter((f) => f !== TRACKING_FINALIZER)
      return { op: 'update', kind: 'Pod', obj: q }
    }
  }
  // 3. Move recorded pods whose finalizer is gone into the counts.
  if (uncounted.length > 0) {
    const done = uncounted.filter((u) => {
      const p = byUid.get(u.slice(0, u.indexOf(':')))
      return !p || !p.meta.finalizers.includes(TRACKING_FINALIZER)
    })
    if (done.length > 0) {
      return status({
        uncounted: uncounted.filter((u) => !done.includes(u)),
        succeeded: j.status.succeeded + done.filter((u) => u.endsWith(':S')).length,
        failed: j.status.failed + done.filter((u) => u.endsWith(':F')).length,
      })
    }
  }
  // 4. A finished Job lets go of every pod it still holds by the tracking finalizer, as Kubernetes does once the
  //    Job has its finished condition — e.g. a pod deleted while Pending that never ran, which nothing else frees.
  const finished = j.status.complete || j.status.backoffLimitExceeded
  if (finished) {
    for (const p of pods) {
      if (!p.meta.finalizers.includes(TRACKING_FINALIZER)) continue
      const q = clone(p)
      q.meta.finalizers = q.meta.finalizers.filter((f) => f !== TRACKING_FINALIZER)
      return { op: 'update', kind: 'Pod', obj: q }
    }
  }
  const succeeded = j.status.succeeded + uncounted.filter((u) => u.endsWith(':S')).length
  // 5. One failure more than the backoff limit fails the Job (counted and recorded ones, as Kubernetes counts).
  const failed = j.status.failed + uncounted.filter((u) => u.endsWith(':F')).length
  if (!finished && failed > j.spec.backoffLimit) return status({ backoffLimitExceeded: true })
  const want = j.spec.suspend || finished ? 0 : Math.max(0, Math.min(j.spec.parallelism, j.spec.completions - succeeded))
  if (active.length < want) {
    const obj: Pod = {
      meta: newMeta('', j.spec.template.labels, ownerRef('Job', j), [TRACKING_FINALIZER]),
      spec: { image: j.spec.template.image, runOnce: true },
      status: { phase: 'Pending', ready: false },
    }
    return { op: 'create', kind: 'Pod', obj, generateName: `${j.meta.name}-` }
  }
  if (active.length > want) {
    const victim = active[active.length - 1]
    return { op: 'delete', kind: 'Pod', name: victim.meta.name, uid: victim.meta.uid }
  }
  const complete = j.status.complete || (!finished && succeeded >= j.spec.completions && uncounted.length === 0)
  const next = {
    ...j.status,
    active: active.length,
    ready: active.filter(podReady).length,
    complete,
    observedGeneration: j.meta.generation,
  }
  if (!sameStatus(j.status, next)) return status(next)
  return undefined
}

export function jobController(name: string): Controller {
  return {
    kind: 'job',
    name,
    reads: { kinds: ['Job', 'Pod'] },
    step(input) {
      const { view } = input
      for (const j of list(view, 'Job')) {
        const write = syncJob(view, observedAt(input), j)
        if (write) return { write }
      }
      return undefined
    },
    // Pod creates and deletes (ControllerExpectations) and finalizer removals (its uid-tracking expectations).
    expects: (w) => w.kind === 'Pod',
  }
}
