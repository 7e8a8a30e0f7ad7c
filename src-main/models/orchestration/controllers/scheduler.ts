// Scheduler: binds each unscheduled pod (name order) to the least-loaded Ready node with room, by an update of
// spec.nodeName (so the binding is concurrency-checked). Simplified: one resource (pod count vs node capacity),
// no taints, affinity or preemption; a pod whose PersistentVolumeClaims do not exist yet waits. Its bindings are
// expected (the `expectations` parameter; transitions.ts): its next view contains them.
import { clone, isTerminating, list } from '../resources.ts'
import type { Controller } from './types.ts'

export function scheduler(name: string): Controller {
  return {
    kind: 'scheduler',
    name,
    reads: { kinds: ['Pod', 'Node', 'PersistentVolumeClaim'] },
    step({ view }) {
      const nodes = list(view, 'Node').filter((n) => n.status.ready && !isTerminating(n))
      if (nodes.length === 0) return undefined
      const pods = list(view, 'Pod')
      const load = new Map<string, number>()
      for (const p of pods) {
        const n = p.spec.nodeName
        if (n !== undefined && p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed') load.set(n, (load.get(n) ?? 0) + 1)
      }
      for (const p of pods) {
        if (p.spec.nodeName !== undefined || isTerminating(p)) continue
        if ((p.spec.claims ?? []).some((c) => view.objs.PersistentVolumeClaim[c] === undefined)) continue
        let best: string | undefined
        let bestLoad = Infinity
        for (const n of nodes) {
          const l = load.get(n.meta.name) ?? 0
          if (l < n.spec.capacity && l < bestLoad) {
            best = n.meta.name
            bestLoad = l
          }
        }
        if (best === undefined) continue
        const bound = clone(p)
        bound.spec.nodeName = best
        return { write: { op: 'update', kind: 'Pod', obj: bound } }
      }
      return undefined
    },
    // Its bindings are assumed in its cache until the informer confirms them (kube-scheduler's assumed pods).
    expects: (w) => w.kind === 'Pod',
  }
}
