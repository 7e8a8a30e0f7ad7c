// The store half of LabApi on real replica processes: writes, the live durability table, faults and events.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openLab } from '../../../../src-main/lab/open-lab.ts'
import type { LabEvent } from '../../../../src-shared/types.ts'
import type { StoreView } from '../../../../src-shared/store-types.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const dir = tempDir()
const opened = openLab(join(dir, 'lab.db'), { store: { dir: join(dir, 'store') } })
const { lab } = opened
afterAll(() => opened.close())

const heldBy = (view: StoreView, key: string): (boolean | null)[] | undefined => view.durability.find((r) => r.key === key)?.held

describe('store lab', () => {
  it('starts 3 replicas, tracks a write until every replica holds it, and streams status events', async () => {
    const events: LabEvent[] = []
    const off = lab.onEvent((e) => e.type === 'store-status' && events.push(e))
    const view = await lab.storeStart(3)
    expect(view.running).toBe(true)
    expect(view.replicas.map((r) => [r.name, r.up])).toEqual([['r1', true], ['r2', true], ['r3', true]])
    await expect(lab.storeStart(3)).rejects.toThrow(/already running/)

    const put = await lab.storePut('r1', 'cfg/a', 'one')
    expect(put.revision).toBeGreaterThan(0)
    expect(put.heads.length).toBeGreaterThan(0)
    await expect.poll(async () => heldBy(await lab.storeView(), 'cfg/a'), { timeout: 5000 }).toEqual([true, true, true])
    await expect.poll(async () => (await lab.storeRange('r3', 'cfg/')).map((kv) => [kv.key, kv.value]), { timeout: 5000 }).toEqual([['cfg/a', 'one']])
    await expect.poll(() => events.length, { timeout: 3000 }).toBeGreaterThan(0)
    off()
  })

  it('shows a killed replica as down and not holding, and catching up after restart', async () => {
    const afterKill = await lab.storeFault({ kind: 'kill', replica: 'r3' })
    expect(afterKill.replicas.find((r) => r.name === 'r3')!.up).toBe(false)
    await lab.storePut('r1', 'cfg/b', 'two')
    await expect.poll(async () => heldBy(await lab.storeView(), 'cfg/b'), { timeout: 5000 }).toEqual([true, true, null])
    await lab.storeFault({ kind: 'restart', replica: 'r3' })
    await expect.poll(async () => heldBy(await lab.storeView(), 'cfg/b'), { timeout: 8000 }).toEqual([true, true, true])
  })

  it('keeps a write on one side of a partition until the heal', async () => {
    await lab.storeFault({ kind: 'partition', groups: [['r1'], ['r2', 'r3']] })
    await lab.storePut('r1', 'cfg/c', 'three')
    await new Promise((r) => setTimeout(r, 800))
    expect(heldBy(await lab.storeView(), 'cfg/c')).toEqual([true, false, false])
    await lab.storeFault({ kind: 'heal' })
    await expect.poll(async () => heldBy(await lab.storeView(), 'cfg/c'), { timeout: 8000 }).toEqual([true, true, true])
  })

  it('names bad input and stops cleanly', async () => {
    await expect(lab.storePut('r9', 'k', 'v')).rejects.toThrow(/no replica named "r9"/)
    await expect(lab.storePut('r1', '', 'v')).rejects.toThrow(/key must be a non-empty string/)
    await expect(lab.storeFault({ kind: 'partition', groups: [['r1'], ['r1', 'r2']] })).rejects.toThrow(/only one partition group/)
    await lab.storeStop()
    expect((await lab.storeView()).running).toBe(false)
    await expect(lab.storePut('r1', 'k', 'v')).rejects.toThrow(/no store is running/)
    await expect(lab.storeStart(0)).rejects.toThrow(/replicas must be a whole number from 1 to 7/)
  })
})
