// Named scenarios: controllers, initial resources, user actions and properties, each a ModelDefinition whose
// parameters are the consistency level, controller instances, nodes, replicas, the history window and the budgets
// of user actions, node restarts and controller restarts (budgets keep every state space finite).
import type { ModelDefinition } from '../../checker/model.ts'
import type { ParamSpec, ParamValues } from '../../../src-shared/types.ts'
import type { Write } from './api.ts'
import { deploymentController } from './controllers/deployment.ts'
import { jobController } from './controllers/job.ts'
import { kubelet } from './controllers/kubelet.ts'
import { podgc } from './controllers/podgc.ts'
import { replicaSetController } from './controllers/replicaset.ts'
import { scheduler } from './controllers/scheduler.ts'
import { statefulSetController } from './controllers/statefulset.ts'
import type { Controller, ControllerKind } from './controllers/types.ts'
import { LEVELS, type Level } from './history.ts'
import { createOrchestration, type UserAction } from './model.ts'
import { renumber } from './renumber.ts'
import { forgetsOldRevisions } from './revisions.ts'
import { bindScenarioProperties, scenarioProperties, scenarioPropertyInfos, type PropertyId, type WorkloadKind } from './properties.ts'
import { clone, emptyCluster, PAUSED_AT, type Cluster, type Deployment, type Job, type Kind, type KindMap, type Meta, type Node, type Pod, type PodTemplate, type ReplicaSet, type StatefulSet } from './resources.ts'

export interface ScenarioParams {
  consistency: Level
  instances: number
  nodes: number
  replicas: number
  history: number
  userActions: number
  nodeRestarts: number
  controllerRestarts: number
  /** statefulset-stale-reads: the unowned spare pod waiting to be scheduled. */
  sparePod: boolean
  /** Job scenarios: the Job's spec.backoffLimit. */
  backoffLimit: number
  /** Instances of one controller kind are interchangeable: one state for every assignment of their sessions. */
  symmetry: boolean
  /** The ReplicaSet and Job controllers' expectations and the scheduler's assumed pods (Controller.expects). */
  expectations: boolean
  idleReads: boolean
  sameViews: boolean
  oldRevisions: boolean
}

interface Scenario {
  id: string
  title: string
  description: string
  controllers: Exclude<ControllerKind, 'kubelet' | 'custom'>[]
  defaults: { nodes: number; replicas: number; userActions: number; nodeRestarts: number; minReplicas?: number; history?: number; controllerRestarts?: number }
  initial(p: ScenarioParams): Partial<{ [K in Kind]: KindMap[K][] }>
  userActions(p: ScenarioParams): UserAction[]
  properties: PropertyId[]
  /** Parameters of this scenario alone. */
  extraParams?: ParamSpec[]
  /** Workloads that also get their own `converges-<name>` (scenarios with more than one). */
  convergesEach?: [WorkloadKind, string][]
}

const NODE_CAPACITY = 4
const TEMPLATE: PodTemplate = { labels: { app: 'web' }, image: 'nginx:1' }

function meta(kind: Kind, name: string, labels: Record<string, string> = {}): Meta {
  return { name, uid: `u0-${kind}-${name}`, rv: 1, generation: 1, labels, finalizers: [] }
}

const observed = { observedGeneration: 0, observedRevision: 0 }

function replicaSet(name: string, replicas: number): ReplicaSet {
  return {
    meta: meta('ReplicaSet', name, { app: 'web' }),
    spec: { replicas, selector: { app: 'web' }, template: clone(TEMPLATE) },
    status: { replicas: 0, ready: 0, available: 0, ...observed },
  }
}

function statefulSet(name: string, replicas: number, volumeClaims: boolean): StatefulSet {
  return {
    meta: meta('StatefulSet', name, { app: name }),
    spec: { replicas, selector: { app: name }, template: { labels: { app: name }, image: 'db:1' }, volumeClaims },
    status: { replicas: 0, ready: 0, available: 0, current: 0, updated: 0, currentRevision: '', updateRevision: '', ...observed },
  }
}

