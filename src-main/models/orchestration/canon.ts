// Canonical serialisation: JSON with object keys sorted and undefined fields dropped, so equal states give equal bytes.
// States are small (a few KB), so a string → UTF-8 round trip is cheap enough and keeps traces readable.

// Successor states share every unchanged object with their parent (copy-on-write, never mutated after creation),
// so each object's string is cached by identity: encoding a successor only serialises what changed.
const cache = new WeakMap<object, string>()
/** Keys as they appear in the output (quoted, with the colon); a handful of distinct field and object names. */
const quoted = new Map<string, string>()

/** Characters JSON.stringify escapes (and surrogates, lone ones included); names, labels and images have none. */
export const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

export function canon(v: unknown): string {
  // Leaves are most of the calls: format them directly rather than through JSON.stringify.
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null'
    case 'boolean':
      return v ? 'true' : 'false'
    case 'string':
      return NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`
  }
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  // Only resources and snapshots are worth a cache slot; small leaves are cheaper to serialise again.
  if (!('meta' in v) && !('objs' in v)) return serialise(v)
  const hit = cache.get(v)
  if (hit !== undefined) return hit
  const out = serialise(v)
  cache.set(v, out)
  return out
}

/**
 * Object.keys in sorted order, sorting only when they are not: decoded states already have their keys in canonical
 * order, and a write keeps its map's order and appends new names.
 */
export function sortedKeys(o: object): string[] {
  const keys = Object.keys(o)
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) return keys.sort()
  }
  return keys
}

function serialise(v: object): string {
  if (Array.isArray(v)) {
    let out = '['
    for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + canon(v[i])
    return out + ']'
  }
  const o = v as Record<string, unknown>
  const keys = sortedKeys(o)
  let out = '{'
  for (const k of keys) {
    const x = o[k]
    if (x === undefined) continue
    let q = quoted.get(k)
    if (q === undefined) {
      q = JSON.stringify(k) + ':'
      if (quoted.size > 50_000) quoted.clear()
      quoted.set(k, q)
    }
    out += (out.length > 1 ? ',' : '') + q + canon(x)
  }
  return out + '}'
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function toBytes(v: unknown): Uint8Array {
  return encoder.encode(canon(v))
}

export function fromBytes<T>(b: Uint8Array): T {
  return JSON.parse(decoder.decode(b)) as T
}

/** FNV-1a 32-bit over a string, printed base36: the pod-template-hash and ControllerRevision names. */
export function fnv32(s: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(36)
}
