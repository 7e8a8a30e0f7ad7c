// The user-model SDK (docs/sdk.md): defineModel turns a ModelSpec — custom resource kinds with a small schema,
// controllers as pure step functions (at most one write per step), user actions and properties — into a
// ModelDefinition the checker runs like a built-in. It reuses the orchestration model underneath: the API semantics
// (create / update with resourceVersion preconditions, soft delete with finalizers) and the five consistency levels.
//
// Differences from the built-in scenarios, so that a controller loop revisits states (and an oscillation shows as a
// lasso): revisions are renumbered canonically in every state (only their order is kept) and meta.generation is
// not modelled (always 1). Objects handed to user code are frozen, so a controller that assigns to one fails
// loudly instead of corrupting a shared state.
import type { Model, ModelDefinition, Property } from '../../checker/model.ts'
import type { ModelInfo, ParamSpec, ParamValues } from '../../../src-shared/types.ts'
import type { Write as ApiWrite } from '../orchestration/api.ts'
import { canon } from '../orchestration/canon.ts'
import type { Controller } from '../orchestration/controllers/types.ts'
import { LEVELS, type Level } from '../orchestration/history.ts'
import { createOrchestration, type ModelContext, type OState, type UserAction } from '../orchestration/model.ts'
import type { AnyObject, Cluster, Kind } from '../orchestration/resources.ts'
import { deepFreeze, normaliseUserState } from './normalise.ts'
import type {
  Change,
  ControllerSpec,
  CreateInit,
  FieldType,
  Fields,
  FieldsSchema,
  InitialObject,
  KindSchema,
  ListFilter,
  ModelSpec,
  Obj,
  PropertyContext,
  PropertySpec,
  StepContext,
  StepReturn,
  UserActionSpec,
  Write,
} from './types.ts'

export type * from './types.ts'
export { LEVELS }

/** Built-in parameters every SDK model has. */
export const SDK_PARAMS = ['consistency', 'instances', 'history', 'userActions', 'controllerRestarts'] as const

const PROPERTY_KINDS = ['always', 'sometimes', 'eventually', 'converges']

/** Identity helpers: they only give an editor the types. */
export function defineController(spec: ControllerSpec): ControllerSpec {
  return spec
}
export function defineProperty(spec: PropertySpec): PropertySpec {
  return spec
}

class SpecError extends Error {}

function fail(msg: string): never {
  throw new SpecError(msg)
}

// ---- schema

function typeName(t: FieldType): string {
  return typeof t === 'string' ? t : `one of ${t.enum.map((o) => JSON.stringify(o)).join(', ')}`
}

function fieldOk(t: FieldType, v: unknown): boolean {
  switch (t) {
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v)
    case 'string':
      return typeof v === 'string'
    case 'bool':
      return typeof v === 'boolean'
    case 'string[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string')
    case 'int[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isSafeInteger(x))
    default:
      return typeof v === 'string' && t.enum.includes(v)
  }
}

function defaultOf(t: FieldType): unknown {
  switch (t) {
    case 'int':
      return 0
    case 'string':
      return ''
    case 'bool':
      return false
    case 'string[]':
    case 'int[]':
      return []
    default:
      return t.enum[0]
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'undefined'
  if (typeof v === 'function') return 'a function'
  if (typeof v === 'bigint') return `${v}n`
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return String(v)
  }
}

/** Checks fields against a schema; returns a fresh plain copy (frozen), missing fields filled when `fill`. */
function checkFields(where: string, part: string, schema: FieldsSchema, v: unknown, fill: boolean): Fields {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${where}: ${part} must be an object, got ${show(v)}`)
  const src = v as Record<string, unknown>
  for (const k of Object.keys(src)) {
    if (!(k in schema)) fail(`${where}: ${part} has no field "${k}" (its fields: ${Object.keys(schema).join(', ') || 'none'})`)
  }
  const out: Record<string, unknown> = {}
  for (const [k, t] of Object.entries(schema)) {
    let x = src[k]
    if (x === undefined) {
      if (!fill) fail(`${where}: ${part}.${k} is missing`)
      x = defaultOf(t)
    }
    if (!fieldOk(t, x)) fail(`${where}: ${part}.${k} must be ${typeName(t)}, got ${show(x)}`)
    out[k] = Array.isArray(x) ? [...x] : x
  }
  return out as Fields
}

function checkLabels(where: string, v: unknown): Record<string, string> {
  if (v === undefined) return {}
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${where}: labels must be an object of strings`)
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') fail(`${where}: label "${k}" must be a string, got ${show(x)}`)
  return { ...(v as Record<string, string>) }
}

