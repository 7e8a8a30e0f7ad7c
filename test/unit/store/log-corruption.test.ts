// Damage to changes.log: a bad record with intact records after it is corruption (the log refuses to open,
// naming file and offset, and the file stays byte for byte as it was); a bad record at the end is a torn
// tail (cut). A new log's folder entry is made durable (fsync of the data folder, seen with strace).
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { StoreDocument, type Unit } from '../../../src-main/store/document.ts'
import { ChangeLog, CorruptLogError, encodeUnit, readLog } from '../../../src-main/store/log.ts'
import { tempDir } from '../../helpers/tmp.ts'

function units(n: number): Unit[] {
  const doc = new StoreDocument('bb'.repeat(16))
  return Array.from({ length: n }, (_, i) => doc.write((tx) => tx.put(`key-${i}`, Buffer.from(`value-${i}`), '0'))!)
}

async function logWith(n: number): Promise<{ dir: string; file: string; offsets: number[] }> {
  const dir = tempDir('stabilis-corrupt-')
  const log = new ChangeLog(dir)
  log.open()
  const offsets: number[] = []
  for (const u of units(n)) {
    offsets.push(log.size())
    await log.append(encodeUnit(u))
  }
  log.close()
  return { dir, file: log.file, offsets }
}

describe('a damaged change log', () => {
  it('refuses to open on one flipped byte in a middle record, names file and offset, and changes nothing', async () => {
    const { dir, file, offsets } = await logWith(2000)
    const data = readFileSync(file)
    const bad = offsets[600]
    data[bad + 20] ^= 0x40
    writeFileSync(file, data)
    const log = new ChangeLog(dir)
    let err: unknown = null
    try {
      log.open()
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(CorruptLogError)
    expect((err as CorruptLogError).offset).toBe(bad)
    expect((err as Error).message).toContain(`${file} is corrupt at byte offset ${bad} (checksum mismatch)`)
    expect((err as Error).message).toMatch(/nothing was cut/)
    expect(readFileSync(file).equals(data)).toBe(true)
  })

  it('also refuses on a corrupt length field (a record claiming to run past the end)', async () => {
    const { dir, file, offsets } = await logWith(50)
    const data = readFileSync(file)
    data.writeUInt32LE(0x7fffffff, offsets[10])
    writeFileSync(file, data)
    expect(() => new ChangeLog(dir).open()).toThrow(/corrupt at byte offset \d+ \(a record of 2147483647 bytes runs past the end of the file\)/)
    expect(readFileSync(file).equals(data)).toBe(true)
  })

  it('cuts a torn tail: the last record damaged with nothing intact after it', async () => {
    const { dir, file, offsets } = await logWith(50)
    const data = readFileSync(file)
    data[offsets[49] + 12] ^= 0xff
    writeFileSync(file, data)
    const log = new ChangeLog(dir)
    expect(log.open()).toHaveLength(49)
    log.close()
    expect(readLog(file).units.map((u) => u.events[0].key)).toEqual(Array.from({ length: 49 }, (_, i) => `key-${i}`))
  })

  it('fsyncs the data folder after creating changes.log', () => {
    const dir = tempDir('stabilis-dirsync-')
    const trace = join(tempDir('stabilis-strace-'), 'trace')
    const logModule = fileURLToPath(new URL('../../../src-main/store/log.ts', import.meta.url))
    const script = `import { ChangeLog } from ${JSON.stringify(logModule)}; const l = new ChangeLog(${JSON.stringify(dir)}); l.open(); l.close()`
    execFileSync('strace', ['-f', '-y', '-e', 'trace=fsync,fdatasync', '-o', trace, process.execPath, '--input-type=module', '-e', script])
    const lines = readFileSync(trace, 'utf8').split('\n')
    expect(lines.some((l) => l.includes(`fsync(`) && l.includes(`<${dir}>`))).toBe(true)
  })
})
