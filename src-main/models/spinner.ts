// A small liveness test model with known answers. A worker spins a → b → c → a (group "spin") and may finish
// (group "finish", enabled in a, b and c) to reach done; with `leave`, a restart (group "spin") leaves done again.
//  - eventually(done): violated by the lasso a → b → c → a when nothing is fair; holds when `fair` makes
//    "finish" weakly fair (it stays enabled on the cycle, so the cycle is unfair).
//  - converges(done): oscillation without fairness; holds with `fair`; leaves-goal with `leave`.
//  - `stuck`: adds a dead end (state x, reached from a by "jam", no way out).
import { bindProperties, propertyInfos, type Model, type ModelDefinition, type PropertyDecl } from '../checker/model.ts'

const NAMES = ['a', 'b', 'c', 'done', 'x']
const A = 0
const B = 1
const C = 2
const DONE = 3
const X = 4
type Act = 'spin' | 'finish' | 'restart' | 'jam'

/** The properties, declared once (they need nothing from the parameters). */
const PROPERTIES: readonly PropertyDecl<number, null>[] = [
  { name: 'terminates', kind: 'eventually', description: 'Every fair run reaches done.', check: () => (s) => s === DONE },
  { name: 'settles', kind: 'converges', description: 'Every fair run reaches done and stays there.', check: () => (s) => s === DONE },
]

export function createSpinner(fair: boolean, leave: boolean, stuck: boolean): Model<number, Act> {
  const acts: Act[] = ['spin', 'finish', 'restart', 'jam']
  return {
    init: () => [A],
    actions: () => acts,
    next(s, a) {
      switch (a) {
        case 'spin':
          return s === A ? B : s === B ? C : s === C ? A : undefined
        case 'finish':
          return s <= C ? DONE : undefined
        case 'restart':
          return leave && s === DONE ? A : undefined
        case 'jam':
          return stuck && s === A ? X : undefined
      }
    },
    encode: (s) => Uint8Array.of(s),
    decode: (b) => b[0],
    formatAction: (a) => a,
    describe: (s) => ({ at: NAMES[s] }),
    groups: [
      { name: 'spin', fair: false },
      { name: 'finish', fair },
      { name: 'jam', fair: false },
    ],
    groupOf: (a) => (a === 'finish' ? 1 : a === 'jam' ? 2 : 0),
    properties: bindProperties(PROPERTIES, null),
  }
}

export const spinner: ModelDefinition = {
  info: {
    id: 'spinner',
    title: 'Spinner (liveness test)',
    description: 'A cycle that may or may not finish: lasso counterexamples, weak fairness, leaving the goal, dead ends.',
    params: [
      { name: 'fair', kind: 'bool', label: 'Finishing is weakly fair', default: false },
      { name: 'leave', kind: 'bool', label: 'Can restart after done', default: false },
      { name: 'stuck', kind: 'bool', label: 'Has a dead end', default: false },
    ],
    properties: propertyInfos(PROPERTIES),
  },
  create: (p) => createSpinner(Boolean(p.fair), Boolean(p.leave), Boolean(p.stuck)),
}
