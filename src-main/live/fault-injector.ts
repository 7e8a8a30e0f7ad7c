// Applying one fault to a running live run: member faults through the backend (partition, heal, kill -9,
// restart), node restarts (containers lost, kubelet relists, Node object deleted at the latest state of a reachable
// member), controller restarts, and user actions (a scenario's user write at the latest state).
import type { LiveEvent, LiveFault } from '../../src-shared/live-types.ts'
import type { Backend } from './backends.ts'
import type { EtcdClient } from './etcd-client.ts'
import type { Informer } from './informer.ts'
import type { Reconciler } from './reconciler.ts'
import { apiWrite, decodeObject, keyOf, type Identity } from './registry.ts'
import type { LiveUserAction } from './scenario-setup.ts'

/** How long a fault's own write (a node restart's Node delete) is retried while the store does not answer. */
const FAULT_RETRY_MS = 5000

export interface FaultContext {
  backend: Backend
  reconcilers: readonly Reconciler[]
  /** One client and one (monitor) informer per member, for the faults' own writes. */
  clients: readonly EtcdClient[]
  informers: readonly Informer[]
  identity: Identity
  userActions: readonly LiveUserAction[]
  emit(e: Omit<LiveEvent, 'seq' | 'atMs'>): void
  now(): number
}

/** A function applying one fault now; throws with a message naming what is wrong (an unknown target, …). */
export function faultApplier(ctx: FaultContext): (f: LiveFault) => Promise<void> {
  const { backend, reconcilers, identity, emit, now } = ctx
  const members = backend.names
  const userClients = ctx.clients
  const monitorInf = ctx.informers
  const memberOf = (target: string): string => {
    if (target.startsWith('@')) {
      const t = target.slice(1)
      const idx = /^[0-9]+$/.test(t) ? Number(t) : reconcilers.findIndex((r) => r.name === t)
      const r = reconcilers[idx]
      if (!r) throw new Error(`no controller ${t}; controllers: ${reconcilers.map((x) => x.name).join(', ')}`)
      return members[r.endpoint]
    }
    if (!members.includes(target)) throw new Error(`no store member ${target}; members: ${members.join(', ')}`)
    return target
  }
  let isolated: string[] = []
  const down = new Set<string>()
  const writer = (): number => {
    const i = members.findIndex((m) => !isolated.includes(m) && !down.has(m))
    return i < 0 ? 0 : i
  }
  const applyFault = async (f: LiveFault): Promise<void> => {
    const t = f.target ?? ''
    switch (f.kind) {
      case 'partition': {
        if (members.length < 2) throw new Error('a partition needs at least 2 members')
        isolated = t.split(',').map((x) => memberOf(x.trim()))
        backend.partition(isolated)
        return
      }
      case 'heal':
        isolated = []
        backend.heal()
        return
      case 'kill': {
        const m = memberOf(t)
        down.add(m)
        await backend.kill(m)
        return
      }
      case 'restart': {
        const m = memberOf(t)
        await backend.restart(m)
        down.delete(m)
        return
      }
      case 'node-restart': {
        const k = reconcilers.find((r) => r.node === t)
        if (!k) throw new Error(`no node ${t}; nodes: ${reconcilers.filter((r) => r.node).map((r) => r.node).join(', ')}`)
        k.loseContainers()
        // The Node object is deleted at the latest state of a reachable member (not from any cache), retried
        // while the store cannot answer (an etcd leader election after a partition, a restarting replica).
        const until = now() + FAULT_RETRY_MS
        for (;;) {
          const w = writer()
          try {
            const got = await userClients[w].get(keyOf('Node', t))
            if (got.kv) {
              const out = await apiWrite(userClients[w], { op: 'delete', kind: 'Node', name: t, uid: decodeObject(got.kv).meta.uid }, identity)
              emit({ type: 'write', who: 'fault', endpoint: w, viewRev: got.rev, what: `delete Node/${t}`, ok: out.ok, reason: out.reason })
            }
            return
          } catch (e) {
            if (now() > until) throw new Error(`Node/${t} could not be deleted: ${(e as Error).message}`)
            await new Promise((r) => setTimeout(r, 100))
          }
        }
      }
      case 'controller-restart': {
        const targets = t === '*' ? reconcilers.filter((r) => r.kind !== 'kubelet') : reconcilers.filter((r) => r.name === t)
        if (targets.length === 0) throw new Error(`no controller ${t}; controllers: ${reconcilers.map((x) => x.name).join(', ')}`)
        for (const r of targets) r.restart()
        return
      }
      case 'user': {
        const a = ctx.userActions.find((x) => x.label === t)
        if (!a) throw new Error(`no user action "${t}"; this scenario has: ${ctx.userActions.map((x) => x.label).join(', ') || 'none'}`)
        const w = writer()
        const write = a.write(monitorInf[w].cluster)
        if (!write) throw new Error(`user action "${t}" does not apply now`)
        const out = await apiWrite(userClients[w], write, identity)
        emit({ type: 'write', who: 'user', endpoint: w, viewRev: monitorInf[w].rev, what: t, ok: out.ok, reason: out.reason })
        if (!out.ok) throw new Error(`rejected: ${out.reason}`)
        return
      }
    }
  }
  return applyFault
}
