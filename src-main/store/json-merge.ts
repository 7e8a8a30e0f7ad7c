// JSON values merged field by field in the Automerge document: a put of a JSON object updates only the fields that
// changed (so concurrent edits of different fields both survive), and the value read back is the bytes written
// when they still say the same, else the merged object's JSON.
import type { Handle } from './document.ts'

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a)
    const kb = Object.keys(b)
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
  }
  return false
}

/** A value is stored as a mergeable JSON document when it is a JSON object; anything else is bytes. */
export function parseJsonObject(value: Buffer): Record<string, unknown> | null {
  let i = 0
  while (i < value.length && (value[i] === 0x20 || value[i] === 0x0a || value[i] === 0x0d || value[i] === 0x09)) i++
  if (value[i] !== 0x7b) return null
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'))
    return isPlainObject(parsed) ? parsed : null
  } catch {
    return null
  }
}

function putScalar(am: Handle, obj: string, prop: string | number, v: unknown, insert: boolean): void {
  const put = (value: unknown, type?: string): void => {
    if (insert) am.insert(obj, prop, value, type)
    else am.put(obj, prop, value, type)
  }
  if (v === null) put(null)
  else if (typeof v === 'boolean') put(v)
  else if (typeof v === 'number') put(v, Number.isInteger(v) ? 'int' : 'f64')
  else put(String(v), 'str')
}

export function writeJson(am: Handle, obj: string, prop: string, v: unknown): void {
  const existing = am.getWithType(obj, prop) as [string, unknown] | null
  if (isPlainObject(v)) {
    const id = existing && existing[0] === 'map' ? (existing[1] as string) : (am.putObject(obj, prop, {}) as string)
    reconcileMap(am, id, v)
  } else if (Array.isArray(v)) {
    if (existing && existing[0] === 'list' && deepEqual(am.materialize(existing[1]), v)) return
    const id = am.putObject(obj, prop, []) as string
    v.forEach((x, i) => insertJson(am, id, i, x))
  } else {
    if (existing && existing[0] !== 'map' && existing[0] !== 'list' && existing[0] !== 'text' && existing[1] === v) return
    putScalar(am, obj, prop, v, false)
  }
}

function insertJson(am: Handle, list: string, index: number, v: unknown): void {
  if (isPlainObject(v)) reconcileMap(am, am.insertObject(list, index, {}) as string, v)
  else if (Array.isArray(v)) {
    const id = am.insertObject(list, index, []) as string
    v.forEach((x, i) => insertJson(am, id, i, x))
  } else putScalar(am, list, index, v, true)
}

/** Field-by-field update: only changed fields become operations; fields absent from `next` are deleted. */
function reconcileMap(am: Handle, obj: string, next: Record<string, unknown>): void {
  for (const k of am.keys(obj) as string[]) if (!Object.hasOwn(next, k)) am.delete(obj, k)
  for (const [k, v] of Object.entries(next)) writeJson(am, obj, k, v)
}

export function jsonValue(m: Record<string, unknown>): Buffer {
  const json = m.j
  const raw = m.raw instanceof Uint8Array ? Buffer.from(m.raw) : null
  if (raw) {
    try {
      if (deepEqual(JSON.parse(raw.toString('utf8')), json)) return raw
    } catch {
      /* fall through to the normalised form */
    }
  }
  return Buffer.from(JSON.stringify(json))
}
