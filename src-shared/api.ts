// The LabApi contract: the one interface every host exposes (Electron preload, web host, in-process for the CLI).
import type {
  Comparison,
  ComparisonInput,
  CsvReport,
  LabEvent,
  Matrix,
  MatrixSpec,
  MatrixSummary,
  ModelInfo,
  ExploreRequest,
  ExploreView,
  ReplayResult,
  ReplayTarget,
  RunConfig,
  RunDetail,
  RunPatch,
  RunSummary,
} from './types.ts'
import type { LiveComparison, LiveConfig, LiveEvent, LiveFault, LiveRunSummary, LiveTrace } from './live-types.ts'
import type { StoreBenchOptions, StoreBenchRun, StoreChaosOptions, StoreChaosRun, StoreFault, StoreKeyValue, StorePutResult, StoreView } from './store-types.ts'

export interface LabApi {
  listModels(): Promise<ModelInfo[]>
  /** Validates, saves and starts a check; resolves once the run exists, not when it ends. */
  startRun(config: RunConfig): Promise<RunSummary>
  /** Continues an interrupted or stopped run from its last checkpoint (BFS); resolves once it runs again. */
  resumeRun(runId: number): Promise<RunSummary>
  /**
   * Folds finished simulation shard runs (same model, parameters, seed and walk count; distinct shards of one split)
   * into one saved run: a property is violated (or witnessed) if a shard found it, with the trace of the
   * lowest-numbered walk; unknown otherwise. Its unique and generated states are sums over the shards.
   */
  mergeRuns(runIds: number[]): Promise<RunSummary>
  /** Asks a running check to stop; it is saved as "stopped" with the figures reached. */
  stopRun(runId: number): Promise<void>
  getRun(runId: number): Promise<RunDetail>
  listRuns(): Promise<RunSummary[]>
  exportCsv(runIds: number[], report: CsvReport): Promise<string>
  /** Renames a run, sets its notes or tags; returns the updated summary. */
  updateRun(runId: number, patch: RunPatch): Promise<RunSummary>
  /**
   * Soft delete: the runs leave listRuns (getRun still answers) and restoreRuns brings them back. Runs deleted
   * more than an hour ago are purged for good, with their samples and traces, at start-up and on the next delete.
   * A running run cannot be deleted.
   */
  deleteRuns(runIds: number[]): Promise<void>
  /** Takes runs back out of the bin; returns their summaries. */
  restoreRuns(runIds: number[]): Promise<RunSummary[]>
  listComparisons(): Promise<Comparison[]>
  /** Creates (no id) or updates a saved comparison of 2–4 runs. */
  saveComparison(input: ComparisonInput): Promise<Comparison>
  deleteComparison(id: number): Promise<void>
  /** Rebuilds a trace by re-running the run's model from its initial state, matching action names step by step. */
  replayTrace(runId: number, target: ReplayTarget): Promise<ReplayResult>
  /** Explore by hand: the run's model along a path from an initial state, and the actions enabled at its end. */
  exploreState(runId: number, request: ExploreRequest): Promise<ExploreView>
  /** Starts a replicated store of 1–7 replica processes (one at a time). */
  storeStart(replicas: number): Promise<StoreView>
  /** Stops every replica of the running store. */
  storeStop(): Promise<void>
  /** Replicas, their heads and peers, and the durability table of writes made through the lab. */
  storeView(): Promise<StoreView>
  /** Kill -9, stop or restart a replica; partition replicas into groups; heal every link. */
  storeFault(fault: StoreFault): Promise<StoreView>
  storePut(replica: string, key: string, value: string): Promise<StorePutResult>
  /** Keys with the given prefix as the named replica sees them. */
  storeRange(replica: string, prefix: string): Promise<StoreKeyValue[]>
  /**
   * Starts a store benchmark (this store, and etcd when installed) saved as a run of kind "store-bench"; resolves once
   * it is saved as running. Progress arrives as store-bench-progress events, the end as store-bench-finished.
   */
  storeBench(options?: StoreBenchOptions): Promise<StoreBenchRun>
  /** Saved store benchmarks, newest first. */
  listBenchRuns(): Promise<StoreBenchRun[]>
  getBenchRun(id: number): Promise<StoreBenchRun>
  /** Stops a running store benchmark within a second or so; it is saved as stopped with the workloads it finished. */
  stopBenchRun(id: number): Promise<StoreBenchRun>
  /**
   * Starts a store chaos run (clients, a nemesis, a checker) saved as a run of kind "store-chaos"; resolves once it
   * is saved as running. Progress arrives as store-chaos-progress events, the end (with the verdict) as store-chaos-finished.
   */
  storeChaos(options?: StoreChaosOptions): Promise<StoreChaosRun>
  /** Saved store chaos runs, newest first. */
  listChaosRuns(): Promise<StoreChaosRun[]>
  getChaosRun(id: number): Promise<StoreChaosRun>
  /** Ends the load and the faults early; the heal and the checks still run. */
  stopChaosRun(id: number): Promise<StoreChaosRun>
  /** Validates a matrix (scenario × consistency levels × instance counts), saves it and starts its cells; resolves at once. */
  startMatrix(spec: MatrixSpec): Promise<MatrixSummary>
  /** A matrix with every cell's run, verdict, violated properties, unique states and time. */
  getMatrix(matrixId: number): Promise<Matrix>
  /** Saved matrices, newest first. */
  listMatrices(): Promise<MatrixSummary[]>
  /** Stops a running matrix: running cells stop (saved as stopped), pending cells never start. */
  stopMatrix(matrixId: number): Promise<void>
  /** Validates, saves (kind "live") and starts a live run; resolves once saved. Its timeline arrives as live-events. */
  startLive(config: LiveConfig): Promise<LiveRunSummary>
  /** Stops a running live run; resolves once it is saved as stopped. */
  stopLive(runId: number): Promise<LiveRunSummary>
  /** Applies a fault to a running live run now. */
  liveFault(runId: number, fault: LiveFault): Promise<void>
  /** Saved live runs, newest first. */
  listLiveRuns(): Promise<LiveRunSummary[]>
  /** A live run with its result and the checker's prediction for it. */
  getLiveRun(runId: number): Promise<LiveRunSummary>
  /** A live run's timeline from event `fromSeq` on. */
  getLiveEvents(runId: number, fromSeq?: number): Promise<LiveEvent[]>
  /**
   * A finished live run's violation as a trace: the events from the last disturbance before the property's first
   * violation up to it (the first violated property when none is named), with the objects involved.
   */
  getLiveTrace(runId: number, property?: string): Promise<LiveTrace>
  /**
   * A live run beside the check that predicts it: `checkRunId`, or else the newest saved matrix cell of its scenario
   * at the level its set-up realises and its instances. Per property predicted against observed; steps to converge.
   */
  compareLive(runId: number, checkRunId?: number): Promise<LiveComparison>
  /** Subscribes to run and store events; returns the unsubscribe function. */
  onEvent(listener: (event: LabEvent) => void): () => void
}

