// Configuration of a replica process and the messages it exchanges with its supervisor over the IPC channel.

export interface LinkSpec {
  /** Drop every message on this directed link. */
  cut: boolean
  /** Delay each message by this many milliseconds. */
  delayMs: number
  /** Drop each message with this probability (0..1). */
  dropRate: number
}

export const OPEN_LINK: LinkSpec = { cut: false, delayMs: 0, dropRate: 0 }

export interface MemberSpec {
  name: string
  clientPort: number
  peerPort: number
}

export interface ReplicaConfig {
  name: string
  dataDir: string
  clientPort: number
  peerPort: number
  /** Every replica of the cluster, this one included. */
  members: MemberSpec[]
  /** Shared by the cluster; cluster and member ids derive from it. */
  clusterToken: string
  /** Outbound link settings per peer name. */
  links?: Record<string, LinkSpec>
  /** Largest request message accepted, in bytes (default DEFAULT_MAX_REQUEST_BYTES, as etcd's --max-request-bytes). */
  maxRequestBytes?: number
  /** The replica that serves etcd's lock / election recipes in a multi-replica cluster (others refuse them). */
  recipesHome?: string
  /**
   * Serve create-revision compares on every replica anyway: for a client that wants exactly the merge semantics
   * (live mode runs Kubernetes controllers whose creates compare create_revision = 0, as the API server's do).
   */
  allowRecipes?: boolean
  /** HTTP/2 implementation of the client port: ours (default) or node:http2. */
  http2?: 'raw' | 'node'
}

/** etcd's default request limit: 1.5 MiB. */
export const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024

export type Relation = 'equal' | 'ahead' | 'behind' | 'concurrent' | 'unknown'

export interface PeerStatus {
  name: string
  connectedOut: boolean
  connectedIn: boolean
  /** The peer's heads as last reported by its sync messages. */
  theirHeads: string[] | null
  /** How the peer's last reported heads relate to ours. */
  relation: Relation
  link: LinkSpec
}

export interface ReplicaStatus {
  name: string
  memberId: string
  clientPort: number
  peerPort: number
  pid: number
  revision: number
  heads: string[]
  keys: number
  changes: number
  storageError: string | null
  peers: PeerStatus[]
}

export type ToReplica =
  | { type: 'link'; peer: string; link: LinkSpec }
  | { type: 'query'; id: number; op: 'has'; hashes: string[] }
  | { type: 'stop' }

export type FromReplica =
  | { type: 'ready'; status: ReplicaStatus }
  | { type: 'status'; status: ReplicaStatus }
  | { type: 'reply'; id: number; result: unknown }
  | { type: 'fatal'; message: string }

/** 63-bit FNV-1a hash as a decimal string: stable member and cluster ids. */
export function stableId(text: string): string {
  let h = 0xcbf29ce484222325n
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= BigInt(b)
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn
  }
  const id = h & 0x7fffffffffffffffn
  return (id === 0n ? 1n : id).toString()
}
