// The orchestration model: the datastore history under a consistency level, every controller's local state
// (session; kubelets also their running containers) and the remaining budgets of user and fault actions. The
// actions and the states they lead to are transitions.ts; here they become a checker Model, with the properties,
// fairness groups, symmetry and the texts of traces.
import type { ActionGroup, Model, Property } from '../../checker/model.ts'
import { diffJson, preview } from '../../../src-shared/json-diff.ts'
import { describeWrite, type Write, type WriteResult } from './api.ts'
import { containerDiff, EXITED, splitContainers } from './controllers/kubelet.ts'
import type { Controller } from './controllers/types.ts'
import { headView, land, type History, type Level, type Session, type View } from './history.ts'
import { forgetsOldRevisions } from './revisions.ts'
import { list, type AnyObject, type Cluster, type Kind } from './resources.ts'
import { decodeState, encodeState } from './state-codec.ts'
import { stateFingerprint } from './state-key.ts'
import { transitions } from './transitions.ts'

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
  /** Reduce by the symmetry between instances of one controller kind (transitions.ts, interchangeable; liveness.ts). */
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


/** What properties may use besides the state. */
export interface ModelContext {
  level: Level
  controllers: readonly Controller[]
  head(s: OState): View
  /** True when no controller step is enabled: nobody has anything left to do. */
  quiescent(s: OState): boolean
}

export function createOrchestration(cfg: OrchestrationConfig): Model<OState, OAction> {
  const { level, controllers } = cfg
  const quotient = cfg.quotient === true && !cfg.normalise
  // Revisions older than every retained entry are only ever compared with themselves (state-key.ts): forgotten by
  // the fingerprint on the linear levels (a causal merge still compares them across branches).
  const forget = forgetsOldRevisions(level, cfg.oldRevisions)
  const { initial, next, actions, stepActions, attempt, symGroups, sortInstances } = transitions(cfg)

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

  const model: Model<OState, OAction> = {
    init: () => [initial()],
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
