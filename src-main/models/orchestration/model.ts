// The orchestration model: the datastore history under a consistency level, every controller's local state
// (session; kubelets also their running containers) and the remaining budgets of user and fault actions.
// Actions: a controller step reading one of the views its session allows; a node restart (containers lost, Node
// object deleted, session dropped; the kubelet rejoins); a controller restart (session dropped); a user action.
// A step that writes nothing and starts or stops no container is disabled — it could only move the controller's
// session on, which narrows what it may read next and adds no behaviour (docs/models.md, "Idle reads"; the
// published model's idle reads with `idleReads`) — so a state where no controller step is enabled is quiescent: no
// controller has anything left to do.
// Under the session levels a controller acts at most once on a run of revisions that look the same to it: it reads
// only the newest of them and its session moves over writes it cannot see (seen.ts; docs/models.md, "Unseen
// writes"), unless `sameViews`.
import type { ActionGroup, Model, Property } from '../../checker/model.ts'
import { diffJson, preview } from '../../../src-shared/json-diff.ts'
import { describeWrite, type Write, type WriteResult } from './api.ts'
import { containerDiff, EXITED, splitContainers } from './controllers/kubelet.ts'
import type { Controller } from './controllers/types.ts'
import { headView, heads, initialHistory, land, prune, views, type History, type Level, type Session, type View } from './history.ts'
import { renumber } from './renumber.ts'
import { forgetsOldRevisions } from './revisions.ts'
import { advanceSession, distinctViews } from './seen.ts'
import { list, type AnyObject, type Cluster, type Kind } from './resources.ts'
import { decodeState, encodeState } from './state-codec.ts'
import { stateFingerprint } from './state-key.ts'

export interface CtlState {
  s: Session
  /** Kubelets: running containers, sorted "pod@uid". */
  run?: string[]
  /**
   * Causal only: the session is this controller's own expected write, not yet read, so its next view may be that
   * entry itself (any other session is a view the controller has read, which it never reads again).
   */
  own?: true
}

export interface OState {
  h: History
  c: CtlState[]
  /** Remaining budgets: user actions, node restarts, controller restarts. */
  b: { user: number; node: number; ctl: number }
}

export type OAction =
  /** fresh: the view is the freshest there is (the head; causal: the merge of all heads). */
  | { t: 'step'; i: number; revs: number[]; fresh: boolean }
  | { t: 'node-restart'; i: number }
  | { t: 'ctl-restart'; i: number }
  | { t: 'user'; k: number }

export interface UserAction {
  label: string
  /** The write on the current head, or undefined when not applicable there. */
  write(head: Cluster): Write | undefined
}

export interface OrchestrationConfig {
  level: Level
  window: number
  controllers: Controller[]
  initial: Cluster
  userActions: UserAction[]
  budgets: OState['b']
  properties: (ctx: ModelContext) => Property<OState>[]
  /** Canonical form applied to every new state (user models: revisions renumbered and the state frozen). */
  normalise?: (s: OState) => OState
  /**
   * States equal up to an order-preserving renaming of revisions are one state (state-key.ts): the built-in
   * scenarios. States keep their raw revisions; only the fingerprint abstracts from them.
   */
  quotient?: boolean
  /** Reduce by the symmetry between instances of one controller kind (interchangeable above; liveness.ts). */
  symmetry?: boolean
  /** Test switch: one fairness group per controller (no eventual freshness), the model's older assumption. */
  noFreshness?: boolean
  /** Controllers' expected writes (Controller.expects) are in their next view; off: the published model. */
  expectations?: boolean
  /** A step whose write is rejected and that starts or stops no container still moves the session (the published model). */
  idleReads?: boolean
  /** Session levels: a controller may act on every revision, also ones that look the same to it as the one it acted on (the published model). */
  sameViews?: boolean
  /** The fingerprint tells apart states that differ only in revisions older than every retained entry (the published model's states). */
  oldRevisions?: boolean
}

/** Raw revisions are padded to 4 digits in names and uids (string order = revision order); renumber well before. */
const RENUMBER_AT = 5000