function checkFinalizers(where: string, v: unknown): string[] {
  if (v === undefined) return []
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) fail(`${where}: finalizers must be a list of strings`)
  return [...new Set(v as string[])].sort()
}

// ---- spec validation (at load time, so a broken model file fails before any state is explored)

function checkSpec(spec: ModelSpec): void {
  if (typeof spec !== 'object' || spec === null) fail('the model must be an object (a ModelSpec)')
  if (typeof spec.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(spec.id)) fail(`id must be lower-case words and dashes, got ${show(spec.id)}`)
  if (typeof spec.kinds !== 'object' || spec.kinds === null || Object.keys(spec.kinds).length === 0) fail('kinds must name at least one resource kind')
  for (const [kind, ks] of Object.entries(spec.kinds)) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(kind)) fail(`kind "${kind}" must be a capitalised word (like "Widget")`)
    if (typeof ks !== 'object' || ks === null || typeof ks.spec !== 'object' || ks.spec === null) fail(`kind "${kind}" needs a spec schema`)
    for (const [part, schema] of [['spec', ks.spec], ['status', ks.status ?? {}]] as const) {
      for (const [f, t] of Object.entries(schema)) {
        const ok = ['int', 'string', 'bool', 'string[]', 'int[]'].includes(t as string) ||
          (typeof t === 'object' && t !== null && Array.isArray(t.enum) && t.enum.length > 0 && t.enum.every((o) => typeof o === 'string'))
        if (!ok) fail(`kind "${kind}": ${part}.${f} has type ${show(t)}; use "int", "string", "bool", "string[]", "int[]" or { enum: [...] }`)
      }
    }
  }
  const isList = (v: unknown): boolean => Array.isArray(v) || typeof v === 'function'
  if (!isList(spec.initial)) fail('initial must be a list of objects (or a function of the parameters returning one)')
  if (!isList(spec.controllers)) fail('controllers must be a list (or a function of the parameters returning one)')
  if (spec.userActions !== undefined && !isList(spec.userActions)) fail('userActions must be a list (or a function of the parameters returning one)')
  if (!Array.isArray(spec.properties) || spec.properties.length === 0) fail('properties must list at least one property')
  const names = new Set<string>()
  for (const p of spec.properties) {
    if (typeof p?.name !== 'string' || p.name === '') fail('every property needs a name')
    if (names.has(p.name)) fail(`property "${p.name}" is defined twice`)
    names.add(p.name)
    if (!PROPERTY_KINDS.includes(p.kind)) fail(`property "${p.name}": kind must be one of ${PROPERTY_KINDS.join(', ')}, got ${show(p.kind)}`)
    if (typeof p.check !== 'function') fail(`property "${p.name}" needs a check(r) function`)
  }
  for (const p of spec.params ?? []) {
    if ((SDK_PARAMS as readonly string[]).includes(p.name)) fail(`parameter "${p.name}" is built in; choose another name`)
  }
  if (spec.defaults?.consistency !== undefined && !LEVELS.includes(spec.defaults.consistency)) {
    fail(`defaults.consistency must be one of ${LEVELS.join(', ')}`)
  }
}