function deployment(name: string, replicas: number, paused: boolean): Deployment {
  // Kubernetes' defaults: maxSurge 25% rounded up, maxUnavailable 25% rounded down, not both zero.
  const maxSurge = Math.ceil(replicas / 4)
  const maxUnavailable = maxSurge === 0 && Math.floor(replicas / 4) === 0 ? 1 : Math.floor(replicas / 4)
  const d: Deployment = {
    meta: meta('Deployment', name, { app: 'web' }),
    spec: { replicas, selector: { app: 'web' }, template: clone(TEMPLATE), paused, maxSurge, maxUnavailable },
    status: { replicas: 0, updated: 0, ready: 0, available: 0, unavailable: 0, ...observed },
  }
  if (paused) d.meta.annotations = { [PAUSED_AT]: '1' }
  return d
}

/** Kubernetes' default spec.backoffLimit. */
const DEFAULT_BACKOFF_LIMIT = 6

const BACKOFF_LIMIT: ParamSpec = {
  name: 'backoffLimit',
  kind: 'int',
  label: 'Backoff limit',
  description: 'The Job fails once more than this many of its pods have failed (Kubernetes\' default, 6).',
  default: DEFAULT_BACKOFF_LIMIT,
  min: 0,
  max: 10,
}

/** An unowned pod waiting to be scheduled (Themelios' stale-reads test has one): the scheduler has work beside it. */
function sparePod(): Pod {
  return { meta: meta('Pod', 'zspare-pod', { app: 'spare' }), spec: { image: 'pause:1' }, status: { phase: 'Pending', ready: false } }
}

function job(name: string, parallelism: number, completions: number, backoffLimit: number): Job {
  return {
    meta: meta('Job', name, { job: name }),
    spec: { parallelism, completions, suspend: false, backoffLimit, template: { labels: { job: name }, image: 'batch:1' } },
    status: { active: 0, ready: 0, succeeded: 0, failed: 0, uncounted: [], complete: false, backoffLimitExceeded: false, ...observed },
  }
}

/** A user action that edits one object at the head (an update with the head's resourceVersion). */
function edit<K extends Kind>(label: string, kind: K, name: string, change: (o: KindMap[K], head: Cluster) => boolean): UserAction {
  return {
    label,
    write(head: Cluster): Write | undefined {
      const cur = head.objs[kind][name] as KindMap[K] | undefined
      if (!cur) return undefined
      const next = clone(cur)
      if (!change(next, head)) return undefined
      return { op: 'update', kind, obj: next }
    },
  }
}

/** Scale ±1 within [lo, hi]. */
function scaleActions(kind: 'ReplicaSet' | 'StatefulSet' | 'Deployment', name: string, lo: number, hi: number): UserAction[] {
  return [
    edit(`scale ${name} up`, kind, name, (o) => o.spec.replicas < hi && ++o.spec.replicas > 0),
    edit(`scale ${name} down`, kind, name, (o) => o.spec.replicas > lo && --o.spec.replicas >= 0),
  ]
}

const changeImage = (kind: 'Deployment' | 'StatefulSet', name: string): UserAction =>
  edit(`change ${name} image`, kind, name, (o) => {
    if (o.spec.template.image.endsWith(':2')) return false
    o.spec.template.image = o.spec.template.image.replace(/:1$/, ':2')
    return true
  })

const STS_SAFETY: PropertyId[] = ['unique-names', 'pod-on-one-node', 'sts-one-pod-per-ordinal', 'sts-status-when-stable', 'sts-first-ordinal']
const RS_SAFETY: PropertyId[] = ['unique-names', 'pod-on-one-node', 'rs-status-when-stable', 'rs-stable-at-spec']
const DEP_SAFETY: PropertyId[] = ['unique-names', 'pod-on-one-node', 'rs-status-when-stable', 'dep-hash-consistent', 'dep-pods-hash', 'dep-old-rs-scaled-down', 'dep-no-rs-while-paused']
const JOB_SAFETY: PropertyId[] = ['unique-names', 'pod-on-one-node', 'job-status-when-stable', 'job-finished-tracked']

const bounds = (p: ScenarioParams): [number, number] => [Math.max(0, p.replicas - 1), p.replicas + 1]

