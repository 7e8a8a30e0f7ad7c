// A state's fingerprint, the one every part of the checker uses: the model's own fingerprint() when it has one
// (a canonical key computed without encoding, e.g. up to renaming of revisions), else the hash of its canonical
// bytes. Explorers then encode only the states that turn out to be new.
import { fingerprint } from './fingerprint.ts'
import type { Model } from './model.ts'

/** Writes the fingerprint into fp; returns the encoding when computing the fingerprint needed it, else null. */
export function fingerprintState(model: Model<unknown, unknown>, state: unknown, fp: Int32Array): Uint8Array | null {
  if (model.fingerprint) {
    model.fingerprint(state, fp)
    return null
  }
  const enc = encodeState(model, state)
  fingerprint(enc, fp)
  return enc
}

/** The fingerprint as a string key (for maps and comparisons outside the visited set). fp is scratch space. */
export function stateKey(model: Model<unknown, unknown>, state: unknown, fp: Int32Array): string {
  fingerprintState(model, state, fp)
  return `${fp[0]}:${fp[1]}`
}

/** The model's encoding of a state, checked to be bytes (a user model may return anything). */
export function encodeState(model: Model<unknown, unknown>, state: unknown): Uint8Array {
  const enc = model.encode(state)
  if (!(enc instanceof Uint8Array)) throw new Error(`encode returned ${enc === null ? 'null' : typeof enc}, not bytes`)
  return enc
}
