// The code in docs/sdk.md runs: the tutorial's model file is saved as written, type-checked against the SDK, and
// checked through the CLI; the report must read as the docs show it (times aside).
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../../helpers/cli.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const root = resolve(import.meta.dirname, '../../../..')
const doc = readFileSync(join(root, 'docs/sdk.md'), 'utf8')
const SDK_INDEX = join(root, 'src-main/models/sdk/index.ts')

/** Every fenced block in the docs, with its language tag and the prose line before it. */
function blocks(): { lang: string; before: string; text: string }[] {
  const out: { lang: string; before: string; text: string }[] = []
  const re = /([^\n]*)\n+```(\w*)\n([\s\S]*?)```/g
  for (let m = re.exec(doc); m; m = re.exec(doc)) out.push({ before: m[1], lang: m[2], text: m[3] })
  return out
}

const all = blocks()
const tutorial = all.find((b) => b.lang === 'ts' && b.before.includes('fight.ts'))
const session = all.find((b) => b.text.startsWith('$ npx stabilis check'))
const typeImport = all.find((b) => b.lang === 'ts' && b.text.trim().startsWith('import type') && b.text.trim().split('\n').length === 1)

/** A line of the docs' sample output as a pattern: "…" stands for anything, a duration for any duration. */
function linePattern(line: string): RegExp {
  const escaped = line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp('^' + escaped.replace(/…/g, '.*').replace(/\d+(\\\.\d+)? (ms|s)\b/g, '[\\d.]+ (ms|s)') + '$')
}

describe('docs/sdk.md', () => {
  const dir = tempDir()

  it('holds the tutorial model, the session that checks it and the type import', () => {
    expect(tutorial?.text).toContain('export default {')
    expect(session?.text).toContain('--model-file fight.ts')
    expect(typeImport?.text).toContain('src-main/models/sdk/index.ts')
  })

  it('the tutorial file runs as written and reports what the docs show', async () => {
    const file = join(dir, 'fight.ts')
    writeFileSync(file, tutorial!.text)
    const [command, ...shown] = session!.text.trimEnd().split('\n')
    const args = command.replace('$ npx stabilis ', '').split(' ').map((a) => (a === 'fight.ts' ? file : a))
    const r = await runCli([...args, '--db', join(dir, 'docs.db')])
    expect(r.code, r.stderr).toBe(1) // "Exit code 1 means a property was violated"
    const lines = r.stdout.trimEnd().split('\n')
    shown.forEach((line, i) => expect(lines[i]).toMatch(linePattern(line)))
    expect(lines.slice(shown.length)).toEqual([expect.stringMatching(/^ {2}saved as run \d+$/)])
  })

  it('the tutorial file and the type import type-check against the SDK', async () => {
    const file = join(dir, 'typed.ts')
    const toSdk = (text: string): string => text.replace(/'[^']*src-main\/models\/sdk\/index\.ts'/, `'${SDK_INDEX}'`)
    writeFileSync(file, `${toSdk(typeImport!.text)}export type Used = [ModelSpec, StepContext, Obj]\n${toSdk(tutorial!.text).replace(/^import type .*\n/m, '')}`)
    const tsc = join(root, 'node_modules/typescript/bin/tsc')
    const flags = ['--ignoreConfig', '--noEmit', '--strict', '--skipLibCheck', '--allowImportingTsExtensions', '--module', 'nodenext', '--target', 'es2023', '--types', 'node']
    const r = await promisify(execFile)(process.execPath, [tsc, ...flags, file], { cwd: root }).then(
      () => ({ ok: true, out: '' }),
      (err: { stdout?: string }) => ({ ok: false, out: err.stdout ?? String(err) }),
    )
    expect(r.out).toBe('')
    expect(r.ok).toBe(true)
  })
})
