// A model reference: the module the checker imports and the export of it that gives the model. The lab resolves a
// model id or a user model file into one, once; every checker thread then only imports what it names, so the
// checker knows the Model interface and nothing of the model library.
//
// Written as one string, so that it crosses threads and options unchanged: the module's file: URL, and in its
// fragment the export and, for an export that is a function, its argument — `file:///…/catalog.ts#builtIn=twophase`.
// A path or a URL without a fragment means the default export.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ModelDefinition } from './model.ts'

export interface ModelRef {
  /** A file path or file: URL. */
  module: string
  /** The named export: a ModelDefinition, or a function of `arg` returning one (or a promise of one). */
  export: string
  arg?: string
}

const toUrl = (module: string): string => (module.startsWith('file:') ? module : pathToFileURL(resolve(module)).href)

export function formatModelRef(ref: ModelRef): string {
  const url = toUrl(ref.module).split('#')[0]
  return `${url}#${ref.export}${ref.arg !== undefined ? `=${encodeURIComponent(ref.arg)}` : ''}`
}

export function parseModelRef(text: string): ModelRef {
  // A file: URL escapes '#' in the path (%23), so its first '#' starts the fragment; a plain path has no fragment.
  if (!text.startsWith('file:') || !text.includes('#')) return { module: toUrl(text), export: 'default' }
  const hash = text.indexOf('#')
  const fragment = text.slice(hash + 1)
  const eq = fragment.indexOf('=')
  const name = eq < 0 ? fragment : fragment.slice(0, eq)
  return { module: text.slice(0, hash), export: name || 'default', ...(eq < 0 ? {} : { arg: decodeURIComponent(fragment.slice(eq + 1)) }) }
}

function isDefinition(d: unknown): d is ModelDefinition {
  return typeof d === 'object' && d !== null && 'info' in d && typeof (d as ModelDefinition).create === 'function'
}

/** Imports the referenced module and returns its model definition; errors name the module and export. */
export async function loadDefinition(ref: ModelRef): Promise<ModelDefinition> {
  const where = `${ref.module}#${ref.export}`
  const mod = (await import(toUrl(ref.module))) as Record<string, unknown>
  let value = mod[ref.export]
  if (value === undefined) throw new Error(`${ref.module} has no export "${ref.export}"`)
  if (typeof value === 'function') value = await (value as (arg?: string) => unknown)(ref.arg)
  if (!isDefinition(value)) throw new Error(`${where} is ${value === null ? 'null' : typeof value}, not a model definition (info and create)`)
  return value
}