function paramSpecs(spec: ModelSpec): ParamSpec[] {
  const d = spec.defaults ?? {}
  const hasUser = spec.userActions !== undefined
  return [
    { name: 'consistency', kind: 'enum', label: 'Consistency level', description: 'What a controller may read and where its write lands.', default: d.consistency ?? 'synchronous', options: [...LEVELS] },
    { name: 'instances', kind: 'int', label: 'Instances per controller', default: d.instances ?? 1, min: 1, max: 3 },
    { name: 'history', kind: 'int', label: 'History window', description: 'Datastore states kept for stale reads (weaker levels).', default: d.history ?? 3, min: 1, max: 8 },
    { name: 'userActions', kind: 'int', label: 'User actions', description: 'How many user actions may happen.', default: d.userActions ?? (hasUser ? 1 : 0), min: 0, max: 5 },
    { name: 'controllerRestarts', kind: 'int', label: 'Controller restarts', description: 'How many controller restarts (session lost) may happen.', default: d.controllerRestarts ?? 0, min: 0, max: 2 },
    ...(spec.params ?? []),
  ]
}

// ---- the runtime

interface Runtime {
  kinds: Readonly<Record<string, KindSchema>>
  params: ParamValues
  /** Writes made by the helpers; a step may only return one of these. */
  made: WeakSet<object>
}

function reader(rt: Runtime, c: Cluster): { get: StepContext['get']; list: StepContext['list']; params: ParamValues } {
  const objsOf = (kind: string): Record<string, Obj> => {
    const m = (c.objs as unknown as Record<string, Record<string, Obj>>)[kind]
    if (!m) fail(`unknown kind "${kind}"; this model's kinds: ${Object.keys(rt.kinds).join(', ')}`)
    return m
  }
  return {
    params: rt.params,
    get: (kind, name) => objsOf(kind)[name],
    list(kind, filter?: ListFilter) {
      const m = objsOf(kind)
      const out: Obj[] = []
      for (const name of Object.keys(m).sort()) {
        const o = m[name]
        if (filter?.labels && !Object.entries(filter.labels).every(([k, v]) => o.meta.labels[k] === v)) continue
        if (filter?.owner && o.meta.owner?.uid !== filter.owner.meta.uid) continue
        if (filter?.terminating === false && o.meta.deletion !== undefined) continue
        out.push(o)
      }
      return out
    },
  }
}

function stepContext(rt: Runtime, c: Cluster, who: string): StepContext {
  const r = reader(rt, c)
  const schemaOf = (kind: unknown): KindSchema => {
    const ks = typeof kind === 'string' ? rt.kinds[kind] : undefined
    if (!ks) fail(`${who}: unknown kind ${show(kind)}; this model's kinds: ${Object.keys(rt.kinds).join(', ')}`)
    return ks
  }
  const objOf = (o: unknown, op: string): Obj => {
    if (typeof o !== 'object' || o === null || typeof (o as Obj).kind !== 'string' || typeof (o as Obj).meta !== 'object') {
      fail(`${who}: ${op} needs an object read from the view (from get or list), got ${show(o)}`)
    }
    return o as Obj
  }
  const made = <W extends ApiWrite>(w: W): Write => {
    rt.made.add(w)
    return w as unknown as Write
  }
  return {
    ...r,
    controller: who,
    create(kind, name, init: CreateInit) {
      const ks = schemaOf(kind)
      if (typeof name !== 'string' || name === '') fail(`${who}: create ${kind} needs a name, got ${show(name)}`)
      const where = `${who}: create ${kind}/${name}`
      if (typeof init !== 'object' || init === null) fail(`${where}: needs { spec, status?, labels?, owner?, finalizers? }`)
      const owner = init.owner === undefined ? undefined : objOf(init.owner, 'create (owner)')
      const obj = {
        kind,
        meta: {
          name,
          uid: '',
          rv: 0,
          generation: 0,
          labels: checkLabels(where, init.labels),
          finalizers: checkFinalizers(where, init.finalizers),
          ...(owner ? { owner: { kind: owner.kind, name: owner.meta.name, uid: owner.meta.uid } } : {}),
        },
        spec: checkFields(where, 'spec', ks.spec, init.spec, false),
        status: checkFields(where, 'status', ks.status ?? {}, init.status ?? {}, true),
      }
      return made({ op: 'create', kind: kind as Kind, obj: obj as unknown as AnyObject })
    },
    update(o, change: Change) {
      const cur = objOf(o, 'update')
      const ks = schemaOf(cur.kind)
      const where = `${who}: update ${cur.kind}/${cur.meta.name}`
      if (typeof change !== 'object' || change === null) fail(`${where}: needs { spec?, status?, labels?, finalizers? }`)
      for (const k of Object.keys(change)) if (!['spec', 'status', 'labels', 'finalizers'].includes(k)) fail(`${where}: cannot change "${k}" (only spec, status, labels, finalizers)`)
      const spec = change.spec === undefined ? cur.spec : checkFields(where, 'spec', ks.spec, { ...cur.spec, ...change.spec }, false)
      const status = change.status === undefined ? cur.status : checkFields(where, 'status', ks.status ?? {}, { ...cur.status, ...change.status }, false)
      const labels = change.labels === undefined ? cur.meta.labels : checkLabels(where, change.labels)
      const finalizers = change.finalizers === undefined ? cur.meta.finalizers : checkFinalizers(where, change.finalizers)
      if (canon([spec, status, labels, finalizers]) === canon([cur.spec, cur.status, cur.meta.labels, cur.meta.finalizers])) return undefined
      const obj = { kind: cur.kind, meta: { ...cur.meta, labels, finalizers }, spec, status }
      return made({ op: 'update', kind: cur.kind as Kind, obj: obj as unknown as AnyObject })
    },
    delete(o) {
      const cur = objOf(o, 'delete')
      schemaOf(cur.kind)
      if (cur.meta.deletion !== undefined) return undefined
      return made({ op: 'delete', kind: cur.kind as Kind, name: cur.meta.name, uid: cur.meta.uid })
    },
  }
}

