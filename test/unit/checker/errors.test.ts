import { describe, expect, it } from 'vitest'
import { checkRequest, runCheck } from '../../../src-main/lab/check-runner.ts'
import type { RunConfig } from '../../../src-shared/types.ts'
import { fixture } from './helpers.ts'

const config = (mode: string, workers = 2): RunConfig => ({
  model: 'faulty', params: { mode }, strategy: 'bfs', workers, maxDepth: 0, timeout: 0, seed: 1, stopOnViolation: false,
})
const run = (mode: string, workers = 2) => runCheck(checkRequest(config(mode, workers), { modelModule: fixture('faulty.ts') }), () => {}).done

describe('errors in models end the run as failed, naming model, action and path', () => {
  it('a throwing next', async () => {
    const o = await run('throw-next')
    expect(o.ok).toBe(false)
    if (o.ok) return
    expect(o.message).toBe('model "faulty": next on action "inc" threw after 3 step(s) (path: init → inc → inc → inc): boom at 3')
    expect(o.trace.map((s) => s.state)).toEqual([{ x: 0 }, { x: 1 }, { x: 2 }, { x: 3 }])
  })

  it('an unencodable state', async () => {
    const o = await run('unencodable')
    expect(o.ok).toBe(false)
    if (o.ok) return
    expect(o.message).toMatch(/^model "faulty": encode on action "inc" threw after 3 step\(s\) \(path: init → inc → inc → inc\): encode returned object, not bytes$/)
    expect(o.trace.length).toBe(4)
  })

  it('a nondeterministic model (the replay of a counterexample disagrees)', async () => {
    const o = await run('nondeterministic', 1)
    expect(o.ok).toBe(false)
    if (o.ok) return
    expect(o.message).toMatch(/^model "faulty" is nondeterministic: replaying step \d+ \(action "inc"\) reached a state that was never explored \(path: init( → inc)*\)$/)
  })
})
