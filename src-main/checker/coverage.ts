// Per-action coverage as TLC reports it: for each action label, how many times it was enabled (a successor was
// computed) and how many of those successors were new states. Counted by each explorer inside its expand loop,
// so the per-successor cost is two array increments; labels are computed once per distinct action list when the
// model returns the same list object for every state (a fixed action list), else once per candidate action.
import type { ActionCoverage } from '../../src-shared/types.ts'
import type { Model } from './model.ts'

/** The label of an action: the model's own, or its formatted name with every run of digits as "#". */
export function actionLabelOf(model: Model<unknown, unknown>, action: unknown): string {
  if (model.actionLabel) return model.actionLabel(action)
  return model.formatAction(action).replace(/\d+/g, '#')
}

export class CoverageCounter {
  private readonly model: Model<unknown, unknown>
  private readonly index = new Map<string, number>()
  readonly labels: string[] = []
  enabled: Float64Array = new Float64Array(16)
  fresh: Float64Array = new Float64Array(16)
  private lastList: readonly unknown[] | null = null
  private lastIds: Int32Array = new Int32Array(0)

  constructor(model: Model<unknown, unknown>) {
    this.model = model
  }

  private idOf(label: string): number {
    let id = this.index.get(label)
    if (id !== undefined) return id
    id = this.labels.length
    this.index.set(label, id)
    this.labels.push(label)
    if (id >= this.enabled.length) {
      const grow = (a: Float64Array): Float64Array => {
        const b = new Float64Array(a.length * 2)
        b.set(a)
        return b
      }
      this.enabled = grow(this.enabled)
      this.fresh = grow(this.fresh)
    }
    return id
  }

  /** Label ids for a state's candidate actions (every candidate gets a label, so one never enabled is listed). */
  idsFor(actions: readonly unknown[]): Int32Array {
    if (actions === this.lastList) return this.lastIds
    // Long enough for this list (only indices below actions.length are read).
    const ids = actions.length <= this.lastIds.length ? this.lastIds : new Int32Array(Math.max(actions.length, 2 * this.lastIds.length))
    for (let i = 0; i < actions.length; i++) ids[i] = this.idOf(actionLabelOf(this.model, actions[i]))
    // The same list object again (a model's fixed list) reuses these ids; action lists are readonly, never refilled.
    this.lastList = actions
    this.lastIds = ids
    return ids
  }

  /** The counts so far, in first-seen order. */
  take(): ActionCoverage[] {
    return this.labels.map((label, i) => ({ label, enabled: this.enabled[i], newStates: this.fresh[i] }))
  }
}

/** Several explorers' counts as one list: summed by label, most enabled first (never enabled last). */
export function mergeCoverage(parts: readonly (readonly ActionCoverage[])[]): ActionCoverage[] {
  const byLabel = new Map<string, ActionCoverage>()
  for (const part of parts) {
    for (const c of part) {
      const m = byLabel.get(c.label)
      if (m) {
        m.enabled += c.enabled
        m.newStates += c.newStates
      } else byLabel.set(c.label, { ...c })
    }
  }
  return [...byLabel.values()].sort((a, b) => b.enabled - a.enabled || a.label.localeCompare(b.label))
}