function checkReturn(rt: Runtime, who: string, w: StepReturn | unknown): ApiWrite | undefined {
  if (w === undefined || w === null) return undefined
  if (Array.isArray(w)) fail(`${who} returned a list: a step makes at most one write; return one ctx.create / ctx.update / ctx.delete`)
  if (typeof w !== 'object' || !rt.made.has(w)) {
    fail(`${who} returned ${show(w)}; a step returns ctx.create(…), ctx.update(…), ctx.delete(…) or nothing`)
  }
  return w as unknown as ApiWrite
}

function resolve<T>(v: T | ((p: ParamValues) => T), params: ParamValues): T {
  return typeof v === 'function' ? (v as (p: ParamValues) => T)(params) : v
}

function buildInitial(rt: Runtime, objs: readonly InitialObject[]): Cluster {
  if (!Array.isArray(objs)) fail('initial must return a list of objects')
  const c = { objs: Object.fromEntries(Object.keys(rt.kinds).map((k) => [k, {}])) } as unknown as Cluster
  for (const o of objs) {
    const ks = rt.kinds[o?.kind]
    if (!ks) fail(`initial: unknown kind ${show(o?.kind)}; this model's kinds: ${Object.keys(rt.kinds).join(', ')}`)
    if (typeof o.name !== 'string' || o.name === '') fail(`initial ${o.kind}: needs a name`)
    const where = `initial ${o.kind}/${o.name}`
    const m = (c.objs as unknown as Record<string, Record<string, unknown>>)[o.kind]
    if (o.name in m) fail(`${where}: defined twice`)
    m[o.name] = {
      kind: o.kind,
      meta: { name: o.name, uid: `u0-${o.kind}-${o.name}`, rv: 1, generation: 1, labels: checkLabels(where, o.labels), finalizers: checkFinalizers(where, o.finalizers) },
      spec: checkFields(where, 'spec', ks.spec, o.spec, false),
      status: checkFields(where, 'status', ks.status ?? {}, o.status ?? {}, true),
    }
  }
  return c
}

function paramValues(info: ModelInfo, values: ParamValues): ParamValues {
  const out: ParamValues = {}
  for (const p of info.params) out[p.name] = values[p.name] ?? p.default
  return out
}

