// A small, strict argument parser: every flag is declared, an unknown or malformed one is a bad-input error.
import { badInput } from '../../../src-shared/errors.ts'

export interface FlagSpec {
  /** 'bool' takes no value; 'string' and 'list' take the next argument (or --flag=value); list repeats. */
  type: 'bool' | 'string' | 'list'
}

export interface ParsedArgs {
  positional: string[]
  flags: Record<string, string | boolean | string[]>
}

export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>, command: string): ParsedArgs {
  const positional: string[] = []
  const flags: ParsedArgs['flags'] = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      positional.push(...argv.slice(i + 1))
      break
    }
    if (!arg.startsWith('--')) {
      positional.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq >= 0 ? eq : undefined)
    const s = spec[name]
    if (!s) {
      const known = Object.keys(spec).map((k) => `--${k}`).join(', ') || 'none'
      throw badInput(`unknown flag --${name} for "${command}"; its flags: ${known}`)
    }
    if (s.type === 'bool') {
      if (eq >= 0) throw badInput(`--${name} takes no value`)
      flags[name] = true
      continue
    }
    let value: string | undefined
    if (eq >= 0) value = arg.slice(eq + 1)
    else value = argv[++i]
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw badInput(`--${name} needs a value`)
    if (s.type === 'list') flags[name] = [...((flags[name] as string[] | undefined) ?? []), value]
    else flags[name] = value
  }
  return { positional, flags }
}

export function intFlag(flags: ParsedArgs['flags'], name: string, min: number, max: number): number | undefined {
  const v = flags[name]
  if (v === undefined) return undefined
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw badInput(`--${name} must be a whole number from ${min} to ${max}, got "${String(v)}"`)
  }
  return Number(v)
}

export function stringFlag(flags: ParsedArgs['flags'], name: string): string | undefined {
  const v = flags[name]
  return typeof v === 'string' ? v : undefined
}
