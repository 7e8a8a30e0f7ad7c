// A model's properties are declared once: every built-in model's ModelInfo lists exactly the properties (name,
// kind, description, in order) that the model it creates checks, for the default parameters and for others.
import { describe, expect, it } from 'vitest'
import type { ParamValues } from '../../../src-shared/types.ts'
import { listModelInfos, getModelDefinition } from '../../../src-main/models/registry.ts'

const defaults = (id: string): ParamValues => Object.fromEntries(getModelDefinition(id).info.params.map((p) => [p.name, p.default]))
const infoOf = (ps: readonly { name: string; kind: string; description: string }[]) => ps.map(({ name, kind, description }) => ({ name, kind, description }))

describe('ModelInfo properties derive from the model', () => {
  for (const { id } of listModelInfos()) {
    it(`${id}: info.properties are the created model's properties`, () => {
      const def = getModelDefinition(id)
      expect(def.info.properties.length).toBeGreaterThan(0)
      expect(infoOf(def.create(defaults(id)).properties)).toEqual(def.info.properties)
    })
  }

  it('with other parameters too (twophase rms=5, ring n=6)', () => {
    expect(infoOf(getModelDefinition('twophase').create({ rms: 5, bug: true }).properties)).toEqual(getModelDefinition('twophase').info.properties)
    expect(infoOf(getModelDefinition('ring').create({ n: 6, k: 5, fair: true }).properties)).toEqual(getModelDefinition('ring').info.properties)
  })
})
