// The scenario properties judged on a live state: one replica's (or the merged) objects, the kubelets' running
// containers (the real world, which no datastore rollback undoes), the revisions the monitor saw on that replica
// (so a status is judged against the view it was computed from, as in the model) and whether any controller would
// still write. The predicates are the model's own (models/orchestration/property-checks.ts), judged through a
// view of this state, so each property is written once.
import type { PropertyInfo } from '../../src-shared/types.ts'
import { CHECKS, goalHolds, workloadConvergesCheck, type PropertyId, type PropertyView } from '../models/orchestration/property-checks.ts'
import type { Cluster, Observed } from '../models/orchestration/resources.ts'

export { goalHolds }

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

/** A live state as the property checks see it: the replica's objects are the only retained state. */
function viewOf(s: LiveState): PropertyView {
  return {
    cluster: s.cluster,
    rev: s.rev,
    retained: () => [s.cluster],
    running: () => s.running.entries(),
    // A causal merge's views are not kept by the monitor: such a status is not judged (as a pruned view in the model).
    observed: (o: { status: Observed }) => (o.status.observedMerge ? undefined : o.status.observedRevision > 0 ? s.at(o.status.observedRevision) : undefined),
    quiescent: () => s.quiescent(),
    podsByUidOnly: true,
  }
}

export interface LiveProperty extends PropertyInfo {
  check: Check
}

/** The live checks for a scenario's properties (by name); an unknown name is an error, not a silent pass. */
export function liveProperties(infos: readonly PropertyInfo[]): LiveProperty[] {
  return infos.map((p) => {
    const shared = p.name in CHECKS ? CHECKS[p.name as PropertyId] : p.name.startsWith('converges-') ? workloadConvergesCheck(null, p.name.slice('converges-'.length)) : undefined
    if (!shared) throw new Error(`live mode has no check for property "${p.name}"`)
    return { ...p, check: (s: LiveState) => shared(viewOf(s)) }
  })
}
