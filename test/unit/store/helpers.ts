// Shared helpers for the store tests: a supervised cluster in a temp folder (killed after the file's
// tests) and etcdctl runs with a bounded time.
import { execFile } from 'node:child_process'
import { afterAll, beforeAll } from 'vitest'
import { createStoreClient, type StoreClient } from '../../../src-main/lab/store/client.ts'
import { StoreSupervisor } from '../../../src-main/lab/store/supervisor.ts'
import { tempDir } from '../../helpers/tmp.ts'

export async function startCluster(replicas: number): Promise<StoreSupervisor> {
  const sup = new StoreSupervisor({ replicas, dir: tempDir('stabilis-store-') })
  afterAll(async () => {
    sup.killAllNow()
    await sup.stopAll()
  })
  await sup.start()
  return sup
}

/** A cluster of `replicas` processes for the whole test file, with one client per endpoint (closed after it). */
export function useCluster(replicas: number): { sup: StoreSupervisor; clients: StoreClient[] } {
  const ctx = { clients: [] } as unknown as { sup: StoreSupervisor; clients: StoreClient[] }
  beforeAll(async () => {
    ctx.sup = await startCluster(replicas)
    ctx.clients = ctx.sup.endpoints().map((e) => createStoreClient(e, 5000))
    return () => ctx.clients.forEach((c) => c.close())
  })
  return ctx
}

export interface Run {
  code: number
  stdout: string
  stderr: string
}

export function etcdctl(endpoint: string, args: string[], input?: string, timeoutMs = 10_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile('etcdctl', [`--endpoints=${endpoint}`, '--command-timeout=5s', ...args], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
    if (input !== undefined) child.stdin?.end(input)
  })
}

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 5000, stepMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let v: T | null | undefined | false = null
    try {
      v = await fn()
    } catch {
      v = null
    }
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, stepMs))
  }
}
