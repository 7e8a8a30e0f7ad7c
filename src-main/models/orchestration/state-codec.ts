// A state's bytes: every distinct object once (its canonical JSON on a line of its own), then one line of structure
// (entries, parents, which objects each snapshot holds, sessions, budgets) that refers to objects by line. A
// history of `window` snapshots shares most objects, so this is a fraction of the state's full JSON. Decoding
// interns objects by their text, and a kind's name → object map and whole snapshots by the objects they hold, so
// equal parts decoded from different states are one object: the caches that go by identity (canonical strings in
// canon.ts, fingerprint keys in state-key.ts, merged views in history.ts) keep hitting across the frontier.
// With `canonical`, kinds and names are in sorted order and the structure is canonical JSON, so equal states give
// equal bytes (models without a fingerprint of their own are hashed on these bytes).
import { canon } from './canon.ts'
import type { OState } from './model.ts'
import type { AnyObject, Cluster } from './resources.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

type EntryForm = [rev: number, parents: number[], objs: Record<string, number[]>, tombs: Record<string, number> | null]

export function encodeState(s: OState, canonical = true): Uint8Array {
  const index = new Map<string, number>()
  const lines: string[] = []
  const entries: EntryForm[] = s.h.e.map((e) => {
    const objs: Record<string, number[]> = {}
    const kinds = Object.keys(e.c.objs)
    for (const kind of canonical ? kinds.sort() : kinds) {
      const byName = (e.c.objs as Record<string, Record<string, AnyObject>>)[kind]
      const names = Object.keys(byName)
      const ids: number[] = []
      for (const n of canonical ? names.sort() : names) {
        const text = canon(byName[n])
        let i = index.get(text)
        if (i === undefined) {
          i = lines.length
          lines.push(text)
          index.set(text, i)
        }
        ids.push(i)
      }
      objs[kind] = ids
    }
    return [e.rev, e.p, objs, e.c.tombs ?? null]
  })
  const structure = { e: entries, l: s.h.latest, n: s.h.next, c: s.c, b: s.b }
  lines.push(canonical ? canon(structure) : JSON.stringify(structure))
  return encoder.encode(lines.join('\n'))
}

// Interning tables, bounded: cleared when large (a miss only costs a parse and a cache refill).
const LIMIT = 200_000
const objects = new Map<string, { o: AnyObject; id: number }>()
const kindMaps = new Map<string, { m: Record<string, AnyObject>; id: number }>()
const clusters = new Map<string, Cluster>()
let nextId = 1

function intern(text: string): { o: AnyObject; id: number } {
  let x = objects.get(text)
  if (x === undefined) {
    if (objects.size > LIMIT) {
      objects.clear()
      kindMaps.clear()
      clusters.clear()
    }
    x = { o: JSON.parse(text) as AnyObject, id: nextId++ }
    objects.set(text, x)
  }
  return x
}

function kindMap(kind: string, ids: number[], table: { o: AnyObject; id: number }[]): { m: Record<string, AnyObject>; id: number } {
  let key = kind
  for (const i of ids) key += ',' + table[i].id
  let x = kindMaps.get(key)
  if (x === undefined) {
    const m: Record<string, AnyObject> = {}
    for (const i of ids) m[table[i].o.meta.name] = table[i].o
    x = { m, id: nextId++ }
    if (kindMaps.size > LIMIT) kindMaps.clear()
    kindMaps.set(key, x)
  }
  return x
}

function cluster(objs: Record<string, number[]>, tombs: Record<string, number> | null, table: { o: AnyObject; id: number }[]): Cluster {
  const maps: [string, Record<string, AnyObject>][] = []
  let key = ''
  for (const kind of Object.keys(objs)) {
    const km = kindMap(kind, objs[kind], table)
    maps.push([kind, km.m])
    key += km.id + ','
  }
  if (tombs) key += JSON.stringify(tombs)
  let c = clusters.get(key)
  if (c === undefined) {
    c = { objs: Object.fromEntries(maps) } as unknown as Cluster
    if (tombs) c.tombs = tombs
    if (clusters.size > LIMIT) clusters.clear()
    clusters.set(key, c)
  }
  return c
}

export function decodeState(bytes: Uint8Array): OState {
  const lines = decoder.decode(bytes).split('\n')
  const st = JSON.parse(lines[lines.length - 1]) as { e: EntryForm[]; l: number; n: number; c: OState['c']; b: OState['b'] }
  const table = lines.slice(0, -1).map(intern)
  return {
    h: {
      e: st.e.map(([rev, p, objs, tombs]) => ({ rev, p, c: cluster(objs, tombs, table) })),
      latest: st.l,
      next: st.n,
    },
    c: st.c,
    b: st.b,
  }
}
