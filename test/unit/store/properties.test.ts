// Property-based tests (fast-check) of the store's parsers: HPACK, HTTP/2 frames, peer frames and change-log
// records. Each property holds for every generated input: round trips are exact, and hostile bytes end in the
// parser's own error (or a connection error), never in another exception, a hang or a handler failure.
import http2 from 'node:http2'
import net from 'node:net'
import fc from 'fast-check'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HpackDecoder, HpackError, encodeHeaders, huffmanCodes, huffmanDecode, type HeaderList } from '../../../src-main/store/hpack.ts'
import { H2Connection, type H2Stream } from '../../../src-main/store/h2-connection.ts'
import { decodeChanges, encodeChanges, framer } from '../../../src-main/store/peer.ts'
import { CorruptLogError, encodeUnit, readLog } from '../../../src-main/store/log.ts'
import type { Unit } from '../../../src-main/store/document.ts'
import { tempDir } from '../../helpers/tmp.ts'

const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/).filter((n) => n !== 'te')
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 })
const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'))

function huffmanEncode(text: string): Buffer {
  const codes = huffmanCodes()
  let bits = 0n
  let n = 0
  for (const ch of Buffer.from(text, 'latin1')) {
    const [code, len] = codes[ch]
    bits = (bits << BigInt(len)) | BigInt(code)
    n += len
  }
  const pad = (8 - (n % 8)) % 8
  bits = (bits << BigInt(pad)) | ((1n << BigInt(pad)) - 1n)
  n += pad
  const out = Buffer.alloc(n / 8)
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = Number(bits & 0xffn)
    bits >>= 8n
  }
  return out
}

