// Idle reads (models/orchestration/transitions.ts): a controller read that writes nothing, or whose write is rejected, and
// starts or stops no container only moves the controller's session forward — and a later session allows a subset
// of the views an earlier one does, so the state before such a read can do everything the state after it can.
// Leaving these reads out (the default) keeps every datastore state and every kubelet's containers reachable and
// every verdict, in fewer states. Checked here against the published model (idleReads: true) on whole small spaces.
import { describe } from 'vitest'
import type { Level } from '../../../src-main/models/orchestration/history.ts'
import { CLASSIC_STALE, sameVerdicts, sameWorlds } from './reduction.ts'

/** Session levels reject stale updates (idle reads there); optimistic and causal writes are not, so no fewer states. */
const CASES: [string, Level, Record<string, number | boolean>, 'fewer' | 'same'][] = [
  ['replicaset-scale', 'monotonic-session', { userActions: 0 }, 'fewer'],
  ['replicaset-scale', 'resettable-session', { userActions: 0, nodeRestarts: 1 }, 'fewer'],
  ['replicaset-scale', 'optimistic', { userActions: 0 }, 'same'],
  ['replicaset-scale', 'causal', { userActions: 0 }, 'same'],
  ['statefulset-available', 'resettable-session', {}, 'fewer'],
  ['statefulset-stale-reads', 'resettable-session', CLASSIC_STALE, 'fewer'],
  ['job-single', 'resettable-session', { nodeRestarts: 1, backoffLimit: 0 }, 'fewer'],
  ['job-single', 'causal', {}, 'same'],
]

describe('leaving idle reads out', () => {
  sameWorlds('idleReads', CASES)
  sameVerdicts('idleReads')
})
