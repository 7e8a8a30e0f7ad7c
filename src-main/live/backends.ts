// The two stores a live run can use, behind one set of fault operations. etcd: Debian's etcd-server, 1 or 3
// members on loopback, each its own process and data folder (a partition freezes the isolated members with
// SIGSTOP — their clients get no answer, the others go on, as behind a cut network — and heal resumes them).
// stabilis: this project's replicas through the store supervisor (partitions cut the peer links).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, startOnFreePorts, startTempCluster, type ReplicaCrash } from '../lab/store/supervisor.ts'
import { EtcdClient } from './etcd-client.ts'

export type StoreKind = 'etcd' | 'stabilis'

export interface Backend {
  kind: StoreKind
  names: string[]
  endpoints: string[]
  /** Cuts `isolated` off from the other members (both ways). */
  partition(isolated: string[]): void
  heal(): void
  kill(name: string): Promise<void>
  restart(name: string): Promise<void>
  close(): Promise<void>
  /** `fn` hears of every member process that ends without being asked to (a crash), with why if known. */
  onCrash(fn: (member: string, detail: string) => void): void
}

/** Why a process ended, in one line: its exit, and the first error line of its stderr (else the last line). */
export function crashDetail(code: number | null, signal: string | null, stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean)
  const why = lines.find((l) => /^[A-Za-z]*Error\b|Error:/.test(l)) ?? lines.at(-1)
  return `exited (code ${code}, signal ${signal})${why ? `: ${why}` : ''}`
}

interface Member {
  name: string
  client: number
  peer: number
  proc: ChildProcess | null
  frozen: boolean
}

/** Starts a store, again on fresh ports when the start lost a race for them (supervisor.ts, startOnFreePorts). */
export async function startBackend(store: StoreKind, members: number, opts: { etcdBin?: string; replicaEntry?: string } = {}): Promise<Backend> {
  return startOnFreePorts(() => (store === 'etcd' ? startEtcdBackend(members, opts.etcdBin) : startStoreBackend(members, opts.replicaEntry)))
}

export async function startEtcdBackend(members: number, etcdBin = 'etcd'): Promise<Backend> {
  if (!Number.isInteger(members) || members < 1 || members > 7) throw new Error(`--replicas for etcd must be 1..7, got ${members}`)
  const dir = mkdtempSync(join(tmpdir(), 'stabilis-live-etcd-'))
  const ms: Member[] = []
  for (let i = 0; i < members; i++) ms.push({ name: `e${i + 1}`, client: await freePort(), peer: await freePort(), proc: null, frozen: false })
  const initial = ms.map((m) => `${m.name}=http://127.0.0.1:${m.peer}`).join(',')
  const token = `live-${process.pid}-${Date.now()}`
  let failed: string | null = null
  let started = false
  const asked = new WeakSet<ChildProcess>()
  const crashed: ((member: string, detail: string) => void)[] = []
  const launch = (m: Member): void => {
    const p = spawn(etcdBin, [
      '--name', m.name, '--data-dir', join(dir, m.name),
      '--listen-client-urls', `http://127.0.0.1:${m.client}`, '--advertise-client-urls', `http://127.0.0.1:${m.client}`,
      '--listen-peer-urls', `http://127.0.0.1:${m.peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peer}`,
      '--initial-cluster', initial, '--initial-cluster-state', 'new', '--initial-cluster-token', token,
      '--heartbeat-interval', '50', '--election-timeout', '500', '--log-level', 'error',
    ], { stdio: 'ignore' })
    m.proc = p
    p.once('error', (e) => (failed = failed ?? `cannot run ${etcdBin}: ${e.message}`))
    p.once('exit', (code, sig) => {
      if (m.proc === p) m.proc = null
      if (!started) failed = failed ?? `etcd member ${m.name} exited at start (code ${code}, signal ${sig})`
      else if (!asked.has(p)) for (const fn of crashed) fn(m.name, crashDetail(code, sig, ''))
    })
  }
  const find = (name: string): Member => {
    const m = ms.find((x) => x.name === name)
    if (!m) throw new Error(`no etcd member named ${name}; members: ${ms.map((x) => x.name).join(', ')}`)
    return m
  }
  const exited = (p: ChildProcess): Promise<void> =>
    p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', () => r()))
  const close = async (): Promise<void> => {
    for (const m of ms) {
      const p = m.proc
      if (!p) continue
      asked.add(p)
      if (m.frozen) p.kill('SIGCONT')
      p.kill('SIGKILL')
      await exited(p)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const kill = async (name: string): Promise<void> => {
    const m = find(name)
    const p = m.proc
    if (!p) return
    asked.add(p)
    if (m.frozen) p.kill('SIGCONT')
    m.frozen = false
    p.kill('SIGKILL')
    await exited(p)
  }
  ms.forEach(launch)
  const endpoints = ms.map((m) => `127.0.0.1:${m.client}`)
  try {
    await waitReady(endpoints, () => failed)
    started = true
  } catch (e) {
    await close()
    throw e
  }
  return {
    kind: 'etcd',
    names: ms.map((m) => m.name),
    endpoints,
    partition(isolated) {
      for (const n of isolated) {
        const m = find(n)
        if (m.proc && !m.frozen) {
          m.proc.kill('SIGSTOP')
          m.frozen = true
        }
      }
    },
    heal() {
      for (const m of ms) {
        if (m.frozen) m.proc?.kill('SIGCONT')
        m.frozen = false
      }
    },
    kill,
    async restart(name) {
      const m = find(name)
      if (m.proc) await kill(name)
      launch(m)
    },
    close,
    onCrash: (fn) => void crashed.push(fn),
  }
}

/** Ready when every member answers a put. */
async function waitReady(endpoints: string[], failed: () => string | null): Promise<void> {
  const deadline = Date.now() + 20_000
  for (const ep of endpoints) {
    const c = new EtcdClient(ep, 2000)
    try {
      for (;;) {
        try {
          await c.put('/live/ready', Buffer.from('1'))
          break
        } catch (e) {
          const f = failed()
          if (f) throw new Error(f)
          if (Date.now() > deadline) throw new Error(`etcd at ${ep} did not start: ${(e as Error).message}`)
          await new Promise((r) => setTimeout(r, 100))
        }
      }
    } finally {
      c.close()
    }
  }
}

export async function startStoreBackend(replicas: number, replicaEntry?: string): Promise<Backend> {
  // Kubernetes creates compare create_revision = 0 (the API server's Txn): under this store that is a causal
  // put-if-absent on each replica — exactly the level live mode sets out to realise, so the store must not refuse it.
  const { sup, close } = await startTempCluster('stabilis-live-store-', { replicas, entry: replicaEntry, allowRecipes: true })
  const names = sup.names()
  return {
    kind: 'stabilis',
    names,
    endpoints: sup.endpoints(),
    partition(isolated) {
      const rest = names.filter((n) => !isolated.includes(n))
      if (isolated.length > 0 && rest.length > 0) sup.partition([isolated, rest])
    },
    heal: () => sup.heal(),
    kill: (name) => sup.kill(name),
    async restart(name) {
      if (sup.isUp(name)) await sup.kill(name)
      await sup.restart(name)
    },
    close,
    onCrash: (fn) => void sup.on('crash', (c: ReplicaCrash) => fn(c.name, crashDetail(c.code, c.signal, c.stderr))),
  }
}
