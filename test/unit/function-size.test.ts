// No function in the main process or the shared contract runs over 150 lines (the house rule that split the checker's
// coordinator by strategy and the orchestration model's factory): measured on the syntax tree, so nested functions
// count within their parent and on their own.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const LIMIT = 150

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** "file:line name (N lines)" for every function-like node with a body longer than `limit` lines. */
function longFunctions(file: string, text: string, limit: number): string[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const out: string[] = []
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const first = src.getLineAndCharacterOfPosition(n.getStart(src)).line
      const lines = src.getLineAndCharacterOfPosition(n.end).line - first + 1
      const name = n.name?.getText(src) ?? (ts.isVariableDeclaration(n.parent) ? n.parent.name.getText(src) : '(anonymous)')
      if (lines > limit) out.push(`${relative(root, file)}:${first + 1} ${name} (${lines} lines)`)
    }
    ts.forEachChild(n, visit)
  }
  visit(src)
  return out
}

describe('function size', () => {
  it(`no function in src-main or src-shared is longer than ${LIMIT} lines`, () => {
    const files = [...sources(join(root, 'src-main')), ...sources(join(root, 'src-shared'))]
    expect(files.length).toBeGreaterThan(100)
    expect(files.flatMap((f) => longFunctions(f, readFileSync(f, 'utf8'), LIMIT))).toEqual([])
  })

  it('names a function over the limit, arrow functions included', () => {
    const body = Array.from({ length: LIMIT }, (_, i) => `  const x${i} = ${i}`).join('\n')
    const text = `export function long(): void {\n${body}\n}\nexport const short = (): number => 1\nconst arrow = (): void => {\n${body}\n}\n`
    expect(longFunctions(join(root, 'src-main/x.ts'), text, LIMIT)).toEqual(['src-main/x.ts:1 long (152 lines)', `src-main/x.ts:${LIMIT + 4} arrow (152 lines)`])
  })
})
