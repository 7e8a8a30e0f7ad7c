// The user-model SDK (docs/sdk.md): the two examples in resources/models, and broken model files ending their run
// with a clear error (naming the file and the step) while the lab goes on.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkRequest, runCheck } from '../../../../src-main/lab/check-runner.ts'
import { openLab } from '../../../../src-main/lab/open-lab.ts'
import { importModelFile } from '../../../../src-main/models/sdk/loader.ts'
import { listUserModels } from '../../../../src-main/lab/user-models.ts'
import type { RunConfig } from '../../../../src-shared/types.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const EXAMPLES = resolve(import.meta.dirname, '../../../../resources/models')
const FIGHT = join(EXAMPLES, 'fighting-controllers.ts')
const DB_OPERATOR = join(EXAMPLES, 'database-operator.ts')

const config = (model: string, modelFile: string, params: RunConfig['params'] = {}): RunConfig => ({
  model, params, strategy: 'bfs', workers: 1, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false, modelFile,
})
const check = (model: string, file: string, params: RunConfig['params'] = {}) => runCheck(checkRequest(config(model, file, params)), () => {}).done

const dir = tempDir()
/** A model file in the temp folder; `body` is the ModelSpec's text. */
function modelFile(name: string, text: string): string {
  const f = join(dir, name)
  writeFileSync(f, text)
  return f
}
const spec = (id: string, controller: string, extra = ''): string => `export default {
  id: '${id}',
  kinds: { Counter: { spec: { n: 'int' } } },
  initial: [{ kind: 'Counter', name: 'c', spec: { n: 0 } }],
  controllers: [{ name: 'bump', step(ctx) {
    const c = ctx.get('Counter', 'c')
    ${controller}
  } }],
  properties: [{ name: 'small', kind: 'always', description: 'n stays small', check: (r) => r.get('Counter', 'c').spec.n < 10 }],
  ${extra}
}
`
const GOOD = `const c2 = c; return c.spec.n < 3 ? ctx.update(c2, { spec: { n: c.spec.n + 1 } }) : undefined`

describe('SDK examples', () => {
  it('the fighting controllers are an oscillation, shown as a lasso', async () => {
    const o = await check('fighting-controllers', FIGHT)
    expect(o.ok).toBe(true)
    if (!o.ok) return
    expect(o.result.complete).toBe(true)
    const settled = o.result.properties.find((p) => p.name === 'settled')!
    expect(settled).toMatchObject({ kind: 'converges', status: 'violated', counterexample: 'oscillation' })
    expect(settled.convergence?.oscillations).toBeGreaterThan(0)
    const trace = settled.trace!
    expect(settled.loopStart).toBeGreaterThanOrEqual(0)
    expect(settled.loopStart).toBeLessThan(trace.length - 1)
    // The last step returns to the loop's start: the same state, reached by the other controller's write.
    expect(trace.at(-1)!.state).toEqual(trace[settled.loopStart!].state)
    const actions = trace.slice(settled.loopStart! + 1).map((s) => s.action)
    expect(actions.some((a) => a?.startsWith('autoscaler-1'))).toBe(true)
    expect(actions.some((a) => a?.startsWith('gitops-1'))).toBe(true)
    expect(o.result.properties.find((p) => p.name === 'replicas-in-range')!.status).toBe('holds')
  })

  it('…and converge when they agree', async () => {
    const o = await check('fighting-controllers', FIGHT, { agree: true })
    expect(o.ok && o.result.properties.find((p) => p.name === 'settled')!.status).toBe('holds')
  })

  it('the database operator converges, with its worst-case steps-to-converge reported', async () => {
    const o = await check('database-operator', DB_OPERATOR)
    expect(o.ok).toBe(true)
    if (!o.ok) return
    expect(o.result).toMatchObject({ complete: true, unique: 306 })
    for (const p of o.result.properties) expect(p.status, p.name).toBe('holds')
    const conv = o.result.properties.find((p) => p.name === 'database-ready')!.convergence!
    expect(conv).toMatchObject({ oscillations: 0, stuck: 0, leavesGoal: 0, unbounded: 0, worstSteps: 10 })
    expect(conv.stepsHistogram.reduce((a, b) => a + b, 0)).toBe(306)
  })

  it('the database operator also converges under a weaker consistency level', async () => {
    const o = await check('database-operator', DB_OPERATOR, { consistency: 'monotonic-session', userActions: 0 })
    expect(o.ok).toBe(true)
    if (!o.ok) return
    expect(o.result.properties.find((p) => p.name === 'database-ready')!.status).toBe('holds')
  })

  it('loads both examples with their info and source', async () => {
    const infos = await listUserModels([FIGHT, DB_OPERATOR])
    expect(infos.map((m) => [m.id, m.source, m.error])).toEqual([
      ['fighting-controllers', FIGHT, undefined],
      ['database-operator', DB_OPERATOR, undefined],
    ])
    expect(infos[1].params.map((p) => p.name)).toEqual(['consistency', 'instances', 'history', 'userActions', 'controllerRestarts', 'replicas'])
    expect(infos[1].properties.map((p) => `${p.name}:${p.kind}`)).toEqual(['members-owned:always', 'status-not-ahead:always', 'database-ready:converges'])
  })
})

