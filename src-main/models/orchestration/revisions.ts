// Where revisions hide in a state: one list of the places, shared by renumbering (renumber.ts) and the fingerprint
// up to revision renaming (state-key.ts), so the two can never disagree about what a revision is.
// The places: history entries and their parents, latest; controller sessions; meta.rv, meta.deletion, uids
// ("u<rev>"), owner uids, generated Pod names ("<prefix><rev>"), kubelet containers ("<pod>@<uid>"),
// status.observedRevision / observedMerge, Job status.uncounted ("<uid>:S"), the paused-at annotation and causal
// tombstones (values, and generated Pod names in their keys).
import { PAUSED_AT, REV_WIDTH, type AnyObject } from './resources.ts'

export const UID = /^u([0-9]+)$/
/** A generated Pod name: a prefix ending in "-" and a padded revision (StatefulSet ordinals are never 4 digits). */
export const GENERATED = new RegExp(`^(.*-)([0-9]{${REV_WIDTH},})$`)

type Rec = Record<string, unknown>

/** The revision inside a uid, or undefined for uids that hold none (initial objects: "u0-Kind-name"). */
export function uidRev(uid: string): number | undefined {
  const m = UID.exec(uid)
  return m ? Number(m[1]) : undefined
}

/** Whether loose revisions older than every retained entry are forgotten: the linear levels, unless told apart. */
export function forgetsOldRevisions(level: string, oldRevisions: boolean | undefined): boolean {
  return level !== 'causal' && oldRevisions !== true
}

/**
 * Calls `add` with every revision an object holds, in a fixed order of fields (absent fields are skipped). `loose`
 * marks the ones compared only with the same object's other versions (resourceVersion: preconditions, "is it the
 * latest write"; the deletion mark: only whether there is one) or looked up among retained entries (a status's
 * observedRevision: gone once pruned). On a linear history one older than every retained entry is held by every
 * retained copy of that object alike, so its value says nothing any more (renumber.ts `forget`, state-key.ts).
 * `kube`: the built-in kinds' own revision-bearing fields count too (generated Pod names, statuses, paused-at);
 * a user model's kinds only hold revisions in the generic metadata.
 */
export function objectRevisions(kind: string, o: AnyObject, kube: boolean, add: (r: number, loose?: boolean) => void): void {
  const meta = o.meta
  add(meta.rv, true)
  const u = uidRev(meta.uid)
  if (u !== undefined) add(u)
  if (meta.deletion !== undefined) add(meta.deletion, true)
  if (meta.owner) {
    const ou = uidRev(meta.owner.uid)
    if (ou !== undefined) add(ou)
  }
  if (!kube) return
  const pausedAt = meta.annotations?.[PAUSED_AT]
  if (pausedAt !== undefined) add(Number(pausedAt))
  if (kind === 'Pod') {
    const g = GENERATED.exec(meta.name)
    if (g) add(Number(g[2]))
  }
  const st = (o as { status?: Rec }).status
  if (st) {
    if (typeof st.observedRevision === 'number') add(st.observedRevision, true)
    for (const r of (st.observedMerge as number[] | undefined) ?? []) add(r)
    for (const x of (st.uncounted as string[] | undefined) ?? []) {
      const ur = uidRev(x.split(':')[0])
      if (ur !== undefined) add(ur)
    }
  }
}

/** Revisions in a tombstone key ("Kind/name": a generated Pod name holds one). */
export function tombKeyRevision(key: string, kube: boolean): number | undefined {
  if (!kube || !key.startsWith('Pod/')) return undefined
  const g = GENERATED.exec(key)
  return g ? Number(g[2]) : undefined
}

/**
 * A kubelet container entry "pod@uid" without its revision: the uid's revision, and the pod name's when the name
 * was generated from that same revision (renumber.ts renames exactly those). rev is undefined when the uid holds none.
 */
export function splitRun(entry: string): { skeleton: string; rev: number | undefined } {
  const at = entry.lastIndexOf('@')
  const uid = entry.slice(at + 1)
  const x = UID.exec(uid)
  if (!x) return { skeleton: entry, rev: undefined }
  const name = entry.slice(0, at)
  const g = GENERATED.exec(name)
  const generated = g !== null && g[2] === x[1]
  return { skeleton: `${generated ? g![1] + '#' : name}@u#`, rev: Number(x[1]) }
}