/** What properties may use besides the state. */
export interface ModelContext {
  level: Level
  controllers: readonly Controller[]
  head(s: OState): View
  /** True when no controller step is enabled: nobody has anything left to do. */
  quiescent(s: OState): boolean
}

const maxRev = (revs: readonly number[]): number => revs.reduce((m, r) => Math.max(m, r), 0)

/** Equal lists (revisions, containers, sessions); null (no session) and undefined (no containers) only equal themselves. */
function sameList<T>(a: readonly T[] | null | undefined, b: readonly T[] | null | undefined): boolean {
  if (a === b) return true
  if (!a || !b || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Symmetry: the instances of one controller kind (not kubelets, each tied to its node; not a user model's) run the
 * same step function and differ only in their sessions, which appear nowhere in the datastore, so a state and the
 * state with two instances' sessions swapped have the same futures up to renaming those instances. Each new state
 * gives every such group its sessions in sorted order; a trace names an instance by its rank in that order.
 */
function interchangeable(controllers: readonly Controller[]): number[][] {
  const byKind = new Map<string, number[]>()
  controllers.forEach((c, i) => {
    if (c.kind !== 'kubelet' && c.kind !== 'custom') byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), i])
  })
  return [...byKind.values()].filter((g) => g.length > 1)
}

/**
 * The session of a controller whose write it expects to see next: what it has seen must include the write. Linear
 * levels: the head the write landed on (every newer entry holds the write); optimistic: the view, which the write
 * forked from and which it follows on the live branch; causal: the write itself, readable by its writer.
 */
function sessionAfterOwnWrite(level: Level, before: History, after: History, view: View): { session: Session; own: boolean } {
  switch (level) {
    case 'synchronous':
      return { session: null, own: false }
    case 'monotonic-session':
    case 'resettable-session':
      return { session: [before.latest], own: false }
    case 'optimistic':
      return { session: [...view.revs], own: false }
    case 'causal':
      return { session: [after.latest], own: true }
  }
}

/** A total order on sessions (none first), invariant under order-preserving renaming of revisions. */
function compareSessions(a: Session, b: Session): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] !== b[k]) return a[k] - b[k]
  return a.length - b.length
}

