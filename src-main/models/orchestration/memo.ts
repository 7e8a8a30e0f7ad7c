// Per-object memos kept on the object itself, under a non-enumerable symbol: a WeakMap insert costs more than the
// work it saves on the objects a successor creates (profiled: the fingerprint's three WeakMap.set calls were a
// sixth of a check). Spread, Object.keys, for…in, JSON and structured clone neither see nor copy such a property,
// so a copy of an object never inherits its memo. Frozen objects (user models freeze their states) use a WeakMap.
export interface Memo<T> {
  get(o: object): T | undefined
  set(o: object, v: T): void
}

export function memo<T>(name: string): Memo<T> {
  const key = Symbol(name)
  const frozen = new WeakMap<object, T>()
  let anyFrozen = false
  return {
    get(o) {
      const v = (o as Record<symbol, T | undefined>)[key]
      return v !== undefined || !anyFrozen ? v : frozen.get(o)
    },
    set(o, v) {
      if (Object.isExtensible(o)) Object.defineProperty(o, key, { value: v })
      else {
        anyFrozen = true
        frozen.set(o, v)
      }
    },
  }
}
