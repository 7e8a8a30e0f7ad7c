// A live violation as a trace (docs/live.md, "A violation's trace"): the events from the last disturbance before a
// property's first violation up to it, turned into the steps the checker's trace views read. A controller's step is
// named "<who> reads @<view revision>" as the model's are, so the sequence view draws one lane per controller; a
// fault is "fault: …", a user action "user: …", the violation "monitor: …". The monitor's convergence notes are left
// out: they say nothing about how the violation came about.
import { badInput } from '../../src-shared/errors.ts'
import type { LiveEvent, LiveRunSummary, LiveTrace, LiveViolationState } from '../../src-shared/live-types.ts'
import type { TraceStep } from '../../src-shared/types.ts'

/** The most steps a slice keeps (the latest ones, the violation last). */
export const MAX_SLICE = 400

const WRITE = /\b(?:create|update|delete|force-delete) ([A-Za-z]+)\/([^\s;:,]+)/g
const CONTAINERS = /\b(start|stop) ([^;]+)/g

/** Objects ("Pod/db-0") and containers ("container db-0@u2 on node1") an event names. */
export function objectsOf(e: LiveEvent): string[] {
  const out: string[] = []
  for (const m of e.what.matchAll(WRITE)) if (!m[2].endsWith('*')) out.push(`${m[1]}/${m[2]}`)
  const node = e.who.startsWith('kubelet-') ? e.who.slice('kubelet-'.length) : null
  for (const m of e.what.matchAll(CONTAINERS)) {
    for (const c of m[2].split(',').map((x) => x.trim()).filter(Boolean)) out.push(`container ${c}${node ? ` on ${node}` : ''}`)
  }
  return out
}

function memberName(run: LiveRunSummary, endpoint: number | undefined): string | null {
  return endpoint === undefined ? null : `${run.store === 'etcd' ? 'e' : 'r'}${endpoint + 1}`
}

/** One event as a trace step: the action names the actor (and the revision it read), the effect what happened. */
export function eventStep(run: LiveRunSummary, e: LiveEvent, index: number): TraceStep {
  const member = memberName(run, e.endpoint)
  const outcome = e.ok === false ? ` — rejected${e.reason ? `: ${e.reason}` : ''}` : e.type === 'error' ? ` — no answer${e.reason ? `: ${e.reason}` : ''}` : ''
  let action: string
  if (e.type === 'violation') action = `monitor: ${e.what}`
  else if (e.who === 'fault' || e.who === 'user') action = `${e.who}: ${e.type === 'fault' ? e.what : e.what.split(';')[0]}`
  else if (e.viewRev !== undefined) action = `${e.who} reads @${e.viewRev}`
  else action = `${e.who}: ${e.what}`
  const effect = `${member ? `on ${member}: ` : ''}${e.what}${outcome}`
  const state: Record<string, unknown> = {
    seq: e.seq,
    atMs: e.atMs,
    who: e.who,
    ...(member ? { member } : {}),
    ...(e.viewRev !== undefined ? { viewRevision: e.viewRev } : {}),
    what: e.what,
    ...(e.type === 'write' ? { outcome: e.ok === false ? 'rejected' : 'accepted' } : e.type === 'error' ? { outcome: 'no answer' } : {}),
    ...(e.reason ? { reason: e.reason } : {}),
  }
  const objects = objectsOf(e)
  if (objects.length) state.objects = objects
  return { index, action, effect, state }
}

/** Containers ("pod@uid") an event started. */
function startedBy(e: LiveEvent): string[] {
  return [...e.what.matchAll(/\bstart ([^;]+)/g)].flatMap((m) => m[1].split(',').map((x) => x.trim()).filter(Boolean))
}

/** How long after a violation a kubelet's report of containers it had already started is still looked for. */
const LATE_REPORT_MS = 2000

/**
 * A kubelet starts its containers before its status write returns, and reports both in one event once it has: the
 * monitor can see a container running (and judge the property broken) before that event. Those reports belong to
 * the slice; they are put before the violation, the first for each container running where it broke.
 */