const SCENARIOS: Scenario[] = [
  {
    id: 'replicaset-scale',
    title: 'ReplicaSet scale',
    description: 'A ReplicaSet brings up its pods; the user may scale it by ±1.',
    controllers: ['scheduler', 'replicaset', 'podgc'],
    defaults: { nodes: 1, replicas: 2, userActions: 1, nodeRestarts: 0 },
    initial: (p) => ({ ReplicaSet: [replicaSet('web', p.replicas)] }),
    userActions: (p) => scaleActions('ReplicaSet', 'web', ...bounds(p)),
    properties: [...RS_SAFETY, 'rs-ready', 'converges'],
  },
  {
    id: 'replicaset-overlapping',
    title: 'Overlapping ReplicaSets',
    description: 'Two ReplicaSets (1 and `replicas` pods) with the same selector must not steal or double-count pods.',
    controllers: ['scheduler', 'replicaset', 'podgc'],
    defaults: { nodes: 1, replicas: 2, userActions: 0, nodeRestarts: 0 },
    initial: (p) => ({ ReplicaSet: [replicaSet('web-a', 1), replicaSet('web-b', p.replicas)] }),
    userActions: () => [],
    properties: [...RS_SAFETY, 'rs-ready', 'converges'],
    convergesEach: [
      ['ReplicaSet', 'web-a'],
      ['ReplicaSet', 'web-b'],
    ],
  },
  {
    id: 'statefulset-scale',
    title: 'StatefulSet scale',
    description: 'A StatefulSet starts its pods in ordinal order; the user may scale it by ±1.',
    controllers: ['scheduler', 'statefulset', 'podgc'],
    defaults: { nodes: 1, replicas: 2, userActions: 1, nodeRestarts: 0 },
    initial: (p) => ({ StatefulSet: [statefulSet('db', p.replicas, false)] }),
    userActions: (p) => scaleActions('StatefulSet', 'db', ...bounds(p)),
    properties: [...STS_SAFETY, 'sts-ready', 'converges'],
  },
  {
    id: 'statefulset-available',
    title: 'StatefulSet available',
    description: 'A StatefulSet with a PersistentVolumeClaim per ordinal becomes fully available; the user may change its image.',
    controllers: ['scheduler', 'statefulset', 'podgc'],
    defaults: { nodes: 1, replicas: 2, userActions: 0, nodeRestarts: 0 },
    initial: (p) => ({ StatefulSet: [statefulSet('db', p.replicas, true)] }),
    userActions: () => [changeImage('StatefulSet', 'db')],
    properties: [...STS_SAFETY, 'sts-ready', 'converges'],
  },
  {
    id: 'statefulset-stale-reads',
    title: 'StatefulSet with stale reads',
    description:
      'One StatefulSet pod and an unowned spare pod waiting to be scheduled, two nodes, node restarts: a kubelet acting on a stale view restarts a pod that was already replaced elsewhere, so two pods of one ordinal run at once (kubernetes/kubernetes#59848).',
    controllers: ['scheduler', 'statefulset', 'podgc'],
    // As published (Themelios' test_stale_reads): 1 replica, 2 nodes and the unscheduled "zspare-pod". Two node
    // restarts and a window of 4 let a kubelet's stale view outlive the replacement of its pod, which is what
    // #59848 needs under monotonic sessions (with one restart or a window of 3, that cell holds).
    defaults: { nodes: 2, replicas: 1, userActions: 0, nodeRestarts: 2, history: 4 },
    initial: (p) => ({ StatefulSet: [statefulSet('db', p.replicas, false)], Pod: p.sparePod ? [sparePod()] : [] }),
    extraParams: [
      {
        name: 'sparePod',
        kind: 'bool',
        label: 'Spare pod',
        description: 'An unowned pod waiting to be scheduled, as in the published test (about 15–50× more states).',
        default: true,
      },
    ],
    userActions: () => [],
    properties: [...STS_SAFETY, 'sts-ready', 'converges'],
  },
  {
    id: 'deployment-create',
    title: 'Deployment create',
    description: 'A new Deployment creates its ReplicaSet, which brings up the pods.',
    controllers: ['scheduler', 'deployment', 'replicaset', 'podgc'],
    defaults: { nodes: 1, replicas: 2, userActions: 0, nodeRestarts: 0 },
    initial: (p) => ({ Deployment: [deployment('web', p.replicas, false)] }),
    userActions: (p) => scaleActions('Deployment', 'web', ...bounds(p)),
    properties: [...DEP_SAFETY, 'dep-complete', 'converges'],
  },
  {
    id: 'deployment-rolling-update',
    title: 'Deployment rolling update',
    description: 'A Deployment rolls out; the user changes the image, and the rollout respects maxSurge / maxUnavailable.',
    controllers: ['scheduler', 'deployment', 'replicaset', 'podgc'],
    defaults: { nodes: 1, replicas: 2, userActions: 1, nodeRestarts: 0 },
    initial: (p) => ({ Deployment: [deployment('web', p.replicas, false)] }),
    userActions: () => [changeImage('Deployment', 'web')],
    properties: [...DEP_SAFETY, 'dep-complete', 'converges'],
  },
  {
    id: 'deployment-paused',
    title: 'Paused Deployment',
    description: 'A paused Deployment must not roll out; the user may change its image and resume it.',
    controllers: ['scheduler', 'deployment', 'replicaset', 'podgc'],
    defaults: { nodes: 1, replicas: 1, userActions: 2, nodeRestarts: 0 },
    initial: (p) => ({ Deployment: [deployment('web', p.replicas, true)] }),
    userActions: () => [
      changeImage('Deployment', 'web'),
      edit('resume web', 'Deployment', 'web', (d) => {
        if (!d.spec.paused) return false
        d.spec.paused = false
        delete d.meta.annotations
        return true
      }),
    ],
    properties: [...DEP_SAFETY, 'dep-complete', 'converges'],
  },
  {
    id: 'job-single',
    title: 'Job (non-parallel)',
    description: 'A Job with parallelism 1 runs `replicas` completions one pod at a time; the user may suspend / resume it.',
    controllers: ['scheduler', 'job', 'podgc'],
    defaults: { nodes: 1, replicas: 1, userActions: 0, nodeRestarts: 0, minReplicas: 1 },
    initial: (p) => ({ Job: [job('batch', 1, p.replicas, p.backoffLimit)] }),
    extraParams: [BACKOFF_LIMIT],
    userActions: () => suspendActions('batch'),
    properties: [...JOB_SAFETY, 'job-complete', 'converges'],
  },
  {
    id: 'job-parallel',
    title: 'Job (parallel)',
    description: 'A Job with parallelism 5 (as published) runs `replicas` completions, so every pod it needs runs at once; the user may suspend / resume it.',
    controllers: ['scheduler', 'job', 'podgc'],
    defaults: { nodes: 1, replicas: 2, userActions: 0, nodeRestarts: 0, minReplicas: 1 },
    initial: (p) => ({ Job: [job('batch', 5, p.replicas, p.backoffLimit)] }),
    extraParams: [BACKOFF_LIMIT],
    userActions: () => suspendActions('batch'),
    properties: [...JOB_SAFETY, 'job-complete', 'converges'],
  },
]

