// HPACK against RFC 7541 itself: the Huffman code table (Appendix B) and the worked examples of Appendix C,
// which run several header blocks through one decoder (dynamic table, eviction, Huffman strings).
import { describe, expect, it } from 'vitest'
import { HpackDecoder, HpackError, encodeHeaders, huffmanCodes, huffmanDecode } from '../../../src-main/store/hpack.ts'

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')

describe('HPACK', () => {
  it('builds the Huffman codes of Appendix B from their lengths', () => {
    const codes = huffmanCodes()
    expect(codes).toHaveLength(257)
    // [symbol, code as hex, bits] rows of the RFC's table, from every length class.
    const rows: [number, number, number][] = [
      [0, 0x1ff8, 13], [1, 0x7fffd8, 23], [10, 0x3ffffffc, 30], [32, 0x14, 6], [48, 0x0, 5], [58, 0x5c, 7],
      [97, 0x3, 5], [116, 0x9, 5], [38, 0xf8, 8], [39, 0x7fa, 11], [35, 0xffa, 12], [94, 0x3ffc, 14], [60, 0x7ffc, 15],
      [92, 0x7fff0, 19], [128, 0xfffe6, 20], [153, 0x1fffdc, 21], [129, 0x3fffd2, 22], [200, 0x3ffffe2, 26],
      [203, 0x7ffffde, 27], [199, 0x1ffffec, 25], [255, 0x3ffffee, 26], [127, 0xffffffc, 28], [256, 0x3fffffff, 30],
    ]
    for (const [sym, code, len] of rows) expect(codes[sym]).toEqual([code, len])
    // A prefix code: no code is the prefix of another (checked through the Kraft sum of a complete code).
    expect(codes.reduce((a, [, len]) => a + 2 ** -len, 0)).toBe(1)
  })

  it('decodes the request examples of C.3 (plain) and C.4 (Huffman), sharing a dynamic table per connection', () => {
    for (const blocks of [
      ['828684410f7777772e6578616d706c652e636f6d', '828684be58086e6f2d6361636865', '828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565'],
      ['828684418cf1e3c2e5f23a6ba0ab90f4ff', '828684be5886a8eb10649cbf', '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf'],
    ]) {
      const d = new HpackDecoder()
      expect(d.decode(hex(blocks[0]))).toEqual([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']])
      expect(d.decode(hex(blocks[1]))).toEqual([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']])
      expect(d.decode(hex(blocks[2]))).toEqual([[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']])
    }
  })

  it('evicts from a 256-byte table as in the response examples of C.6', () => {
    const d = new HpackDecoder(256)
    const date1 = 'Mon, 21 Oct 2013 20:13:21 GMT'
    expect(d.decode(hex('488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3'))).toEqual([
      [':status', '302'], ['cache-control', 'private'], ['date', date1], ['location', 'https://www.example.com'],
    ])
    // ":status 307" goes in and pushes out ":status 302"; the rest comes from the table.
    expect(d.decode(hex('4883640effc1c0bf'))).toEqual([[':status', '307'], ['cache-control', 'private'], ['date', date1], ['location', 'https://www.example.com']])
    expect(d.decode(hex('88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007'))).toEqual([
      [':status', '200'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'], ['location', 'https://www.example.com'],
      ['content-encoding', 'gzip'], ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'],
    ])
  })

  it('refuses bad input with an HpackError naming the fault', () => {
    expect(() => new HpackDecoder().decode(hex('be'))).toThrow(new HpackError('header index 62 is not in the table'))
    // "a" (00011) padded with zeros instead of ones.
    expect(() => huffmanDecode(hex('18'))).toThrow(/invalid Huffman padding/)
    // EOS itself inside a string.
    expect(() => huffmanDecode(hex('ffffffff'))).toThrow(/EOS inside/)
    expect(() => new HpackDecoder().decode(hex('4005'))).toThrow(/truncated/)
    expect(() => new HpackDecoder(4096).decode(hex('3fe13f'))).toThrow(/table size 8192 above the 4096 allowed/)
    // A 4 kB entry added once, then referenced by one byte 100 times: 400 kB out of a ~4 kB block.
    const d = new HpackDecoder()
    // Literal with indexing, new name "x" (40 01 78), value of 4000 bytes: 127 + 3873 (7f a1 1e).
    const big = Buffer.concat([hex('400178'), hex('7fa11e'), Buffer.alloc(4000, 0x61)])
    expect(d.decode(big)[0][1]).toHaveLength(4000)
    expect(() => d.decode(Buffer.alloc(100, 0xbe))).toThrow(/header list larger than 262144 bytes/)
  })

  it('encodes answers that any decoder reads back, with long values and static matches', () => {
    const headers: [string, string][] = [[':status', '200'], ['content-type', 'application/grpc'], ['grpc-status', '0'], ['grpc-message', 'x'.repeat(300)]]
    const block = encodeHeaders(headers)
    expect(block[0]).toBe(0x88) // ":status 200" is static index 8
    expect(new HpackDecoder().decode(block)).toEqual(headers)
  })
})
