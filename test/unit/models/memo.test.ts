// Memos kept on objects (models/orchestration/memo.ts) stay invisible: copies do not inherit them, keys, JSON and
// structured clones do not show them, and frozen objects still get one.
import { describe, expect, it } from 'vitest'
import { canon } from '../../../src-main/models/orchestration/canon.ts'
import { memo } from '../../../src-main/models/orchestration/memo.ts'

describe('memo', () => {
  it('remembers per object; copies, keys, JSON and structured clones never carry it', () => {
    const m = memo<number>('test')
    const o = { b: 1, a: { x: 2 } }
    const before = [Object.keys(o), JSON.stringify(o), canon(o)]
    expect(m.get(o)).toBeUndefined()
    m.set(o, 7)
    expect(m.get(o)).toBe(7)
    expect([Object.keys(o), JSON.stringify(o), canon(o)]).toEqual(before)
    const keys: string[] = []
    for (const k in o) keys.push(k)
    expect(keys).toEqual(['b', 'a'])
    expect(m.get({ ...o })).toBeUndefined()
    expect(m.get(Object.assign({}, o))).toBeUndefined()
    expect(m.get(structuredClone(o))).toBeUndefined()
    // Another memo's slot is its own.
    const other = memo<number>('test')
    expect(other.get(o)).toBeUndefined()
  })

  it('works on frozen objects', () => {
    const m = memo<string>('frozen')
    const f = Object.freeze({ a: 1 })
    const g = Object.freeze({ a: 1 })
    m.set(f, 'f')
    expect(m.get(f)).toBe('f')
    expect(m.get(g)).toBeUndefined()
    const plain = { a: 1 }
    m.set(plain, 'p')
    expect([m.get(plain), m.get(f)]).toEqual(['p', 'f'])
  })
})
