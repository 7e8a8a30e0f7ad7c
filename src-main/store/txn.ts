// etcd's Txn: compares, then the success or failure ops (ranges, puts, deletes, nested txns). Compares, reads and
// checks run at apply time, inside the write batch, so the txn is atomic with respect to the writes batched before
// and after it; all its writes form one revision.
import type { KvEntry, StoreDocument, Tx } from './document.ts'
import type { Msg } from './grpc-server.ts'
import { applyPut, checkDelete, checkPut, cmpNum, EMPTY, entriesIn, invalid, latin1, range, toKv } from './kv.ts'
import { checkRecipe } from './recipes.ts'
import type { Replica } from './replica.ts'

type Plan = { kind: 'range'; resp: Msg } | { kind: 'put'; req: Msg; prev: KvEntry | undefined } | { kind: 'del'; req: Msg; keys: string[]; prev: KvEntry[] } | ({ kind: 'txn' } & Planned)

interface Planned {
  succeeded: boolean
  plans: Plan[]
}

/** One compare of a Txn against the current state (every key of its range must pass). */
export function compare(doc: StoreDocument, c: Msg): boolean {
  const key = latin1(c.key)
  const end = latin1(c.range_end)
  const entries = end === '' ? [doc.kv.get(key) ?? null] : entriesIn(doc, key, end)
  const target = String(c.target)
  const result = String(c.result)
  const test = (e: KvEntry | null): boolean => {
    let d: number
    if (target === 'VALUE') {
      if (!e) return false
      d = Buffer.compare(e.value, Buffer.from(c.value ?? EMPTY))
    } else if (target === 'VERSION') d = cmpNum(e?.version ?? 0, Number(c.version ?? 0))
    else if (target === 'CREATE') d = cmpNum(e?.create ?? 0, Number(c.create_revision ?? 0))
    else if (target === 'MOD') d = cmpNum(e?.mod ?? 0, Number(c.mod_revision ?? 0))
    else if (target === 'LEASE') {
      const a = BigInt(e?.lease ?? '0')
      const b = BigInt(c.lease ?? '0')
      d = a < b ? -1 : a > b ? 1 : 0
    } else throw invalid(`etcdserver: unknown compare target ${target}`)
    return result === 'EQUAL' ? d === 0 : result === 'GREATER' ? d > 0 : result === 'LESS' ? d < 0 : d !== 0
  }
  return entries.every(test)
}

/** Evaluates the compares and checks the chosen ops; `seen` refuses a key written twice (as etcd does). */
function plan(r: Replica, req: Msg, seen: Set<string>): Planned {
  const claim = (k: string): void => {
    if (seen.has(k)) throw invalid('etcdserver: duplicate key given in txn request')
    seen.add(k)
  }
  const succeeded = (req.compare ?? []).every((c: Msg) => compare(r.doc, c))
  const ops: Msg[] = (succeeded ? req.success : req.failure) ?? []
  const plans = ops.map((op): Plan => {
    if (op.request_range) return { kind: 'range', resp: range(r, op.request_range) }
    if (op.request_put) {
      checkPut(r.doc, op.request_put)
      const k = latin1(op.request_put.key)
      claim(k)
      return { kind: 'put', req: op.request_put, prev: r.doc.kv.get(k) }
    }
    if (op.request_delete_range) {
      const keys = checkDelete(r.doc, op.request_delete_range)
      for (const k of keys) claim(k)
      return { kind: 'del', req: op.request_delete_range, keys, prev: keys.map((k) => r.doc.kv.get(k)).filter((e): e is KvEntry => !!e) }
    }
    if (op.request_txn) return { kind: 'txn', ...plan(r, op.request_txn, seen) }
    throw invalid('etcdserver: empty request op in txn')
  })
  return { succeeded, plans }
}

function apply(tx: Tx, plans: Plan[]): void {
  for (const p of plans) {
    if (p.kind === 'put') applyPut(tx, p.req)
    else if (p.kind === 'del') for (const k of p.keys) tx.del(k)
    else if (p.kind === 'txn') apply(tx, p.plans)
  }
}

function respond(r: Replica, rev: number, t: Planned): Msg {
  return {
    header: r.header(rev),
    succeeded: t.succeeded,
    responses: t.plans.map((p) =>
      p.kind === 'range' ? { response_range: p.resp }
        : p.kind === 'put' ? { response_put: { header: r.header(rev), prev_kv: p.req.prev_kv && p.prev ? toKv(p.prev) : null } }
          : p.kind === 'del' ? { response_delete_range: { header: r.header(rev), deleted: p.keys.length, prev_kvs: p.req.prev_kv ? p.prev.map((e) => toKv(e)) : [] } }
            : { response_txn: respond(r, rev, p) }),
  }
}

export async function txn(r: Replica, req: Msg): Promise<Msg> {
  checkRecipe(r.config, req, 'txn')
  let top: Planned = { succeeded: false, plans: [] }
  const rev = await r.write((tx) => {
    top = plan(r, req, new Set())
    apply(tx, top.plans)
  })
  return respond(r, rev, top)
}
