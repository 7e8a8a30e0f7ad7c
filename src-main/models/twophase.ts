// Two-phase commit as in Lamport's TwoPhase TLA+ spec: one transaction manager (TM), `rms` resource managers (RMs),
// messages as a set that only grows. The reference model: its state counts have closed forms (see DESIGN.md).
// State is its own canonical encoding: a byte array, so encode/decode cost nothing on this hot path.
import { bindProperties, propertyInfos, type Model, type ModelDefinition, type PropertyDecl } from '../checker/model.ts'

const TM_INIT = 0
const TM_COMMITTED = 1
const TM_ABORTED = 2
const WORKING = 0
const PREPARED = 1
const COMMITTED = 2
const ABORTED = 3
const RM_NAMES = ['working', 'prepared', 'committed', 'aborted']
const TM_NAMES = ['init', 'committed', 'aborted']

// Layout: [tm, commitMsg, abortMsg, rmState × n, tmPrepared × n, preparedMsg × n]
const TM = 0
const COMMIT_MSG = 1
const ABORT_MSG = 2
const RM0 = 3

type Kind = 'TMRcvPrepared' | 'TMCommit' | 'TMAbort' | 'RMPrepare' | 'RMChooseToAbort' | 'RMRcvCommitMsg' | 'RMRcvAbortMsg'
interface Action {
  kind: Kind
  rm: number
}

/** The properties, declared once; `n` is the number of resource managers. */
const PROPERTIES: readonly PropertyDecl<Uint8Array, number>[] = [
  {
    name: 'consistent',
    kind: 'always',
    description: 'No resource manager has committed while another has aborted.',
    check: (n) => (s) => {
      let committed = false
      let aborted = false
      for (let r = 0; r < n; r++) {
        committed ||= s[RM0 + r] === COMMITTED
        aborted ||= s[RM0 + r] === ABORTED
      }
      return !(committed && aborted)
    },
  },
  {
    name: 'all-committed',
    kind: 'sometimes',
    description: 'Some reachable state has every resource manager committed.',
    check: (n) => (s) => {
      for (let r = 0; r < n; r++) if (s[RM0 + r] !== COMMITTED) return false
      return true
    },
  },
]

export function createTwoPhase(n: number, bug: boolean): Model<Uint8Array, Action> {
  const TMP0 = RM0 + n
  const MSG0 = RM0 + 2 * n
  const size = RM0 + 3 * n

  const actions: Action[] = []
  for (let r = 0; r < n; r++) actions.push({ kind: 'TMRcvPrepared', rm: r })
  actions.push({ kind: 'TMCommit', rm: -1 }, { kind: 'TMAbort', rm: -1 })
  for (const kind of ['RMPrepare', 'RMChooseToAbort', 'RMRcvCommitMsg', 'RMRcvAbortMsg'] as const) {
    for (let r = 0; r < n; r++) actions.push({ kind, rm: r })
  }

  const with1 = (s: Uint8Array, i: number, v: number): Uint8Array => {
    const t = s.slice()
    t[i] = v
    return t
  }

  const allPrepared = (s: Uint8Array): boolean => {
    for (let r = 0; r < n; r++) if (s[TMP0 + r] === 0) return false
    return true
  }

  return {
    init: () => [new Uint8Array(size)],
    actions: () => actions,
    next(s, a) {
      const r = a.rm
      switch (a.kind) {
        case 'TMRcvPrepared':
          return s[TM] === TM_INIT && s[MSG0 + r] === 1 ? with1(s, TMP0 + r, 1) : undefined
        case 'TMCommit': {
          // The broken variant commits without waiting for every RM to prepare.
          if (s[TM] !== TM_INIT || (!bug && !allPrepared(s))) return undefined
          const t = with1(s, TM, TM_COMMITTED)
          t[COMMIT_MSG] = 1
          return t
        }
        case 'TMAbort': {
          if (s[TM] !== TM_INIT) return undefined
          const t = with1(s, TM, TM_ABORTED)
          t[ABORT_MSG] = 1
          return t
        }
        case 'RMPrepare': {
          if (s[RM0 + r] !== WORKING) return undefined
          const t = with1(s, RM0 + r, PREPARED)
          t[MSG0 + r] = 1
          return t
        }
        case 'RMChooseToAbort':
          return s[RM0 + r] === WORKING ? with1(s, RM0 + r, ABORTED) : undefined
        case 'RMRcvCommitMsg':
          return s[COMMIT_MSG] === 1 ? with1(s, RM0 + r, COMMITTED) : undefined
        case 'RMRcvAbortMsg':
          return s[ABORT_MSG] === 1 ? with1(s, RM0 + r, ABORTED) : undefined
      }
    },
    encode: (s) => s,
    decode: (b) => b,
    formatAction: (a) => (a.rm >= 0 ? `${a.kind}(rm${a.rm + 1})` : a.kind),
    describe(s) {
      const rmState: Record<string, string> = {}
      const tmPrepared: string[] = []
      const msgs: string[] = []
      for (let r = 0; r < n; r++) {
        rmState[`rm${r + 1}`] = RM_NAMES[s[RM0 + r]]
        if (s[TMP0 + r]) tmPrepared.push(`rm${r + 1}`)
        if (s[MSG0 + r]) msgs.push(`Prepared(rm${r + 1})`)
      }
      if (s[COMMIT_MSG]) msgs.push('Commit')
      if (s[ABORT_MSG]) msgs.push('Abort')
      return { tmState: TM_NAMES[s[TM]], rmState, tmPrepared, msgs }
    },
    properties: bindProperties(PROPERTIES, n),
  }
}

export const twoPhase: ModelDefinition = {
  info: {
    id: 'twophase',
    title: 'Two-phase commit',
    description: 'A transaction manager and N resource managers agree to commit or abort (TLA+ TwoPhase).',
    params: [
      { name: 'rms', kind: 'int', label: 'Resource managers', default: 3, min: 1, max: 12 },
      {
        name: 'bug',
        kind: 'bool',
        label: 'Broken TM',
        description: 'The TM commits without waiting for every RM to prepare, so consistency can be violated.',
        default: false,
      },
    ],
    properties: propertyInfos(PROPERTIES),
  },
  create: (params) => createTwoPhase(Number(params.rms), Boolean(params.bug)),
}
