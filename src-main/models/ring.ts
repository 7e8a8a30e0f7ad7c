// Dijkstra's K-state token ring (1974): n machines in a ring, each holding a counter in 0..K-1. Machine 0 is
// privileged when x0 = x(n-1) and moves x0 := x0 + 1 mod K; machine i > 0 is privileged when xi ≠ x(i-1) and
// moves xi := x(i-1). Every configuration is initial (any state after a fault). Goal: exactly one privileged
// machine. With K ≥ n − 1 the ring converges from every state under any scheduler; with smaller K it may oscillate.
// Each machine is an action group; `fair` makes every machine weakly fair.
import { bindProperties, propertyInfos, type Model, type ModelDefinition, type PropertyDecl } from '../checker/model.ts'

/** The properties, declared once, over the number of privileged machines in a state. */
const PROPERTIES: readonly PropertyDecl<Uint8Array, (s: Uint8Array) => number>[] = [
  {
    name: 'stabilises',
    kind: 'converges',
    description: 'From any configuration the ring reaches exactly one privileged machine and keeps it.',
    check: (countPrivileged) => (s) => countPrivileged(s) === 1,
  },
  {
    name: 'some-privileged',
    kind: 'always',
    description: 'At least one machine is privileged (no deadlock).',
    check: (countPrivileged) => (s) => countPrivileged(s) >= 1,
  },
]

export function createRing(n: number, k: number, fair: boolean): Model<Uint8Array, number> {
  const machines = Array.from({ length: n }, (_, i) => i)
  const privileged = (s: Uint8Array, i: number): boolean => (i === 0 ? s[0] === s[n - 1] : s[i] !== s[i - 1])
  const countPrivileged = (s: Uint8Array): number => {
    let c = 0
    for (let i = 0; i < n; i++) if (privileged(s, i)) c++
    return c
  }
  return {
    init() {
      const out: Uint8Array[] = []
      const total = k ** n
      for (let code = 0; code < total; code++) {
        const s = new Uint8Array(n)
        let c = code
        for (let i = 0; i < n; i++) {
          s[i] = c % k
          c = Math.floor(c / k)
        }
        out.push(s)
      }
      return out
    },
    actions: () => machines,
    next(s, i) {
      if (!privileged(s, i)) return undefined
      const t = s.slice()
      t[i] = i === 0 ? (s[0] + 1) % k : s[i - 1]
      return t
    },
    encode: (s) => s,
    decode: (b) => b,
    formatAction: (i) => `move(m${i})`,
    describe: (s) => ({ x: Array.from(s), privileged: machines.filter((i) => privileged(s, i)).map((i) => `m${i}`) }),
    groups: machines.map((i) => ({ name: `m${i}`, fair })),
    groupOf: (i) => i,
    properties: bindProperties(PROPERTIES, countPrivileged),
  }
}

export const ring: ModelDefinition = {
  info: {
    id: 'ring',
    title: "Dijkstra's K-state token ring",
    description: 'Self-stabilising mutual exclusion: n machines, counters mod K, any initial state; converges when K ≥ n − 1.',
    params: [
      { name: 'n', kind: 'int', label: 'Machines', default: 4, min: 2, max: 8 },
      { name: 'k', kind: 'int', label: 'States per machine (K)', default: 3, min: 2, max: 9 },
      { name: 'fair', kind: 'bool', label: 'Weakly fair machines', default: false },
    ],
    properties: propertyInfos(PROPERTIES),
  },
  create: (p) => createRing(Number(p.n), Number(p.k), Boolean(p.fair)),
}
