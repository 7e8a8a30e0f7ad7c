// `stabilis live <scenario> --store stabilis|etcd [--replicas N] [--faults PRESET|FILE] [--duration S] [--set k=v]…
// [--seed N] [--db FILE] [--json]`: one live run through the Lab, saved; a line per fault, violation and convergence
// on stderr; the result on stdout. Exit 0 nothing violated, 1 a property violated, 2 bad input, 130 interrupted.
import { badInput } from '../../../src-shared/errors.ts'
import type { LiveConfig, LiveResult } from '../../../src-shared/live-types.ts'
import type { ParamValues } from '../../../src-shared/types.ts'
import { defaultDbFile } from '../../lab/data-dir.ts'
import { openLab } from '../../lab/open-lab.ts'
import { intFlag, stringFlag, type FlagSpec, type ParsedArgs } from './args.ts'
import { untilDone } from './until-done.ts'

export const LIVE_FLAGS: Record<string, FlagSpec> = {
  store: { type: 'string' },
  replicas: { type: 'string' },
  faults: { type: 'string' },
  duration: { type: 'string' },
  set: { type: 'list' },
  seed: { type: 'string' },
  db: { type: 'string' },
  json: { type: 'bool' },
}

interface Io {
  out: (text: string) => void
  err: (text: string) => void
}

function liveConfig(args: ParsedArgs): LiveConfig {
  const [scenario, ...extra] = args.positional
  if (!scenario) throw badInput('live needs a scenario, e.g. stabilis live statefulset-scale --store etcd')
  if (extra.length) throw badInput(`unexpected argument "${extra[0]}"`)
  const store = stringFlag(args.flags, 'store')
  if (store !== 'etcd' && store !== 'stabilis') throw badInput(`--store must be stabilis or etcd${store === undefined ? '' : `, got "${store}"`}`)
  const params: ParamValues = {}
  for (const kv of (args.flags.set as string[] | undefined) ?? []) {
    const eq = kv.indexOf('=')
    if (eq <= 0) throw badInput(`--set needs key=value, got "${kv}"`)
    const v = kv.slice(eq + 1)
    params[kv.slice(0, eq)] = /^-?[0-9]+(\.[0-9]+)?$/.test(v) ? Number(v) : v
  }
  const duration = stringFlag(args.flags, 'duration')
  if (duration !== undefined && !(Number(duration) > 0)) throw badInput(`--duration must be a number of seconds > 0, got "${duration}"`)
  return {
    scenario,
    store,
    replicas: intFlag(args.flags, 'replicas', 1, 7),
    faults: stringFlag(args.flags, 'faults') ?? 'none',
    durationS: duration === undefined ? undefined : Number(duration),
    params,
    seed: intFlag(args.flags, 'seed', 0, 2 ** 31),
  }
}

function cliResult(r: LiveResult): unknown {
  return {
    runId: r.runId,
    status: r.status,
    scenario: r.scenario,
    store: r.store,
    replicas: r.replicas,
    level: r.level,
    seed: r.seed,
    properties: r.properties.map((p) => ({ name: p.name, kind: p.kind, status: p.status, ...(p.firstViolationMs !== undefined ? { firstViolationMs: p.firstViolationMs, where: p.where } : {}) })),
    convergence: r.convergence,
    disturbances: r.disturbances,
    faults: r.faults,
    writes: r.writes,
    oscillations: r.oscillations,
    seconds: r.seconds,
  }
}

