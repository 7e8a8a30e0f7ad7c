// A growable Int32 column: parent links and action indices for every unique state, without per-state objects.
export class IntColumn {
  private data: Int32Array
  length = 0

  constructor(capacity = 1 << 16) {
    this.data = new Int32Array(capacity)
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2)
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
}
