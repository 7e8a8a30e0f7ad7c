// PodGC: force-deletes pods bound to a node that no longer exists, and terminating pods that were never scheduled.
// Simplified: no threshold of terminated pods, and orphaned pods are deleted directly (Kubernetes first marks them
// Failed); a pod with finalizers only becomes terminating.
import { isTerminating, list } from '../resources.ts'
import type { Controller } from './types.ts'

export function podgc(name: string): Controller {
  return {
    kind: 'podgc',
    name,
    reads: { kinds: ['Pod', 'Node'] },
    step({ view }) {
      for (const p of list(view, 'Pod')) {
        const n = p.spec.nodeName
        const orphan = n !== undefined && view.objs.Node[n] === undefined
        const unscheduledTerminating = n === undefined && isTerminating(p)
        if ((orphan && !(isTerminating(p) && p.meta.finalizers.length > 0)) || (unscheduledTerminating && p.meta.finalizers.length === 0)) {
          return { write: { op: 'delete', kind: 'Pod', name: p.meta.name, uid: p.meta.uid, force: true } }
        }
      }
      return undefined
    },
  }
}
