// The change log's group commit on a real file: appends made while an fdatasync is in flight share the
// next one, every append resolves only after a sync that started after its write, lazy appends ride along,
// and a failed write rejects what it carried without losing what was already durable.
import { openSync, statSync, writeSync, closeSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { StoreDocument, type Unit } from '../../../src-main/store/document.ts'
import { ChangeLog, encodeUnit, readLog } from '../../../src-main/store/log.ts'
import { tempDir } from '../../helpers/tmp.ts'

function units(n: number): Unit[] {
  const doc = new StoreDocument('aa'.repeat(16))
  return Array.from({ length: n }, (_, i) => doc.write((tx) => tx.put(`k${i}`, Buffer.from(`v${i}`), '0'))!)
}

describe('the change log', () => {
  it('shares fdatasyncs between appends made while syncs are in flight, and keeps every record', async () => {
    const dir = tempDir('stabilis-log-')
    const log = new ChangeLog(dir)
    log.open()
    const us = units(200)
    const done: number[] = []
    await Promise.all(us.map((u, i) => log.append(encodeUnit(u)).then(() => done.push(i))))
    // 200 appends in one turn: the first two start the two syncs allowed in flight, the other 198 share a third.
    expect(log.fsyncs).toBe(3)
    expect(done).toEqual(us.map((_, i) => i))
    log.close()
    expect(readLog(log.file).units.map((u) => u.events[0].key)).toEqual(us.map((_, i) => `k${i}`))
  })

  it('zero-fills ahead of the records, and reads back exactly the records after a restart and after a torn write', async () => {
    const dir = tempDir('stabilis-log-')
    const us = units(30)
    let log = new ChangeLog(dir)
    log.open()
    for (const u of us.slice(0, 10)) await log.append(encodeUnit(u))
    const recordBytes = log.size()
    expect(recordBytes).toBe(us.slice(0, 10).reduce((a, u) => a + encodeUnit(u).length, 0))
    // The file runs on past the records: zeros, so the next fdatasyncs need not commit a new file size.
    expect(statSync(log.file).size).toBe(1024 * 1024)
    log.close()
    log = new ChangeLog(dir)
    expect(log.open().map((u) => u.events[0].key)).toEqual(us.slice(0, 10).map((_, i) => `k${i}`))
    for (const u of us.slice(10, 20)) await log.append(encodeUnit(u))
    log.close()
    // A crash mid-write: half a record in the zeros after the last whole one.
    const torn = encodeUnit(us[20]).subarray(0, 40)
    const fd = openSync(log.file, 'r+')
    writeSync(fd, torn, 0, torn.length, log.size())
    closeSync(fd)
    log = new ChangeLog(dir)
    expect(log.open()).toHaveLength(20)
    for (const u of us.slice(21, 30)) await log.append(encodeUnit(u))
    log.close()
    const keys = readLog(log.file).units.map((u) => u.events[0].key)
    expect(keys).toEqual([...us.slice(0, 20), ...us.slice(21, 30)].map((u) => u.events[0].kv.key))
  })

  it('writes lazy appends with the next local one, or after the lazy delay', async () => {
    const log = new ChangeLog(tempDir('stabilis-log-'))
    log.open()
    const [a, b, c] = units(3)
    const lazy = log.append(encodeUnit(a), true, 10_000)
    expect(readLog(log.file).units).toHaveLength(0)
    await log.append(encodeUnit(b))
    await lazy
    expect(readLog(log.file).units).toHaveLength(2)
    await log.append(encodeUnit(c), true, 5)
    expect(readLog(log.file).units).toHaveLength(3)
    // Nothing pending, nothing unsynced: no barrier needed.
    expect(log.barrier()).toBeNull()
    log.close()
  })

  it('rejects appends once the file cannot be written, keeping the records already durable', async () => {
    const dir = tempDir('stabilis-log-')
    const log = new ChangeLog(dir)
    log.open()
    const [a, b] = units(2)
    await log.append(encodeUnit(a))
    // A log that can no longer write fails the append with a storage error, and every later one with it.
    log.close()
    await expect(log.append(encodeUnit(b))).rejects.toThrow(/^stabilis store: writes refused: the data folder cannot be written \(EIO on .*changes\.log\)$/)
    await expect(log.append(encodeUnit(b))).rejects.toThrow(/writes refused/)
    expect(readLog(log.file).units).toHaveLength(1)
  })
})
