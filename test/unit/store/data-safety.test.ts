// The store's failure paths on real replica processes: a write whose log append fails is undone everywhere;
// a replica that lost its log tail writes again without colliding with what its peers hold; a corrupt
// change log stops the replica, which is repaired from its peers.
import { execFileSync } from 'node:child_process'
import { readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as grpc from '@grpc/grpc-js'
import { createStoreClient, type StoreClient } from '../../../src-main/lab/store/client.ts'
import { startCluster, until } from './helpers.ts'

const b = (s: string): Buffer => Buffer.from(s)

/** Start offset of every record in a change log (u32 length, u32 crc, body; zeros after the last). */
function recordOffsets(file: string): number[] {
  const data = readFileSync(file)
  const out: number[] = []
  for (let p = 0; p + 8 <= data.length; ) {
    const len = data.readUInt32LE(p)
    if (len === 0) break
    out.push(p)
    p += 8 + len
  }
  return out
}

async function value(c: StoreClient, key: string): Promise<string | null> {
  const r = await c.range({ key: b(key) })
  return r.kvs.length ? r.kvs[0].value.toString() : null
}

async function heads(c: StoreClient): Promise<string> {
  return JSON.stringify((await c.range({ key: b('\0'), count_only: true })).header.heads)
}

describe('store data safety', () => {
  it('a write whose log append fails is answered UNAVAILABLE and is not applied, here or on a peer', async () => {
    const sup = await startCluster(2)
    const [c1, c2] = sup.endpoints().map((e) => createStoreClient(e, 3000))
    const log = join(sup.options.dir, 'r1', 'changes.log')
    try {
      await c1.put({ key: b('safe/x'), value: b('1') })
      await until('x on r2', async () => (await value(c2, 'safe/x')) === '1', 3000)
      execFileSync('chattr', ['+i', log])
      await expect(c1.put({ key: b('safe/y'), value: b('2') })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE })
      expect(await value(c1, 'safe/y')).toBeNull()
      expect(await value(c1, 'safe/x')).toBe('1')
      await new Promise((r) => setTimeout(r, 1500))
      expect(await value(c2, 'safe/y')).toBeNull()
      await expect(c1.put({ key: b('safe/z'), value: b('3') })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE })
    } finally {
      execFileSync('chattr', ['-i', log])
      c1.close()
      c2.close()
    }
  })

  it('a replica that lost its log tail writes again, and the replicas still converge', async () => {
    const sup = await startCluster(2)
    let [c1, c2] = sup.endpoints().map((e) => createStoreClient(e, 3000))
    const log = join(sup.options.dir, 'r1', 'changes.log')
    try {
      await c1.put({ key: b('tail/a'), value: b('1') })
      await c1.put({ key: b('tail/b'), value: b('2') })
      await until('b on r2', async () => (await value(c2, 'tail/b')) === '2', 3000)
      await sup.kill('r1')
      // The last record (tail/b) is lost, as after a crash before its fdatasync had reached the disk.
      const offsets = recordOffsets(log)
      truncateSync(log, offsets[offsets.length - 1])
      // r1 comes back cut off from r2 and writes before it could re-sync.
      sup.partition([['r1'], ['r2']])
      await sup.restart('r1')
      c1.close()
      c1 = createStoreClient(sup.endpoints()[0], 3000)
      expect(await value(c1, 'tail/b')).toBeNull()
      await c1.put({ key: b('tail/c'), value: b('3') })
      sup.heal()
      await until('converged', async () => (await heads(c1)) === (await heads(c2)) && (await value(c1, 'tail/b')) === '2' && (await value(c2, 'tail/c')) === '3', 8000)
      expect(sup.lastStderr('r1') + sup.lastStderr('r2')).not.toMatch(/duplicate seq/)
      c2.close()
      c2 = createStoreClient(sup.endpoints()[1], 3000)
      expect(await value(c2, 'tail/a')).toBe('1')
    } finally {
      c1.close()
      c2.close()
    }
  })

  it('a corrupt record in the middle stops the replica with file and offset; moving the log aside repairs it from a peer', async () => {
    const sup = await startCluster(2)
    const [c1] = sup.endpoints().map((e) => createStoreClient(e, 3000))
    let c2 = createStoreClient(sup.endpoints()[1], 3000)
    const log = join(sup.options.dir, 'r2', 'changes.log')
    try {
      for (let i = 0; i < 300; i++) await c1.put({ key: b(`rep/${String(i).padStart(3, '0')}`), value: b(`v${i}`) })
      const want = await heads(c1)
      await until('r2 has everything', async () => (await heads(c2)) === want, 5000)
      await sup.stop('r2')
      const offsets = recordOffsets(log)
      expect(offsets.length).toBeGreaterThan(2)
      const bad = offsets[Math.floor(offsets.length / 2)]
      const data = readFileSync(log)
      data[bad + 10] ^= 0x01
      writeFileSync(log, data)
      await expect(sup.restart('r2')).rejects.toThrow(`${log} is corrupt at byte offset ${bad} (checksum mismatch)`)
      expect(readFileSync(log).equals(data)).toBe(true)
      // The documented repair: keep the damaged log aside, start empty, take the history from the peers.
      renameSync(log, log + '.corrupt')
      await sup.restart('r2')
      c2.close()
      c2 = createStoreClient(sup.endpoints()[1], 3000)
      await until('r2 repaired', async () => (await c2.range({ key: b('rep/'), range_end: b('rep0'), count_only: true })).count === '300', 8000)
      expect(await value(c2, 'rep/299')).toBe('v299')
      await until('same heads', async () => (await heads(c1)) === (await heads(c2)), 5000)
    } finally {
      c1.close()
      c2.close()
    }
  })
})
