// Stable identities for orchestration traces, on the display side. The model keeps its states canonical by
// renumbering object uids (u0007 → u0005 → u0004 as older objects go) and datastore revisions, so a raw diff is
// full of renumbering, and an effect line (formatted against the state before the step) names a uid the state after
// it no longer uses. Here each object incarnation gets one label for the whole trace (db-0#1, db-0#2: the second
// pod named db-0), matched between consecutive steps by kind and name, and revision bookkeeping is set apart.
import type { JsonChange } from '../../src-shared/json-diff.ts'
import type { TraceStep } from '../../src-shared/types.ts'

/** A renumbered uid: u + digits (fixed uids such as u0-Node-node1 never change and are left alone). */
const RAW_UID = /^u\d+$/
const REF = /([A-Za-z0-9][\w.-]*)@(u\d+)\b/g

interface Occurrence {
  uid: string
  name: string
  /** Kind/name for an object; the JSON path of the string for a reference such as "db-0@u0003". */
  key: string
  object: boolean
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** True for an orchestration state: resources by kind, a consistency level. */
export function isOrchestrationState(state: unknown): boolean {
  return isObj(state) && isObj(state.resources) && typeof state.consistency === 'string'
}

function occurrences(state: unknown): Occurrence[] {
  const out: Occurrence[] = []
  if (!isObj(state)) return out
  const resources = isObj(state.resources) ? state.resources : {}
  for (const [kind, objs] of Object.entries(resources)) {
    if (!isObj(objs)) continue
    for (const [name, o] of Object.entries(objs)) {
      const uid = isObj(o) && isObj(o.meta) ? o.meta.uid : undefined
      if (typeof uid === 'string' && RAW_UID.test(uid)) out.push({ uid, name, key: `${kind}/${name}`, object: true })
    }
  }
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(REF)) out.push({ uid: m[2], name: m[1], key: path, object: false })
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`))
    else if (isObj(v)) for (const [k, x] of Object.entries(v)) if (k !== 'resources') walk(x, `${path}.${k}`)
  }
  walk(state, '')
  return out
}

export interface StableTrace {
  steps: TraceStep[]
  /** raw uid → label, per step (the effect of step i is read with step i-1's map first). */
  labels: Map<string, string>[]
}

/** Rewrites every renumbered uid in the trace's states and effect lines to a label that holds for the whole trace. */
export function stableTrace(steps: readonly TraceStep[]): StableTrace {
  const incarnations = new Map<string, number>()
  const fresh = (name: string): string => {
    const n = (incarnations.get(name) ?? 0) + 1
    incarnations.set(name, n)
    return `${name}#${n}`
  }
  const maps: Map<string, string>[] = []
  const byKey: Map<string, string>[] = []
  steps.forEach((step, i) => {
    const occ = occurrences(step.state)
    const map = new Map<string, string>()
    const keys = new Map<string, string>()
    const prevKeys = byKey[i - 1]
    for (const o of occ.filter((x) => x.object)) {
      const created = step.effect?.includes(`create ${o.key}`) ?? false
      const label = (!created && prevKeys?.get(o.key)) || fresh(o.name)
      map.set(o.uid, label)
      keys.set(o.key, label)
    }
    for (const o of occ.filter((x) => !x.object)) {
      let label = map.get(o.uid) ?? prevKeys?.get(o.key)
      // A container of an object that is gone: the last step that knew this uid under this name.
      for (let j = i - 1; label === undefined && j >= 0; j--) {
        const l = maps[j].get(o.uid)
        if (l?.startsWith(`${o.name}#`)) label = l
      }
      label ??= fresh(o.name)
      map.set(o.uid, label)
      keys.set(o.key, label)
    }
    maps.push(map)
    byKey.push(keys)
  })
  const relabel = (text: string, ...ms: (Map<string, string> | undefined)[]): string =>
    text.replace(REF, (all, name: string, uid: string) => {
      const label = ms.map((m) => m?.get(uid)).find((l) => l !== undefined)
      return label ? `${label}` : all
    })
  const rewrite = (v: unknown, map: Map<string, string>): unknown => {
    if (typeof v === 'string') return RAW_UID.test(v) ? (map.get(v) ?? v) : v.includes('@u') ? relabel(v, map) : v
    if (Array.isArray(v)) return v.map((x) => rewrite(x, map))
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewrite(x, map)]))
    return v
  }
  return {
    steps: steps.map((s, i) => ({
      ...s,
      state: rewrite(s.state, maps[i]),
      ...(s.effect !== undefined ? { effect: relabel(s.effect, maps[i - 1], maps[i]) } : {}),
    })),
    labels: maps,
  }
}

/**
 * Changes that only move revision numbers: the retained history window, the head, an object's rv where nothing
 * else of that object changed in the step, and (when the acting controller is known) the session revisions of
 * other controllers, which only shift as revisions are renumbered. Shown apart so the real changes stand out.
 */
export function bookkeepingPaths(changes: readonly JsonChange[], actor?: string): Set<string> {
  const out = new Set<string>()
  const objectOf = (path: string): string | null => /^(resources\.\w+(?:\.[\w-]+|\["[^"]+"\]))/.exec(path)?.[1] ?? null
  const realObjects = new Set<string>()
  for (const c of changes) {
    const o = objectOf(c.path)
    if (o !== null && !/\.meta\.rv$/.test(c.path)) realObjects.add(o)
  }
  for (const c of changes) {
    const session = /^controllers(?:\.([\w-]+)|\["([^"]+)"\])\.session$/.exec(c.path)
    if (/^(history|head)\b/.test(c.path)) out.add(c.path)
    else if (session && actor !== undefined && (session[1] ?? session[2]) !== actor) out.add(c.path)
    else if (/\.meta\.rv$/.test(c.path) && !realObjects.has(objectOf(c.path) ?? '')) out.add(c.path)
  }
  return out
}
