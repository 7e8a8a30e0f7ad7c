// Causal order between sets of heads (change hashes): is one within the other's history, are they concurrent? Walks
// the change graph back from the later side, pruned by each change's position in this replica's arrival order (a
// change arrives after its dependencies, so one that arrived before `x` cannot have `x` in its history).
import type { Handle, Order } from './document.ts'

/** Is `x` an ancestor of (or one of) `targets`? Undefined when a hash is unknown here. */
function reaches(am: Handle, order: Map<string, number>, x: string, targets: string[]): boolean | undefined {
  const ix = order.get(x)
  if (ix === undefined) return undefined
  const stack = [...targets]
  const seen = new Set<string>()
  while (stack.length > 0) {
    const h = stack.pop() as string
    if (h === x) return true
    if (seen.has(h)) continue
    seen.add(h)
    const o = order.get(h)
    if (o === undefined) return undefined
    if (o < ix) continue
    const meta = am.getDecodedChangeByHash(h) as { deps: string[] } | null
    if (meta) for (const d of meta.deps) stack.push(d)
  }
  return false
}

/** All of `a` within the history of `b`? */
export function leq(am: Handle, order: Map<string, number>, a: string[], b: string[]): boolean | undefined {
  for (const h of a) {
    const r = reaches(am, order, h, b)
    if (r !== true) return r
  }
  return true
}

export function compareHeads(am: Handle, order: Map<string, number>, a: string[], b: string[]): Order {
  const sa = [...new Set(a)].sort()
  const sb = [...new Set(b)].sort()
  for (const h of [...sa, ...sb]) if (!order.has(h)) return 'unknown'
  if (sa.length === sb.length && sa.every((h, i) => h === sb[i])) return 'equal'
  if (leq(am, order, sa, sb)) return 'before'
  if (leq(am, order, sb, sa)) return 'after'
  return 'concurrent'
}
