// The store supervisor: runs N replicas as child processes (child_process.fork), stops, kills (-9),
// restarts, partitions and heals them, and streams their status.
import { fork, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { OPEN_LINK, type FromReplica, type LinkSpec, type MemberSpec, type ReplicaConfig, type ReplicaStatus, type ToReplica } from '../../store/types.ts'

export const DEFAULT_REPLICA_ENTRY = fileURLToPath(new URL('../../store/replica-main.ts', import.meta.url))

export interface SupervisorOptions {
  replicas: number
  dir: string
  /** The replica entry module (the Electron build bundles it elsewhere). */
  entry?: string
  /** Fixed first client port; replicas use consecutive pairs. Default: free ports chosen by the OS. */
  basePort?: number
  /** Echo replica stderr to ours. */
  verbose?: boolean
  /** Largest client request a replica accepts (bytes; default 1.5 MiB as etcd). */
  maxRequestBytes?: number
  /** Replica that serves lock / election recipes (docs/store.md, "Locks, elections and leases"). */
  recipesHome?: string
  /** Every replica serves create-revision compares (live mode: Kubernetes creates, merged causally on purpose). */
  allowRecipes?: boolean
  /** The replicas' HTTP/2 implementation: ours (default) or node:http2. */
  http2?: 'raw' | 'node'
  /** Where ports come from without basePort (default freePort); a test hands out one that is taken. */
  pickPort?: () => Promise<number>
}

/** The 'crash' event: a replica process ended without being asked to, after its start. */
export interface ReplicaCrash {
  name: string
  code: number | null
  signal: string | null
  /** The end of its stderr (the last 8,000 characters). */
  stderr: string
}

export interface ReplicaView {
  name: string
  up: boolean
  pid: number | null
  endpoint: string
  status: ReplicaStatus | null
}

/** Starts of a cluster on OS-chosen ports before a port taken in between is reported. */
const START_ATTEMPTS = 3

/** A TCP port on 127.0.0.1 nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      s.close(() => resolve(port))
    })
  })
}

/**
 * Starts a process group on ports from freePort, again on fresh ports when the start lost a race for one (another
 * process took it between the probe and the bind: EADDRINUSE, or a member that exited or never answered at start),
 * up to START_ATTEMPTS starts; any other failure, or the last attempt's, is thrown as it is.
 */
export async function startOnFreePorts<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start()
    } catch (e) {
      if (attempt >= START_ATTEMPTS || !/EADDRINUSE|address already in use|exited at start|did not start/.test((e as Error).message)) throw e
    }
  }
}

interface Slot {
  member: MemberSpec
  dataDir: string
  child: ChildProcess | null
  status: ReplicaStatus | null
  links: Record<string, LinkSpec>
  stderr: string
}

export class StoreSupervisor extends EventEmitter {
  readonly options: SupervisorOptions
  readonly entry: string
  readonly clusterToken = randomBytes(8).toString('hex')
  private slots: Slot[] = []
  private queryId = 0
  private readonly pending = new Map<number, (v: unknown) => void>()
  /** Children asked to end (stop, kill): their exit is no crash. */
  private readonly ended = new WeakSet<ChildProcess>()

  constructor(options: SupervisorOptions) {
    super()
    this.options = options
    this.entry = options.entry ?? DEFAULT_REPLICA_ENTRY
  }

  names(): string[] {
    return this.slots.map((s) => s.member.name)
  }

  endpoints(): string[] {
    return this.slots.map((s) => `127.0.0.1:${s.member.clientPort}`)
  }

