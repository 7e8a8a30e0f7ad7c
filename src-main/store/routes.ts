// The routes: every etcd v3 service and our Replication service, method by method, onto the replica's KV, Txn,
// Lease and Watch semantics; what the store does not do is refused with UNIMPLEMENTED, saying why.
import * as grpc from '@grpc/grpc-js'
import { RpcError, refuse, streaming, unary, type GrpcServer, type Handler, type Msg } from './grpc-server.ts'
import { deleteRange, latin1, put, range } from './kv.ts'
import { keepAlive, leaseGrant, leaseRevoke, timeToLive } from './lease.ts'
import { protoService } from './protos.ts'
import type { Replica } from './replica.ts'
import { txn } from './txn.ts'
import { watchStream } from './watch.ts'

/** A unary handler served in session order: after the replica has caught up with its peers (when it has any to ask). */
function inSession(r: Replica, fn: (req: Msg) => Msg | Promise<Msg>): Handler {
  return unary((req) => {
    const c = r.caughtUp()
    return c ? c.then(() => fn(req)) : fn(req)
  })
}

function unsupported(service: string, method: string, why: string): Handler {
  return refuse(new RpcError(grpc.status.UNIMPLEMENTED, `stabilis store: ${service}.${method} is not supported (${why})`))
}

const serviceOf = (pkg: grpc.GrpcObject, name: string): grpc.ServiceDefinition => protoService(pkg, name).service

export function addServices(server: GrpcServer, r: Replica, pkg: grpc.GrpcObject): void {
  server.addService(serviceOf(pkg, 'etcdserverpb.KV'), {
    Range: inSession(r, async (req) => {
      await r.readBarrier()
      return range(r, req)
    }),
    Put: inSession(r, (req) => put(r, req)),
    DeleteRange: inSession(r, (req) => deleteRange(r, req)),
    Txn: inSession(r, (req) => txn(r, req)),
    Compact: unary((req) => {
      const rev = Number(req.revision ?? 0)
      if (rev > r.doc.rev) throw new RpcError(grpc.status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision')
      // History is the CRDT's own and is kept; compaction is accepted and does nothing.
      return { header: r.header() }
    }),
  })

  server.addService(serviceOf(pkg, 'etcdserverpb.Watch'), {
    Watch: streaming((call) => watchStream(r, call)),
  })

  server.addService(serviceOf(pkg, 'etcdserverpb.Lease'), {
    LeaseGrant: inSession(r, (req) => leaseGrant(r, req)),
    LeaseRevoke: inSession(r, (req) => leaseRevoke(r, req)),
    LeaseKeepAlive: streaming((call) => {
      let chain = Promise.resolve()
      call.on('data', (req: Msg) => {
        chain = chain.then(() => keepAlive(r, String(req.ID ?? '0'))).then(
          (resp) => call.write(resp),
          (e: unknown) => call.fail(e),
        )
      })
      call.on('end', () => { chain.then(() => call.end(), () => {}) })
    }),
    LeaseTimeToLive: inSession(r, (req) => timeToLive(r, req)),
    LeaseLeases: inSession(r, async () => {
      await r.readBarrier()
      return { header: r.header(), leases: [...r.doc.leases.keys()].map((ID) => ({ ID })) }
    }),
  })

  const fixed = 'membership is fixed when the replicas start; the lab supervisor adds and removes replicas'
  server.addService(serviceOf(pkg, 'etcdserverpb.Cluster'), {
    MemberAdd: unsupported('Cluster', 'MemberAdd', fixed),
    MemberRemove: unsupported('Cluster', 'MemberRemove', fixed),
    MemberUpdate: unsupported('Cluster', 'MemberUpdate', fixed),
    MemberPromote: unsupported('Cluster', 'MemberPromote', 'there are no raft learners'),
    MemberList: unary(() => ({ header: r.header(), members: r.members() })),
  })

  server.addService(serviceOf(pkg, 'etcdserverpb.Maintenance'), {
    Alarm: unary((req) => {
      if (req.action && req.action !== 'GET') throw new RpcError(grpc.status.UNIMPLEMENTED, 'stabilis store: Maintenance.Alarm supports only GET')
      return { header: r.header(), alarms: r.log.failure ? [{ memberID: r.memberId, alarm: 'NOSPACE' }] : [] }
    }),
    Status: unary(() => {
      const size = r.log.size()
      return {
        header: r.header(), version: '3.5.0', dbSize: size, leader: r.memberId, raftIndex: r.doc.rev, raftTerm: 1,
        raftAppliedIndex: r.doc.rev, errors: r.log.failure ? [r.log.failure.message] : [], dbSizeInUse: size, isLearner: false,
      }
    }),
    Defragment: unsupported('Maintenance', 'Defragment', 'the store keeps an append-only change log'),
    Hash: unsupported('Maintenance', 'Hash', 'compare heads with the Replication service instead'),
    HashKV: unsupported('Maintenance', 'HashKV', 'compare heads with the Replication service instead'),
    Snapshot: unsupported('Maintenance', 'Snapshot', 'copy the replica data folder instead'),
    MoveLeader: unsupported('Maintenance', 'MoveLeader', 'there is no leader: replicas merge with a CRDT'),
    Downgrade: unsupported('Maintenance', 'Downgrade', 'there is one protocol version'),
  })

  const authMethods = ['AuthEnable', 'AuthDisable', 'AuthStatus', 'Authenticate', 'UserAdd', 'UserGet', 'UserList', 'UserDelete', 'UserChangePassword',
    'UserGrantRole', 'UserRevokeRole', 'RoleAdd', 'RoleGet', 'RoleList', 'RoleDelete', 'RoleGrantPermission', 'RoleRevokePermission']
  server.addService(serviceOf(pkg, 'etcdserverpb.Auth'), Object.fromEntries(authMethods.map((m) => [m, unsupported('Auth', m, 'authentication is not implemented; the store listens on 127.0.0.1 only')])))

  server.addService(serviceOf(pkg, 'stabilis.store.v1.Replication'), {
    ReplicationStatus: unary(async (req) => {
      await r.readBarrier()
      return r.replicationStatus(req.heads ?? [])
    }),
    Compare: unary(async (req) => {
      await r.readBarrier()
      const o = r.doc.compare(req.heads_a ?? [], req.heads_b ?? [])
      const order = o === 'equal' ? 'ORDER_EQUAL' : o === 'before' ? 'BEFORE' : o === 'after' ? 'AFTER' : o === 'concurrent' ? 'ORDER_CONCURRENT' : 'ORDER_UNKNOWN'
      return { header: r.header(), order }
    }),
    Conflicts: unary(async (req) => {
      await r.readBarrier()
      return { header: r.header(), conflicts: r.doc.conflicts(latin1(req.key)) }
    }),
  })
}