describe('HPACK properties', () => {
  it('decodes what it encodes, header for header', () => {
    fc.assert(fc.property(fc.array(fc.tuple(headerName, headerValue), { maxLength: 30 }), (list) => {
      expect(new HpackDecoder().decode(encodeHeaders(list as HeaderList))).toEqual(list)
    }))
  })

  it('decodes Huffman strings made from the canonical code', () => {
    fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 100 }), (text) => {
      expect(huffmanDecode(huffmanEncode(text))).toBe(text)
    }))
  })

  it('ends arbitrary bytes in a result or an HpackError, nothing else, and keeps decoding later blocks', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 5 }), (blocks) => {
      const d = new HpackDecoder()
      for (const b of blocks) {
        try {
          const list = d.decode(Buffer.from(b))
          expect(list.reduce((a, [n, v]) => a + n.length + v.length + 32, 0)).toBeLessThanOrEqual(256 * 1024)
        } catch (e) {
          expect(e).toBeInstanceOf(HpackError)
        }
      }
    }))
  })

  describe('against nghttp2 (node:http2 client, dynamic table and Huffman on)', () => {
    let server: net.Server
    let session: http2.ClientHttp2Session
    const conns: H2Connection[] = []
    beforeAll(async () => {
      server = net.createServer((socket) => conns.push(new H2Connection(socket, (s: H2Stream) => {
        const seen = Object.entries(s.headers).filter(([n]) => n.startsWith('x-'))
        s.onEnd = () => {
          s.respond(encodeHeaders([[':status', '200']]))
          s.write(Buffer.from(JSON.stringify(seen)))
          s.end(encodeHeaders([['grpc-status', '0']]))
        }
      })))
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      session = http2.connect(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`)
      session.on('error', () => {})
    })
    afterAll(async () => {
      session.destroy()
      for (const c of conns) c.destroy()
      await new Promise((r) => server.close(r))
    })

    it('sees every request header exactly as sent, request after request on one connection', async () => {
      const names = fc.uniqueArray(headerName.map((n) => `x-${n}`), { maxLength: 12 })
      await fc.assert(fc.asyncProperty(names.chain((ns) => fc.tuple(fc.constant(ns), fc.array(headerValue.filter((v) => v.trim() === v), { minLength: ns.length, maxLength: ns.length }))), async ([ns, vs]) => {
        const sent = ns.map((n, i) => [n, vs[i]] as [string, string])
        const got = await new Promise<string>((resolve, reject) => {
          const req = session.request({ ':method': 'POST', ':path': '/p', ...Object.fromEntries(sent) })
          let body = ''
          req.on('data', (c: Buffer) => (body += c.toString()))
          req.on('end', () => resolve(body))
          req.on('error', reject)
          req.end()
        })
        expect((JSON.parse(got) as [string, string][]).sort()).toEqual(sent.slice().sort())
      }), { numRuns: 60 })
    })
  })
})

describe('HTTP/2 frame properties', () => {
  let server: net.Server
  let port = 0
  beforeAll(async () => {
    server = net.createServer((socket) => new H2Connection(socket, (s) => {
      s.onEnd = () => {
        s.respond(encodeHeaders([[':status', '200']]))
        s.end(encodeHeaders([['grpc-status', '0']]))
      }
    }))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as net.AddressInfo).port
  })
  afterAll(() => new Promise((r) => server.close(r)))

  const anyFrame = fc.record({
    type: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 255 })),
    flags: fc.integer({ min: 0, max: 255 }),
    id: fc.oneof(fc.constantFrom(0, 1, 3, 5), fc.integer({ min: 0, max: 2 ** 31 - 1 })),
    payload: fc.uint8Array({ maxLength: 64 }),
  }).map(({ type, flags, id, payload }) => {
    const h = Buffer.alloc(9)
    h.writeUIntBE(payload.length, 0, 3)
    h[3] = type
    h[4] = flags
    h.writeUInt32BE(id, 5)
    return Buffer.concat([h, payload])
  })

  it('answers any sequence of frames with frames or a GOAWAY, never a handler failure (RST_STREAM INTERNAL_ERROR)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(anyFrame, { maxLength: 20 }), async (frames) => {
      const sock = net.connect(port, '127.0.0.1')
      sock.on('error', () => {})
      let buf = Buffer.alloc(0)
      const codes: number[] = []
      sock.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c])
        while (buf.length >= 9 && buf.length >= 9 + buf.readUIntBE(0, 3)) {
          const len = buf.readUIntBE(0, 3)
          if (buf[3] === 3) codes.push(buf.readUInt32BE(9))
          buf = buf.subarray(9 + len)
        }
      })
      await new Promise<void>((r) => sock.on('connect', () => r()))
      sock.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]), ...frames]))
      await new Promise((r) => setTimeout(r, 20))
      sock.destroy()
      expect(codes).not.toContain(2)
    }), { numRuns: 150 })
  })
})

describe('peer frame properties', () => {
  const changesFrame = fc.record({ heads: fc.array(hex32, { maxLength: 5 }), changes: fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }) })

  it('decodes what it encodes', () => {
    fc.assert(fc.property(changesFrame, ({ heads, changes }) => {
      const got = decodeChanges(encodeChanges(heads, changes))
      expect(got.heads).toEqual(heads)
      expect(got.changes.map((c) => Buffer.from(c).toString('hex'))).toEqual(changes.map((c) => Buffer.from(c).toString('hex')))
    }))
  })

  it('refuses arbitrary bytes with its own error, whatever the counts claim', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      try {
        const { heads, changes } = decodeChanges(Buffer.from(bytes))
        expect(heads.length * 32 + changes.reduce((a, c) => a + 4 + c.length, 8)).toBe(bytes.length)
      } catch (e) {
        expect((e as Error).message).toMatch(/^bad CHANGES frame of \d+ bytes: /)
      }
    }))
  })

  it('splits a stream into the same frames however it is chunked', () => {
    const frames = fc.array(fc.record({ type: fc.integer({ min: 1, max: 5 }), payload: fc.uint8Array({ maxLength: 100 }) }), { minLength: 1, maxLength: 10 })
    fc.assert(fc.property(frames, fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 }), (fs, cuts) => {
      const bytes = Buffer.concat(fs.map(({ type, payload }) => {
        const h = Buffer.alloc(5)
        h.writeUInt32BE(payload.length + 1, 0)
        h[4] = type
        return Buffer.concat([h, payload])
      }))
      const got: { type: number; payload: string }[] = []
      const push = framer((type, payload) => got.push({ type, payload: payload.toString('hex') }))
      let at = 0
      for (let i = 0; at < bytes.length; i++) {
        const n = cuts[i % cuts.length]
        push(bytes.subarray(at, at + n))
        at += n
      }
      expect(got).toEqual(fs.map(({ type, payload }) => ({ type, payload: Buffer.from(payload).toString('hex') })))
    }))
  })
})

describe('change-log record properties', () => {
  const unit = fc.record({
    hashes: fc.array(hex32, { minLength: 1, maxLength: 3 }),
    heads: fc.array(hex32, { maxLength: 3 }),
    keys: fc.array(fc.tuple(fc.boolean(), fc.string({ minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 2 ** 31 })), { maxLength: 4 }),
    revs: fc.integer({ min: 1, max: 1000 }),
  }).chain((u) => fc.array(fc.uint8Array({ minLength: 1, maxLength: 100 }), { minLength: u.hashes.length, maxLength: u.hashes.length }).map((changes) => ({
    rev: 1, revs: u.revs, hashes: u.hashes, heads: u.heads, changes,
    events: u.keys.map(([put, key, mod]) => ({ type: put ? 'PUT' : 'DELETE', kv: { key: Buffer.from(key).toString('latin1'), value: Buffer.alloc(0), create: 0, mod, version: 1, lease: '0' }, prev: null })),
  }) as Unit))

  it('reads back every record as written', () => {
    const dir = tempDir('stabilis-prop-log-')
    fc.assert(fc.property(fc.array(unit, { minLength: 1, maxLength: 6 }), (units) => {
      const file = join(dir, 'changes.log')
      writeFileSync(file, Buffer.concat([...units.map(encodeUnit), Buffer.alloc(64)]))
      const back = readLog(file).units
      expect(back.map((u) => u.hashes)).toEqual(units.map((u) => u.hashes))
      expect(back.map((u) => u.heads)).toEqual(units.map((u) => u.heads))
      expect(back.map((u) => u.events)).toEqual(units.map((u) => u.events.map((e) => ({ type: e.type, key: e.kv.key }))))
      expect(back.map((u) => u.eventRevs)).toEqual(units.map((u) => u.events.map((e) => e.kv.mod)))
      expect(back.map((u) => u.changes.map((c) => Buffer.from(c).toString('hex')))).toEqual(units.map((u) => u.changes.map((c) => Buffer.from(c).toString('hex'))))
    }))
  })

  it('never loses an intact record to one damaged byte: corruption is refused at its offset, only a damaged last record is cut', () => {
    const dir = tempDir('stabilis-prop-flip-')
    fc.assert(fc.property(fc.array(unit, { minLength: 2, maxLength: 6 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (units, where, xor) => {
      const file = join(dir, 'changes.log')
      const records = units.map(encodeUnit)
      const starts: number[] = []
      let at = 0
      for (const r of records) {
        starts.push(at)
        at += r.length
      }
      const data = Buffer.concat([...records, Buffer.alloc(64)])
      const pos = where % at
      data[pos] ^= xor
      writeFileSync(file, data)
      const hit = starts.filter((s) => s <= pos).length - 1
      const last = hit === records.length - 1
      try {
        const back = readLog(file).units
        // Only a damaged last record may be dropped (a torn tail); every other record is there.
        expect(last).toBe(true)
        expect(back.map((u) => u.hashes)).toEqual(units.slice(0, -1).map((u) => u.hashes))
      } catch (e) {
        expect(e).toBeInstanceOf(CorruptLogError)
        expect((e as CorruptLogError).offset).toBe(starts[hit])
        expect(last).toBe(false)
      }
      expect(readFileSync(file).equals(data)).toBe(true)
    }), { numRuns: 300 })
  })
})