export async function liveCommand(args: ParsedArgs, io: Io): Promise<number> {
  const config = liveConfig(args)
  const { lab, close } = openLab(stringFlag(args.flags, 'db') ?? defaultDbFile())
  try {
    const run = await lab.startLive(config)
    const { result: done, interrupted } = await untilDone(lab, {
      onEvent(e) {
        if (e.type !== 'live-events' || e.runId !== run.id) return
        for (const ev of e.events) if (ev.type === 'fault' || ev.type === 'violation' || ev.type === 'converged' || (ev.type === 'error' && ev.who === 'store')) io.err(`[${(ev.atMs / 1000).toFixed(2)} s] ${ev.what}${ev.ok === false ? `: ${ev.reason}` : ''}\n`)
      },
      stop: () => void lab.stopLive(run.id),
      wait: () => lab.waitForLive(run.id),
    })
    if (done.status === 'failed' || !done.result) {
      io.err(`stabilis: live run ${run.id} failed: ${done.error ?? 'no result'}\n`)
      return 2
    }
    const r = done.result
    if (args.flags.json === true) io.out(JSON.stringify(cliResult(r)) + '\n')
    else {
      io.out(`live run ${r.runId}: ${r.scenario} on ${r.store} ×${r.replicas} (${r.level}), ${r.status} in ${r.seconds.toFixed(1)} s\n`)
      for (const p of r.properties) io.out(`  ${p.status.padEnd(8)} ${p.name}${p.firstViolationMs !== undefined ? ` (first at ${p.firstViolationMs} ms on ${p.where})` : ''}\n`)
      const db = stringFlag(args.flags, 'db')
      const first = r.properties.find((p) => p.status === 'violated' && p.firstViolationMs !== undefined)
      if (first) io.out(`  the events that led to it: stabilis live-trace ${r.runId}${db ? ` --db ${db}` : ''} --property ${first.name}\n`)
      for (const d of r.disturbances) io.out(`  after ${d.label} at ${d.atMs} ms: ${d.converged ? `converged in ${d.steps} writes, ${d.ms} ms` : 'not converged'}\n`)
      io.out(`  writes ${r.writes.total} (accepted ${r.writes.accepted}, rejected ${r.writes.rejected}, unreachable ${r.writes.unavailable}); oscillations ${r.oscillations}\n`)
    }
    if (interrupted) return 130
    return r.properties.some((p) => p.status === 'violated') ? 1 : 0
  } finally {
    await close()
  }
}

export const LIVE_TRACE_FLAGS: Record<string, FlagSpec> = {
  property: { type: 'string' },
  db: { type: 'string' },
  json: { type: 'bool' },
}

/**
 * `stabilis live-trace <liveRunId> [--property NAME] [--db FILE] [--json]`: the events that led to a live run's first
 * violation (of NAME, or the first violated property), from the last disturbance before it; exit 0, 2 on bad input.
 */
export async function liveTraceCommand(args: ParsedArgs, io: Io): Promise<number> {
  const [runArg, ...extra] = args.positional
  if (!runArg) throw badInput('live-trace needs a live run id, e.g. stabilis live-trace 3 --db lab.db')
  if (extra.length) throw badInput(`unexpected argument "${extra[0]}"`)
  if (!/^\d+$/.test(runArg)) throw badInput(`live run id must be a whole number, got "${runArg}"`)
  const { lab, close } = openLab(stringFlag(args.flags, 'db') ?? defaultDbFile())
  try {
    const t = await lab.getLiveTrace(Number(runArg), stringFlag(args.flags, 'property'))
    if (args.flags.json === true) {
      io.out(JSON.stringify(t) + '\n')
      return 0
    }
    io.out(`live run ${t.runId}: ${t.scenario} on ${t.store} ×${t.replicas} (${t.level}), ${t.property} violated at ${t.violatedAtMs} ms on ${t.where}\n`)
    io.out(`  ${t.steps.length - 1} event(s) from "${t.from.label}" at ${t.from.atMs} ms:\n`)
    for (const s of t.steps.slice(1)) {
      const e = t.events[s.index - 1]
      const where = e.endpoint !== undefined ? ` on ${t.store === 'etcd' ? 'e' : 'r'}${e.endpoint + 1}` : ''
      const read = e.viewRev !== undefined ? ` reads @${e.viewRev}` : ''
      const outcome = e.ok === false ? ` — rejected${e.reason ? `: ${e.reason}` : ''}` : e.type === 'error' ? ` — no answer` : ''
      const mark = e.type === 'violation' ? '   <- violated here' : ''
      io.out(`  ${String(s.index).padStart(3)}. [${(e.atMs / 1000).toFixed(3)} s] ${e.who}${where}${read}: ${e.what}${outcome}${mark}\n`)
    }
    if (t.objects.length) io.out(`  objects involved: ${t.objects.join(', ')}\n`)
    if (t.state) {
      const running = Object.entries(t.state.running).map(([n, c]) => `${n} [${c.join(', ')}]`).join('; ')
      io.out(`  where it broke (${t.state.where}${t.state.rev >= 0 ? ` @${t.state.rev}` : ''}): running ${running || 'nothing'}\n`)
    }
    return 0
  } finally {
    await close()
  }
}
