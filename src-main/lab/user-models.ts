// Listing user model files (docs/sdk.md) for the lab. Each file is imported in a fresh checker thread (role
// model-info), never in the lab's own: user code does not run in the lab's thread, and an edited file is read anew.
// Listings are cached per file while its mtime and size stay the same.
import { statSync } from 'node:fs'
import { basename, extname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { ModelInfo } from '../../src-shared/types.ts'
import type { ModelInfoAnswer, ModelInfoInput } from '../checker/check-protocol.ts'
import { DEFAULT_CHECK_WORKER } from './check-runner.ts'
import { userFileRef } from './model-refs.ts'

const LIST_TIMEOUT_MS = 20_000

type FileInfo = { file: string; info: ModelInfo } | { file: string; error: string }

/** Listings by file, valid while the file's mtime and size stay the same. */
const cache = new Map<string, { stamp: string; result: FileInfo }>()

function stamp(path: string): string {
  try {
    const st = statSync(path)
    return `${st.mtimeMs}:${st.size}`
  } catch {
    return 'missing'
  }
}

function describeInWorker(files: string[], entry: URL | string, catalog: URL | string | undefined): Promise<FileInfo[]> {
  return new Promise((done) => {
    const input: ModelInfoInput = { role: 'model-info', refs: files.map((f) => userFileRef(f, catalog)) }
    const worker = new Worker(entry, { workerData: input })
    const fail = (why: string): void => {
      done(files.map((file) => ({ file, error: `model file ${file}: ${why}` })))
      void worker.terminate()
    }
    const timer = setTimeout(() => fail(`loading took longer than ${LIST_TIMEOUT_MS / 1000} s`), LIST_TIMEOUT_MS)
    worker.once('message', (m: ModelInfoAnswer) => {
      clearTimeout(timer)
      done(files.map((file, i) => ({ file, ...m[i] })))
      void worker.terminate()
    })
    worker.once('error', (err) => {
      clearTimeout(timer)
      fail(`loading crashed: ${err.message}`)
    })
  })
}

export interface UserModelOptions {
  /** Ids already taken (the built-ins): a file defining one is listed with an error. */
  taken?: readonly string[]
  /** The checker worker entry (the Electron build passes its bundled copy). */
  entry?: URL | string
  /** The model catalog module (the Electron build passes its bundled copy). */
  catalog?: URL | string
}

/**
 * ModelInfos of user model files. A file that does not load is listed by its file name with `error` set, so a run
 * of it can start and fail with that error (the lab goes on). Ids taken by `taken` or an earlier file are listed
 * with an error too.
 */
export async function listUserModels(files: readonly string[], opts: UserModelOptions = {}): Promise<ModelInfo[]> {
  const paths = files.map((f) => (f.startsWith('file:') ? fileURLToPath(f) : resolve(f)))
  const stamps = new Map(paths.map((p) => [p, stamp(p)]))
  const stale = paths.filter((p) => cache.get(p)?.stamp !== stamps.get(p))
  if (stale.length > 0) {
    for (const r of await describeInWorker(stale, opts.entry ?? DEFAULT_CHECK_WORKER, opts.catalog)) cache.set(r.file, { stamp: stamps.get(r.file)!, result: r })
  }
  const seen = new Set(opts.taken ?? [])
  const out: ModelInfo[] = []
  for (const path of paths) {
    const r = cache.get(path)!.result
    let info: ModelInfo
    if ('info' in r) {
      info = r.info
      if (seen.has(info.id)) {
        info = { ...broken(path, `model file ${path}: id "${info.id}" is already taken by another model; choose another id`), id: `${info.id}@${basename(path)}` }
      }
    } else {
      info = broken(path, r.error)
      if (seen.has(info.id)) info.id = `${info.id}@${basename(path)}`
    }
    seen.add(info.id)
    out.push(info)
  }
  return out
}

function broken(path: string, error: string): ModelInfo {
  const id = basename(path, extname(path))
  return { id, title: `${id} (does not load)`, description: error, params: [], properties: [], source: path, error }
}
