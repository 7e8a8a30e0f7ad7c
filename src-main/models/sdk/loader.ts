// Loading user models at run time (docs/sdk.md): a model file's default export is a ModelSpec (made into a model by
// defineModel) or a ModelDefinition. Files come from the models folder (default: "models" beside the database;
// STABILIS_MODELS overrides it) and from files named explicitly (`--model-file`). Every error names the file.
// The lab lists them (lab/user-models.ts) and checker threads import them through models/catalog.ts.
import { existsSync, readdirSync } from 'node:fs'
import { dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ModelDefinition } from '../../checker/model.ts'
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
 * it in a fresh checker thread instead). Throws an Error whose message names the file.
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
