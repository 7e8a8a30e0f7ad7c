// Fault plans the live tests share.
import type { LiveFault } from '../../src-shared/live-types.ts'

/**
 * kubernetes#59848 on statefulset-stale-reads: db-0 is scheduled on node2 (the spare pod takes node1), so cut node2's
 * member off, restart node2 (its kubelet relists from the stale member and restarts db-0 while the majority side
 * replaces it on node1), then heal.
 */
export const STALE_NODE2: LiveFault[] = [
  { atMs: 1000, kind: 'partition', target: '@kubelet-node2' },
  { atMs: 1200, kind: 'node-restart', target: 'node2' },
  { atMs: 3000, kind: 'heal' },
]
