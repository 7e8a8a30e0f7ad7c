// The visited set: open addressing over fingerprints, each slot mapping a fingerprint to a dense state id.
// Slots are (lo, hi, id) triples in one Int32Array; lo === 0 marks an empty slot (fingerprint() never yields 0 there).

const LOAD_LIMIT = 0.6

export class VisitedSet {
  private slots: Int32Array
  private mask: number
  private count = 0

  constructor(initialCapacity = 1 << 16) {
    let cap = 1
    while (cap < initialCapacity) cap <<= 1
    this.slots = new Int32Array(cap * 3)
    this.mask = cap - 1
  }

  get size(): number {
    return this.count
  }

  get bytes(): number {
    return this.slots.byteLength
  }

  /** Returns the id of an existing equal fingerprint, or inserts it with `id` and returns -1. */
  insert(lo: number, hi: number, id: number): number {
    if (this.count + 1 > (this.mask + 1) * LOAD_LIMIT) this.grow()
    const slots = this.slots
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask
    for (;;) {
      const at = i * 3
      const s = slots[at]
      if (s === 0) {
        slots[at] = lo
        slots[at + 1] = hi
        slots[at + 2] = id
        this.count++
        return -1
      }
      if (s === lo && slots[at + 1] === hi) return slots[at + 2]
      i = (i + 1) & this.mask
    }
  }

  has(lo: number, hi: number): boolean {
    return this.get(lo, hi) >= 0
  }

  /** The id stored with this fingerprint, or -1. */
  get(lo: number, hi: number): number {
    const slots = this.slots
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask
    for (;;) {
      const at = i * 3
      const s = slots[at]
      if (s === 0) return -1
      if (s === lo && slots[at + 1] === hi) return slots[at + 2]
      i = (i + 1) & this.mask
    }
  }

  private grow(): void {
    const old = this.slots
    const cap = (this.mask + 1) * 2
    this.slots = new Int32Array(cap * 3)
    this.mask = cap - 1
    this.count = 0
    for (let at = 0; at < old.length; at += 3) {
      if (old[at] !== 0) this.insert(old[at], old[at + 1], old[at + 2])
    }
  }
}

