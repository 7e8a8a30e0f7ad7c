// Differences between two JSON values (trace states), as readable paths: rmState.rm1, msgs, pods[0].status.
// Arrays of plain values are compared whole (a set-like list that gained an element is one change, not a shift of
// every later index); arrays of objects are compared index by index.

export interface JsonChange {
  path: string
  kind: 'changed' | 'added' | 'removed'
  before?: unknown
  after?: unknown
}

import { sameJson } from './json.ts'

const IDENT = /^[A-Za-z_$][\w$]*$/

/** The path of `key` under `parent`: a.b, a[3], a["odd key"]. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  if (IDENT.test(key)) return parent ? `${parent}.${key}` : key
  return `${parent}[${JSON.stringify(key)}]`
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isPlain = (v: unknown): boolean => v === null || typeof v !== 'object'

export function diffJson(before: unknown, after: unknown, path = ''): JsonChange[] {
  if (sameJson(before, after)) return []
  if (isObject(before) && isObject(after)) {
    const out: JsonChange[] = []
    for (const k of Object.keys(before)) {
      const p = childPath(path, k)
      if (!Object.hasOwn(after, k)) out.push({ path: p, kind: 'removed', before: before[k] })
      else out.push(...diffJson(before[k], after[k], p))
    }
    for (const k of Object.keys(after)) if (!Object.hasOwn(before, k)) out.push({ path: childPath(path, k), kind: 'added', after: after[k] })
    return out
  }
  if (Array.isArray(before) && Array.isArray(after) && !(before.every(isPlain) && after.every(isPlain))) {
    const out: JsonChange[] = []
    const n = Math.max(before.length, after.length)
    for (let i = 0; i < n; i++) {
      const p = childPath(path, i)
      if (i >= after.length) out.push({ path: p, kind: 'removed', before: before[i] })
      else if (i >= before.length) out.push({ path: p, kind: 'added', after: after[i] })
      else out.push(...diffJson(before[i], after[i], p))
    }
    return out
  }
  return [{ path: path || '(state)', kind: 'changed', before, after }]
}

/** Every changed path and each of its ancestors, so a tree can open and mark the branches that hold changes. */
export function changedPaths(changes: readonly JsonChange[]): { leaves: Set<string>; branches: Set<string> } {
  const leaves = new Set(changes.map((c) => c.path))
  const branches = new Set<string>()
  for (const c of changes) {
    // Walk up the path by cutting at each "." or "[" outside a quoted key.
    let inQuote = false
    for (let i = 0; i < c.path.length; i++) {
      const ch = c.path[i]
      if (ch === '"' && c.path[i - 1] !== '\\') inQuote = !inQuote
      if (!inQuote && (ch === '.' || ch === '[') && i > 0) branches.add(c.path.slice(0, i))
    }
    branches.add('')
  }
  return { leaves, branches }
}

/** A short one-line rendering of a value for the change list. */
export function preview(v: unknown, max = 60): string {
  const s = v === undefined ? '—' : JSON.stringify(v)
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}
