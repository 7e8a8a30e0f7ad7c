// Kubelet of one node: joins (creates its Node, Ready), stops containers whose pod is gone, replaced (other uid),
// bound elsewhere or terminating; then the first write needed, in pod name order: start a pending pod (Running and
// Ready in one status write: no probes, no image pulls), finish a runOnce (Job) container (Succeeded), mark a
// stopped runOnce pod Failed, force-delete a terminating pod once its container is stopped.
// Containers are the node's real state (local state, never rolled back); they start even if the status write fails.
// Simplified: containers never crash; restartPolicy Always containers lost in a node restart are restarted silently.
import type { Write } from '../api.ts'
import { clone, isTerminating, list, newMeta, type Node, type Pod } from '../resources.ts'
import type { Controller } from './types.ts'

const key = (p: Pod): string => `${p.meta.name}@${p.meta.uid}`

export function kubelet(node: string, capacity: number): Controller {
  return {
    kind: 'kubelet',
    name: `kubelet-${node}`,
    node,
    step({ view, running }) {
      const me = view.objs.Node[node]
      if (!me) {
        const obj: Node = { meta: newMeta(node, {}), spec: { capacity }, status: { ready: true } }
        return { write: { op: 'create', kind: 'Node', obj } }
      }
      const pods = list(view, 'Pod').filter((p) => p.spec.nodeName === node)
      const wanted = new Set(pods.filter((p) => !isTerminating(p) && (p.status.phase === 'Pending' || p.status.phase === 'Running')).map(key))
      let run = running.filter((k) => wanted.has(k))
      const stopped = run.length !== running.length
      const status = (p: Pod, phase: Pod['status']['phase'], ready: boolean): Write => {
        const q = clone(p)
        q.status = { phase, ready }
        return { op: 'update', kind: 'Pod', obj: q }
      }
      for (const p of pods) {
        const k = key(p)
        const isRunning = run.includes(k)
        if (isTerminating(p)) {
          if (p.spec.runOnce && (p.status.phase === 'Pending' || p.status.phase === 'Running')) return { write: status(p, 'Failed', false), running: run }
          if (p.meta.finalizers.length === 0) return { write: { op: 'delete', kind: 'Pod', name: p.meta.name, uid: p.meta.uid, force: true }, running: run }
          continue
        }
        if (p.status.phase === 'Pending') {
          // Start the container (or, if a status write was lost, report it again).
          if (!isRunning) run = [...run, k].sort()
          return { write: status(p, 'Running', true), running: run }
        }
        if (p.status.phase === 'Running' && p.spec.runOnce) {
          if (isRunning) return { write: status(p, 'Succeeded', false), running: run.filter((x) => x !== k) }
          // Its container was lost in a node restart and must not run twice.
          return { write: status(p, 'Failed', false), running: run }
        }
        if (p.status.phase === 'Running' && !isRunning) {
          run = [...run, k].sort()
          return { running: run }
        }
      }
      return stopped ? { running: run } : undefined
    },
  }
}