  async start(): Promise<void> {
    const n = this.options.replicas
    if (!Number.isInteger(n) || n < 1 || n > 15) throw new Error(`--replicas must be 1..15, got ${n}`)
    const home = this.options.recipesHome
    if (home !== undefined && !/^r\d+$/.test(home)) throw new Error(`--recipes-home names a replica (r1..r${n}), got "${home}"`)
    if (home !== undefined && Number(home.slice(1)) > n) throw new Error(`--recipes-home ${home}: there are only ${n} replicas (r1..r${n})`)
    mkdirSync(this.options.dir, { recursive: true })
    // A port the OS called free can be taken by another process before the replica binds it (tests run side by
    // side): then the whole cluster starts again on new ports, since every replica names every peer's port.
    const pick = this.options.pickPort ?? freePort
    for (let attempt = 1; ; attempt++) {
      this.slots = []
      for (let i = 0; i < n; i++) {
        const name = `r${i + 1}`
        const clientPort = this.options.basePort ? this.options.basePort + 2 * i : await pick()
        const peerPort = this.options.basePort ? this.options.basePort + 2 * i + 1 : await pick()
        this.slots.push({ member: { name, clientPort, peerPort }, dataDir: join(this.options.dir, name), child: null, status: null, links: {}, stderr: '' })
      }
      const started = await Promise.allSettled(this.slots.map((s) => this.launch(s)))
      const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (!failed) return
      const raced = !this.options.basePort && /EADDRINUSE/.test(String((failed.reason as Error)?.message))
      if (!raced || attempt >= START_ATTEMPTS) throw failed.reason
      await Promise.all(this.slots.map((s) => this.kill(s.member.name)))
    }
  }

  private slot(name: string): Slot {
    const s = this.slots.find((x) => x.member.name === name)
    if (!s) throw new Error(`no replica named ${name}; replicas: ${this.names().join(', ')}`)
    return s
  }

