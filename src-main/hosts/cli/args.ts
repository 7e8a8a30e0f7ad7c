// Command-line flags through node:util parseArgs (strict): every flag is declared, an unknown or malformed one is a
// bad-input error that names the flag and the command.
import { parseArgs as parseNodeArgs, type ParseArgsConfig } from 'node:util'
import { badInput } from '../../../src-shared/errors.ts'

export interface FlagSpec {
  /** 'bool' takes no value; 'string' and 'list' take the next argument (or --flag=value); list repeats. */
  type: 'bool' | 'string' | 'list'
}

export interface ParsedArgs {
  positional: string[]
  flags: Record<string, string | boolean | string[]>
}

type Options = NonNullable<ParseArgsConfig['options']>

function optionsOf(spec: Record<string, FlagSpec>): Options {
  const options: Options = {}
  for (const [name, s] of Object.entries(spec)) {
    options[name] = s.type === 'bool' ? { type: 'boolean' } : { type: 'string', multiple: s.type === 'list' }
  }
  return options
}

/**
 * `--flag value` becomes `--flag=value` for a declared value flag, so a value may start with one dash (`--seed -1`
 * reaches the range check and its message); a following `--other` is never taken as a value.
 */
function attachValues(argv: readonly string[], spec: Record<string, FlagSpec>): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      out.push(...argv.slice(i))
      break
    }
    const s = arg.startsWith('--') && !arg.includes('=') ? spec[arg.slice(2)] : undefined
    const next = argv[i + 1]
    if (s && s.type !== 'bool' && next !== undefined && !next.startsWith('--')) {
      out.push(`${arg}=${next}`)
      i++
    } else out.push(arg)
  }
  return out
}

/** The first flag the strict parse refused, in our words (found from the lenient parse's tokens). */
function refusal(args: string[], spec: Record<string, FlagSpec>, command: string, fallback: string): string {
  const { tokens } = parseNodeArgs({ args, options: optionsOf(spec), strict: false, allowPositionals: true, tokens: true })
  for (const t of tokens) {
    if (t.kind !== 'option') continue
    const s = spec[t.name]
    if (!s || t.rawName !== `--${t.name}`) {
      const known = Object.keys(spec).map((k) => `--${k}`).join(', ') || 'none'
      return `unknown flag ${t.rawName} for "${command}"; its flags: ${known}`
    }
    if (s.type === 'bool' && t.value !== undefined) return `--${t.name} takes no value`
    // attachValues joined every real value, so a separate one is the next flag taken as a value
    if (s.type !== 'bool' && (t.value === undefined || !t.inlineValue)) return `--${t.name} needs a value`
  }
  return fallback
}

export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>, command: string): ParsedArgs {
  const args = attachValues(argv, spec)
  try {
    const { values, positionals } = parseNodeArgs({ args, options: optionsOf(spec), strict: true, allowPositionals: true })
    return { positional: positionals, flags: { ...values } as ParsedArgs['flags'] }
  } catch (err) {
    throw badInput(refusal(args, spec, command, err instanceof Error ? err.message : String(err)))
  }
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