/** The request/response methods of LabApi (everything but onEvent), in one list so hosts can wire them all. */
export const LAB_METHODS = [
  'listModels',
  'startRun',
  'resumeRun',
  'mergeRuns',
  'stopRun',
  'getRun',
  'listRuns',
  'exportCsv',
  'updateRun',
  'deleteRuns',
  'restoreRuns',
  'listComparisons',
  'saveComparison',
  'deleteComparison',
  'replayTrace',
  'exploreState',
  'storeStart',
  'storeStop',
  'storeView',
  'storeFault',
  'storePut',
  'storeRange',
  'storeBench',
  'listBenchRuns',
  'getBenchRun',
  'stopBenchRun',
  'storeChaos',
  'listChaosRuns',
  'getChaosRun',
  'stopChaosRun',
  'startMatrix',
  'getMatrix',
  'listMatrices',
  'stopMatrix',
  'startLive',
  'stopLive',
  'liveFault',
  'listLiveRuns',
  'getLiveRun',
  'getLiveEvents',
  'getLiveTrace',
  'compareLive',
] as const
export type LabMethod = (typeof LAB_METHODS)[number]

/** Channel prefix for Electron IPC; events travel on LAB_EVENT_CHANNEL. */
export const LAB_IPC_PREFIX = 'lab:'
export const LAB_EVENT_CHANNEL = 'lab:event'

/** Error carried across a host boundary with a code the caller can act on. */
export interface LabErrorShape {
  code: 'bad-input' | 'not-found' | 'internal'
  message: string
}
