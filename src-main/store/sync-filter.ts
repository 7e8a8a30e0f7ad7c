// Keeping a replica's undurable local changes out of its Automerge sync messages (a write whose fdatasync then
// fails must not have reached a peer).
//
// An entry of a sync message's change list is not always one change: a v2 message (what Automerge sends once
// both sides have announced v2) carries every change it sends as ONE entry, the changes' chunks back to back,
// and a first sync with an empty peer sends the whole document as one document chunk. So each entry is split
// into its storage chunks (magic, checksum, type, LEB128 length, body) before changes are picked out.
import * as A from '@automerge/automerge'

const MAGIC = [0x85, 0x6f, 0x4a, 0x83]
const DOCUMENT_CHUNK = 0
/** Magic (4), checksum (4), chunk type (1). */
const HEAD = 9

/** The storage chunks an entry is made of, in order; throws naming the offset of a malformed one. */
export function splitChunks(bytes: Uint8Array): { type: number; bytes: Uint8Array }[] {
  const out: { type: number; bytes: Uint8Array }[] = []
  let off = 0
  while (off < bytes.length) {
    if (bytes.length - off < HEAD + 1 || MAGIC.some((m, i) => bytes[off + i] !== m)) throw new Error(`no Automerge chunk at byte ${off} of ${bytes.length}`)
    const type = bytes[off + 8]
    let len = 0
    let shift = 0
    let i = off + HEAD
    for (;;) {
      if (i >= bytes.length || shift > 28) throw new Error(`bad chunk length at byte ${off} of ${bytes.length}`)
      const b = bytes[i++]
      len += (b & 0x7f) * 2 ** shift
      shift += 7
      if ((b & 0x80) === 0) break
    }
    const end = i + len
    if (end > bytes.length) throw new Error(`chunk at byte ${off} runs past the end (${end} > ${bytes.length})`)
    out.push({ type, bytes: bytes.subarray(off, end) })
    off = end
  }
  return out
}

/** Every change an entry of a sync message carries, one chunk each, with its hash. */
function changesOf(entry: Uint8Array): { hash: string; bytes: Uint8Array }[] {
  const out: { hash: string; bytes: Uint8Array }[] = []
  for (const chunk of splitChunks(entry)) {
    const changes = chunk.type === DOCUMENT_CHUNK ? A.getAllChanges(A.load(chunk.bytes)) : [chunk.bytes]
    for (const c of changes) out.push({ hash: A.decodeChange(c).hash, bytes: c })
  }
  return out
}

/**
 * An Automerge sync message without the changes named in `drop`. The receiver sees heads it lacks and gets those
 * changes later, by push once they are durable, or by the sync protocol. Unchanged (the same array) when nothing
 * in it is dropped; otherwise re-encoded with one entry per change kept.
 */
export function withoutChanges(msg: Uint8Array, drop: ReadonlySet<string>): Uint8Array {
  const m = A.decodeSyncMessage(msg)
  const keep: Uint8Array[] = []
  let dropped = false
  for (const entry of m.changes) {
    for (const c of changesOf(entry)) {
      if (drop.has(c.hash)) dropped = true
      else keep.push(c.bytes)
    }
  }
  if (!dropped) return msg
  return A.encodeSyncMessage({ ...m, changes: keep })
}
