// Growable typed columns: per-state parent links and action indices without per-state objects.
abstract class GrowableColumn<T extends Int32Array | Float64Array> {
  data: T
  length = 0

  constructor(capacity = 1 << 14) {
    this.data = this.alloc(capacity)
  }

  protected abstract alloc(n: number): T

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.alloc(this.data.length * 2)
      next.set(this.data)
      this.data = next
    }
    this.data[this.length++] = v
  }

  get(i: number): number {
    return this.data[i]
  }

  get bytes(): number {
    return this.data.byteLength
  }

  /** A copy of the filled part, e.g. to transfer to another thread. */
  trimmed(): T {
    return this.data.slice(0, this.length) as T
  }
}

export class IntColumn extends GrowableColumn<Int32Array> {
  protected alloc(n: number): Int32Array {
    return new Int32Array(n)
  }
}

/** Float64, for values past 2^31 (parent ids across explorers). */
export class F64Column extends GrowableColumn<Float64Array> {
  protected alloc(n: number): Float64Array {
    return new Float64Array(n)
  }
}
