// A minimal etcd v3 + Replication client on grpc-js over our own .proto files (the app and tests; the load
// generator uses bench-client.ts).
import * as grpc from '@grpc/grpc-js'
import { loadProtos, protoService } from '../../store/protos.ts'

export type Msg = Record<string, any>

type Unary = (req: Msg) => Promise<Msg>

export interface StoreClient {
  put: Unary
  range: Unary
  deleteRange: Unary
  txn: Unary
  leaseGrant: Unary
  memberList: Unary
  status: Unary
  replicationStatus: Unary
  compare: Unary
  conflicts: Unary
  close(): void
}

let protos: grpc.GrpcObject | null = null

function ctor(name: string): grpc.ServiceClientConstructor {
  protos = protos ?? loadProtos()
  return protoService(protos, name)
}

function promisify(client: grpc.Client, method: string, deadlineMs: number): Unary {
  const fn = (client as unknown as Record<string, (req: Msg, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: Msg) => void) => void>)[method].bind(client)
  // deadlineMs 0: no deadline (the load generator: a timer per call costs it ~15% of its CPU).
  if (deadlineMs <= 0) return (req) => new Promise((resolve, reject) => fn(req, {}, (e, r) => (e ? reject(e) : resolve(r))))
  return (req) => new Promise((resolve, reject) => fn(req, { deadline: Date.now() + deadlineMs }, (e, r) => (e ? reject(e) : resolve(r))))
}

export function createStoreClient(endpoint: string, deadlineMs = 10_000): StoreClient {
  const creds = grpc.credentials.createInsecure()
  // One HTTP/2 channel shared by all services of this client.
  const kv = new (ctor('etcdserverpb.KV'))(endpoint, creds)
  const channelOverride = kv.getChannel()
  const opts = { channelOverride }
  const lease = new (ctor('etcdserverpb.Lease'))(endpoint, creds, opts)
  const cluster = new (ctor('etcdserverpb.Cluster'))(endpoint, creds, opts)
  const maint = new (ctor('etcdserverpb.Maintenance'))(endpoint, creds, opts)
  const repl = new (ctor('stabilis.store.v1.Replication'))(endpoint, creds, opts)
  return {
    put: promisify(kv, 'Put', deadlineMs),
    range: promisify(kv, 'Range', deadlineMs),
    deleteRange: promisify(kv, 'DeleteRange', deadlineMs),
    txn: promisify(kv, 'Txn', deadlineMs),
    leaseGrant: promisify(lease, 'LeaseGrant', deadlineMs),
    memberList: promisify(cluster, 'MemberList', deadlineMs),
    status: promisify(maint, 'Status', deadlineMs),
    replicationStatus: promisify(repl, 'ReplicationStatus', deadlineMs),
    compare: promisify(repl, 'Compare', deadlineMs),
    conflicts: promisify(repl, 'Conflicts', deadlineMs),
    close: () => kv.close(),
  }
}
