// The orchestration model's transition relation (model.ts makes it a checker Model): the actions a state has and
// the state each leads to, advanced, pruned and put in canonical form (symmetry, renumbering).
// Actions: a controller step reading one of the views its session allows; a node restart (containers lost, Node
// object deleted, session dropped; the kubelet rejoins); a controller restart (session dropped); a user action.
// A step that writes nothing and starts or stops no container is disabled — it could only move the controller's
// session on, which narrows what it may read next and adds no behaviour (docs/models.md, "Idle reads"; the
// published model's idle reads with `idleReads`) — so a state where no controller step is enabled is quiescent: no
// controller has anything left to do.
// Under the session levels a controller acts at most once on a run of revisions that look the same to it: it reads
// only the newest of them and its session moves over writes it cannot see (seen.ts; docs/models.md, "Unseen
// writes"), unless `sameViews`.
import { headView, heads, initialHistory, land, prune, views, type History, type Level, type Session, type View } from './history.ts'
import type { Write } from './api.ts'
import type { Controller, Reads, StepResult } from './controllers/types.ts'
import type { CtlState, OAction, OrchestrationConfig, OState } from './model.ts'
import { renumber } from './renumber.ts'
import { advanceSession, distinctViews } from './seen.ts'

/** Raw revisions are padded to 4 digits in names and uids (string order = revision order); renumber well before. */
const RENUMBER_AT = 5000

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

/** Each session moved over the newer writes its controller cannot see (seen.ts); reads[i] undefined: left as it is. */
function advanceSessions(reads: readonly (Reads | undefined)[], h: History, c: CtlState[]): CtlState[] {
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

export interface Transitions {
  /** The initial state, in canonical form. */
  initial(): OState
  /** The state an action leads to, or undefined when it is not enabled there. */
  next(s: OState, a: OAction): OState | undefined
  actions(s: OState): OAction[]
  /** The controller steps among actions(s) (quiescence asks whether any is enabled). */
  stepActions(s: OState): OAction[]
  /** Controller i's step from the view at `revs` (one its session allows), or undefined when that view is gone. */
  attempt(s: OState, i: number, revs: readonly number[]): { view: View; res: StepResult | undefined } | undefined
  /** Each kind's interchangeable instances (symmetry reduction on), and the canonical order on them (in place). */
  symGroups: number[][]
  sortInstances(c: CtlState[]): void
}

export function transitions(cfg: OrchestrationConfig): Transitions {
  const { level, window, controllers } = cfg

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
  const finish = (h: History, c: CtlState[], b: OState['b']): OState => {
    c = advanceSessions(reads, h, c)
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

  const initial = (): OState =>
    finish(
      initialHistory(cfg.initial),
      controllers.map((c) => (c.kind === 'kubelet' ? { s: null, run: [] } : { s: null })),
      { ...cfg.budgets },
    )
  return { initial, next, actions, stepActions, attempt, symGroups, sortInstances }
}
