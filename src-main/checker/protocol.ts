// Messages between the checker's coordinator and its explorer workers, and the shared control words.
import type { ActionCoverage } from '../../src-shared/types.ts'
import type { Chunk } from './frontier.ts'
import type { CheckRequest } from './run-types.ts'
import type { SharedVisitedBuffers } from './shared-visited.ts'
import type { GraphCols } from './state-graph.ts'

// Int32 words of the halt buffer (shared by the host's stop button, the coordinator and every explorer).
export const H_STOP = 0 // 1 = stop asked from outside (UI / CLI)
export const H_CODE = 1 // why the coordinator or a worker halted the run (HaltCode), 0 = running
export const H_NEXT_WALK = 2 // simulation: next walk index to take
export const H_MIN_VIOLATION_WALK = 3 // simulation: lowest walk index with a violation (stop-on-violation)
export const H_HUNGRY = 4 // DFS: idle workers asking for a share of someone's stack
export const H_WORDS = 8

export const HALT_STOPPED = 1
export const HALT_TIMEOUT = 2
export const HALT_VIOLATION = 3
export const HALT_STATES = 4
export const HALT_FAILED = 5

// Float64 words per worker in the stats buffer, read by the coordinator for progress.
export const S_GENERATED = 0
export const S_STORED = 1
export const S_PROCESSED = 2
export const S_MAXDEPTH = 3
export const S_WALKS = 4 // random walks finished
export const S_WALK_STEPS = 5 // states expanded along them
export const S_WALK_DEPTH = 6 // the deepest step a walk reached
export const S_WALK_CALLS = 7 // model.next calls made by walks
export const S_CALLS = 8 // model.next calls made expanding states (BFS, DFS)
export const S_HUNTED = 9 // states the portfolio's cycle hunter expanded (hunter.ts)
export const S_WORDS = 10

/** An explorer's start: the check's request as the lab built it, and beside it what the coordinator shares. */
export interface ExplorerInit {
  role: 'explorer'
  request: CheckRequest
  index: number
  visited: SharedVisitedBuffers
  halt: SharedArrayBuffer
  stats: SharedArrayBuffer
  /** BFS: keep new states as objects instead of encoding them (explorer.ts). */
  holdStates?: boolean
  /** Record the transition graph for the liveness pass (state-graph.ts). */
  graph?: boolean
  /** The portfolio: run a cycle hunter beside the BFS (hunter.ts). */
  hunt?: boolean
  /** Columns restored from a checkpoint. */
  parents?: Float64Array
  via?: Int32Array
}

/** Where a model's own code failed. */
export interface FailureInfo {
  message: string
  /** decode, actions, next, encode, property "name", within */
  phase: string
  /** The state being expanded (its global id), or null. */
  id: number | null
  /** Index of the action within actions(state), or -1. */
  action: number
  /** Formatted action name when it could be formatted. */
  actionName: string | null
}

export interface SimFinding {
  walk: number
  init: number
  actions: number[]
}

export type ToExplorer =
  | { t: 'level'; probe: boolean; settled: boolean[] }
  | { t: 'chunk'; chunk: Chunk }
  | { t: 'end' }
  | { t: 'dfs'; chunk: Chunk; settled: boolean[] }
  /** Walks with local numbers from the shared counter (H_NEXT_WALK) up to `to`, exclusive. */
  | { t: 'sim'; settled: boolean[]; to: number }
  /** The cycle hunter's share of a portfolio round: expand up to `states` states. */
  | { t: 'hunt'; states: number }
  /** Encode these held states (its own, not yet expanded) and hand them back as bytes, for explorer `for`. */
  | { t: 'release'; chunk: Chunk; for: number }
  | { t: 'collect' }
  | { t: 'snapshot' }
  /** The check is over: the explorer closes its port and its thread ends on its own. */
  | { t: 'exit' }

export type FromExplorer =
  | { t: 'ready' }
  | { t: 'out'; chunk: Chunk }
  | { t: 'need' }
  | { t: 'level-done'; found: (number | null)[]; unseen: boolean }
  | { t: 'share'; chunk: Chunk }
  | { t: 'released'; chunk: Chunk; for: number }
  | { t: 'idle'; found: (number | null)[]; cutByDepth: boolean; hist: number[] }
  | { t: 'sim-done'; found: (SimFinding | null)[] }
  | { t: 'hunt-done' }
  | { t: 'failed'; failure: FailureInfo }
  /**
   * actions: this explorer's per-action coverage (collect only); held: the states it holds, encoded (snapshot only);
   * hunt: its cycle hunter's graph (collect only).
   */
  | { t: 'columns'; parents: Float64Array; via: Int32Array; graph?: GraphCols; actions?: ActionCoverage[]; held?: Chunk; hunt?: GraphCols }
