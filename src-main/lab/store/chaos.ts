// A Jepsen-style test of the replicated store: concurrent clients with a recorded history, a nemesis that
// kills (-9), partitions and pauses (SIGSTOP) replicas, then a heal and a checker.
//
// Workload: each client owns a key prefix and only inserts new keys there (never overwrites), so every
// acknowledged insert has one right answer after heal — present, on every replica — whatever concurrent writes
// merged; and it reads back the newest part of its own prefix, through whichever replica is next (a stock etcd
// client balances over its endpoints). Checks: acknowledged inserts present everywhere after heal, replicas
// converged (same heads), and per client read-your-writes and monotonic reads. The store promises session order
// only while the replicas can reach each other (docs/store.md), so a session violation whose operations overlap
// a fault (plus a grace for the heal to spread) is counted apart; any other fails the run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChaosFault, ChaosNemesis, ChaosSample, ChaosViolation, StoreChaosOptions, StoreChaosReport } from '../../../src-shared/store-types.ts'
import { createStoreClient, type StoreClient } from './client.ts'
import { StoreSupervisor } from './supervisor.ts'

export const DEFAULT_CHAOS: Required<StoreChaosOptions> = { replicas: 3, duration: 60, nemesis: ['kill', 'partition', 'pause'], clients: 6, seed: 1 }
/** A session violation this close after a fault ended is still the fault's (the heal spreading). */
const GRACE_MS = 3000
const OP_DEADLINE_MS = 2000
/** A read covers the client's newest inserts: this many sequence numbers back. */
const READ_WINDOW = 100

export interface Insert { type: 'insert'; client: number; seq: number; t0: number; t1: number; ok: boolean; unknown: boolean }
export interface Read { type: 'read'; client: number; lo: number; t0: number; t1: number; ok: boolean; unknown: boolean; seqs: Set<number> }
export type Op = Insert | Read

export interface ChaosHooks {
  log?: (line: string) => void
  signal?: AbortSignal
  replicaEntry?: string
  /** Data folder for the replicas (default: a new temp folder, removed when the run passes). */
  dir?: string
  /** Write the recorded history here, one operation per line (JSON), ordered by start time. */
  historyFile?: string
}

/** One line of the history file: the operation as recorded (a read lists the sequence numbers it saw). */
export function historyLines(history: Op[]): string {
  return history
    .slice()
    .sort((a, b) => a.t0 - b.t0)
    .map((op) => JSON.stringify(op.type === 'read' ? { ...op, seqs: [...op.seqs].sort((a, b) => a - b) } : op))
    .join('\n') + '\n'
}

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 0x1_0000_0000
  }
}

const pad = (n: number): string => String(n).padStart(9, '0')
const keyOf = (client: number, seq: number): string => `chaos/c${client}/${pad(seq)}`
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
  })

function unknownError(e: unknown): boolean {
  const code = (e as { code?: number }).code
  return code === 4 || code === 1 || code === 14 // DEADLINE_EXCEEDED, CANCELLED, UNAVAILABLE (the answer may have been lost)
}

