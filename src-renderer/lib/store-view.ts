// What the Store page says about replicas and their peers, told truly. A replica reports a peer's relation from the
// peer's *last reported* heads, which go stale once a link is cut: during a partition where both sides wrote, each
// side sees the other as "behind". Here the two views are put together (both behind → diverged), a down peer is
// down, and a cut link says its relation is as last seen.
import type { StorePeerView, StoreReplicaView, StoreView } from '../../src-shared/store-types.ts'

export interface PeerLabel {
  /** diverged | down | equal | ahead | behind | concurrent | unknown */
  relation: string
  /** What the chip says, e.g. "diverged", "down", "behind (as last seen)". */
  text: string
  /** A sentence for the tooltip. */
  title: string
}

function reverse(view: StoreView, from: string, to: string): StorePeerView | undefined {
  return view.replicas.find((r) => r.name === from)?.peers.find((p) => p.name === to)
}

export function peerLabel(view: StoreView, r: StoreReplicaView, p: StorePeerView): PeerLabel {
  const peer = view.replicas.find((x) => x.name === p.name)
  if (peer && !peer.up) return { relation: 'down', text: 'down', title: `${p.name} is down` }
  const back = reverse(view, p.name, r.name)
  const sameHeads = peer !== undefined && peer.heads.length > 0 && peer.heads.join() === r.heads.join()
  if (sameHeads) return { relation: 'equal', text: 'equal', title: `${r.name} and ${p.name} hold the same changes` }
  // Each side sees the other behind: each holds changes the other has not seen.
  if ((p.relation === 'behind' && back?.relation === 'behind') || p.relation === 'concurrent') {
    return { relation: 'diverged', text: 'diverged', title: `${r.name} and ${p.name} each hold writes the other has not seen (concurrent heads); they merge once connected` }
  }
  const stale = p.cut || !p.connected
  const text = stale ? `${p.relation} (as last seen)` : p.relation
  const title = `${p.name} is ${p.relation} ${r.name}${stale ? `, by the heads ${p.name} last reported before the link ${p.cut ? 'was cut' : 'went down'}` : ''}`
  return { relation: p.relation, text, title }
}

/** Groups of replicas that can reach each other (links not cut either way); one group when all links are up. */
export function reachableGroups(view: StoreView): string[][] {
  const names = view.replicas.map((r) => r.name)
  const linked = (a: string, b: string): boolean => !(reverse(view, a, b)?.cut ?? false) && !(reverse(view, b, a)?.cut ?? false)
  const groups: string[][] = []
  const seen = new Set<string>()
  for (const n of names) {
    if (seen.has(n)) continue
    const group: string[] = []
    const stack = [n]
    seen.add(n)
    while (stack.length) {
      const x = stack.pop()!
      group.push(x)
      for (const y of names) if (!seen.has(y) && linked(x, y)) (seen.add(y), stack.push(y))
    }
    groups.push(group.sort())
  }
  return groups
}

/** "3 of 3 replicas up", "2 of 3 replicas up (r2 down)". */
export function replicasUpText(view: StoreView): string {
  const down = view.replicas.filter((r) => !r.up).map((r) => r.name)
  const n = view.replicas.length
  const base = `${n - down.length} of ${n} replica${n === 1 ? '' : 's'} up`
  return down.length ? `${base} (${down.join(', ')} down)` : base
}

export interface LastSeen {
  revision: number
  keys: number
}

/** Remembers each replica's figures while it is up, so a down replica shows what it last had rather than 0. */
export function rememberSeen(prev: Readonly<Record<string, LastSeen>>, view: StoreView): Record<string, LastSeen> {
  const out = { ...prev }
  for (const r of view.replicas) if (r.up && r.revision > 0) out[r.name] = { revision: r.revision, keys: r.keys }
  return out
}
