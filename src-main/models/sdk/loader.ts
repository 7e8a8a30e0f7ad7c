// Loading user models at run time (docs/sdk.md): a model file's default export is a ModelSpec (made into a model by
// defineModel) or a ModelDefinition. Files come from the models folder (default: "models" beside the database;
// STABILIS_MODELS overrides it) and from files named explicitly (`--model-file`). Every error names the file.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { ModelDefinition } from '../../checker/model.ts'
import type { ModelInfo } from '../../../src-shared/types.ts'
import { defineModel, isModelSpec } from './index.ts'

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs']

/** The models folder for a database file: STABILIS_MODELS, else "models" beside it; null for an in-memory database. */
export function defaultModelsDir(dbFile: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.STABILIS_MODELS) return resolve(env.STABILIS_MODELS)
  return dbFile === ':memory:' ? null : join(dirname(resolve(dbFile)), 'models')
}

/** Model files in a folder (not recursive), sorted; a missing folder has none. */
export function modelFilesIn(dir: string | null): string[] {
  if (!dir || !existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => EXTENSIONS.includes(extname(f)) && !f.endsWith('.d.ts') && !f.startsWith('.') && !f.startsWith('_'))
    .sort()
    .map((f) => join(dir, f))
}

function toPath(file: string): string {
  return file.startsWith('file:') ? fileURLToPath(file) : resolve(file)
}

function errorText(err: unknown, path?: string): string {
  if (!(err instanceof Error)) return String(err)
  const text = err.message.trim().split('\n').filter((l) => l.trim() !== '').slice(0, 6).join(' | ')
  return path ? `${text}${locate(err, path)}` : text
}

/** " (line N)" from an error's stack: a syntax error's "<path>:N" header, or the first frame in the file. */
export function locate(err: Error, path: string): string {
  const stack = err.stack ?? ''
  const url = pathToFileURL(path).href
  for (const line of stack.split('\n')) {
    const at = line.indexOf(path) >= 0 ? line.slice(line.indexOf(path) + path.length) : line.indexOf(url) >= 0 ? line.slice(line.indexOf(url) + url.length) : null
    if (at === null) continue
    const m = /^(?:\?[^:]*)?:(\d+)(?::(\d+))?/.exec(at)
    if (m) return m[2] ? ` (line ${m[1]}, column ${m[2]})` : ` (line ${m[1]})`
  }
  return ''
}

/**
 * Imports a model file (absolute or relative path, or a file: URL) and returns its ModelDefinition with `source`
 * set. Node caches the module: a long-lived process sees a file as it was first imported (listings and runs import
 * it in a fresh worker thread instead). Throws an Error whose message names the file.
 */
export async function importModelFile(file: string): Promise<ModelDefinition> {
  const path = toPath(file)
  if (!existsSync(path)) throw new Error(`model file ${path} not found`)
  const url = pathToFileURL(path).href
  let mod: Record<string, unknown>
  try {
    mod = (await import(url)) as Record<string, unknown>
  } catch (err) {
    throw new Error(`cannot load model file ${path}: ${errorText(err, path)}`)
  }
  const d = mod.default
  if (d === undefined) {
    throw new Error(`model file ${path} has no default export; end it with "export default { id, kinds, controllers, properties, … }" (a ModelSpec, see docs/sdk.md)`)
  }
  let def: ModelDefinition
  if (isModelSpec(d)) {
    try {
      def = defineModel(d)
    } catch (err) {
      throw new Error(`model file ${path}: ${errorText(err)}`)
    }
  } else if (typeof d === 'object' && d !== null && 'info' in d && 'create' in d && typeof (d as ModelDefinition).create === 'function') {
    def = d as ModelDefinition
  } else {
    throw new Error(`model file ${path}: the default export is ${d === null ? 'null' : typeof d}, not a model (a ModelSpec with kinds, controllers and properties, or a ModelDefinition)`)
  }
  return { info: { ...def.info, source: path }, create: def.create }
}

/** What a "model-info" worker (lab/check-worker.ts) answers: per file, its info or the load error. */
export type FileInfo = { file: string; info: ModelInfo } | { file: string; error: string }

/** Imports each file in this thread; for the "model-info" worker role. */
export async function describeModelFiles(files: readonly string[]): Promise<FileInfo[]> {
  const out: FileInfo[] = []
  for (const file of files) {
    try {
      out.push({ file, info: (await importModelFile(file)).info })
    } catch (err) {
      out.push({ file, error: err instanceof Error ? err.message : String(err) })
    }
  }
  return out
}

const DEFAULT_ENTRY = new URL('../../lab/check-worker.ts', import.meta.url)
const LIST_TIMEOUT_MS = 20_000
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

/** Imports files in a fresh worker thread: user code never runs in the lab's own thread, and an edited file is read anew. */
function describeInWorker(files: string[], entry: URL | string): Promise<FileInfo[]> {
  return new Promise((done) => {
    const worker = new Worker(entry, { workerData: { role: 'model-info', files } })
    const fail = (why: string): void => {
      done(files.map((file) => ({ file, error: `model file ${file}: ${why}` })))
      void worker.terminate()
    }
    const timer = setTimeout(() => fail(`loading took longer than ${LIST_TIMEOUT_MS / 1000} s`), LIST_TIMEOUT_MS)
    worker.once('message', (m: FileInfo[]) => {
      clearTimeout(timer)
      done(m)
      void worker.terminate()
    })
    worker.once('error', (err) => {
      clearTimeout(timer)
      fail(`loading crashed: ${err.message}`)
    })
  })
}

/**
 * ModelInfos of user model files. A file that does not load is listed by its file name with `error` set, so a run
 * of it can start and fail with that error (the lab goes on). Ids taken by `taken` (built-ins) or an earlier file
 * are listed with an error too. `entry`: the worker entry (the Electron build passes its bundled check worker).
 */
export async function listUserModels(files: readonly string[], taken: readonly string[] = [], entry: URL | string = DEFAULT_ENTRY): Promise<ModelInfo[]> {
  const paths = files.map(toPath)
  const stamps = new Map(paths.map((p) => [p, stamp(p)]))
  const stale = paths.filter((p) => cache.get(p)?.stamp !== stamps.get(p))
  if (stale.length > 0) {
    for (const r of await describeInWorker(stale, entry)) cache.set(r.file, { stamp: stamps.get(r.file)!, result: r })
  }
  const seen = new Set(taken)
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
