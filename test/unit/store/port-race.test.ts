// A port the OS called free can be taken before a replica binds it (tests and other programs run side by side):
// the supervisor then starts the whole cluster again on new ports; with fixed ports it says which one is taken.
import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startTempCluster } from '../../../src-main/lab/store/supervisor.ts'

describe('a replica port taken between choosing and binding', () => {
  let holder: Server
  let taken: number
  beforeAll(async () => {
    holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    taken = (holder.address() as { port: number }).port
  })
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())))

  it('the cluster starts again on fresh ports', async () => {
    let picks = 0
    // The first port handed out is one another process listens on: that start fails with EADDRINUSE.
    const pickPort = async (): Promise<number> => (picks++ === 0 ? taken : freePort())
    const { sup, close } = await startTempCluster('stabilis-port-race-', { replicas: 2, pickPort })
    try {
      expect(picks).toBe(8)
      expect(sup.view().map((v) => v.up)).toEqual([true, true])
      expect(sup.endpoints()).not.toContain(`127.0.0.1:${taken}`)
    } finally {
      await close()
    }
  })

  it('with fixed ports the start fails, naming the taken port', async () => {
    await expect(startTempCluster('stabilis-port-race-', { replicas: 1, basePort: taken })).rejects.toThrow(new RegExp(`EADDRINUSE.*${taken}`))
  })
})
