// The fingerprint of an orchestration state up to renaming of revisions: two states whose revisions differ by an
// order-preserving map get one fingerprint, exactly as if both were renumbered 1..n (renumber.ts) and encoded —
// the same quotient, without rewriting any state (with `forget`, renumbering with `forget`). States keep their raw
// revisions (traces read as they happened, and an object keeps its identity from a state to its successors, so the
// per-object work below is cached, in memos kept on the objects themselves: memo.ts).
//
// Per object (cached by identity): a skeleton hash (the object with every revision replaced by 0, canonical JSON)
// and its revisions in a fixed field order (revisions.ts). Per snapshot (cached by identity): the skeletons of its
// objects in canonical order and their revisions concatenated. Per state: the revisions present, mapped densely
// in order (what renumbering would assign), then one hash over skeletons and mapped revisions.
import { fingerprint, fingerprintString, fingerprintWords } from '../../checker/fingerprint.ts'
import { canonBytes } from './canon-bytes.ts'
import { sortedKeys } from './canon.ts'
import type { OState } from './model.ts'
import { memo } from './memo.ts'
import { rewriteObject } from './renumber.ts'
import { objectRevisions, splitRun, tombKeyRevision, uidRev } from './revisions.ts'
import type { AnyObject, Cluster } from './resources.ts'

interface Key {
  /** Skeleton hash lanes. */
  lo: number
  hi: number
  /** Raw revisions in a fixed order; entries <= 0 are kept as they are by the renaming. */
  revs: number[]
  /** 1 where that revision is a loose one (revisions.ts): forgotten when older than every retained entry. */
  loose: number[]
}

const fp2 = new Int32Array(2)
const stringKeys = new Map<string, [number, number]>()

function hashString(s: string): [number, number] {
  let k = stringKeys.get(s)
  if (k === undefined) {
    fingerprintString(s, fp2)
    k = [fp2[0], fp2[1]]
    if (stringKeys.size > 100_000) stringKeys.clear()
    stringKeys.set(s, k)
  }
  return k
}

/** Every revision as 0 (r <= 0 is no revision and stays): an object's skeleton. */
export const ZERO_REVISIONS = (r: number): number => (r > 0 ? 0 : r)

const objectKeys = memo<Key>('object key')

function objectKey(kind: string, o: AnyObject, kube: boolean): Key {
  let k = objectKeys.get(o)
  if (k === undefined) {
    fingerprint(canonBytes(rewriteObject(kind, o, ZERO_REVISIONS, kube, true)), fp2)
    const lo = fp2[0]
    const hi = fp2[1]
    const revs: number[] = []
    const loose: number[] = []
    objectRevisions(kind, o, kube, (r, l) => {
      revs.push(r)
      loose.push(l ? 1 : 0)
    })
    k = { lo, hi, revs, loose }
    objectKeys.set(o, k)
  }
  return k
}

let words = new Int32Array(1024)

function grow(n: number): void {
  if (n <= words.length) return
  const w = new Int32Array(Math.max(n, words.length * 2))
  w.set(words)
  words = w
}

function hashWords(w: number[]): [number, number] {
  grow(w.length)
  for (let i = 0; i < w.length; i++) words[i] = w[i]
  fingerprintWords(words, w.length, fp2)
  return [fp2[0], fp2[1]]
}

/**
 * One kind's name → object map (cached by identity: a write copies only the map of the kind it changes, so a
 * successor's snapshot shares every other kind's map with its parent's).
 */
const kindKeys = memo<Key>('kind key')

function kindKey(kind: string, byName: Record<string, AnyObject>, kube: boolean): Key {
  let k = kindKeys.get(byName)
  if (k !== undefined) return k
  const names = sortedKeys(byName)
  const [klo, khi] = hashString(kind)
  grow(3 + 2 * names.length)
  const w = words
  w[0] = klo
  w[1] = khi
  w[2] = names.length
  let i = 3
  const revs: number[] = []
  const loose: number[] = []
  for (const n of names) {
    const ok = objectKey(kind, byName[n], kube)
    w[i++] = ok.lo
    w[i++] = ok.hi
    for (const r of ok.revs) revs.push(r)
    for (const l of ok.loose) loose.push(l)
  }
  fingerprintWords(w, i, fp2)
  k = { lo: fp2[0], hi: fp2[1], revs, loose }
  kindKeys.set(byName, k)
  return k
}

/** A snapshot: its kinds' keys in sorted kind order, then its tombstones (causal). */
const clusterKeys = memo<Key[]>('snapshot key')

