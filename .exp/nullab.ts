import { fork } from 'node:child_process'
import { createStoreClient } from '/work/main/src-main/lab/store/client.ts'
const cpuOf = (c: any) => new Promise<number>((r) => { c.once('message', (m: any) => r(m.cpu)); c.send('cpu') })
async function start(mode: string, port: number) { const c = fork('/work/main/.exp/nullsrv.ts', [mode, String(port)]); await new Promise((r) => c.once('message', r)); return c }
const servers = { grpcjs: await start('grpcjs', 23791), raw: await start('raw', 23792) }
const clients = { grpcjs: createStoreClient('127.0.0.1:23791', 0), raw: createStoreClient('127.0.0.1:23792', 0) }
const value = Buffer.alloc(32, 97)
for (let round = 0; round < 6; round++) for (const m of (round % 2 ? ['raw', 'grpcjs'] : ['grpcjs', 'raw']) as const) {
  const c = clients[m]; const N = 30000; let next = 0
  const c0 = await cpuOf(servers[m]); const l0 = process.cpuUsage(); const t0 = performance.now()
  await Promise.all(Array.from({ length: 64 }, async () => { while (next++ < N) await c.put({ key: Buffer.from('bench/key000001'), value }) }))
  const s = (performance.now() - t0) / 1000; const c1 = await cpuOf(servers[m]); const l = process.cpuUsage(l0)
  console.log(m.padEnd(7), Math.round(N / s), 'ops/s  server µs/op', ((c1 - c0) * 1e6 / N).toFixed(1), ' loadgen', ((l.user + l.system) / 1e6 / s).toFixed(2))
}
for (const s of Object.values(servers)) s.kill()
for (const c of Object.values(clients)) c.close()