  private launch(s: Slot): Promise<void> {
    const config: ReplicaConfig = {
      name: s.member.name, dataDir: s.dataDir, clientPort: s.member.clientPort, peerPort: s.member.peerPort,
      members: this.slots.map((x) => x.member), clusterToken: this.clusterToken, links: s.links,
      ...(this.options.maxRequestBytes ? { maxRequestBytes: this.options.maxRequestBytes } : {}),
      ...(this.options.recipesHome ? { recipesHome: this.options.recipesHome } : {}),
      ...(this.options.allowRecipes ? { allowRecipes: true } : {}),
      ...(this.options.http2 ? { http2: this.options.http2 } : {}),
    }
    const child = fork(this.entry, [JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' })
    s.child = child
    s.stderr = ''
    child.stderr?.on('data', (d: Buffer) => {
      s.stderr = (s.stderr + d.toString()).slice(-8000)
      if (this.options.verbose) process.stderr.write(d)
    })
    return new Promise<void>((resolve, reject) => {
      let ready = false
      child.on('message', (m: FromReplica) => {
        if (m.type === 'ready' || m.type === 'status') {
          s.status = m.status
          this.emit('status', this.view())
          if (m.type === 'ready' && !ready) {
            ready = true
            resolve()
          }
        } else if (m.type === 'reply') {
          this.pending.get(m.id)?.(m.result)
          this.pending.delete(m.id)
        } else if (m.type === 'fatal' && !ready) {
          ready = true
          reject(new Error(`replica ${s.member.name} failed to start: ${m.message}`))
        }
      })
      // A replica that ends on its own after its start: its clients only see dropped connections, so say why
      // ('close' comes once its stderr is read to the end).
      child.on('close', (code, signal) => {
        if (ready && !this.ended.has(child)) this.emit('crash', { name: s.member.name, code, signal, stderr: s.stderr } satisfies ReplicaCrash)
      })
      child.on('exit', (code, signal) => {
        if (s.child === child) s.child = null
        this.emit('status', this.view())
        if (!ready) {
          ready = true
          reject(new Error(`replica ${s.member.name} exited during start (code ${code}, signal ${signal}): ${s.stderr.trim()}`))
        }
      })
    })
  }

  private waitExit(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
    return new Promise((resolve) => child.once('exit', () => resolve()))
  }

  /** Graceful stop of one replica (SIGTERM; SIGKILL after 5 s). */
  async stop(name: string): Promise<void> {
    const s = this.slot(name)
    const child = s.child
    if (!child) return
    this.ended.add(child)
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.kill('SIGTERM')
    await this.waitExit(child)
    clearTimeout(killer)
  }

  /** kill -9. */
  async kill(name: string): Promise<void> {
    const s = this.slot(name)
    const child = s.child
    if (!child) return
    this.ended.add(child)
    child.kill('SIGKILL')
    await this.waitExit(child)
  }

  /** SIGSTOP: the replica process freezes (its connections stay open, nothing answers). */
  pause(name: string): void {
    this.slot(name).child?.kill('SIGSTOP')
  }

  /** SIGCONT after pause(). */
  resume(name: string): void {
    this.slot(name).child?.kill('SIGCONT')
  }

  async restart(name: string): Promise<void> {
    const s = this.slot(name)
    if (s.child) await this.stop(name)
    await this.launch(s)
  }

  isUp(name: string): boolean {
    return this.slot(name).child !== null
  }

  /** Set the directed link from → to. */
  setLink(from: string, to: string, link: Partial<LinkSpec>): void {
    const s = this.slot(from)
    this.slot(to)
    const next = { ...OPEN_LINK, ...(s.links[to] ?? {}), ...link }
    s.links[to] = next
    this.sendTo(s, { type: 'link', peer: to, link: next })
  }

  /** Cut every link between the groups, in both directions. */
  partition(groups: string[][]): void {
    for (const a of groups) for (const b of groups) {
      if (a === b) continue
      for (const x of a) for (const y of b) this.setLink(x, y, { cut: true })
    }
  }

  /** Restore every link to open. */
  heal(): void {
    for (const s of this.slots) for (const t of this.slots) if (s !== t) this.setLink(s.member.name, t.member.name, { ...OPEN_LINK })
  }

  private sendTo(s: Slot, m: ToReplica): void {
    if (s.child && s.child.connected) s.child.send(m)
  }

  /** Which of `hashes` replica `name` holds (null when it is down). */
  async holds(name: string, hashes: string[]): Promise<boolean[] | null> {
    const s = this.slot(name)
    if (!s.child || !s.child.connected) return null
    const id = ++this.queryId
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        resolve(null)
      }, 2000)
      this.pending.set(id, (v) => {
        clearTimeout(timer)
        resolve(v as boolean[])
      })
      this.sendTo(s, { type: 'query', id, op: 'has', hashes })
    })
  }

  /** Durability table: hash × replica → held (null = replica down). */
  async durability(hashes: string[]): Promise<Record<string, (boolean | null)[]>> {
    const out: Record<string, (boolean | null)[]> = {}
    for (const s of this.slots) {
      const r = await this.holds(s.member.name, hashes)
      out[s.member.name] = r ?? hashes.map(() => null)
    }
    return out
  }

  view(): ReplicaView[] {
    return this.slots.map((s) => ({
      name: s.member.name, up: s.child !== null, pid: s.child?.pid ?? null, endpoint: `127.0.0.1:${s.member.clientPort}`,
      status: s.child ? s.status : null,
    }))
  }

  lastStderr(name: string): string {
    return this.slot(name).stderr
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.slots.map((s) => this.stop(s.member.name)))
  }

  /** Last resort cleanup (tests): SIGKILL every child still running. */
  killAllNow(): void {
    for (const s of this.slots) {
      if (!s.child) continue
      this.ended.add(s.child)
      s.child.kill('SIGKILL')
    }
  }
}

/** A cluster in a fresh temporary folder, started; `close` kills it and removes the folder (also on a failed start). */
export async function startTempCluster(prefix: string, options: Omit<SupervisorOptions, 'dir'>): Promise<{ sup: StoreSupervisor; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const sup = new StoreSupervisor({ ...options, dir })
  const close = async (): Promise<void> => {
    sup.killAllNow()
    await sup.stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await sup.start()
  } catch (e) {
    await close()
    throw e
  }
  return { sup, close }
}