function clusterKey(c: Cluster, kube: boolean): Key[] {
  let parts = clusterKeys.get(c)
  if (parts !== undefined) return parts
  const objs = c.objs as Record<string, Record<string, AnyObject>>
  const kinds = sortedKeys(objs)
  parts = new Array<Key>(kinds.length)
  for (let i = 0; i < kinds.length; i++) parts[i] = kindKey(kinds[i], objs[kinds[i]], kube)
  const tombs = c.tombs ? Object.keys(c.tombs).sort() : []
  if (tombs.length > 0) {
    const w: number[] = [tombs.length]
    const revs: number[] = []
    for (const t of tombs) {
      const tr = tombKeyRevision(t, kube)
      const [tlo, thi] = hashString(tr === undefined ? t : t.replace(/[0-9]+$/, '#'))
      w.push(tlo, thi, tr === undefined ? 0 : 1)
      if (tr !== undefined) revs.push(tr)
      revs.push(c.tombs![t])
    }
    const [lo, hi] = hashWords(w)
    parts.push({ lo, hi, revs, loose: revs.map(() => 0) })
  }
  clusterKeys.set(c, parts)
  return parts
}

const runKeys = new Map<string, { lo: number; hi: number; rev: number | undefined }>()

function runKey(entry: string): { lo: number; hi: number; rev: number | undefined } {
  let k = runKeys.get(entry)
  if (k === undefined) {
    const { skeleton, rev } = splitRun(entry)
    const [lo, hi] = hashString(skeleton)
    k = { lo, hi, rev }
    if (runKeys.size > 100_000) runKeys.clear()
    runKeys.set(entry, k)
  }
  return k
}

/** dense[r] = the revision renumbering would give r (1..n in order), for r present in the state. */
let dense = new Int32Array(1024)
/** Per entry of the state being hashed: its snapshot's parts. */
const partsOf: Key[][] = []

function markAll(revs: readonly number[]): void {
  for (let i = 0; i < revs.length; i++) if (revs[i] > 0) dense[revs[i]] = 1
}

/** markAll, but not the loose revisions below `base` (none when base is 0). */
function markKept(revs: readonly number[], loose: readonly number[], base: number): void {
  for (let i = 0; i < revs.length; i++) if (revs[i] > 0 && (loose[i] === 0 || revs[i] >= base)) dense[revs[i]] = 1
}

/**
 * The fingerprint of s up to an order-preserving renaming of its revisions. `kube`: see objectRevisions. `forget`
 * (linear levels only): loose revisions older than every retained entry count as 0, as renumber's `forget` makes them.
 */
export function stateFingerprint(s: OState, kube: boolean, out: Int32Array, forget = false): void {
  const h = s.h
  const es = h.e
  const base = forget ? es[0].rev : 0
  // Every revision held anywhere is below h.next.
  const size = h.next + 1
  if (dense.length < size) dense = new Int32Array(Math.max(size, dense.length * 2))
  else dense.fill(0, 0, size)
  for (let j = 0; j < es.length; j++) {
    const e = es[j]
    dense[e.rev] = 1
    markAll(e.p)
    const parts = clusterKey(e.c, kube)
    partsOf[j] = parts
    for (let k = 0; k < parts.length; k++) markKept(parts[k].revs, parts[k].loose, base)
  }
  dense[h.latest] = 1
  for (const c of s.c) {
    if (c.s) markAll(c.s)
    if (c.run) for (const x of c.run) {
      const rk = runKey(x)
      if (rk.rev !== undefined && rk.rev > 0) dense[rk.rev] = 1
    }
  }
  let n = 0
  for (let r = 1; r < size; r++) if (dense[r] !== 0) dense[r] = ++n

  let i = 0
  // Words written: a bound computed up front, so the loop below never checks capacity.
  let bound = 16 + 5 * s.c.length
  for (let j = 0; j < es.length; j++) {
    bound += 8 + es[j].p.length
    for (const p of partsOf[j]) bound += 3 + p.revs.length
  }
  for (const c of s.c) bound += (c.s?.length ?? 0) + 3 * (c.run?.length ?? 0)
  grow(bound)
  const w = words
  const d = dense
  w[i++] = es.length
  for (let j = 0; j < es.length; j++) {
    const e = es[j]
    w[i++] = d[e.rev]
    w[i++] = e.p.length
    for (const p of e.p) w[i++] = p > 0 ? d[p] : p
    const parts = partsOf[j]
    w[i++] = parts.length
    for (const part of parts) {
      w[i++] = part.lo
      w[i++] = part.hi
      const revs = part.revs
      const loose = part.loose
      for (let k = 0; k < revs.length; k++) w[i++] = revs[k] > 0 ? (loose[k] === 1 && revs[k] < base ? 0 : d[revs[k]]) : revs[k]
    }
  }
  w[i++] = d[h.latest]
  w[i++] = s.c.length
  for (const c of s.c) {
    if (c.s === null) w[i++] = -1
    else {
      w[i++] = c.s.length
      for (const r of c.s) w[i++] = r > 0 ? d[r] : r
    }
    w[i++] = c.own ? 1 : 0
    if (c.run === undefined) w[i++] = -1
    else {
      w[i++] = c.run.length
      for (const x of c.run) {
        const rk = runKey(x)
        w[i++] = rk.lo
        w[i++] = rk.hi
        w[i++] = rk.rev === undefined ? -1 : rk.rev > 0 ? d[rk.rev] : rk.rev
      }
    }
  }
  w[i++] = s.b.user
  w[i++] = s.b.node
  w[i++] = s.b.ctl
  partsOf.length = 0
  fingerprintWords(w, i, out)
}
