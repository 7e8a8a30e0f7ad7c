import { describe, expect, it } from 'vitest'
import { csvField, csvTable } from '../../src-main/lab/csv.ts'
import { parseCsv } from '../helpers/csv-parse.ts'

describe('CSV (RFC 4180)', () => {
  it('quotes fields with commas, quotes and line breaks, and round-trips through a plain parser', () => {
    const rows = [
      ['plain', 'with, comma', 'with "quote"', 'two\r\nlines', 'lf\nonly'],
      [1, 2.5, true, null, ''],
    ]
    const text = csvTable(['a', 'b', 'c', 'd', 'e'], rows)
    expect(text.endsWith('\r\n')).toBe(true)
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c', 'd', 'e'],
      ['plain', 'with, comma', 'with "quote"', 'two\r\nlines', 'lf\nonly'],
      ['1', '2.5', 'true', '', ''],
    ])
  })

  it('leaves non-finite numbers empty rather than writing NaN', () => {
    expect(csvField(Number.NaN)).toBe('')
    expect(csvField(Infinity)).toBe('')
    expect(csvField(-3)).toBe('-3')
  })
})
