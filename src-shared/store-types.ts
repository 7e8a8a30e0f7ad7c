// DTOs of the store lab: what the Store page shows of the replicated store and the faults it can inject.

export interface StorePeerView {
  name: string
  connected: boolean
  /** How that peer's last reported heads relate to this replica's: equal, ahead, behind, concurrent, unknown. */
  relation: string
  /** The directed link from this replica to the peer is cut. */
  cut: boolean
}

export interface StoreReplicaView {
  name: string
  up: boolean
  pid: number | null
  endpoint: string
  /** etcd revision: this replica's own commit counter. */
  revision: number
  heads: string[]
  keys: number
  changes: number
  storageError: string | null
  peers: StorePeerView[]
}

/** One write made through the lab, and which replicas hold it (null: replica down). */
export interface DurabilityRow {
  key: string
  via: string
  heads: string[]
  held: (boolean | null)[]
}

export interface StoreView {
  running: boolean
  dir: string | null
  replicas: StoreReplicaView[]
  /** Columns follow `replicas`; newest write first. */
  durability: DurabilityRow[]
}

export type StoreFault =
  | { kind: 'kill' | 'stop' | 'restart'; replica: string }
  | { kind: 'partition'; groups: string[][] }
  | { kind: 'heal' }

export interface StoreKeyValue {
  key: string
  value: string
  modRevision: number
  version: number
}

export interface StorePutResult {
  revision: number
  heads: string[]
}