export function createOrchestration(cfg: OrchestrationConfig): Model<OState, OAction> {
  const { level, window, controllers } = cfg
  const quotient = cfg.quotient === true && !cfg.normalise

  const symGroups = cfg.symmetry ? interchangeable(controllers) : []
  /** The symmetry reduction's canonical order: each kind's interchangeable instances sorted by their state (in place). */
  const sortInstances = (c: CtlState[]): void => {
    for (const g of symGroups) {
      const sorted = g.map((i) => c[i]).sort((x, y) => compareSessions(x.s, y.s) || Number(x.own === true) - Number(y.own === true))
      g.forEach((i, k) => (c[i] = sorted[k]))
    }
  }
  // What each controller reads, where views that look the same to it are one (seen.ts); undefined: every view.
  const sessionLevel = level === 'monotonic-session' || level === 'resettable-session'
  const reads = controllers.map((c) => (sessionLevel && !cfg.sameViews ? c.reads : undefined))
  const advance = (h: History, c: CtlState[]): CtlState[] => {
    let out = c
    for (let i = 0; i < c.length; i++) {
      const r = reads[i]
      if (r === undefined) continue
      const s = advanceSession(r, h.e, c[i].s)
      if (s === c[i].s) continue
      if (out === c) out = c.slice()
      out[i] = { ...c[i], s }
    }
    return out
  }
  // Revisions older than every retained entry are only ever compared with themselves (state-key.ts): forgotten by
  // the fingerprint on the linear levels (a causal merge still compares them across branches).
  const forget = forgetsOldRevisions(level, cfg.oldRevisions)
  const finish = (h: History, c: CtlState[], b: OState['b']): OState => {
    c = advance(h, c)
    const p = prune(
      level,
      h,
      c.map((x) => x.s),
      window,
    )
    const out: OState = { h: p.h, c: c.map((x, i) => (x.s === p.sessions[i] ? x : { ...x, s: p.sessions[i] })), b }
    sortInstances(out.c)
    if (cfg.normalise) return cfg.normalise(out)
    return out.h.next > RENUMBER_AT ? renumber(out) : out
  }

  // The views each controller may read, computed once per state: actions() lists them and next() reads them.
  const viewCache = new WeakMap<OState, View[][]>()
  const viewsOf = (s: OState, i: number): View[] => {
    let all = viewCache.get(s)
    if (all === undefined) {
      all = new Array(controllers.length)
      viewCache.set(s, all)
    }
    if (all[i] === undefined) {
      const vs = views(level, s.h, s.c[i].s, s.c[i].own === true)
      all[i] = reads[i] ? distinctViews(reads[i]!, vs) : vs
    }
    return all[i]
  }

  /** Controller i's step from the view at `revs` (one its session allows), or undefined when that view is gone. */
  const attempt = (s: OState, i: number, revs: readonly number[]) => {
    const view = viewsOf(s, i).find((v) => sameList(v.revs, revs))
    if (!view) return undefined
    return { view, res: controllers[i].step({ view: view.c, rev: maxRev(view.revs), revs: view.revs, running: s.c[i].run ?? [] }) }
  }

  const stepOf = (s: OState, i: number, revs: readonly number[]): OState | undefined => {
    const tried = attempt(s, i, revs)
    if (!tried?.res) return undefined
    const { view, res } = tried
    const local = s.c[i]
    let h = s.h
    let wrote = false
    if (res.write) {
      const out = land(level, s.h, view, res.write)
      // Causal: at most `window` concurrent heads. A write that would open one more branch is not taken — a bound on
      // how far apart the replicas may drift, as the window bounds staleness; no head is ever dropped (history.ts).
      if (out.result.ok && level === 'causal' && heads(out.h).length > window) return undefined
      h = out.h
      wrote = out.result.ok
    }
    const run = res.running ?? local.run
    const expected = wrote && cfg.expectations === true && controllers[i].expects?.(res.write!) === true
    const { session, own } = expected ? sessionAfterOwnWrite(level, s.h, h, view) : { session: level === 'synchronous' ? null : [...view.revs], own: false }
    // Idle: no write took and no container changed (docs/models.md, "Idle reads"); a step only with idleReads, and
    // only if it moves the session.
    const idle = !wrote && sameList(run, local.run)
    if (idle && (!cfg.idleReads || (sameList(session, local.s) && own === (local.own === true)))) return undefined
    const c = s.c.slice()
    const next: CtlState = run === undefined ? { s: session } : { s: session, run }
    if (own) next.own = true
    c[i] = next
    return finish(h, c, s.b)
  }

  const atHead = (s: OState, w: Write): History | undefined => {
    const out = land(level, s.h, headView(level, s.h), w)
    return out.result.ok ? out.h : undefined
  }

  const next = (s: OState, a: OAction): OState | undefined => {
    switch (a.t) {
      case 'step':
        return stepOf(s, a.i, a.revs)
      case 'node-restart': {
        const ctl = controllers[a.i]
        if (s.b.node <= 0 || ctl.kind !== 'kubelet') return undefined
        const node = headView(level, s.h).c.objs.Node[ctl.node!]
        if (!node) return undefined
        const h = atHead(s, { op: 'delete', kind: 'Node', name: node.meta.name, uid: node.meta.uid })
        if (!h) return undefined
        const c = s.c.slice()
        c[a.i] = { s: null, run: [] }
        return finish(h, c, { ...s.b, node: s.b.node - 1 })
      }
      case 'ctl-restart': {
        if (s.b.ctl <= 0 || controllers[a.i].kind === 'kubelet' || s.c[a.i].s === null) return undefined
        const c = s.c.slice()
        // Its expectations are in memory: lost with the session.
        c[a.i] = { s: null }
        return finish(s.h, c, { ...s.b, ctl: s.b.ctl - 1 })
      }
      case 'user': {
        if (s.b.user <= 0) return undefined
        const w = cfg.userActions[a.k].write(headView(level, s.h).c)
        if (!w) return undefined
        const h = atHead(s, w)
        if (!h) return undefined
        return finish(h, s.c, { ...s.b, user: s.b.user - 1 })
      }
    }
  }

  const stepActions = (s: OState): OAction[] => {
    const out: OAction[] = []
    const head = headView(level, s.h).revs
    for (let i = 0; i < controllers.length; i++) {
      for (const v of viewsOf(s, i)) out.push({ t: 'step', i, revs: v.revs, fresh: sameList(v.revs, head) })
    }
    return out
  }

  const actions = (s: OState): OAction[] => {
    const out = stepActions(s)
    if (s.b.node > 0) for (let i = 0; i < controllers.length; i++) if (controllers[i].kind === 'kubelet') out.push({ t: 'node-restart', i })
    if (s.b.ctl > 0) for (let i = 0; i < controllers.length; i++) if (controllers[i].kind !== 'kubelet') out.push({ t: 'ctl-restart', i })
    if (s.b.user > 0) for (let k = 0; k < cfg.userActions.length; k++) out.push({ t: 'user', k })
    return out
  }

  /** One line for a trace: the write a step makes (or why it fails), containers started or stopped, lost state. */
  const explainAction = (s: OState, a: OAction): string => {
    switch (a.t) {
      case 'step': {
        const tried = attempt(s, a.i, a.revs)
        if (!tried) return 'view no longer readable'
        const { view, res } = tried
        if (!res) return 'nothing to do'
        const parts: string[] = []
        if (res.write) parts.push(writeEffect(res.write, view.c, land(level, s.h, view, res.write).result))
        if (res.running) parts.push(...containerChanges(s.c[a.i].run ?? [], res.running))
        return parts.length > 0 ? parts.join('; ') : 'no write; the session moves on'
      }
      case 'node-restart':
        return `Node/${controllers[a.i].node} deleted, its containers lost; the kubelet rejoins`
      case 'ctl-restart':
        return `${controllers[a.i].name} loses its session`
      case 'user': {
        const head = headView(level, s.h)
        const w = cfg.userActions[a.k].write(head.c)
        return w ? writeEffect(w, head.c, land(level, s.h, head, w).result) : 'not applicable'
      }
    }
  }

  const ctx: ModelContext = {
    level,
    controllers,
    head: (s) => headView(level, s.h),
    quiescent: (s) => stepActions(s).every((a) => next(s, a) === undefined),
  }

  // Fairness, per controller instance: weak fairness on its steps from the freshest view, and on its other steps.
  // The first is eventual freshness: a real informer catches up, so a controller whose step from the latest state
  // stays enabled does take it — a path where it only ever reads stale states (and, say, has its writes rejected
  // for ever) is not fair, and not an oscillation. User actions and faults are environment groups.
  // Under the symmetry reduction an instance's groups share a class with its kind's other instances.
  const symmetric = new Set(symGroups.flat())
  const groups: ActionGroup[] = [
    ...controllers.flatMap((c, i) => {
      const cls = symmetric.has(i) ? c.kind : undefined
      return [
        { name: c.name, fair: true, ...(cls ? { cls } : {}) },
        { name: `${c.name} (stale reads)`, fair: true, ...(cls ? { cls: `${cls} (stale reads)` } : {}) },
      ]
    }),
    { name: 'user', environment: true },
    { name: 'faults', environment: true },
  ]
  const USER = 2 * controllers.length
  const FAULTS = USER + 1

  const init: OState = {
    h: initialHistory(cfg.initial),
    c: controllers.map((c) => (c.kind === 'kubelet' ? { s: null, run: [] } : { s: null })),
    b: { ...cfg.budgets },
  }

  const model: Model<OState, OAction> = {
    init: () => [finish(init.h, init.c, init.b)],
    actions,
    next,
    encode: (s) => encodeState(s, !quotient),
    decode: decodeState,
    ...(quotient ? { fingerprint: (s: OState, out: Int32Array) => stateFingerprint(s, true, out, forget) } : {}),
    properties: cfg.properties(ctx),
    formatAction(a) {
      switch (a.t) {
        case 'step':
          return `${controllers[a.i].name} reads @${a.revs.join('+')}`
        case 'node-restart':
          return `fault: restart ${controllers[a.i].node}`
        case 'ctl-restart':
          return `fault: restart ${controllers[a.i].name}`
        case 'user':
          return `user: ${cfg.userActions[a.k].label}`
      }
    },
    // Coverage counts per controller, per fault kind and per user action, whatever revisions a step read.
    actionLabel: (a) => (a.t === 'step' ? controllers[a.i].name : a.t === 'user' ? `user: ${cfg.userActions[a.k].label}` : `fault: ${a.t}`),
    explain: (s, a) => explainAction(s, a),
    describe: (s) => describeState(level, controllers, s),
    groups,
    groupOf: (a) => (a.t === 'step' ? 2 * a.i + (a.fresh || cfg.noFreshness ? 0 : 1) : a.t === 'user' ? USER : FAULTS),
  }
  if (symGroups.length > 0) {
    let unreduced: Model<OState, OAction> | undefined
    model.symmetry = {
      unreduced: () => (unreduced ??= createOrchestration({ ...cfg, symmetry: false })),
      reduce: (s) => {
        const c = s.c.slice()
        sortInstances(c)
        return { ...s, c }
      },
    }
  }
  return model
}

