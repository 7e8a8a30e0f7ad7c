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

/** The model's encoding of a state, checked to be bytes (a user model may return anything). */
export function encodeState(model: Model<unknown, unknown>, state: unknown): Uint8Array {
  const enc = model.encode(state)
  if (!(enc instanceof Uint8Array)) throw new Error(`encode returned ${enc === null ? 'null' : typeof enc}, not bytes`)
  return enc
}