describe('broken model files end their run as failed, naming the file and the step', () => {
  const failed = async (file: string, id = 'broken'): Promise<string> => {
    const o = await check(id, file)
    expect(o.ok).toBe(false)
    return o.ok ? '' : o.message
  }

  it('a syntax error (with its line)', async () => {
    const f = modelFile('syntax.ts', `export default {\n  id: 'broken'\n  kinds: {}\n}\n`)
    expect(await failed(f)).toBe(`model "broken": cannot load model file ${f}: Expected ',', got 'ident' (line 3)`)
  })

  it('a throw at load time', async () => {
    const f = modelFile('throws.js', `const x = 1\nthrow new Error('no config found')\n`)
    expect(await failed(f)).toMatch(new RegExp(`^model "broken": cannot load model file ${f}: no config found \\(line 2, column \\d+\\)$`))
  })

  it('a missing default export', async () => {
    const f = modelFile('noexport.ts', `export const model = {}\n`)
    expect(await failed(f)).toMatch(`model file ${f} has no default export`)
  })

  it('a spec mistake found at load time', async () => {
    const f = modelFile('badkind.ts', spec('broken', GOOD).replace("n: 'int'", "n: 'float'"))
    expect(await failed(f)).toBe(`model "broken": model file ${f}: kind "Counter": spec.n has type "float"; use "int", "string", "bool", "string[]", "int[]" or { enum: [...] }`)
  })

  it('a controller that throws', async () => {
    const f = modelFile('throw-step.ts', spec('broken', `if (c.spec.n === 2) throw new Error('boom'); ${GOOD}`))
    expect(await failed(f)).toBe(
      `model "broken" (${f}): next on action "bump-1 reads @1" threw after 2 step(s) (path: init → bump-1 reads @1 → bump-1 reads @1): boom`,
    )
  })

  it('a controller that mutates what it read (states are frozen)', async () => {
    const f = modelFile('mutate.ts', spec('broken', `c.spec.n = 5; return undefined`))
    expect(await failed(f)).toMatch(/^model "broken" \(.*mutate\.ts\): next on action "bump-1 reads @1" threw after 0 step\(s\) \(path: init\): Cannot assign to read only property 'n'/)
  })

  it('a nondeterministic controller', async () => {
    const f = modelFile('random.ts', spec('broken', `return ctx.update(c, { spec: { n: Math.random() < 2 ? Date.now() % 1000 + Math.floor(Math.random() * 1e6) : 0 } })`))
    expect(await failed(f)).toMatch(/^model "broken" \(.*random\.ts\): next on action "bump-1 reads @1" threw after 0 step\(s\) \(path: init\): controller "bump-1" is nondeterministic/)
  })

  it('an unencodable value (rejected by the schema at the write)', async () => {
    const f = modelFile('nan.ts', spec('broken', `return ctx.update(c, { spec: { n: c.spec.n + 0.5 } })`))
    expect(await failed(f)).toMatch(/threw after 0 step\(s\) \(path: init\): bump-1: update Counter\/c: spec\.n must be int, got 0\.5$/)
  })

  it('a step returning something that is not a write', async () => {
    const f = modelFile('notwrite.ts', spec('broken', `return { op: 'update', kind: 'Counter' }`))
    expect(await failed(f)).toMatch(/controller "bump-1" returned \{"op":"update","kind":"Counter"\}; a step returns ctx\.create/)
  })

  it('a good file loads', async () => {
    const f = modelFile('fine.ts', spec('fine', GOOD))
    expect((await importModelFile(f)).info).toMatchObject({ id: 'fine', source: f })
  })
})

