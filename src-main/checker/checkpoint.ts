// BFS checkpoints, written at level ends: the visited table, every worker's parent links and the next frontier.
// File: "STABCKP1", u32 meta length, meta JSON, then length-prefixed (u64) binary sections. Written to a temporary
// file, fsynced and renamed, so a crash leaves either the previous checkpoint or the new one.
import { closeSync, openSync, readFileSync, readSync, rmSync } from 'node:fs'
import { mkdir, open, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { ParamValues } from '../../src-shared/types.ts'
import type { Chunk } from './frontier.ts'

const MAGIC = 'STABCKP1'

export interface CheckpointMeta {
  version: 1
  model: string
  params: ParamValues
  workers: number
  hist: number[]
  generated: number
  found: (number | null)[]
  elapsedMs: number
  /** Whose checkpoint this is (the lab: database file, run id and start time); checked on resume. */
  key?: string
}

export interface CheckpointData {
  meta: CheckpointMeta
  visited: { log2: number; count: number; table: Uint8Array }
  cols: { parents: Float64Array; via: Int32Array }[]
  queue: Chunk[]
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)

/**
 * Writes a checkpoint without blocking the thread: the bytes go out through libuv's pool while the search goes on.
 * Every buffer in `d` must stay untouched until the promise settles (the caller hands over copies).
 */
export async function writeCheckpoint(file: string, d: CheckpointData): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const meta = { ...d.meta, visitedLog2: d.visited.log2, visitedCount: d.visited.count, chunks: d.queue.map((c) => c.n) }
  const sections: Uint8Array[] = [d.visited.table]
  for (const c of d.cols) sections.push(bytesOf(c.parents), bytesOf(c.via))
  for (const c of d.queue) sections.push(bytesOf(c.ids), bytesOf(c.depths), bytesOf(c.offs), bytesOf(c.data))
  const tmp = `${file}.tmp`
  const fh = await open(tmp, 'w')
  try {
    const metaBytes = Buffer.from(JSON.stringify(meta))
    const head = Buffer.alloc(12)
    head.write(MAGIC, 0, 'latin1')
    head.writeUInt32LE(metaBytes.length, 8)
    await fh.write(head)
    await fh.write(metaBytes)
    for (const s of sections) {
      const len = Buffer.alloc(8)
      len.writeBigUInt64LE(BigInt(s.byteLength))
      await fh.write(len)
      let off = 0
      while (off < s.byteLength) off += (await fh.write(s, off, Math.min(1 << 26, s.byteLength - off))).bytesWritten
    }
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, file)
}

/** The header alone (a checkpoint can be gigabytes): what resume verifies before loading it. */
export function readCheckpointMeta(file: string): CheckpointMeta {
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(12)
    if (readSync(fd, head, 0, 12, 0) !== 12 || head.toString('latin1', 0, 8) !== MAGIC) throw new Error(`"${file}" is not a Stabilis checkpoint`)
    const len = head.readUInt32LE(8)
    const meta = Buffer.alloc(len)
    if (readSync(fd, meta, 0, len, 12) !== len) throw new Error(`"${file}" is cut short`)
    return parseMeta(file, meta.toString('utf8'))
  } finally {
    closeSync(fd)
  }
}

function parseMeta(file: string, text: string): CheckpointMeta {
  let meta: CheckpointMeta
  try {
    meta = JSON.parse(text) as CheckpointMeta
  } catch {
    throw new Error(`"${file}" has an unreadable header`)
  }
  if (meta.version !== 1) throw new Error(`"${file}" is a checkpoint of format ${String(meta.version)}, not 1`)
  return meta
}

/** Why this checkpoint cannot resume the given run (null when it can): format, owner, model, parameters, workers. */
export function checkpointMismatch(
  meta: CheckpointMeta,
  want: { key?: string; model: string; params: ParamValues; workers: number },
): string | null {
  if (want.key !== undefined && meta.key !== want.key) return `it belongs to ${meta.key ? `"${meta.key}"` : 'an unnamed run'}, not "${want.key}"`
  if (meta.model !== want.model) return `it was written for model "${meta.model}", not "${want.model}"`
  if (JSON.stringify(sortKeys(meta.params)) !== JSON.stringify(sortKeys(want.params))) {
    return `it was written with parameters ${JSON.stringify(meta.params)}, not ${JSON.stringify(want.params)}`
  }
  if (meta.workers !== want.workers) return `it was written with ${meta.workers} workers, not ${want.workers}`
  return null
}

function sortKeys(p: ParamValues): [string, unknown][] {
  return Object.entries(p).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

export function readCheckpoint(file: string): CheckpointData {
  const buf = readFileSync(file)
  if (buf.toString('latin1', 0, 8) !== MAGIC) throw new Error(`"${file}" is not a Stabilis checkpoint`)
  const metaLen = buf.readUInt32LE(8)
  const meta = parseMeta(file, buf.toString('utf8', 12, 12 + metaLen)) as CheckpointMeta & {
    visitedLog2: number
    visitedCount: number
    chunks: number[]
  }
  let pos = 12 + metaLen
  const next = (): Uint8Array => {
    const n = Number(buf.readBigUInt64LE(pos))
    pos += 8
    const copy = new Uint8Array(n)
    copy.set(buf.subarray(pos, pos + n))
    pos += n
    return copy
  }
  const table = next()
  const cols: CheckpointData['cols'] = []
  for (let w = 0; w < meta.workers; w++) {
    cols.push({ parents: new Float64Array(next().buffer), via: new Int32Array(next().buffer) })
  }
  const queue: Chunk[] = meta.chunks.map((n) => ({
    n,
    ids: new Float64Array(next().buffer),
    depths: new Int32Array(next().buffer),
    offs: new Int32Array(next().buffer),
    data: next(),
  }))
  return { meta, visited: { log2: meta.visitedLog2, count: meta.visitedCount, table }, cols, queue }
}

export function deleteCheckpoint(file: string): void {
  rmSync(file, { force: true })
  rmSync(`${file}.tmp`, { force: true })
}
