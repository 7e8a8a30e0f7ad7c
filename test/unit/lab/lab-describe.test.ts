// A state that describe() cannot turn into JSON (a BigInt, a cycle, a function) ends its run failed, saved, with
// the cause named; the lab, its database and a replay of the run stay usable.
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openLab } from '../../../src-main/lab/open-lab.ts'
import { RunRepository } from '../../../src-main/lab/db/run-repository.ts'
import { jsonProblem } from '../../../src-shared/json.ts'
import { CLI, runCli } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/tmp.ts'

const dir = tempDir()

/** A counter model whose describe() returns `described` (JavaScript source, `s` is the state); "small" fails at 2. */
function modelFile(id: string, described: string): string {
  const file = join(dir, `${id}.mjs`)
  writeFileSync(
    file,
    `export default {
  info: { id: '${id}', title: '${id}', description: 'describe() returns ${id}', params: [],
    properties: [{ name: 'small', kind: 'always', description: 'n < 2' }] },
  create: () => ({
    init: () => [0],
    actions: () => [1],
    next: (s, a) => (s < 3 ? s + a : undefined),
    encode: (s) => new Uint8Array([s]),
    decode: (b) => b[0],
    formatAction: () => 'inc',
    describe: (s) => ${described},
    properties: [{ name: 'small', kind: 'always', description: 'n < 2', check: (s) => s < 2 }],
  }),
}
`,
  )
  return file
}

const cases: [string, string, RegExp][] = [
  ['bigint', '({ n: BigInt(s) })', /state\.n is a BigInt \(0n\)/],
  ['cycle', '(() => { const o = { n: s, inner: {} }; o.inner.up = o; return o })()', /state\.inner\.up refers back to an object that contains it \(a cycle\)/],
  ['function', '({ n: s, show: () => String(s) })', /state\.show is a function/],
  ['late-bigint', '(s >= 2 ? { n: [s, BigInt(s)] } : { n: [s] })', /state\.n\[1\] is a BigInt \(2n\)/],
]

describe('describe() that is not JSON', () => {
  for (const [id, described, cause] of cases) {
    it(`${id}: the run ends failed and saved, naming the model, describe() and the value`, async () => {
      const db = join(dir, `${id}.db`)
      const opened = openLab(db, { modelsDir: null })
      let runId: number
      try {
        await opened.lab.addModelFile(modelFile(`desc-${id}`, described))
        runId = (await opened.lab.startRun({ model: `desc-${id}`, params: {}, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false })).id
        const summary = await opened.lab.waitForRun(runId)
        expect(summary.status).toBe('failed')
        expect(summary.error).toMatch(new RegExp(`^model "desc-${id}" \\(.*\\.mjs\\): describe\\(\\) of the state at step \\d cannot be saved as JSON: `))
        expect(summary.error).toMatch(cause)
        // The lab goes on: another run on the same database still works.
        expect((await opened.lab.listRuns()).map((r) => r.id)).toContain(runId)
      } finally {
        await opened.close()
      }
      const again = RunRepository.open(db)
      try {
        expect(again.getSummary(runId)).toMatchObject({ status: 'failed', error: expect.stringMatching(cause) })
      } finally {
        again.close()
      }
    })
  }

  it('replay of such a run is refused as bad input naming the value, not an internal error', async () => {
    const db = join(dir, 'replay.db')
    const file = modelFile('desc-replay', '({ n: BigInt(s) })')
    const first = await runCli(['check', '--model-file', file, '--db', db, '--json'])
    expect(first.code).toBe(2)
    const runId = JSON.parse(first.stdout).runId as number
    const r = await runCli(['replay', String(runId), '--path', 'inc;inc', '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/describe\(\) of the state at step 0 cannot be sent as JSON: state\.n is a BigInt \(0n\)/)
    expect(r.stderr).not.toMatch(/internal error/)
  })

  it('the web host (stabilis serve) runs such a model to a saved failure and keeps serving', async () => {
    const home = join(dir, 'served')
    mkdirSync(join(home, 'models'), { recursive: true })
    copyFileSync(modelFile('desc-served', '({ n: BigInt(s) })'), join(home, 'models', 'desc-served.mjs'))
    const host = spawn(process.execPath, [CLI, 'serve', '--db', join(home, 'lab.db')], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    host.stdout.on('data', (d) => (out += d))
    const exited = new Promise<number | null>((r) => host.on('close', r))
    try {
      await expect.poll(() => /http:\/\/\S+\?token=\S+/.test(out), { timeout: 20_000 }).toBe(true)
      const url = new URL(/http:\/\/\S+/.exec(out)![0])
      const call = async (method: string, args: unknown[]): Promise<{ result?: { id: number; status: string; error: string | null } }> => {
        const res = await fetch(`${url.origin}/api/call/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${url.searchParams.get('token')}` },
          body: JSON.stringify({ args }),
        })
        return (await res.json()) as { result?: { id: number; status: string; error: string | null } }
      }
      const started = await call('startRun', [{ model: 'desc-served', params: {}, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false }])
      const runId = started.result!.id
      await expect.poll(async () => (await call('listRuns', [])).result, { timeout: 20_000 }).toEqual([
        expect.objectContaining({ id: runId, status: 'failed', error: expect.stringMatching(/state\.n is a BigInt \(0n\)/) }),
      ])
      expect(host.exitCode).toBeNull()
    } finally {
      host.kill('SIGTERM')
      await exited
    }
  })

  it('jsonProblem finds the first value JSON cannot carry and lets plain data through', () => {
    const shared = { a: 1 }
    expect(jsonProblem({ x: [shared, shared], y: null, z: 'ok', n: 1.5, u: undefined })).toBeNull()
    expect(jsonProblem({ 'odd key': [1, Symbol('s')] })).toBe('state["odd key"][1] is a symbol')
    expect(jsonProblem(10n, 'value')).toBe('value is a BigInt (10n)')
  })
})
