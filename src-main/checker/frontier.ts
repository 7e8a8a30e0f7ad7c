// Frontier batches: states with their ids and depths packed into three transferable ArrayBuffers,
// so a batch moves between threads without copying or per-state objects.

export interface Chunk {
  n: number
  /** Global state ids (see ids in pool.ts): worker-local index * workers + worker, or -(init index + 2) for roots. */
  ids: Float64Array
  depths: Int32Array
  /** offs[k]..offs[k+1] are the bytes of state k in data. */
  offs: Int32Array
  data: Uint8Array
  /**
   * The explorer that holds these states as objects (their bytes here are empty): only it can expand them, or
   * release them as bytes for another. Absent: the bytes are here.
   */
  holder?: number
}

export const CHUNK_STATES = 1024

export function chunkBuffers(c: Chunk): ArrayBuffer[] {
  return [c.ids.buffer as ArrayBuffer, c.depths.buffer as ArrayBuffer, c.offs.buffer as ArrayBuffer, c.data.buffer as ArrayBuffer]
}

export function chunkBytes(c: Chunk): number {
  return c.ids.byteLength + c.depths.byteLength + c.offs.byteLength + c.data.byteLength
}

/** A batch of exactly these states in buffers of their exact size: for one-off batches (ChunkWriter streams). */
export function packChunk(ids: ArrayLike<number>, depths: ArrayLike<number>, parts: readonly Uint8Array[]): Chunk {
  const n = parts.length
  const offs = new Int32Array(n + 1)
  for (let k = 0; k < n; k++) offs[k + 1] = offs[k] + parts[k].length
  const data = new Uint8Array(offs[n])
  for (let k = 0; k < n; k++) data.set(parts[k], offs[k])
  return { n, ids: Float64Array.from(ids), depths: Int32Array.from(depths), offs, data }
}

export class ChunkWriter {
  private ids: Float64Array
  private depths: Int32Array
  private offs: Int32Array
  private data: Uint8Array
  n = 0
  private used = 0
  readonly capacity: number

  constructor(capacity = CHUNK_STATES, bytesHint = 64) {
    this.capacity = capacity
    this.ids = new Float64Array(capacity)
    this.depths = new Int32Array(capacity)
    this.offs = new Int32Array(capacity + 1)
    this.data = new Uint8Array(capacity * bytesHint)
  }

  get full(): boolean {
    return this.n >= this.capacity
  }

  push(id: number, depth: number, bytes: Uint8Array): void {
    const len = bytes.length
    if (this.used + len > this.data.length) {
      const next = new Uint8Array(Math.max(this.data.length * 2, this.used + len))
      next.set(this.data.subarray(0, this.used))
      this.data = next
    }
    const n = this.n
    this.ids[n] = id
    this.depths[n] = depth
    this.data.set(bytes, this.used)
    this.used += len
    this.offs[n + 1] = this.used
    this.n = n + 1
  }

  /** Hands out the batch (trimmed) and starts a new one. */
  take(): Chunk {
    const n = this.n
    const c: Chunk = {
      n,
      ids: n === this.capacity ? this.ids : this.ids.slice(0, n),
      depths: n === this.capacity ? this.depths : this.depths.slice(0, n),
      offs: n === this.capacity ? this.offs : this.offs.slice(0, n + 1),
      data: this.data.slice(0, this.used),
    }
    const hint = Math.max(8, Math.ceil(this.used / Math.max(1, n)) + 8)
    this.ids = new Float64Array(this.capacity)
    this.depths = new Int32Array(this.capacity)
    this.offs = new Int32Array(this.capacity + 1)
    if (this.data.length < this.capacity * hint) this.data = new Uint8Array(this.capacity * hint)
    this.n = 0
    this.used = 0
    return c
  }
}
