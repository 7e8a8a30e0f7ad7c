// etcd's lock and election recipes (clientv3/concurrency) order contenders by create revision: a Txn comparing a
// key's CREATE revision, a Range sorted by or bounded on create revision. Their mutual exclusion needs one serial
// order of every contender's writes, which replicas that merge concurrent writes do not have (both sides of a
// partition would grant the lock). So in a cluster of more than one replica these requests are served only by the
// replica named `recipesHome`, whose own writes are serial; every other replica refuses them with
// FAILED_PRECONDITION saying where to go.
import * as grpc from '@grpc/grpc-js'
import { RpcError, type Msg } from './grpc-server.ts'
import type { ReplicaConfig } from './types.ts'

/** A request of the recipes; nested txns and ranges included. */
export function isRecipe(req: Msg, kind: 'txn' | 'range'): boolean {
  if (kind === 'range') return String(req.sort_target ?? 'KEY') === 'CREATE' || Number(req.max_create_revision ?? 0) > 0
  if ((req.compare ?? []).some((c: Msg) => String(c.target) === 'CREATE')) return true
  return [...(req.success ?? []), ...(req.failure ?? [])].some((op: Msg) => (op.request_range && isRecipe(op.request_range, 'range')) || (op.request_txn && isRecipe(op.request_txn, 'txn')))
}

export function checkRecipe(config: ReplicaConfig, req: Msg, kind: 'txn' | 'range'): void {
  const members = config.members.length
  if (members <= 1 || config.allowRecipes || config.recipesHome === config.name || !isRecipe(req, kind)) return
  const home = config.members.find((m) => m.name === config.recipesHome)
  const where = home
    ? `send them to the recipes home, replica ${home.name} (only its endpoint: --endpoints=127.0.0.1:${home.clientPort})`
    : 'start the store with --recipes-home NAME and send them to that replica only (etcdctl --endpoints=ONE)'
  throw new RpcError(grpc.status.FAILED_PRECONDITION, `stabilis store: lock and election recipes (a create-revision compare or order) need a linearizable store, and these ${members} replicas merge concurrent writes (two clients could both hold a lock); ${where}. See docs/store.md, "Locks, elections and leases"`)
}
