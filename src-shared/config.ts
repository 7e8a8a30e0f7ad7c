// Run-config defaults and validation. Every message names the offending field so a CLI flag or form field can be fixed.
import { badInput } from './errors.ts'
import type { ModelInfo, ParamSpec, ParamValue, ParamValues, RunConfig, Shard, Strategy } from './types.ts'

export const STRATEGIES: readonly Strategy[] = ['bfs', 'dfs', 'sim', 'auto']
export const MAX_SHARDS = 10_000
export const MAX_WORKERS = 64

export function defaultParams(model: ModelInfo): ParamValues {
  const out: ParamValues = {}
  for (const p of model.params) out[p.name] = p.default
  return out
}

export function defaultRunConfig(model: ModelInfo): RunConfig {
  return {
    model: model.id,
    params: defaultParams(model),
    strategy: 'bfs',
    workers: 1,
    maxDepth: 0,
    timeout: 0,
    seed: 1,
    stopOnViolation: false,
  }
}

/** Parses a textual value (from --set or a form) into the parameter's type; throws naming the parameter. */
export function parseParamValue(spec: ParamSpec, raw: string): ParamValue {
  const text = raw.trim()
  switch (spec.kind) {
    case 'int': {
      if (!/^[+-]?\d+$/.test(text)) throw badInput(`parameter "${spec.name}" must be a whole number, got "${raw}"`)
      return Number(text)
    }
    case 'bool': {
      if (text === 'true' || text === '1' || text === 'yes') return true
      if (text === 'false' || text === '0' || text === 'no') return false
      throw badInput(`parameter "${spec.name}" must be true or false, got "${raw}"`)
    }
    case 'enum': {
      if (!spec.options.includes(text)) {
        throw badInput(`parameter "${spec.name}" must be one of ${spec.options.join(', ')}, got "${raw}"`)
      }
      return text
    }
  }
}

function checkParam(spec: ParamSpec, value: unknown): ParamValue {
  switch (spec.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw badInput(`parameter "${spec.name}" must be a whole number, got ${JSON.stringify(value)}`)
      }
      if (value < spec.min || value > spec.max) {
        throw badInput(`parameter "${spec.name}" must be between ${spec.min} and ${spec.max}, got ${value}`)
      }
      return value
    case 'bool':
      if (typeof value !== 'boolean') throw badInput(`parameter "${spec.name}" must be true or false, got ${JSON.stringify(value)}`)
      return value
    case 'enum':
      if (typeof value !== 'string' || !spec.options.includes(value)) {
        throw badInput(`parameter "${spec.name}" must be one of ${spec.options.join(', ')}, got ${JSON.stringify(value)}`)
      }
      return value
  }
}

function wholeNumber(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badInput(`${field} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`)
  }
  return value
}

/** Parses "i/n" (i from 0 to n−1, e.g. a Kubernetes JOB_COMPLETION_INDEX) into a shard. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  if (!m) throw badInput(`shard must be "i/n" with i from 0 to n-1, e.g. 0/4, got "${text}"`)
  return checkShard({ index: Number(m[1]), count: Number(m[2]) })
}

function checkShard(raw: unknown): Shard {
  if (typeof raw !== 'object' || raw === null) throw badInput('shard must be {index, count}')
  const { index, count } = raw as Record<string, unknown>
  const n = wholeNumber('shard count', count, 1, MAX_SHARDS)
  const i = wholeNumber('shard index', index, 0, n - 1)
  return { index: i, count: n }
}

/**
 * Checks a config against the model list and fills defaults for missing fields.
 * Returns a new, complete config; throws a bad-input LabError naming the first bad field.
 */
export function validateRunConfig(input: unknown, models: readonly ModelInfo[]): RunConfig {
  if (typeof input !== 'object' || input === null) throw badInput('run config must be an object')
  const raw = input as Record<string, unknown>
  if (typeof raw.model !== 'string' || raw.model === '') throw badInput('model must be a model id')
  const model = models.find((m) => m.id === raw.model)
  if (!model) throw badInput(`unknown model "${raw.model}"; known: ${models.map((m) => m.id).join(', ')}`)
  const base = defaultRunConfig(model)

  const paramsIn = raw.params ?? {}
  if (typeof paramsIn !== 'object' || paramsIn === null || Array.isArray(paramsIn)) throw badInput('params must be an object')
  const params: ParamValues = { ...base.params }
  for (const [name, value] of Object.entries(paramsIn)) {
    const spec = model.params.find((p) => p.name === name)
    if (!spec) {
      const known = model.params.map((p) => p.name).join(', ') || 'none'
      throw badInput(`model "${model.id}" has no parameter "${name}"; its parameters: ${known}`)
    }
    params[name] = checkParam(spec, value)
  }

  const strategy = raw.strategy ?? base.strategy
  if (typeof strategy !== 'string' || !STRATEGIES.includes(strategy as Strategy)) {
    throw badInput(`strategy must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(strategy)}`)
  }
  const stopOnViolation = raw.stopOnViolation ?? base.stopOnViolation
  if (typeof stopOnViolation !== 'boolean') throw badInput('stopOnViolation must be true or false')
  const extra: Partial<RunConfig> = {}
  if (raw.shard !== undefined) {
    if (strategy !== 'sim') throw badInput(`shard needs strategy sim (random walks), not ${String(strategy)}`)
    extra.shard = checkShard(raw.shard)
  }
  if (raw.walks !== undefined) extra.walks = wholeNumber('walks', raw.walks, 1, 1_000_000_000)
  return {
    model: model.id,
    params,
    strategy: strategy as Strategy,
    workers: wholeNumber('workers', raw.workers ?? base.workers, 1, MAX_WORKERS),
    maxDepth: wholeNumber('maxDepth', raw.maxDepth ?? base.maxDepth, 0, 1_000_000),
    timeout: wholeNumber('timeout', raw.timeout ?? base.timeout, 0, 7 * 24 * 3600),
    seed: wholeNumber('seed', raw.seed ?? base.seed, 0, 2 ** 31 - 1),
    stopOnViolation,
    ...extra,
  }
}
