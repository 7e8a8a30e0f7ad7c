// Kubelet of one node: joins (creates its Node, Ready), stops containers whose pod is gone, replaced (other uid),
// bound elsewhere or terminating, restarts those of its Running pods that are not running; then the first write
// needed, in pod name order: start a pending pod (Running and Ready in one status write: no probes, no image pulls),
// finish a runOnce (Job) container (Succeeded), mark a stopped runOnce pod Failed, force-delete a terminating pod
// once its container is stopped. Every container change the view calls for is made in the step that reads it.
// Containers are the node's real state (local state, never rolled back); they start even if the status write fails.
// A runOnce container that ran to completion is remembered (as "exited:pod@uid", until the node restarts), as the
// kubelet's status manager remembers a terminated pod: if the datastore loses its Succeeded status (a rollback), the
// kubelet reports Succeeded again instead of taking the pod for one whose container was lost.
// Simplified: containers never crash; restartPolicy Always containers lost in a node restart are restarted silently.
import type { Write } from '../api.ts'
import { clone, isTerminating, list, newMeta, type Node, type Pod } from '../resources.ts'
import type { Controller } from './types.ts'

const key = (p: Pod): string => `${p.meta.name}@${p.meta.uid}`

/** The prefix of a remembered exited container in a kubelet's list. */
export const EXITED = 'exited:'

/** A kubelet's list split into the containers running and the runOnce ones remembered as exited (prefixed). */
export function splitContainers(list: readonly string[]): { running: string[]; exited: string[] } {
  const running: string[] = []
  const exited: string[] = []
  for (const k of list) {
    if (k.startsWith(EXITED)) exited.push(k)
    else running.push(k)
  }
  return { running, exited }
}

/** Containers started and stopped between two of a kubelet's lists (the remembered exited ones aside). */
export function containerDiff(before: readonly string[], after: readonly string[]): { started: string[]; stopped: string[] } {
  const was = splitContainers(before).running
  const now = splitContainers(after).running
  return { started: now.filter((k) => !was.includes(k)), stopped: was.filter((k) => !now.includes(k)) }
}

export function kubelet(node: string, capacity: number): Controller {
  return {
    kind: 'kubelet',
    name: `kubelet-${node}`,
    node,
    // Its own Node and the pods bound to it.
    reads: { kinds: ['Node', 'Pod'], keep: (kind, o) => (kind === 'Node' ? o.meta.name === node : (o as Pod).spec.nodeName === node) },
    step({ view, running }) {
      const me = view.objs.Node[node]
      if (!me) {
        const obj: Node = { meta: newMeta(node, {}), spec: { capacity }, status: { ready: true } }
        return { write: { op: 'create', kind: 'Node', obj } }
      }
      const pods = list(view, 'Pod').filter((p) => p.spec.nodeName === node)
      const wanted = new Set(pods.filter((p) => !isTerminating(p) && (p.status.phase === 'Pending' || p.status.phase === 'Running')).map(key))
      const { running: live, exited } = splitContainers(running)
      let run = live.filter((k) => wanted.has(k))
      const stopped = run.length !== live.length
      let restarted = false
      // The list handed back: running containers and the remembered exited ones, sorted as a whole.
      const all = (r: readonly string[], more: readonly string[] = []): string[] => [...r, ...exited, ...more].sort()
      const status = (p: Pod, phase: Pod['status']['phase'], ready: boolean): Write => {
        const q = clone(p)
        q.status = { phase, ready }
        return { op: 'update', kind: 'Pod', obj: q }
      }
      for (const p of pods) {
        const k = key(p)
        const isRunning = run.includes(k)
        const unfinished = p.status.phase === 'Pending' || p.status.phase === 'Running'
        // A runOnce container that ran to completion here while the datastore lost the report: report it again.
        if (p.spec.runOnce && unfinished && exited.includes(EXITED + k)) return { write: status(p, 'Succeeded', false), running: all(run) }
        if (isTerminating(p)) {
          if (p.spec.runOnce && unfinished) return { write: status(p, 'Failed', false), running: all(run) }
          if (p.meta.finalizers.length === 0) return { write: { op: 'delete', kind: 'Pod', name: p.meta.name, uid: p.meta.uid, force: true }, running: all(run) }
          continue
        }
        if (p.status.phase === 'Pending') {
          // Start the container (or, if a status write was lost, report it again).
          if (!isRunning) run = [...run, k]
          return { write: status(p, 'Running', true), running: all(run) }
        }
        if (p.status.phase === 'Running' && p.spec.runOnce) {
          if (isRunning) return { write: status(p, 'Succeeded', false), running: all(run.filter((x) => x !== k), [EXITED + k]) }
          // Its container was lost in a node restart and must not run twice.
          return { write: status(p, 'Failed', false), running: all(run) }
        }
        if (p.status.phase === 'Running' && !isRunning) {
          // Restart it and go on with the view: a step that writes nothing moves the session past this view, so
          // work left in it (a pending pod further on) would otherwise wait for a write that may never come.
          run = [...run, k]
          restarted = true
        }
      }
      return stopped || restarted ? { running: all(run) } : undefined
    },
  }
}