function suspendActions(name: string): UserAction[] {
  return [
    edit(`suspend ${name}`, 'Job', name, (j) => !j.spec.suspend && !j.status.complete && !j.status.backoffLimitExceeded && (j.spec.suspend = true)),
    edit(`resume ${name}`, 'Job', name, (j) => j.spec.suspend && !(j.spec.suspend = false)),
  ]
}

export const SCENARIO_IDS = SCENARIOS.map((s) => s.id)

/** The node count a scenario runs with: `nodes` when set (> 0), else one per instance, at least its own count. */
export function scenarioNodes(id: string, nodes: number, instances: number): number {
  const sc = SCENARIOS.find((s) => s.id === id)
  if (!sc) throw new Error(`unknown scenario "${id}"`)
  return nodes > 0 ? nodes : Math.max(sc.defaults.nodes, instances)
}

/**
 * A scenario as data, for runtimes other than the checker (live mode): its resolved parameters, a factory per
 * controller instance (a restart makes a fresh one), the initial cluster and the user actions — the same the model
 * explores, declared once here.
 */
export function scenarioSetup(id: string, values: ParamValues = {}): {
  id: string
  title: string
  params: ScenarioParams
  controllers: { name: string; make(): Controller }[]
  initial: Cluster
  userActions: UserAction[]
} {
  const sc = SCENARIOS.find((s) => s.id === id)
  if (!sc) throw new Error(`unknown scenario "${id}"`)
  const p = paramsOf(sc, values)
  const controllers = controllersFor(sc, p).map((c, i) => ({ name: c.name, make: () => controllersFor(sc, p)[i] }))
  return { id, title: sc.title, params: p, controllers, initial: initialCluster(sc, p), userActions: sc.userActions(p) }
}

