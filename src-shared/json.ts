// Structural equality of JSON values (what models' describe() returns); key order does not matter.
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]))
  // As JSON sees them: a key holding undefined is no key (a saved trace has lost it, a fresh state may have it).
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined)
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined)
  if (ka.length !== kb.length) return false
  return ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

/**
 * Why `value` cannot travel as JSON (a saved trace, a worker message, the web host's events), or null when it can:
 * a BigInt, a function, a symbol or a cycle, named by where it sits (`state.a[2]`). Values JSON drops or rewrites
 * silently (undefined in an object, NaN) are let through, as JSON.stringify treats them.
 */
export function jsonProblem(value: unknown, where = 'state'): string | null {
  const open = new Set<object>()
  const visit = (v: unknown, at: string): string | null => {
    switch (typeof v) {
      case 'bigint':
        return `${at} is a BigInt (${v}n)`
      case 'function':
        return `${at} is a function`
      case 'symbol':
        return `${at} is a symbol`
      case 'object':
        break
      default:
        return null
    }
    if (v === null) return null
    if (open.has(v)) return `${at} refers back to an object that contains it (a cycle)`
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return null
    open.add(v)
    try {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const p = visit(v[i], `${at}[${i}]`)
          if (p) return p
        }
        return null
      }
      for (const [k, x] of Object.entries(v)) {
        const p = visit(x, /^[A-Za-z_$][\w$]*$/.test(k) ? `${at}.${k}` : `${at}[${JSON.stringify(k)}]`)
        if (p) return p
      }
      return null
    } finally {
      open.delete(v)
    }
  }
  return visit(value, where)
}