export function resolveChaosOptions(input: StoreChaosOptions = {}): Required<StoreChaosOptions> {
  const o = { ...DEFAULT_CHAOS, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) } as Required<StoreChaosOptions>
  const int = (name: keyof StoreChaosOptions, min: number, max: number): void => {
    const v = o[name]
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`)
  }
  int('replicas', 1, 7)
  int('duration', 1, 24 * 3600)
  int('clients', 1, 64)
  int('seed', 0, 2 ** 31)
  if (!Array.isArray(o.nemesis) || o.nemesis.some((n) => n !== 'kill' && n !== 'partition' && n !== 'pause')) {
    throw new Error(`nemesis takes kill, partition and pause, got ${JSON.stringify(o.nemesis)}`)
  }
  if (o.nemesis.includes('partition') && o.replicas < 2) throw new Error('a partition needs at least 2 replicas')
  return { ...o, nemesis: [...new Set(o.nemesis)] }
}

/** Run the clients until `until` (ms since t0), recording every operation. */
async function runClient(id: number, clients: StoreClient[], history: Op[], t0: number, until: () => boolean): Promise<void> {
  let seq = 0
  let next = id
  const rand = xorshift(7919 * (id + 1))
  while (!until()) {
    const c = clients[next++ % clients.length]
    const start = Date.now() - t0
    if (rand() < 0.6 || seq === 0) {
      const op: Insert = { type: 'insert', client: id, seq: ++seq, t0: start, t1: 0, ok: false, unknown: false }
      try {
        await c.put({ key: Buffer.from(keyOf(id, op.seq)), value: Buffer.from(`${id}:${op.seq}`) })
        op.ok = true
      } catch (e) {
        op.unknown = unknownError(e)
      }
      op.t1 = Date.now() - t0
      history.push(op)
    } else {
      const lo = Math.max(1, seq - READ_WINDOW)
      const op: Read = { type: 'read', client: id, lo, t0: start, t1: 0, ok: false, unknown: false, seqs: new Set() }
      try {
        const r = await c.range({ key: Buffer.from(keyOf(id, lo)), range_end: Buffer.from(`chaos/c${id}0`), keys_only: true })
        for (const kv of r.kvs as { key: Buffer }[]) op.seqs.add(Number(kv.key.toString('latin1').slice(`chaos/c${id}/`.length)))
        op.ok = true
      } catch (e) {
        op.unknown = unknownError(e)
        // A replica that is down answers at once: do not spin.
        await sleep(20)
      }
      op.t1 = Date.now() - t0
      history.push(op)
    }
  }
}

/** The nemesis: one fault at a time, a random target, held for a random while, then undone. */
async function runNemesis(sup: StoreSupervisor, kinds: ChaosNemesis[], rand: () => number, t0: number, until: () => boolean, faults: ChaosFault[], log: (s: string) => void, signal?: AbortSignal): Promise<void> {
  const names = sup.names()
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]
  while (!until()) {
    await sleep(1000 + rand() * 2000, signal)
    if (until()) break
    const kind = pick(kinds)
    const hold = 1000 + rand() * 3000
    const startMs = Date.now() - t0
    let target: string
    if (kind === 'kill') {
      target = pick(names)
      await sup.kill(target)
      await sleep(hold)
      await sup.restart(target)
    } else if (kind === 'pause') {
      target = pick(names)
      sup.pause(target)
      await sleep(hold)
      sup.resume(target)
    } else {
      const shuffled = names.slice().sort(() => rand() - 0.5)
      const cut = 1 + Math.floor(rand() * (names.length - 1))
      const groups = [shuffled.slice(0, cut), shuffled.slice(cut)]
      target = groups.map((g) => g.sort().join(' ')).join(' | ')
      sup.partition(groups)
      await sleep(hold)
      sup.heal()
    }
    const f: ChaosFault = { kind, target, startMs, endMs: Date.now() - t0 }
    faults.push(f)
    log(`  fault ${faults.length}: ${kind} ${target} at ${(startMs / 1000).toFixed(1)} s for ${((f.endMs - startMs) / 1000).toFixed(1)} s\n`)
  }
}

async function headsOf(c: StoreClient): Promise<string | null> {
  try {
    return JSON.stringify((await c.range({ key: Buffer.from('\0'), count_only: true })).header.heads)
  } catch {
    return null
  }
}

/** Acknowledged inserts missing on each replica (counted replica by replica; the first 20 named). */
export function lostInserts(acked: { client: number; seq: number }[], replicas: { name: string; keys: Set<string> }[]): { lost: number; lostKeys: string[] } {
  const lostKeys: string[] = []
  let lost = 0
  for (const r of replicas) {
    for (const w of acked) {
      if (r.keys.has(keyOf(w.client, w.seq))) continue
      lost++
      if (lostKeys.length < 20) lostKeys.push(`${keyOf(w.client, w.seq)} on ${r.name}`)
    }
  }
  return { lost, lostKeys }
}

/** Session checks per client: read-your-writes and monotonic reads, with the fault windows they overlap. */
export function checkSessions(history: Op[], faults: ChaosFault[]): { violations: ChaosViolation[]; duringFaults: number } {
  const overlaps = (from: number, to: number): boolean => faults.some((f) => from <= f.endMs + GRACE_MS && to >= f.startMs)
  const violations: ChaosViolation[] = []
  let duringFaults = 0
  const byClient = new Map<number, Op[]>()
  for (const op of history) byClient.set(op.client, [...(byClient.get(op.client) ?? []), op])
  for (const [client, ops] of byClient) {
    ops.sort((a, b) => a.t0 - b.t0)
    const acked: Insert[] = []
    let prev: Read | null = null
    for (const op of ops) {
      if (op.type === 'insert') {
        if (op.ok) acked.push(op)
        continue
      }
      if (!op.ok) continue
      const missed = acked.find((w) => w.seq >= op.lo && w.t1 < op.t0 && !op.seqs.has(w.seq))
      if (missed) {
        const v: ChaosViolation = { kind: 'read-your-writes', client, atMs: op.t0, detail: `insert ${missed.seq} acknowledged at ${missed.t1} ms, not seen by a read at ${op.t0} ms` }
        if (overlaps(missed.t0, op.t1)) duringFaults++
        else violations.push(v)
      }
      if (prev && prev.t1 < op.t0) {
        const p: Read = prev
        const gone = [...p.seqs].find((s) => s >= op.lo && !op.seqs.has(s))
        if (gone !== undefined) {
          const v: ChaosViolation = { kind: 'monotonic-reads', client, atMs: op.t0, detail: `key ${gone} seen by a read at ${p.t0} ms, gone in a read at ${op.t0} ms` }
          if (overlaps(p.t0, op.t1)) duringFaults++
          else violations.push(v)
        }
      }
      prev = op
    }
  }
  return { violations, duringFaults }
}

function timelineOf(history: Op[], seconds: number): ChaosSample[] {
  const out: ChaosSample[] = Array.from({ length: Math.max(1, Math.ceil(seconds)) }, (_, second) => ({ second, ok: 0, failed: 0, unknown: 0 }))
  for (const op of history) {
    const s = out[Math.min(out.length - 1, Math.floor(op.t1 / 1000))]
    if (op.ok) s.ok++
    else if (op.unknown) s.unknown++
    else s.failed++
  }
  return out
}

/** Run a chaos test; the report carries the verdict. Throws only when the store cannot be started. */
export async function runChaos(input: StoreChaosOptions, hooks: ChaosHooks = {}): Promise<StoreChaosReport> {
  const options = resolveChaosOptions(input)
  const log = hooks.log ?? (() => {})
  const dir = hooks.dir ?? mkdtempSync(join(tmpdir(), 'stabilis-chaos-'))
  const sup = new StoreSupervisor({ replicas: options.replicas, dir, ...(hooks.replicaEntry ? { entry: hooks.replicaEntry } : {}) })
  await sup.start()
  const clients = sup.endpoints().map((e) => createStoreClient(e, OP_DEADLINE_MS))
  const history: Op[] = []
  const faults: ChaosFault[] = []
  const t0 = Date.now()
  const endAt = t0 + options.duration * 1000
  const until = (): boolean => Date.now() >= endAt || hooks.signal?.aborted === true
  let removeDir = false
  try {
    log(`chaos: ${options.replicas} replicas, ${options.clients} clients, nemesis ${options.nemesis.join(',')}, ${options.duration} s (data in ${dir})\n`)
    const ticker = setInterval(() => {
      const acked = history.filter((o) => o.type === 'insert' && o.ok).length
      log(`  ${Math.round((Date.now() - t0) / 1000)} s: ${history.length} operations, ${acked} inserts acknowledged, ${faults.length} faults\n`)
    }, 10_000)
    try {
      await Promise.all([
        ...Array.from({ length: options.clients }, (_, i) => runClient(i, clients, history, t0, until)),
        options.nemesis.length > 0 ? runNemesis(sup, options.nemesis, xorshift(options.seed), t0, until, faults, log, hooks.signal) : Promise.resolve(),
      ])
    } finally {
      clearInterval(ticker)
    }
    const seconds = (Date.now() - t0) / 1000
    // Heal: every replica up and every link open (the nemesis undid its last fault; make sure).
    sup.heal()
    for (const name of sup.names()) if (!sup.isUp(name)) await sup.restart(name)
    const healedAt = Date.now()
    let convergeMs: number | null = null
    while (Date.now() - healedAt < 30_000) {
      const heads = await Promise.all(clients.map(headsOf))
      if (heads.every((h) => h !== null && h === heads[0])) {
        convergeMs = Date.now() - healedAt
        break
      }
      await sleep(200)
    }
    const inserts = history.filter((o): o is Insert => o.type === 'insert')
    const acked = inserts.filter((o) => o.ok)
    const held: { name: string; keys: Set<string> }[] = []
    for (let i = 0; i < clients.length; i++) {
      const r = await clients[i].range({ key: Buffer.from('chaos/'), range_end: Buffer.from('chaos0'), keys_only: true })
      held.push({ name: sup.names()[i], keys: new Set((r.kvs as { key: Buffer }[]).map((kv) => kv.key.toString('latin1'))) })
    }
    const { lost, lostKeys } = lostInserts(acked, held)
    const { violations, duringFaults } = checkSessions(history, faults)
    const converged = convergeMs !== null
    const reasons = [
      `${acked.length} acknowledged inserts, ${lost} missing after heal (replica by replica)`,
      converged ? `replicas converged ${convergeMs} ms after heal` : 'replicas did not converge within 30 s of heal',
      `${violations.length} session violations outside faults, ${duringFaults} during faults (no guarantee under a fault)`,
    ]
    if (hooks.historyFile) writeFileSync(hooks.historyFile, historyLines(history))
    const verdict = lost === 0 && converged && violations.length === 0 ? 'pass' : 'fail'
    removeDir = verdict === 'pass' && !hooks.dir
    return {
      options, seconds, operations: history.length, acknowledged: acked.length, indeterminate: inserts.length - acked.length, lost, lostKeys,
      converged, convergeMs, faults, timeline: timelineOf(history, seconds), violations: violations.slice(0, 50), violationsDuringFaults: duringFaults, verdict, reasons,
    }
  } finally {
    for (const c of clients) c.close()
    for (const name of sup.names()) sup.resume(name)
    sup.killAllNow()
    await sup.stopAll()
    if (removeDir) rmSync(dir, { recursive: true, force: true })
  }
}