function controllersFor(sc: Scenario, p: ScenarioParams): Controller[] {
  const make: Record<Exclude<ControllerKind, 'kubelet' | 'custom'>, (n: string) => Controller> = {
    scheduler,
    replicaset: replicaSetController,
    deployment: deploymentController,
    statefulset: statefulSetController,
    job: jobController,
    podgc,
  }
  const out: Controller[] = []
  for (const kind of sc.controllers) for (let i = 1; i <= p.instances; i++) out.push(make[kind](`${kind}-${i}`))
  for (let n = 1; n <= p.nodes; n++) out.push(kubelet(`node${n}`, NODE_CAPACITY))
  return out
}

function initialCluster(sc: Scenario, p: ScenarioParams): Cluster {
  const c = emptyCluster()
  const objs = sc.initial(p)
  for (let n = 1; n <= p.nodes; n++) {
    const node: Node = { meta: meta('Node', `node${n}`), spec: { capacity: NODE_CAPACITY }, status: { ready: true } }
    ;(objs.Node ??= []).push(node)
  }
  for (const kind of Object.keys(objs) as Kind[]) {
    for (const o of objs[kind] ?? []) (c.objs[kind] as Record<string, unknown>)[o.meta.name] = o
  }
  return c
}

function paramsOf(sc: Scenario, v: ParamValues): ScenarioParams {
  const num = (k: string, d: number): number => (v[k] === undefined ? d : Number(v[k]))
  const bool = (k: string, d: boolean): boolean => (v[k] === undefined ? d : v[k] === true || v[k] === 'true')
  const level = String(v.consistency ?? 'synchronous') as Level
  if (!LEVELS.includes(level)) throw new Error(`unknown consistency level "${level}"; known: ${LEVELS.join(', ')}`)
  return {
    consistency: level,
    instances: num('instances', 1),
    // 0 (the default): one node per controller instance, at least the scenario's own count — N instances means N
    // of every controller, kubelets included, as in the published model (Themelios).
    nodes: num('nodes', 0) || Math.max(sc.defaults.nodes, num('instances', 1)),
    replicas: num('replicas', sc.defaults.replicas),
    history: num('history', sc.defaults.history ?? 3),
    userActions: num('userActions', sc.defaults.userActions),
    nodeRestarts: num('nodeRestarts', sc.defaults.nodeRestarts),
    controllerRestarts: num('controllerRestarts', sc.defaults.controllerRestarts ?? 0),
    sparePod: bool('sparePod', true),
    backoffLimit: num('backoffLimit', DEFAULT_BACKOFF_LIMIT),
    symmetry: bool('symmetry', true),
    expectations: bool('expectations', true),
    idleReads: bool('idleReads', false),
    sameViews: bool('sameViews', false),
    oldRevisions: bool('oldRevisions', false),
  }
}

