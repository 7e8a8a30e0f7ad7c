// The visited set shared by every worker: lock-free open addressing (linear probing) over a growable
// SharedArrayBuffer. A slot is two Int32 lanes (lo, hi) of a 64-bit fingerprint: 8 bytes per slot.
// Insert claims an empty slot by compare-and-swap of the low lane from 0, then publishes the high lane;
// a reader that meets a claimed slot whose high lane is still 0 spins until it is published
// (fingerprint() never yields 0 in either lane).
//
// Growth: a worker whose batch pushes the load past GROW_AT raises the grow flag. Workers touch the table
// only between enter() and leave() (a batch of a few states), so the grower waits until no one is inside,
// doubles the buffer in place (SharedArrayBuffer.grow: every thread's length-tracking view follows) and
// rehashes; the others wait on the epoch word. That pause is short (tens of ms for millions of states).
// Load stays within [GROW_AT/2, GROW_AT] after the first growth: 8 / 0.75 ≈ 10.7 to 8 / 0.375 ≈ 21.3 bytes
// per unique state. The buffer reserves address space for 2^maxLog2 slots (default 2^28 slots = 2 GiB,
// ~200 M states); past it insert() throws a clean "visited set full" error.

export const GROW_AT = 0.75

// Control words (Int32Array over its own SharedArrayBuffer)
const C_COUNT = 0 // unique states inserted (published in batches by leave())
const C_LOG2 = 1 // log2 of the slot count
const C_GROW = 2 // 1 while a growth is requested or running
const C_INSIDE = 3 // workers between enter() and leave()
const C_EPOCH = 4 // bumped after every growth
const C_MAXLOG2 = 5
const C_THREADS = 6 // threads inserting concurrently (bounds the unpublished inserts, see pendingLimit)
const C_WORDS = 8

export interface SharedVisitedBuffers {
  table: SharedArrayBuffer
  control: SharedArrayBuffer
}

export class VisitedFullError extends Error {}

// Growable SharedArrayBuffer (ES2024); the project's TypeScript lib predates it.
type GrowableSab = SharedArrayBuffer & { grow(bytes: number): void; readonly maxByteLength: number }
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (bytes: number, opts: { maxByteLength: number }) => GrowableSab

export function createSharedVisited(initialLog2 = 20, maxLog2 = 28, threads = 1): SharedVisitedBuffers {
  const table = new GrowableSharedArrayBuffer(8 * 2 ** initialLog2, { maxByteLength: 8 * 2 ** maxLog2 })
  const control = new SharedArrayBuffer(4 * C_WORDS)
  const c = new Int32Array(control)
  c[C_LOG2] = initialLog2
  c[C_MAXLOG2] = maxLog2
  c[C_THREADS] = Math.max(1, threads)
  return { table, control }
}

export class SharedVisited {
  readonly buffers: SharedVisitedBuffers
  /** A fixed-length view, re-made after growth (length-tracking views are ~40% slower to index in V8). */
  private tab: Int32Array
  private readonly ctl: Int32Array
  private mask = 0
  private growAt = 0
  /** Unpublished inserts allowed per thread: all threads together overshoot the load limit by at most 1/8. */
  private pendingLimit = 1
  /** Inserted by this thread since the last leave(). */
  private pending = 0
  /** The shared count as of this thread's last enter() / leave(). */
  private known = 0

  constructor(buffers: SharedVisitedBuffers) {
    this.buffers = buffers
    this.ctl = new Int32Array(buffers.control)
    this.tab = new Int32Array(0)
    this.refresh()
  }

  private refresh(): void {
    const cap = 2 ** Atomics.load(this.ctl, C_LOG2)
    if (this.tab.length !== 2 * cap) this.tab = new Int32Array(this.buffers.table, 0, 2 * cap)
    this.mask = cap - 1
    this.growAt = Math.floor(cap * GROW_AT)
    this.pendingLimit = Math.max(1, Math.min(1024, Math.floor(cap / (8 * Math.max(1, this.ctl[C_THREADS])))))
  }

  /** Unique states in the set (exact once every thread has left). */
  get size(): number {
    return Atomics.load(this.ctl, C_COUNT) + this.pending
  }

  get capacity(): number {
    return this.mask + 1
  }

  get bytes(): number {
    return this.buffers.table.byteLength
  }

  /** Call before touching the table; waits while a growth runs. */
  enter(): void {
    const ctl = this.ctl
    for (;;) {
      if (Atomics.load(ctl, C_GROW) !== 0) {
        this.waitGrowth()
        continue
      }
      Atomics.add(ctl, C_INSIDE, 1)
      if (Atomics.load(ctl, C_GROW) === 0) break
      this.exitInside()
      this.waitGrowth()
    }
    this.refresh()
    this.known = Atomics.load(ctl, C_COUNT)
  }

