import { describe, expect, it } from 'vitest'
import { intFlag, parseArgs } from '../../../../src-main/hosts/cli/args.ts'

const spec = { set: { type: 'list' }, db: { type: 'string' }, seed: { type: 'string' }, json: { type: 'bool' } } as const

describe('CLI flags (node:util parseArgs, strict)', () => {
  it('keeps positionals, repeats list flags in order, takes --flag value and --flag=value', () => {
    const r = parseArgs(['twophase', '--set', 'rms=3', '--set=bug=true', '--db', 'a.db', '--json', 'extra'], spec, 'check')
    expect(r.positional).toEqual(['twophase', 'extra'])
    expect(r.flags).toEqual({ set: ['rms=3', 'bug=true'], db: 'a.db', json: true })
  })

  it('lets a value start with one dash, so a range check can name it', () => {
    const r = parseArgs(['--seed', '-1'], spec, 'check')
    expect(r.flags.seed).toBe('-1')
    expect(() => intFlag(r.flags, 'seed', 0, 10)).toThrow('--seed must be a whole number from 0 to 10, got "-1"')
  })

  it('treats everything after -- as positional', () => {
    expect(parseArgs(['--json', '--', '--db', 'x'], spec, 'check')).toEqual({ positional: ['--db', 'x'], flags: { json: true } })
  })

  const refused: [string[], string][] = [
    [['--frob'], 'unknown flag --frob for "check"; its flags: --set, --db, --seed, --json'],
    [['-x'], 'unknown flag -x for "check"'],
    [['--db'], '--db needs a value'],
    [['--db', '--json'], '--db needs a value'],
    [['--json=yes'], '--json takes no value'],
  ]
  for (const [argv, message] of refused) {
    it(`refuses ${argv.join(' ')} as bad input: ${message}`, () => {
      let caught: unknown
      try {
        parseArgs(argv, spec, 'check')
      } catch (err) {
        caught = err
      }
      expect(caught).toMatchObject({ code: 'bad-input' })
      expect((caught as Error).message).toContain(message)
    })
  }
})