/** A JSON view for traces: the head's resources, the retained history, each controller's session and containers. */
export function describeState(level: Level, controllers: readonly Controller[], s: OState): unknown {
  const head = headView(level, s.h)
  const resources: Record<string, unknown> = {}
  for (const kind of Object.keys(head.c.objs) as Kind[]) {
    const objs = list(head.c, kind) as AnyObject[]
    if (objs.length > 0) resources[kind] = Object.fromEntries(objs.map((o) => [o.meta.name, o]))
  }
  return {
    consistency: level,
    head: head.revs,
    resources,
    history: s.h.e.map((e) => ({ rev: e.rev, parents: e.p })),
    controllers: Object.fromEntries(
      controllers.map((c, i) => [c.name, { session: s.c[i].s, ...(s.c[i].own ? { sessionIsOwnWrite: true } : {}), ...(s.c[i].run ? containersOf(s.c[i].run) : {}) }]),
    ),
    budgets: s.b,
  }
}

/** A kubelet's containers for a trace: running, and (when any) the runOnce ones it remembers as exited. */
function containersOf(list: readonly string[]): { running: string[]; exited?: string[] } {
  const { running, exited } = splitContainers(list)
  return exited.length > 0 ? { running, exited: exited.map((k) => k.slice(EXITED.length)) } : { running }
}