/** The model for one set of parameter values. */
function createModel(spec: ModelSpec, info: ModelInfo, values: ParamValues): Model<OState, unknown> {
  const params = paramValues(info, values)
  const level = String(params.consistency) as Level
  if (!LEVELS.includes(level)) fail(`unknown consistency level "${level}"; known: ${LEVELS.join(', ')}`)
  const rt: Runtime = { kinds: spec.kinds, params, made: new WeakSet() }
  const instances = Number(params.instances)

  const ctlSpecs = resolve(spec.controllers, params)
  if (!Array.isArray(ctlSpecs) || ctlSpecs.length === 0) fail('controllers must be a non-empty list')
  const controllers: Controller[] = []
  for (const cs of ctlSpecs) {
    if (typeof cs?.name !== 'string' || typeof cs.step !== 'function') fail(`every controller needs a name and a step(ctx) function, got ${show(cs)}`)
    if (cs.expects !== undefined && typeof cs.expects !== 'function') fail(`controller "${cs.name}": expects must be a function of a write, got ${show(cs.expects)}`)
    const expects = cs.expects?.bind(cs)
    for (let i = 1; i <= instances; i++) {
      const name = `${cs.name}-${i}`
      if (controllers.some((c) => c.name === name)) fail(`two controllers are named "${cs.name}"`)
      controllers.push({
        kind: 'custom',
        name,
        step(input) {
          const w = checkReturn(rt, `controller "${name}"`, cs.step(stepContext(rt, input.view, name)))
          // A pure step gives the same write twice; anything else is caught here, at the step that differs.
          const again = checkReturn(rt, `controller "${name}"`, cs.step(stepContext(rt, input.view, name)))
          if (canon(w) !== canon(again)) {
            fail(`controller "${name}" is nondeterministic: two calls on the same view returned ${w ? 'different writes' : 'a write and nothing'} (use no randomness, clocks or state outside the view)`)
          }
          return w ? { write: w } : undefined
        },
        ...(expects ? { expects: (w: ApiWrite) => expects(w) === true } : {}),
      })
    }
  }

  const userSpecs = resolve(spec.userActions ?? [], params) as readonly UserActionSpec[]
  const userActions: UserAction[] = userSpecs.map((u) => {
    if (typeof u?.label !== 'string' || typeof u.write !== 'function') fail(`every user action needs a label and a write(ctx) function, got ${show(u)}`)
    return { label: u.label, write: (head: Cluster) => checkReturn(rt, `user action "${u.label}"`, u.write(stepContext(rt, head, 'user'))) }
  })

  const initial = buildInitial(rt, resolve(spec.initial, params))

  const properties = (ctx: ModelContext): Property<OState>[] =>
    spec.properties.map((p: PropertySpec) => ({
      name: p.name,
      kind: p.kind,
      description: p.description,
      check(s: OState): boolean {
        const r: PropertyContext = { ...reader(rt, ctx.head(s).c), quiescent: () => ctx.quiescent(s) }
        const v = p.check(r)
        if (typeof v !== 'boolean') fail(`property "${p.name}" returned ${show(v)}, not true or false`)
        return v
      },
    }))

  const model = createOrchestration({
    level,
    window: Number(params.history),
    controllers,
    initial,
    userActions,
    budgets: { user: Number(params.userActions), node: 0, ctl: Number(params.controllerRestarts) },
    properties,
    normalise: normaliseUserState,
    expectations: true,
  })
  return { ...model, decode: (b) => deepFreeze(model.decode(b)) }
}

/** Turns a ModelSpec into a ModelDefinition (checked now: a mistake in the spec throws here, naming it). */
export function defineModel(spec: ModelSpec): ModelDefinition {
  checkSpec(spec)
  const info: ModelInfo = {
    id: spec.id,
    title: spec.title ?? spec.id,
    description: spec.description ?? '',
    params: paramSpecs(spec),
    properties: spec.properties.map((p) => ({ name: p.name, kind: p.kind, description: p.description })),
  }
  return { info, create: (values) => createModel(spec, info, values) }
}

/** True for something shaped like a ModelSpec (what a model file's default export may be, besides a ModelDefinition). */
export function isModelSpec(v: unknown): v is ModelSpec {
  return typeof v === 'object' && v !== null && 'kinds' in v && 'controllers' in v
}
