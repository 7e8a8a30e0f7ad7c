// Fault plans: a list of {atMs, kind, target} from a file or a preset. Targets name a store member ("r2", "e1"),
// or "@<controller>" for the member that controller is attached to, a node ("node1") for node restarts, a
// controller name (or "*" for every controller but the kubelets) for controller restarts, and a user action's label.
import type { LiveFault, LiveFaultKind } from '../../src-shared/live-types.ts'

export const FAULT_KINDS: readonly LiveFaultKind[] = ['partition', 'heal', 'kill', 'restart', 'node-restart', 'controller-restart', 'user']

export const PRESETS: Record<string, { description: string; plan: LiveFault[] }> = {
  none: { description: 'No faults: the scenario converges from its initial state.', plan: [] },
  partition: {
    description: 'At 1 s the member of kubelet-node1 is cut off from the others; healed at 2.5 s.',
    plan: [
      { atMs: 1000, kind: 'partition', target: '@kubelet-node1' },
      { atMs: 2500, kind: 'heal' },
    ],
  },
  kill: {
    description: 'At 1 s the member of the first controller is killed (kill -9); restarted at 2 s.',
    plan: [
      { atMs: 1000, kind: 'kill', target: '@0' },
      { atMs: 2000, kind: 'restart', target: '@0' },
    ],
  },
  restart: {
    description: 'At 1 s node1 restarts (containers lost, Node deleted, kubelet relists); at 1.5 s every controller restarts (cache dropped, relist).',
    plan: [
      { atMs: 1000, kind: 'node-restart', target: 'node1' },
      { atMs: 1500, kind: 'controller-restart', target: '*' },
    ],
  },
  'stale-node': {
    description:
      'kubernetes#59848: at 1 s the member of kubelet-node2 (the node running db-0: the spare pod takes node1 first) is cut off; at 1.2 s node2 restarts (its Node deleted on the majority side); healed at 3 s.',
    plan: [
      { atMs: 1000, kind: 'partition', target: '@kubelet-node2' },
      { atMs: 1200, kind: 'node-restart', target: 'node2' },
      { atMs: 3000, kind: 'heal' },
    ],
  },
}

/** Checks a plan (parsed JSON) and sorts it by time; throws naming the bad entry. */
export function parsePlan(raw: unknown, source = 'fault plan'): LiveFault[] {
  if (!Array.isArray(raw)) throw new Error(`${source} must be a JSON array of {atMs, kind, target}`)
  const out = raw.map((f, i) => {
    const where = `${source} entry ${i}`
    if (typeof f !== 'object' || f === null) throw new Error(`${where} must be an object`)
    const { atMs, kind, target } = f as Record<string, unknown>
    if (typeof atMs !== 'number' || !Number.isFinite(atMs) || atMs < 0) throw new Error(`${where}: atMs must be a number ≥ 0, got ${JSON.stringify(atMs)}`)
    if (!FAULT_KINDS.includes(kind as LiveFaultKind)) throw new Error(`${where}: kind must be one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(kind)}`)
    if (kind !== 'heal' && (typeof target !== 'string' || target === '')) throw new Error(`${where}: ${kind} needs a target`)
    return { atMs, kind: kind as LiveFaultKind, ...(typeof target === 'string' ? { target } : {}) }
  })
  return out.sort((a, b) => a.atMs - b.atMs)
}

/** A preset by name, or undefined. */
export function presetPlan(name: string): LiveFault[] | undefined {
  return PRESETS[name] ? PRESETS[name].plan.map((f) => ({ ...f })) : undefined
}

/** Seeded xorshift32 in [0, 1). */
export function rng(seed: number): () => number {
  let x = (seed >>> 0) || 0x9e3779b9
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 0x100000000
  }
}