function paramSpecs(sc: Scenario): ParamSpec[] {
  return [
    {
      name: 'consistency',
      kind: 'enum',
      label: 'Consistency level',
      description: 'What a controller may read and where its write lands.',
      default: 'synchronous',
      options: [...LEVELS],
    },
    { name: 'instances', kind: 'int', label: 'Instances per controller', description: 'Controllers of each kind (kubelets: one per node).', default: 1, min: 1, max: 3 },
    {
      name: 'nodes',
      kind: 'int',
      label: 'Nodes',
      description: `Nodes, each with its kubelet. 0: one per instance, at least ${sc.defaults.nodes}.`,
      default: 0,
      min: 0,
      max: 4,
    },
    { name: 'replicas', kind: 'int', label: 'Replicas', description: 'Desired pods (Jobs: completions).', default: sc.defaults.replicas, min: sc.defaults.minReplicas ?? 0, max: 5 },
    {
      name: 'history',
      kind: 'int',
      label: 'History window',
      description: 'Datastore states kept for stale reads (weaker levels); older ones are compacted away.',
      default: sc.defaults.history ?? 3,
      min: 1,
      max: 8,
    },
    { name: 'userActions', kind: 'int', label: 'User actions', description: 'How many user actions (scale, image, pause, suspend) may happen.', default: sc.defaults.userActions, min: 0, max: 3 },
    { name: 'nodeRestarts', kind: 'int', label: 'Node restarts', description: 'How many node restarts may happen.', default: sc.defaults.nodeRestarts, min: 0, max: 2 },
    {
      name: 'controllerRestarts',
      kind: 'int',
      label: 'Controller restarts',
      description: 'How many controller restarts (session lost) may happen.',
      default: sc.defaults.controllerRestarts ?? 0,
      min: 0,
      max: 2,
    },
    {
      name: 'symmetry',
      kind: 'bool',
      label: 'Symmetry reduction',
      description:
        'With 2 or more instances: states that differ only in which instance of a controller holds which session are one state (2–3× fewer). A cycle that may be unfair makes a liveness property unknown rather than violated; turn off to decide it.',
      default: true,
    },
    {
      name: 'expectations',
      kind: 'bool',
      label: 'Expectations',
      description:
        'The ReplicaSet and Job controllers wait to see the pods they created or deleted, and the scheduler the pods it bound, before acting again (as Kubernetes does; lost on a controller restart). Off: the published model, where a controller may next read a state from before its own write.',
      default: true,
    },
    {
      name: 'idleReads',
      kind: 'bool',
      label: 'Idle reads are steps',
      description:
        'A controller step whose write is rejected (and that starts or stops no container) is a step that moves its session, as in the published model. Off (the default): only successful writes, container changes, faults and user actions are steps — the same reachable datastore states and verdicts, fewer model states (docs/models.md, "Idle reads").',
      default: false,
    },
    {
      name: 'sameViews',
      kind: 'bool',
      label: 'Act on unchanged views',
      description:
        'Session levels: a controller may act on every retained state, also on one that holds the same versions of everything it reads as the one it acted on, as in the published model. Off (the default): it acts once on each run of states that look the same to it, as a watch-driven controller does — fewer states, and with expectations the same verdicts (docs/models.md, "Unseen writes").',
      default: false,
    },
    {
      name: 'oldRevisions',
      kind: 'bool',
      label: 'Tell old revisions apart',
      description:
        'States that differ only in resourceVersions (and deletion marks and observed revisions) older than every retained state are different states, as in the published model. Off (the default): they are one state, as nothing can compare those revisions any more (docs/models.md, "Old revisions"). Causal keeps them either way.',
      default: false,
    },
    ...(sc.extraParams ?? []),
  ]
}

/**
 * Test switches: `renumber: false` — states are not identified up to revision renaming; `rewrite: true` — every
 * state is renumbered (renumber.ts; forgetting old revisions as the fingerprint does) and hashed on its bytes, the
 * older way to the same quotient.
 */
export function createScenario(id: string, values: ParamValues = {}, opts: { renumber?: boolean; rewrite?: boolean; noFreshness?: boolean } = {}) {
  const sc = SCENARIOS.find((s) => s.id === id)
  if (!sc) throw new Error(`unknown scenario "${id}"`)
  const p = paramsOf(sc, values)
  const controllers = controllersFor(sc, p)
  return createOrchestration({
    level: p.consistency,
    window: p.history,
    controllers,
    initial: initialCluster(sc, p),
    userActions: sc.userActions(p),
    budgets: { user: p.userActions, node: p.nodeRestarts, ctl: p.controllerRestarts },
    quotient: opts.renumber !== false,
    symmetry: p.symmetry,
    expectations: p.expectations,
    idleReads: p.idleReads,
    sameViews: p.sameViews,
    oldRevisions: p.oldRevisions,
    normalise: opts.rewrite ? (s) => renumber(s, { forget: forgetsOldRevisions(p.consistency, p.oldRevisions) }) : undefined,
    noFreshness: opts.noFreshness,
    properties: (ctx) => bindScenarioProperties(scenarioProperties(sc.properties, sc.convergesEach), ctx),
  })
}

export const orchestrationScenarios: ModelDefinition[] = SCENARIOS.map((sc) => ({
  info: {
    id: sc.id,
    title: sc.title,
    description: sc.description,
    params: paramSpecs(sc),
    properties: scenarioPropertyInfos(scenarioProperties(sc.properties, sc.convergesEach)),
  },
  create: (params) => createScenario(sc.id, params),
}))
