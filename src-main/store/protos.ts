// The store's .proto files (etcd v3's rpc.proto and kv.proto, and our Replication service) loaded for grpc-js:
// the replica's server and every client (the lab's, the load generator's, live mode's) share them. Its own
// module so that a client loads protos without the replica (and Automerge's wasm) behind them.
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'

export const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url))

// Messages are decoded protobuf objects (proto-loader: keepCase, longs as strings, enums as strings).
export function loadProtos(protoDir = PROTO_DIR): grpc.GrpcObject {
  const def = protoLoader.loadSync(['rpc.proto', 'dismerge.proto'], {
    includeDirs: [protoDir], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
  })
  return grpc.loadPackageDefinition(def)
}

/** A service of the loaded protos by its full name ("etcdserverpb.KV"): a client constructor, whose `.service` the server takes. */
export function protoService(pkg: grpc.GrpcObject, name: string): grpc.ServiceClientConstructor {
  let o: unknown = pkg
  for (const p of name.split('.')) o = (o as Record<string, unknown> | undefined)?.[p]
  if (typeof o !== 'function') throw new Error(`no service ${name} in the store's protos`)
  return o as grpc.ServiceClientConstructor
}
