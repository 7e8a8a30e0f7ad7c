// The monitor: its own informer on every store member, the scenario's properties judged on each member's state
// (with the kubelets' running containers, the real world), and convergence measured after every disturbance:
// the writes and milliseconds until every member's state has the goal and no controller would write, with no
// controller step in flight. Statuses are stamped with a revision that is unique across members (tagRev), so a
// status written through one replica is judged against the view it was computed from whichever member shows it.
import { canon } from '../models/orchestration/canon.ts'
import type { Controller } from '../models/orchestration/controllers/types.ts'
import { emptyCluster, KINDS, type AnyObject, type Cluster, type Kind } from '../models/orchestration/resources.ts'
import type { LiveDisturbance, LivePropertyResult, LiveViolationState } from '../../src-shared/live-types.ts'
import type { Informer } from './informer.ts'
import { goalHolds, type LiveProperty, type LiveState } from './properties.ts'

/** Member revisions → one number space: etcd's revisions are global already; a replica's are its own counter. */
export const TAG_SPACE = 16

export function tagRev(rev: number, member: number, perMember: boolean): number {
  return perMember ? rev * TAG_SPACE + member : rev
}

export interface MonitorOptions {
  members: string[]
  informers: Informer[]
  perMemberRevisions: boolean
  properties: LiveProperty[]
  /** Pure controller instances for the quiescence check (kubelets read `running`). */
  controllers: Controller[]
  running(): ReadonlyMap<string, readonly string[]>
  /** True when no reconcile loop has a step in flight or newer state to act on. */
  loopsIdle(): boolean
  now(): number
  lastSeq(): number
  onViolation(p: LivePropertyResult): void
  onConverged(d: LiveDisturbance): void
}

export class Monitor {
  readonly results: LivePropertyResult[]
  readonly disturbances: LiveDisturbance[] = []
  oscillations = 0
  private readonly o: MonitorOptions
  private writesSince = 0
  private readonly specs = new Map<string, string[]>()

  constructor(o: MonitorOptions) {
    this.o = o
    this.results = o.properties.map((p) => ({ name: p.name, kind: p.kind, status: p.kind === 'always' ? 'holds' : 'unknown' }))
    this.disturb('start', 0)
  }

  disturb(label: string, atMs: number): void {
    this.disturbances.push({ label, atMs: Math.round(atMs), converged: false, steps: 0, ms: 0 })
    this.writesSince = 0
  }

  /**
   * A write happened: the current disturbance has not settled yet. Only an accepted one is a step, as in the model,
   * where a step whose write is rejected is no step (docs/models.md, "Idle reads").
   */
  wrote(accepted: boolean): void {
    if (accepted) this.writesSince++
    const d = this.current()
    if (d.converged) d.converged = false
  }

  current(): LiveDisturbance {
    return this.disturbances[this.disturbances.length - 1]
  }

  private stateOf(i: number, running: ReadonlyMap<string, readonly string[]>): LiveState {
    const inf = this.o.informers[i]
    const per = this.o.perMemberRevisions
    return {
      cluster: inf.cluster,
      rev: inf.rev,
      running,
      at: (tag) => (per ? (tag % TAG_SPACE < this.o.informers.length ? this.o.informers[tag % TAG_SPACE].at(Math.floor(tag / TAG_SPACE)) : undefined) : inf.at(tag)),
      quiescent: () => quiescent(this.o.controllers, inf.cluster, inf.rev, running),
    }
  }

  /**
   * The merged state (several members only): every object as the member that saw it change last holds it (a
   * deletion seen last removes it) — what the replicas are heading for once they have exchanged everything. It has
   * no revision of its own, so the "when stable" checks (which need one) skip it.
   */
  private merged(running: ReadonlyMap<string, readonly string[]>): LiveState | null {
    const infs = this.o.informers.filter((inf) => inf.synced)
    if (infs.length < 2) return null
    const c = emptyCluster()
    const keys = new Set<string>()
    for (const inf of infs) for (const k of inf.seenAt.keys()) keys.add(k)
    for (const key of keys) {
      let best: Informer | null = null
      for (const inf of infs) if ((inf.seenAt.get(key) ?? -1) > (best?.seenAt.get(key) ?? -1)) best = inf
      const [kind, name] = key.split('/') as [Kind, string]
      const o = (best!.cluster.objs[kind] as Record<string, AnyObject>)[name]
      if (o) (c.objs[kind] as Record<string, AnyObject>)[name] = o
    }
    return { cluster: c, rev: -1, running, at: () => undefined, quiescent: () => quiescent(this.o.controllers, c, 0, running) }
  }