describe('a user controller may keep expectations', () => {
  it('one that expects its own writes reads them next: fewer states, the same verdicts', async () => {
    // Under causal a bump may next read a concurrent branch without its own last bump; expecting it, it cannot.
    const plain = modelFile('bump.ts', spec('bump', GOOD))
    const expecting = modelFile('bump-expects.ts', spec('bump', GOOD).replace('step(ctx) {', "expects: (w) => w.kind === 'Counter', step(ctx) {"))
    const params = { consistency: 'causal', instances: 2, symmetry: false }
    const [a, b] = [await check('bump', plain, params), await check('bump', expecting, params)]
    expect(a.ok && b.ok).toBe(true)
    if (!a.ok || !b.ok) return
    expect(a.result.complete && b.result.complete).toBe(true)
    expect(b.result.unique).toBeLessThan(a.result.unique)
    expect(b.result.properties.map((p) => [p.name, p.status])).toEqual(a.result.properties.map((p) => [p.name, p.status]))
  })

  it('expects must be a function', async () => {
    const f = modelFile('bad-expects.ts', spec('broken', GOOD).replace('step(ctx) {', 'expects: true, step(ctx) {'))
    const o = await check('broken', f)
    expect(o.ok ? '' : o.message).toMatch(/controller "bump": expects must be a function of a write, got true/)
  })
})

describe('the lab lists user models from its models folder and goes on after a broken one', () => {
  const labDir = join(dir, 'lab')
  mkdirSync(join(labDir, 'models'), { recursive: true })
  copyFileSync(FIGHT, join(labDir, 'models', 'fight.ts'))
  writeFileSync(join(labDir, 'models', 'broken.ts'), 'export default {\n  id: "oops"\n  kinds: {}\n}\n')
  writeFileSync(join(labDir, 'models', 'twophase.ts'), spec('twophase', GOOD))
  const opened = openLab(join(labDir, 'lab.db'), { flushEveryMs: 100 })
  const { lab } = opened
  afterAll(() => opened.close())

  it('lists built-in and user models with their source; broken or clashing ones with an error', async () => {
    const models = await lab.listModels()
    const user = models.filter((m) => m.source)
    expect(user.map((m) => [m.id, m.error === undefined])).toEqual([
      ['broken', false],
      ['fighting-controllers', true],
      ['twophase@twophase.ts', false],
    ])
    expect(user[0].error).toMatch(`cannot load model file ${join(labDir, 'models', 'broken.ts')}: Expected ','`)
    expect(user[2].error).toMatch('id "twophase" is already taken')
    expect(models.filter((m) => m.id === 'twophase')).toHaveLength(1)
  })

  it('a broken model run fails with the error; the next run works', async () => {
    const bad = await lab.startRun({ ...config('broken', '/ignored'), modelFile: undefined })
    const badDone = await lab.waitForRun(bad.id)
    expect(badDone.status).toBe('failed')
    expect(badDone.error).toMatch(/^model "broken": cannot load model file .*broken\.ts: Expected ',', got 'ident' \(line 3\)$/)
    const good = await lab.startRun({ ...config('fighting-controllers', '/ignored'), modelFile: undefined })
    expect(good.config.modelFile).toBe(join(labDir, 'models', 'fight.ts'))
    const done = await lab.waitForRun(good.id)
    expect(done).toMatchObject({ status: 'done', verdict: 'violated', unique: 3 })
    // A trace of a user model replays from its file.
    const replay = await lab.replayTrace(good.id, { property: 'settled' })
    expect(replay.reproduced).toBe(true)
  })

  it('a caller cannot point a run at an arbitrary file', async () => {
    const r = await lab.startRun(config('fighting-controllers', join(dir, 'throw-step.ts')))
    expect(r.config.modelFile).toBe(join(labDir, 'models', 'fight.ts'))
    await lab.waitForRun(r.id)
  })
})
