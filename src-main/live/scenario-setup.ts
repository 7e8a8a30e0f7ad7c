// A scenario as data for live runs: its controllers (fresh instances of the models' own step functions), the initial
// cluster, the user actions and the properties to monitor. Rebuilt here from the exported pieces (controllers,
// resource types, the scenario list's ids, parameters and property names) so live mode depends on nothing inside
// the model's history or state encoding. Parameter defaults and property names come from the scenario definitions,
// so the two runtimes agree on what a scenario is.
import type { ParamValues, PropertyInfo } from '../../src-shared/types.ts'
import type { Write } from '../models/orchestration/api.ts'
import { deploymentController } from '../models/orchestration/controllers/deployment.ts'
import { jobController } from '../models/orchestration/controllers/job.ts'
import { kubelet } from '../models/orchestration/controllers/kubelet.ts'
import { podgc } from '../models/orchestration/controllers/podgc.ts'
import { replicaSetController } from '../models/orchestration/controllers/replicaset.ts'
import { scheduler } from '../models/orchestration/controllers/scheduler.ts'
import { statefulSetController } from '../models/orchestration/controllers/statefulset.ts'
import type { Controller } from '../models/orchestration/controllers/types.ts'
import { scenarioNodes, orchestrationScenarios } from '../models/orchestration/scenarios.ts'
import {
  clone,
  emptyCluster,
  PAUSED_AT,
  type AnyObject,
  type Cluster,
  type Deployment,
  type Job,
  type Kind,
  type KindMap,
  type Meta,
  type PodTemplate,
  type ReplicaSet,
  type StatefulSet,
} from '../models/orchestration/resources.ts'

export const NODE_CAPACITY = 4

export interface LiveUserAction {
  label: string
  /** The write on the latest state, or undefined when the action does not apply there. */
  write(head: Cluster): Write | undefined
}

export interface LiveScenario {
  id: string
  title: string
  params: { nodes: number; replicas: number; instances: number }
  /** Controller factories: a restart in live mode makes a fresh instance (its local state is lost). */
  controllers: { name: string; make(): Controller }[]
  initial: Cluster
  userActions: LiveUserAction[]
  properties: PropertyInfo[]
}

type CtlKind = 'scheduler' | 'replicaset' | 'deployment' | 'statefulset' | 'job' | 'podgc'

interface Setup {
  controllers: CtlKind[]
  initial(p: LiveScenario['params']): AnyObject[]
  userActions(p: LiveScenario['params']): LiveUserAction[]
}

const TEMPLATE: PodTemplate = { labels: { app: 'web' }, image: 'nginx:1' }
const observed = { observedGeneration: 0, observedRevision: 0 }

function meta(kind: Kind, name: string, labels: Record<string, string> = {}): Meta {
  return { name, uid: `u0-${kind}-${name}`, rv: 1, generation: 1, labels, finalizers: [] }
}

const replicaSet = (name: string, replicas: number): ReplicaSet => ({
  meta: meta('ReplicaSet', name, { app: 'web' }),
  spec: { replicas, selector: { app: 'web' }, template: clone(TEMPLATE) },
  status: { replicas: 0, ready: 0, available: 0, ...observed },
})

const statefulSet = (name: string, replicas: number, volumeClaims: boolean): StatefulSet => ({
  meta: meta('StatefulSet', name, { app: name }),
  spec: { replicas, selector: { app: name }, template: { labels: { app: name }, image: 'db:1' }, volumeClaims },
  status: { replicas: 0, ready: 0, available: 0, current: 0, updated: 0, currentRevision: '', updateRevision: '', ...observed },
})