  /** Judges every property on every member (and the merged state); returns true when the current disturbance has converged. */
  evaluate(): boolean {
    const running = this.o.running()
    const states = this.o.informers.map((inf, i) => (inf.synced ? this.stateOf(i, running) : null))
    const merged = this.merged(running)
    const judged: [LiveState | null, string][] = [...states.map((s, i): [LiveState | null, string] => [s, this.o.members[i]]), [merged, 'merged']]
    const at = Math.round(this.o.now())
    this.o.properties.forEach((p, k) => {
      const r = this.results[k]
      let holdsNow = true
      judged.forEach(([s, where]) => {
        if (!s) return
        if (p.kind === 'converges' && where === 'merged') return
        const ok = p.check(s)
        if (!ok) holdsNow = false
        if (p.kind === 'always' && !ok && r.status !== 'violated') {
          r.status = 'violated'
          r.firstViolationMs = at
          r.where = where
          r.atSeq = this.o.lastSeq()
          r.state = snapshot(s, where)
          this.o.onViolation(r)
        }
        if (p.kind === 'sometimes' && ok) r.status = 'holds'
      })
      if (p.kind === 'always') {
        const changes = (r.changes ??= [])
        const last = changes.length > 0 ? changes[changes.length - 1][1] : true
        if (holdsNow !== last) changes.push([at, holdsNow])
      }
    })
    this.watchSpecs()
    const d = this.current()
    const settled = states.every((s) => s !== null && goalHolds(s.cluster) && s.quiescent()) && this.o.loopsIdle()
    if (settled && !d.converged) {
      d.converged = true
      d.steps = this.writesSince
      d.ms = Math.round(this.o.now() - d.atMs)
      this.o.onConverged(d)
    }
    return settled
  }

  /** Final verdicts for `converges` properties: the last disturbance settled and the property holds on every member. */
  finish(): void {
    const running = this.o.running()
    const states = this.o.informers.map((inf, i) => (inf.synced ? this.stateOf(i, running) : null))
    this.o.properties.forEach((p, k) => {
      if (p.kind !== 'converges' && p.kind !== 'eventually') return
      const ok = this.current().converged && states.every((s) => s !== null && p.check(s))
      this.results[k].status = ok ? 'holds' : 'violated'
    })
  }

  /** Oscillation: a resource's spec returning to an earlier value (on the first member) while writes go on. */
  private watchSpecs(): void {
    const c = this.o.informers[0].cluster
    for (const kind of KINDS) {
      if (kind === 'Pod' || kind === 'Node') continue
      for (const o of Object.values(c.objs[kind]) as AnyObject[]) {
        const key = `${kind}/${o.meta.name}@${o.meta.uid}`
        const spec = canon('spec' in o ? o.spec : null)
        const seen = this.specs.get(key) ?? []
        if (seen[seen.length - 1] === spec) continue
        if (seen.includes(spec)) this.oscillations++
        seen.push(spec)
        this.specs.set(key, seen)
      }
    }
  }
}

/** A copy of a judged state (the informer's cluster changes in place), kept with the violation it shows. */
export function snapshot(s: LiveState, where: string): LiveViolationState {
  const objects: Record<string, unknown> = {}
  for (const kind of KINDS) for (const [name, o] of Object.entries(s.cluster.objs[kind])) objects[`${kind}/${name}`] = JSON.parse(JSON.stringify(o))
  return { where, rev: s.rev, objects, running: Object.fromEntries([...s.running].map(([node, c]) => [node, [...c]])) }
}

/** No controller would write or change its containers on this state (the model's quiescence, on one view). */
export function quiescent(controllers: readonly Controller[], c: Cluster, rev: number, running: ReadonlyMap<string, readonly string[]>): boolean {
  for (const ctl of controllers) {
    const run = ctl.node !== undefined ? (running.get(ctl.node) ?? []) : []
    const res = ctl.step({ view: c, rev, revs: [rev], running: run })
    if (!res) continue
    if (res.write) return false
    if (res.running && res.running.join() !== run.join()) return false
  }
  return true
}