  /** Call after a batch; publishes the count and grows the table if this batch pushed it past the limit. */
  leave(): void {
    const ctl = this.ctl
    let grower = false
    if (this.pending !== 0) {
      const total = Atomics.add(ctl, C_COUNT, this.pending) + this.pending
      this.pending = 0
      this.known = total
      if (total > this.growAt) grower = Atomics.compareExchange(ctl, C_GROW, 0, 1) === 0
    }
    this.exitInside()
    if (grower) this.grow()
  }

  private exitInside(): void {
    Atomics.sub(this.ctl, C_INSIDE, 1)
    Atomics.notify(this.ctl, C_INSIDE)
  }

  private waitGrowth(): void {
    const ctl = this.ctl
    while (Atomics.load(ctl, C_GROW) !== 0) {
      const epoch = Atomics.load(ctl, C_EPOCH)
      if (Atomics.load(ctl, C_GROW) === 0) break
      Atomics.wait(ctl, C_EPOCH, epoch, 20)
    }
  }

  private grow(): void {
    const ctl = this.ctl
    for (let inside = Atomics.load(ctl, C_INSIDE); inside !== 0; inside = Atomics.load(ctl, C_INSIDE)) {
      Atomics.wait(ctl, C_INSIDE, inside, 20)
    }
    const log2 = Atomics.load(ctl, C_LOG2)
    try {
      if (log2 + 1 > Atomics.load(ctl, C_MAXLOG2)) return // stay put; insert() reports "full" if it really fills
      const oldInts = 2 * 2 ** log2
      const old = this.tab.slice(0, oldInts)
      const table = this.buffers.table as GrowableSab
      table.grow(8 * 2 ** (log2 + 1))
      Atomics.store(ctl, C_LOG2, log2 + 1)
      this.refresh()
      this.tab.fill(0, 0, oldInts)
      const tab = this.tab
      const mask = this.mask
      for (let at = 0; at < oldInts; at += 2) {
        const lo = old[at]
        if (lo === 0) continue
        const hi = old[at + 1]
        let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask
        while (tab[i << 1] !== 0) i = (i + 1) & mask
        tab[i << 1] = lo
        tab[(i << 1) + 1] = hi
      }
    } finally {
      Atomics.add(ctl, C_EPOCH, 1)
      Atomics.store(ctl, C_GROW, 0)
      Atomics.notify(ctl, C_EPOCH)
    }
  }

  /** Inserts a fingerprint; true when it was new. Only between enter() and leave(). */
  insert(lo: number, hi: number): boolean {
    const tab = this.tab
    const mask = this.mask
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask
    for (let probes = 0; probes <= mask; probes++) {
      const at = i << 1
      let s = tab[at]
      if (s === 0) {
        s = Atomics.compareExchange(tab, at, 0, lo)
        if (s === 0) {
          Atomics.store(tab, at + 1, hi)
          // Past the load limit (or with many unpublished inserts), step out and back in: a safe point where
          // this or another thread can grow the table, so a batch never overfills it.
          if (++this.pending + this.known > this.growAt || this.pending >= this.pendingLimit || Atomics.load(this.ctl, C_GROW) !== 0) {
            this.leave()
            this.enter()
          }
          return true
        }
      }
      if (s === lo) {
        let h = tab[at + 1]
        while (h === 0) h = Atomics.load(tab, at + 1)
        if (h === hi) return false
      }
      i = (i + 1) & mask
    }
    throw new VisitedFullError(
      `visited set full: ${this.size} states in ${mask + 1} slots (the limit is 2^${Atomics.load(this.ctl, C_MAXLOG2)} slots)`,
    )
  }

  /** Membership without inserting. Only between enter() and leave(). */
  has(lo: number, hi: number): boolean {
    const tab = this.tab
    const mask = this.mask
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask
    for (let probes = 0; probes <= mask; probes++) {
      const at = i << 1
      const s = Atomics.load(tab, at)
      if (s === 0) return false
      if (s === lo) {
        let h = tab[at + 1]
        while (h === 0) h = Atomics.load(tab, at + 1)
        if (h === hi) return true
      }
      i = (i + 1) & mask
    }
    return false
  }

  /** Copies the table and count for a checkpoint (call at a barrier, when no one is inside). */
  snapshot(): { log2: number; count: number; table: Uint8Array } {
    const log2 = Atomics.load(this.ctl, C_LOG2)
    return { log2, count: this.size, table: new Uint8Array(this.buffers.table.slice(0, 8 * 2 ** log2)) }
  }

  /** Restores a snapshot into fresh buffers. */
  static restore(snap: { log2: number; count: number; table: Uint8Array }, threads = 1, maxLog2 = 28): SharedVisitedBuffers {
    const b = createSharedVisited(snap.log2, Math.max(maxLog2, snap.log2), threads)
    new Uint8Array(b.table).set(snap.table)
    const c = new Int32Array(b.control)
    c[C_COUNT] = snap.count
    return b
  }
}