function deployment(name: string, replicas: number, paused: boolean): Deployment {
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

const job = (name: string, parallelism: number, completions: number): Job => ({
  meta: meta('Job', name, { job: name }),
  spec: { parallelism, completions, suspend: false, template: { labels: { job: name }, image: 'batch:1' } },
  status: { active: 0, ready: 0, succeeded: 0, failed: 0, uncounted: [], complete: false, ...observed },
})

function edit<K extends Kind>(label: string, kind: K, name: string, change: (o: KindMap[K]) => boolean): LiveUserAction {
  return {
    label,
    write(head) {
      const cur = head.objs[kind][name] as KindMap[K] | undefined
      if (!cur) return undefined
      const next = clone(cur)
      return change(next) ? { op: 'update', kind, obj: next } : undefined
    },
  }
}

function scale(kind: 'ReplicaSet' | 'StatefulSet' | 'Deployment', name: string, p: LiveScenario['params']): LiveUserAction[] {
  const lo = Math.max(0, p.replicas - 1)
  const hi = p.replicas + 1
  return [
    edit(`scale ${name} up`, kind, name, (o) => o.spec.replicas < hi && ++o.spec.replicas > 0),
    edit(`scale ${name} down`, kind, name, (o) => o.spec.replicas > lo && --o.spec.replicas >= 0),
  ]
}

const changeImage = (kind: 'Deployment' | 'StatefulSet', name: string): LiveUserAction =>
  edit(`change ${name} image`, kind, name, (o) => {
    if (o.spec.template.image.endsWith(':2')) return false
    o.spec.template.image = o.spec.template.image.replace(/:1$/, ':2')
    return true
  })

const suspend = (name: string): LiveUserAction[] => [
  edit(`suspend ${name}`, 'Job', name, (j) => !j.spec.suspend && !j.status.complete && (j.spec.suspend = true)),
  edit(`resume ${name}`, 'Job', name, (j) => j.spec.suspend && !(j.spec.suspend = false)),
]

const RS: CtlKind[] = ['scheduler', 'replicaset', 'podgc']
const STS: CtlKind[] = ['scheduler', 'statefulset', 'podgc']
const DEP: CtlKind[] = ['scheduler', 'deployment', 'replicaset', 'podgc']
const JOB: CtlKind[] = ['scheduler', 'job', 'podgc']

const SETUPS: Record<string, Setup> = {
  'replicaset-scale': { controllers: RS, initial: (p) => [replicaSet('web', p.replicas)], userActions: (p) => scale('ReplicaSet', 'web', p) },
  'replicaset-overlapping': { controllers: RS, initial: (p) => [replicaSet('web-a', 1), replicaSet('web-b', p.replicas)], userActions: () => [] },
  'statefulset-scale': { controllers: STS, initial: (p) => [statefulSet('db', p.replicas, false)], userActions: (p) => scale('StatefulSet', 'db', p) },
  'statefulset-available': { controllers: STS, initial: (p) => [statefulSet('db', p.replicas, true)], userActions: () => [changeImage('StatefulSet', 'db')] },
  'statefulset-stale-reads': { controllers: STS, initial: (p) => [statefulSet('db', p.replicas, false)], userActions: () => [] },
  'deployment-create': { controllers: DEP, initial: (p) => [deployment('web', p.replicas, false)], userActions: (p) => scale('Deployment', 'web', p) },
  'deployment-rolling-update': { controllers: DEP, initial: (p) => [deployment('web', p.replicas, false)], userActions: () => [changeImage('Deployment', 'web')] },
  'deployment-paused': {
    controllers: DEP,
    initial: (p) => [deployment('web', p.replicas, true)],
    userActions: () => [
      changeImage('Deployment', 'web'),
      edit('resume web', 'Deployment', 'web', (d) => {
        if (!d.spec.paused) return false
        d.spec.paused = false
        delete d.meta.annotations
        return true
      }),
    ],
  },
  'job-single': { controllers: JOB, initial: (p) => [job('batch', 1, p.replicas)], userActions: () => suspend('batch') },
  'job-parallel': { controllers: JOB, initial: (p) => [job('batch', 5, p.replicas)], userActions: () => suspend('batch') },
}

const KIND_OF: Record<string, Kind> = {
  ReplicaSet: 'ReplicaSet',
  StatefulSet: 'StatefulSet',
  Deployment: 'Deployment',
  Job: 'Job',
}

export const LIVE_SCENARIO_IDS = Object.keys(SETUPS)

const MAKE: Record<CtlKind, (name: string) => Controller> = {
  scheduler,
  replicaset: replicaSetController,
  deployment: deploymentController,
  statefulset: statefulSetController,
  job: jobController,
  podgc,
}

/** The scenario `id` with parameters (nodes, replicas, instances) over the scenario's own defaults. */
export function liveScenario(id: string, values: ParamValues = {}): LiveScenario {
  const def = orchestrationScenarios.find((d) => d.info.id === id)
  const setup = SETUPS[id]
  if (!def || !setup) throw new Error(`unknown scenario "${id}"; known: ${LIVE_SCENARIO_IDS.join(', ')}`)
  const spec = (name: string) => def.info.params.find((x) => x.name === name)
  const num = (name: string): number => {
    const s = spec(name)
    const v = values[name] === undefined ? s?.default : values[name]
    const n = Number(v)
    if (!Number.isInteger(n)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(values[name])}`)
    if (s && s.kind === 'int' && (n < s.min || n > s.max)) throw new Error(`${name} must be from ${s.min} to ${s.max}, got ${n}`)
    return n
  }
  const instances = num('instances')
  const params = { nodes: scenarioNodes(id, num('nodes'), instances), replicas: num('replicas'), instances }
  const controllers: LiveScenario['controllers'] = []
  for (const kind of setup.controllers) {
    for (let i = 1; i <= params.instances; i++) controllers.push({ name: `${kind}-${i}`, make: () => MAKE[kind](`${kind}-${i}`) })
  }
  for (let n = 1; n <= params.nodes; n++) controllers.push({ name: `kubelet-node${n}`, make: () => kubelet(`node${n}`, NODE_CAPACITY) })
  const initial = emptyCluster()
  const objs: AnyObject[] = [...setup.initial(params)]
  for (const o of objs) {
    const kind = KIND_OF[kindOfInitial(o)]
    ;(initial.objs[kind] as Record<string, AnyObject>)[o.meta.name] = o
  }
  for (let n = 1; n <= params.nodes; n++) {
    initial.objs.Node[`node${n}`] = { meta: meta('Node', `node${n}`), spec: { capacity: NODE_CAPACITY }, status: { ready: true } }
  }
  return { id, title: def.info.title, params, controllers, initial, userActions: setup.userActions(params), properties: def.info.properties }
}

/** Initial objects carry their kind in their deterministic uid ("u0-<Kind>-<name>"). */
function kindOfInitial(o: AnyObject): string {
  return o.meta.uid.split('-')[1]
}