const MAX_FIELDS = 4

/** A write as the API server took it: the fields an update changed, the name a create got, or the rejection. */
export function writeEffect(w: Write, read: Cluster, result: WriteResult): string {
  if (!result.ok) return `${describeWrite(w)} rejected: ${result.reason}`
  if (w.op === 'create') return `create ${w.kind}/${result.name}`
  const after = (result.cluster.objs[w.kind] as Record<string, AnyObject>)[result.name]
  if (w.op === 'delete') return after ? `delete ${w.kind}/${w.name}: marked terminating` : describeWrite(w)
  if (!after) return `update ${w.kind}/${result.name}: last finalizer removed, deleted`
  const before = (read.objs[w.kind] as Record<string, AnyObject>)[result.name]
  const changes = diffJson(before, after).filter((c) => c.path !== 'meta.rv' && c.path !== 'meta.generation')
  const shown = changes.slice(0, MAX_FIELDS).map((c) => `${c.path} ${c.kind === 'added' ? '' : preview(c.before, 24) + ' '}→ ${c.kind === 'removed' ? '(removed)' : preview(c.after, 24)}`)
  const more = changes.length > MAX_FIELDS ? `, +${changes.length - MAX_FIELDS} more` : ''
  return `update ${w.kind}/${result.name}${shown.length > 0 ? `: ${shown.join(', ')}${more}` : ' (no field changed)'}`
}

/** Kubelet containers (sorted "pod@uid") started and stopped between two lists (remembered exited ones aside). */
function containerChanges(before: readonly string[], after: readonly string[]): string[] {
  const out: string[] = []
  const { started, stopped } = containerDiff(before, after)
  if (started.length > 0) out.push(`start container ${started.join(', ')}`)
  if (stopped.length > 0) out.push(`stop container ${stopped.join(', ')}`)
  return out
}
