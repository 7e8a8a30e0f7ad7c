// A replica process that ends without being asked to is reported ('crash', with its stderr), and one the
// supervisor stops or kills is not: real replicas, ended with real signals.
import { describe, expect, it, beforeAll } from 'vitest'
import type { ReplicaCrash, StoreSupervisor } from '../../../src-main/lab/store/supervisor.ts'
import { crashDetail } from '../../../src-main/live/backends.ts'
import { startCluster, until } from './helpers.ts'

describe('replica crashes', () => {
  let sup: StoreSupervisor
  const crashes: ReplicaCrash[] = []
  beforeAll(async () => {
    sup = await startCluster(3)
    sup.on('crash', (c: ReplicaCrash) => crashes.push(c))
  })

  it('a replica killed from outside is reported once, with its name and signal; kill and stop through the supervisor are not', async () => {
    // The replica says it serves on stderr just after its ready message: wait for that line to arrive first.
    await until('r2 has said it serves', async () => /r2: serving etcd v3/.test(sup.lastStderr('r2')), 5000)
    const pid = sup.view().find((v) => v.name === 'r2')!.pid!
    process.kill(pid, 'SIGKILL')
    await until('the crash of r2', async () => crashes.length > 0, 5000)
    expect(crashes).toHaveLength(1)
    expect(crashes[0]).toMatchObject({ name: 'r2', signal: 'SIGKILL' })
    expect(crashes[0].stderr).toMatch(/r2: serving etcd v3/)
    await sup.kill('r3')
    await sup.stop('r1')
    await sup.restart('r2')
    await sup.stop('r2')
    await new Promise((r) => setTimeout(r, 200))
    expect(crashes.map((c) => c.name)).toEqual(['r2'])
  })

  it('crashDetail names the exit and the error line of stderr', () => {
    const stderr = 'r1: serving etcd v3 on 127.0.0.1:1, peers on 2, revision 1\n/x/automerge_wasm.cjs:239\n  throw takeObject(r1);\n\nRangeError: change\'s deps should already be in the document\n    at load (x)\n\nNode.js v22\n'
    expect(crashDetail(1, null, stderr)).toBe("exited (code 1, signal null): RangeError: change's deps should already be in the document")
    expect(crashDetail(null, 'SIGKILL', 'r1: serving\n')).toBe('exited (code null, signal SIGKILL): r1: serving')
    expect(crashDetail(null, 'SIGKILL', '')).toBe('exited (code null, signal SIGKILL)')
  })
})
