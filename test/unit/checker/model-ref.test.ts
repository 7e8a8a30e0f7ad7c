// Model references (checker/model-ref.ts): the one string the lab resolves a model into and every checker thread
// imports. Round trips through paths with '#', '=' and spaces; the default export when no fragment names one;
// errors that name the module and the export.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { formatModelRef, loadDefinition, parseModelRef } from '../../../src-main/checker/model-ref.ts'
import { DEFAULT_MODEL_CATALOG, modelRefFor } from '../../../src-main/lab/model-refs.ts'
import { tempDir } from '../../helpers/tmp.ts'
import { fixture } from './helpers.ts'

const dir = tempDir()

describe('model references', () => {
  it('round-trip a module path and an argument holding #, = and spaces', () => {
    const module = join(dir, 'odd # dir', 'cat=alog.ts')
    const ref = { module, export: 'userFile', arg: '/models/a #1=b.ts' }
    const text = formatModelRef(ref)
    expect(text.startsWith('file:')).toBe(true)
    expect(parseModelRef(text)).toEqual({ module: pathToFileURL(module).href, export: 'userFile', arg: ref.arg })
  })

  it('a path or URL without a fragment means the default export', async () => {
    expect(parseModelRef(fixture('deep.ts'))).toEqual({ module: fixture('deep.ts'), export: 'default' })
    expect((await loadDefinition(parseModelRef(fixture('deep.ts')))).info.id).toBe('deep')
  })

  it('the lab resolves a built-in id and a user file to the catalog, which gives their definitions', async () => {
    const builtIn = parseModelRef(modelRefFor({ model: 'twophase' }))
    expect(builtIn).toEqual({ module: DEFAULT_MODEL_CATALOG.href, export: 'builtIn', arg: 'twophase' })
    expect((await loadDefinition(builtIn)).info.id).toBe('twophase')
    const example = join(import.meta.dirname, '../../../resources/models/fighting-controllers.ts')
    const user = parseModelRef(modelRefFor({ model: 'x', modelFile: example }))
    expect(user.export).toBe('userFile')
    expect((await loadDefinition(user)).info.source).toBe(example)
  })

  it('names the module and the export when the export is missing or not a model', async () => {
    mkdirSync(dir, { recursive: true })
    const file = join(dir, 'not-a-model.mjs')
    writeFileSync(file, 'export const n = 3\n')
    await expect(loadDefinition({ module: file, export: 'm' })).rejects.toThrow(`has no export "m"`)
    await expect(loadDefinition({ module: file, export: 'n' })).rejects.toThrow(`not-a-model.mjs#n is number, not a model definition`)
    await expect(loadDefinition(parseModelRef(modelRefFor({ model: 'no-such-model' })))).rejects.toThrow('unknown model "no-such-model"')
  })
})
