// The initial states: encoded, stored in the visited set by the coordinator and checked against the properties
// before any explorer starts. They become the first frontier (depth 1).
import { fingerprint } from './fingerprint.ts'
import { ChunkWriter, type Chunk } from './frontier.ts'
import type { Model, Property } from './model.ts'
import { ModelFailure } from './model-failure.ts'
import { splitChunk } from './search.ts'
import type { SharedVisited } from './shared-visited.ts'

export interface Roots {
  /** Initial states counted as generated (duplicates included). */
  generated: number
  /** Distinct initial states stored. */
  count: number
  /** The roots in batches, split so that every worker gets a share of a wide first level. */
  queue: Chunk[]
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Stores the initial states; a property decided on one is recorded in `found` with the root's id. */
export function seedRoots(
  model: Model<unknown, unknown>,
  name: string,
  visited: SharedVisited,
  trackers: readonly Property<unknown>[],
  found: (number | null)[],
  workers: number,
): Roots {
  const fail = (message: string): never => {
    throw new ModelFailure(`model "${name}": ${message}`, [])
  }
  let inits: unknown[] = []
  try {
    inits = model.init()
  } catch (err) {
    fail(`init threw: ${errorText(err)}`)
  }
  const roots = new ChunkWriter(Math.max(1, inits.length))
  const fp = new Int32Array(2)
  let generated = 0
  visited.enter()
  try {
    for (let i = 0; i < inits.length; i++) {
      generated++
      let enc: Uint8Array = new Uint8Array(0)
      try {
        enc = model.encode(inits[i])
        if (!(enc instanceof Uint8Array)) throw new Error(`encode returned ${enc === null ? 'null' : typeof enc}, not bytes`)
      } catch (err) {
        fail(`encode of initial state ${i} threw: ${errorText(err)}`)
      }
      if (model.fingerprint) model.fingerprint(inits[i], fp)
      else fingerprint(enc, fp)
      if (!visited.insert(fp[0], fp[1])) continue
      const id = -(i + 2)
      roots.push(id, 1, enc)
      for (let p = 0; p < trackers.length; p++) {
        if (found[p] !== null) continue
        let ok = false
        try {
          ok = trackers[p].check(inits[i])
        } catch (err) {
          fail(`property "${trackers[p].name}" threw on initial state ${i}: ${errorText(err)}`)
        }
        if (trackers[p].kind === 'always' ? !ok : ok) found[p] = id
      }
    }
  } finally {
    visited.leave()
  }
  if (roots.n === 0) return { generated, count: 0, queue: [] }
  const all = roots.take()
  return { generated, count: all.n, queue: splitChunk(all, Math.max(1, Math.ceil(all.n / (workers * 4)))) }
}
