// The user-model SDK's types (docs/sdk.md). Types only: a model file may `import type` them from anywhere, since
// Node's type stripping erases type imports and the file then depends on nothing at run time.
import type { ParamSpec, ParamValues, PropertyKind } from '../../../src-shared/types.ts'

export type { ParamSpec, ParamValues, PropertyKind }

/** The datastore consistency levels (docs/models.md): what a controller may read and where its write lands. */
export type Level = 'synchronous' | 'monotonic-session' | 'resettable-session' | 'optimistic' | 'causal'

/** A field of a custom resource's spec or status. An enum is a string from its options. */
export type FieldType = 'int' | 'string' | 'bool' | 'string[]' | 'int[]' | { enum: readonly string[] }

export type FieldsSchema = Readonly<Record<string, FieldType>>

/** A custom resource kind: the fields of its spec and status (every field required; status fields default to 0 / '' / false / [] / the first option). */
export interface KindSchema {
  spec: FieldsSchema
  status?: FieldsSchema
}

export type FieldValue = number | string | boolean | readonly string[] | readonly number[]
export type Fields = Readonly<Record<string, FieldValue>>

export interface ObjectMeta {
  readonly name: string
  /** "u0-<Kind>-<name>" for initial objects, "u<revision>" for created ones. */
  readonly uid: string
  /** resourceVersion: the revision of the last write. Only compare revisions (=, <); never do arithmetic on them. */
  readonly rv: number
  /** Always 1 in user models (not modelled: compare spec with status instead). */
  readonly generation: number
  readonly labels: Readonly<Record<string, string>>
  readonly owner?: { readonly kind: string; readonly name: string; readonly uid: string }
  /** Sorted. A delete of an object with finalizers only marks it (deletion set); removing the last one deletes it. */
  readonly finalizers: readonly string[]
  /** Set when the object is terminating (soft-deleted): the revision of the delete. */
  readonly deletion?: number
}

/** A resource as controllers and properties see it. Frozen: change it with ctx.update, never by assignment. */
export interface Obj<Spec extends Fields = Record<string, any>, Status extends Fields = Record<string, any>> {
  readonly kind: string
  readonly meta: ObjectMeta
  readonly spec: Readonly<Spec>
  readonly status: Readonly<Status>
}

/** An API write made by ctx.create / ctx.update / ctx.delete. A step returns at most one. */
export interface Write {
  readonly op: 'create' | 'update' | 'delete'
  readonly kind: string
}

export interface ListFilter {
  /** Every label given must match. */
  labels?: Readonly<Record<string, string>>
  /** Only objects whose owner is this object (by uid). */
  owner?: Obj
  /** false: leave out terminating objects. Default: include them. */
  terminating?: boolean
}

/** Read access to one snapshot of the datastore. */
export interface Reader {
  get(kind: string, name: string): Obj | undefined
  /** Objects of a kind, sorted by name. */
  list(kind: string, filter?: ListFilter): Obj[]
  /** The model's parameter values (built-in ones and the model's own). */
  readonly params: ParamValues
}

export interface CreateInit {
  spec: Fields
  /** Missing status fields take their defaults. */
  status?: Fields
  labels?: Readonly<Record<string, string>>
  owner?: Obj
  finalizers?: readonly string[]
}

export interface Change {
  /** Merged into the object's spec (shallow). */
  spec?: Fields
  /** Merged into the object's status (shallow). */
  status?: Fields
  /** Replace the labels. */
  labels?: Readonly<Record<string, string>>
  /** Replace the finalizers. */
  finalizers?: readonly string[]
}

/** What a controller step (or a user action) gets: the view it read, and the API to make one write. */
export interface StepContext extends Reader {
  /** This controller instance's name ("operator-1"); "user" for user actions. */
  readonly controller: string
  /** Create a new object (fails, changing nothing, when the name exists). */
  create(kind: string, name: string, init: CreateInit): Write
  /** Update from what was read: fails on a stale resourceVersion. undefined when the change changes nothing. */
  update(obj: Obj, change: Change): Write | undefined
  /** Delete: soft while finalizers remain (sets meta.deletion), else hard. undefined when already terminating. */
  delete(obj: Obj): Write | undefined
}

export type StepReturn = Write | undefined | null | void

export interface ControllerSpec {
  /** Instances are named "<name>-1", "<name>-2", … (parameter `instances`). */
  name: string
  /** Pure: the same view must give the same write. Return nothing when there is nothing to do. */
  step(ctx: StepContext): StepReturn
  /**
   * Optional: the writes this controller waits to see before it acts again, as Kubernetes controllers keep
   * expectations. After such a write succeeds, the controller's next view contains it (until it restarts).
   */
  expects?(write: Write): boolean
}

/** A user action: an environment step (bounded by the `userActions` parameter), applied at the head. */
export interface UserActionSpec {
  label: string
  write(ctx: StepContext): StepReturn
}

export interface PropertyContext extends Reader {
  /** True when no controller has anything left to do (no controller step is enabled). */
  quiescent(): boolean
}

export interface PropertySpec {
  name: string
  /**
   * always: holds in every reachable state; sometimes: holds in some reachable state; eventually: every fair path
   * reaches it; converges: once user actions and faults stop, every fair path reaches it and stays (the run
   * reports oscillations as lassos and the worst-case steps-to-converge).
   */
  kind: PropertyKind
  description: string
  /** Reads the head of the datastore (causal: the merge of all heads). */
  check(r: PropertyContext): boolean
}

/** One object of the initial datastore. */
export interface InitialObject {
  kind: string
  name: string
  spec: Fields
  status?: Fields
  labels?: Readonly<Record<string, string>>
  finalizers?: readonly string[]
}

type Per<T> = T | ((params: ParamValues) => T)

/** A whole user model: the default export of a model file (docs/sdk.md). */
export interface ModelSpec {
  /** Unique among all models; lower-case words and dashes. */
  id: string
  title?: string
  description?: string
  kinds: Readonly<Record<string, KindSchema>>
  initial: Per<readonly InitialObject[]>
  controllers: Per<readonly ControllerSpec[]>
  userActions?: Per<readonly UserActionSpec[]>
  properties: readonly PropertySpec[]
  /** The model's own parameters (besides consistency, instances, history, userActions, controllerRestarts). */
  params?: readonly ParamSpec[]
  /** Defaults of the built-in parameters. */
  defaults?: { consistency?: Level; instances?: number; history?: number; userActions?: number; controllerRestarts?: number }
}
