// The Model interface every model implements (built-in, orchestration, or user-written), per DESIGN.md "Checker".
import type { ModelInfo, ParamValues, PropertyInfo, PropertyKind } from '../../src-shared/types.ts'

export interface Property<S> {
  name: string
  kind: PropertyKind
  description: string
  /**
   * always: must hold in every reachable state; sometimes: must hold in at least one;
   * eventually: every fair maximal path from an initial state reaches a state where it holds;
   * converges: the goal — once environment actions stop, every fair path reaches it and stays in it.
   */
  check(state: S): boolean
}

/** A set of actions sharing a controller: the unit of weak fairness and of "environment" (user / fault) steps. */
export interface ActionGroup {
  name: string
  /** Weak fairness: a group continuously enabled along an infinite path must eventually be taken. */
  fair?: boolean
  /** User or fault actions: they stop before convergence is judged (converges ignores them). */
  environment?: boolean
  /**
   * Groups made interchangeable by a symmetry reduction (say the instances of one controller) share a class: the
   * reduced graph cannot tell which member a path's later steps belong to, so weak fairness is judged per class,
   * conservatively, and a fair cycle found that way is not a counterexample (liveness.ts).
   */
  cls?: string
}

export interface Model<S = unknown, A = unknown> {
  /** Initial states, in a deterministic order. */
  init(): S[]
  /** Candidate actions in a deterministic order; next() may still reject one (disabled). */
  actions(state: S): readonly A[]
  /** The successor, or undefined when the action is disabled in this state. Must not mutate `state`. */
  next(state: S, action: A): S | undefined
  /** Canonical bytes: equal states must encode to equal bytes. */
  encode(state: S): Uint8Array
  decode(bytes: Uint8Array): S
  /**
   * Optional: the state's 64-bit fingerprint (out[0], out[1], neither 0) without encoding it — a canonical key,
   * which may identify more states than encode() does (e.g. states equal up to a renaming that every step and
   * property respects). When given, the checker uses it everywhere instead of hashing encode()'s bytes.
   */
  fingerprint?(state: S, out: Int32Array): void
  properties: readonly Property<S>[]
  formatAction(action: A): string
  /**
   * Optional: the action's coverage label, shared by every action of one kind (e.g. a controller's name); without
   * it the checker uses formatAction with every number replaced by "#".
   */
  actionLabel?(action: A): string
  /** Optional: what `action` does in `state`, one line for traces (e.g. the write a controller makes). */
  explain?(state: S, action: A): string
  /** A JSON view of the state for traces and the explorer. */
  describe(state: S): unknown
  /** Optional boundary: states outside it are counted but not expanded. */
  within?(state: S): boolean
  /** Optional action groups (fairness, environment); without them every action is in one unfair system group. */
  groups?: readonly ActionGroup[]
  /** Index into groups of an action's group (required when groups is given). */
  groupOf?(action: A): number
  /**
   * Optional, for a model reduced by a symmetry (groups with a class): the model without the reduction (the same
   * states and actions, instances told apart, one group per instance) and the reduced form of one of its states.
   * With them the liveness pass lifts a fair cycle of the reduced graph, only a candidate, to a concrete one (lift.ts).
   */
  symmetry?: { unreduced(): Model<S, A>; reduce(state: S): S }
}

/** A named model with its parameter schema and a factory; what the registry lists and workers instantiate. */
export interface ModelDefinition {
  info: ModelInfo
  create(params: ParamValues): Model<any, any>
}

/**
 * A property as a model declares it, once: name, kind and description, and its check built from what the model
 * instance knows (C: its parameters, say). The model's properties and its ModelInfo's both derive from one list.
 */
export interface PropertyDecl<S, C> extends PropertyInfo {
  check(ctx: C): (state: S) => boolean
}

/** The ModelInfo view of declared properties. */
export function propertyInfos(decls: readonly PropertyDecl<any, any>[]): PropertyInfo[] {
  return decls.map(({ name, kind, description }) => ({ name, kind, description }))
}

/** The properties of one model instance. */
export function bindProperties<S, C>(decls: readonly PropertyDecl<S, C>[], ctx: C): Property<S>[] {
  return decls.map((d) => ({ name: d.name, kind: d.kind, description: d.description, check: d.check(ctx) }))
}

/** The properties checked on every state as it is found (always, sometimes), in model order. */
export function stateProperties<S>(model: Pick<Model<S>, 'properties'>): Property<S>[] {
  return model.properties.filter((p) => p.kind === 'always' || p.kind === 'sometimes')
}

/** The properties decided on the whole graph after a complete search (eventually, converges), in model order. */
export function livenessProperties<S>(model: Pick<Model<S>, 'properties'>): Property<S>[] {
  return model.properties.filter((p) => p.kind === 'eventually' || p.kind === 'converges')
}