function lateReports(timeline: readonly LiveEvent[], slice: readonly LiveEvent[], violation: LiveEvent, state: LiveViolationState): LiveEvent[] {
  const running = new Set(Object.values(state.running).flat())
  const seen = new Set(slice.flatMap(startedBy))
  const out: LiveEvent[] = []
  for (const e of timeline) {
    if (e.seq <= violation.seq || e.atMs > violation.atMs + LATE_REPORT_MS || !e.who.startsWith('kubelet-')) continue
    const fresh = startedBy(e).filter((c) => running.has(c) && !seen.has(c))
    if (fresh.length === 0) continue
    fresh.forEach((c) => seen.add(c))
    out.push(e)
  }
  return out
}

/** The involved objects first (as the member held them), then the rest; containers of every node. */
function orderedState(state: LiveViolationState, involved: readonly string[]): LiveViolationState {
  const first = Object.keys(state.objects).filter((k) => involved.includes(k))
  const rest = Object.keys(state.objects).filter((k) => !involved.includes(k))
  return { ...state, objects: Object.fromEntries([...first, ...rest].map((k) => [k, state.objects[k]])) }
}

/**
 * The slice of a finished live run's timeline that led to a property's first violation (the first violated one when
 * none is named). Bad input: a run without a result, an unknown property, one that was never violated.
 */
export function liveTrace(run: LiveRunSummary, timeline: readonly LiveEvent[], property?: string): LiveTrace {
  const r = run.result
  if (!r) throw badInput(`live run ${run.id} has no result yet (${run.status}): a trace needs a finished run`)
  const violated = r.properties.filter((p) => p.status === 'violated' && p.firstViolationMs !== undefined)
  const p = property === undefined ? violated[0] : r.properties.find((x) => x.name === property)
  if (!p) {
    if (property === undefined) throw badInput(`live run ${run.id} violated no property, so it has no violation to trace`)
    throw badInput(`live run ${run.id} has no property "${property}"; its properties: ${r.properties.map((x) => x.name).join(', ')}`)
  }
  if (p.status === 'violated' && p.firstViolationMs === undefined) {
    throw badInput(`property "${p.name}" (${p.kind}) of live run ${run.id} was judged at the end of the run, not at a moment: it has no events leading to a first violation`)
  }
  if (p.status !== 'violated' || p.firstViolationMs === undefined) {
    throw badInput(`property "${p.name}" of live run ${run.id} was not violated (${p.status})${violated.length ? `; violated: ${violated.map((x) => x.name).join(', ')}` : ''}`)
  }
  const at = p.firstViolationMs
  const from = [...r.disturbances].reverse().find((d) => d.atMs <= at) ?? { label: 'start', atMs: 0 }
  const violation = timeline.find((e) => e.type === 'violation' && e.what.startsWith(`${p.name} violated`))
  const lastSeq = violation?.seq ?? p.atSeq ?? Infinity
  let slice = timeline.filter((e) => e.atMs >= from.atMs && e.seq <= lastSeq && e.type !== 'converged').slice(-MAX_SLICE)
  const late = violation && p.state ? lateReports(timeline, slice, violation, p.state) : []
  if (late.length) slice = [...slice.slice(0, -1), ...late, slice[slice.length - 1]]
  const initial: TraceStep = {
    index: 0,
    action: null,
    effect: `${from.label} at ${from.atMs} ms`,
    state: { disturbance: from.label, atMs: from.atMs, violatedAtMs: at, where: p.where, events: slice.length },
  }
  const steps = [initial, ...slice.map((e, i) => eventStep(run, e, i + 1))]
  for (const s of steps) {
    const seq = (s.state as { seq?: number }).seq
    if (late.some((e) => e.seq === seq)) (s.state as Record<string, unknown>).note = 'reported after the monitor saw its containers running: a kubelet starts them before its write returns'
  }
  const objects = [...new Set(slice.flatMap(objectsOf))]
  if (p.state) {
    // The violation step shows the state where the property broke: the objects the slice touched first.
    const last = steps[steps.length - 1]
    if (violation && last.state && typeof last.state === 'object') last.state = { ...last.state, stateWhereViolated: orderedState(p.state, objects) }
  }
  return {
    runId: run.id,
    scenario: run.scenario,
    store: run.store,
    replicas: run.replicas,
    level: r.level,
    property: p.name,
    kind: p.kind,
    where: p.where ?? '',
    violatedAtMs: at,
    from: { label: from.label, atMs: from.atMs },
    events: slice,
    steps,
    objects,
    ...(p.state ? { state: orderedState(p.state, objects) } : {}),
  }
}
