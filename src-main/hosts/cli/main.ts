// The stabilis CLI: models, check, runs, export, serve, store. Exit codes: 0 no violation, 1 a violation,
// 2 bad input (flags, parameters, database, a broken model), 130 interrupted.
import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseParamValue } from '../../../src-shared/config.ts'
import { badInput, LabError } from '../../../src-shared/errors.ts'
import { formatCount, formatRate, formatSeconds } from '../../../src-shared/format.ts'
import type { CsvReport, ModelInfo, RunConfig, RunDetail, Strategy } from '../../../src-shared/types.ts'
import { CSV_REPORTS } from '../../lab/csv.ts'
import { defaultDbFile } from '../../lab/data-dir.ts'
import { openLab } from '../../lab/open-lab.ts'
import { listModelInfos } from '../../models/registry.ts'
import { startWebHost } from '../web/server.ts'
import { intFlag, parseArgs, stringFlag, type ParsedArgs } from './args.ts'

export interface Io {
  out: (text: string) => void
  err: (text: string) => void
}

const stdio: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }

const USAGE = `usage: stabilis <command> [options]

  models [--json]                         models and scenarios with their parameters
  check <model> [--set key=value]... [--consistency LEVEL] [--strategy bfs|dfs|sim]
        [--workers N] [--max-depth D] [--timeout S] [--seed N] [--stop-on-violation]
        [--db FILE] [--csv FILE] [--json]  run a check and save it
  runs [--db FILE] [--json]               saved runs
  export <runId>... --csv FILE|DIR/ [--report summary|samples|depths|properties] [--db FILE]
  serve [--host 127.0.0.1] [--port N] [--db FILE]   the lab in a browser
  store up --replicas N [--dir D] | store bench [...]  the replicated store

Exit codes: 0 no property violated, 1 a property violated, 2 bad input.
`

function dbFile(flags: ParsedArgs['flags']): string {
  return stringFlag(flags, 'db') ?? defaultDbFile()
}

function paramSummary(config: RunConfig): string {
  return Object.entries(config.params).map(([k, v]) => `${k}=${v}`).join(' ')
}

function buildConfig(model: ModelInfo, args: ParsedArgs): RunConfig {
  const params: RunConfig['params'] = {}
  for (const kv of (args.flags.set as string[] | undefined) ?? []) {
    const eq = kv.indexOf('=')
    if (eq <= 0) throw badInput(`--set needs key=value, got "${kv}"`)
    const name = kv.slice(0, eq)
    const spec = model.params.find((p) => p.name === name)
    if (!spec) {
      throw badInput(`model "${model.id}" has no parameter "${name}"; its parameters: ${model.params.map((p) => p.name).join(', ')}`)
    }
    params[name] = parseParamValue(spec, kv.slice(eq + 1))
  }
  const consistency = stringFlag(args.flags, 'consistency')
  if (consistency !== undefined) {
    const spec = model.params.find((p) => p.name === 'consistency')
    if (!spec) throw badInput(`model "${model.id}" has no consistency levels`)
    params.consistency = parseParamValue(spec, consistency)
  }
  const strategy = stringFlag(args.flags, 'strategy') ?? 'bfs'
  return {
    model: model.id,
    params,
    strategy: strategy as Strategy,
    workers: intFlag(args.flags, 'workers', 1, 64) ?? 1,
    maxDepth: intFlag(args.flags, 'max-depth', 0, 1_000_000) ?? 0,
    timeout: intFlag(args.flags, 'timeout', 0, 7 * 24 * 3600) ?? 0,
    seed: intFlag(args.flags, 'seed', 0, 2 ** 31 - 1) ?? 1,
    stopOnViolation: args.flags['stop-on-violation'] === true,
  }
}

function printRunText(io: Io, detail: RunDetail): void {
  const s = detail.summary
  io.out(`${s.model} ${paramSummary(s.config)} (${s.config.strategy}): ${s.status} in ${formatSeconds(s.seconds)}${s.complete ? '' : ' (incomplete)'}\n`)
  io.out(`  unique ${formatCount(s.unique)}  generated ${formatCount(s.generated)}  max depth ${s.maxDepth}\n`)
  if (s.error) io.out(`  error: ${s.error}\n`)
  for (const p of detail.properties) {
    const mark = p.status === 'holds' ? 'ok ' : p.status === 'violated' ? 'BAD' : ' ? '
    io.out(`  ${mark} ${p.name} (${p.kind}) ${p.status}\n`)
    if (p.trace && p.status === 'violated') {
      for (const step of p.trace) io.out(`      ${step.index}. ${step.action ?? '(initial state)'}\n`)
    }
  }
  io.out(`  saved as run ${s.id}\n`)
}

async function cmdModels(args: ParsedArgs, io: Io): Promise<number> {
  const models = listModelInfos()
  if (args.flags.json) {
    io.out(JSON.stringify(models, null, 2) + '\n')
    return 0
  }
  for (const m of models) {
    io.out(`${m.id} — ${m.title}\n  ${m.description}\n`)
    for (const p of m.params) {
      const range = p.kind === 'int' ? ` [${p.min}..${p.max}]` : p.kind === 'enum' ? ` {${p.options.join(', ')}}` : ''
      io.out(`  --set ${p.name}=${String(p.default)}${range}  ${p.label}\n`)
    }
    for (const p of m.properties) io.out(`  property ${p.name} (${p.kind}): ${p.description}\n`)
  }
  return 0
}

async function cmdCheck(args: ParsedArgs, io: Io): Promise<number> {
  const [modelId, ...extra] = args.positional
  if (!modelId) throw badInput('check needs a model, e.g. stabilis check twophase --set rms=3')
  if (extra.length) throw badInput(`unexpected argument "${extra[0]}"`)
  const model = listModelInfos().find((m) => m.id === modelId)
  if (!model) throw badInput(`unknown model "${modelId}"; known: ${listModelInfos().map((m) => m.id).join(', ')}`)
  const config = buildConfig(model, args)
  const csv = stringFlag(args.flags, 'csv')
  const { lab, close } = openLab(dbFile(args.flags))
  let interrupted = false
  try {
    let lastLine = 0
    const off = lab.onEvent((e) => {
      if (e.type !== 'run-progress') return
      const s = e.samples[e.samples.length - 1]
      if (s.elapsedMs - lastLine < 1000) return
      lastLine = s.elapsedMs
      io.err(`[${formatSeconds(s.elapsedMs / 1000)}] generated ${formatCount(s.generated)}  unique ${formatCount(s.unique)}  depth ${s.maxDepth}  queue ${formatCount(s.queue)}  ${formatRate(s.uniquePerSec)} unique\n`)
    })
    const started = await lab.startRun(config)
    const onSignal = (): void => {
      interrupted = true
      void lab.stopRun(started.id)
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    await lab.waitForRun(started.id)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    off()
    const detail = await lab.getRun(started.id)
    if (csv) writeFileSync(csv, await lab.exportCsv([started.id], 'summary'))
    const s = detail.summary
    if (args.flags.json) {
      io.out(
        JSON.stringify({
          runId: s.id,
          status: s.status,
          unique: s.unique,
          generated: s.generated,
          maxDepth: s.maxDepth,
          seconds: s.seconds,
          complete: s.complete,
          verdict: s.verdict,
          error: s.error,
          properties: detail.properties.map((p) => ({ name: p.name, kind: p.kind, status: p.status, ...(p.trace ? { trace: p.trace } : {}) })),
        }) + '\n',
      )
    } else printRunText(io, detail)
    if (s.status === 'failed') {
      io.err(`stabilis: ${s.error}\n`)
      return 2
    }
    if (interrupted) return 130
    return detail.properties.some((p) => p.status === 'violated') ? 1 : 0
  } finally {
    await close()
  }
}

async function cmdRuns(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positional.length) throw badInput(`unexpected argument "${args.positional[0]}"`)
  const { lab, close } = openLab(dbFile(args.flags))
  try {
    const runs = await lab.listRuns()
    if (args.flags.json) io.out(JSON.stringify(runs) + '\n')
    else if (runs.length === 0) io.out('no runs yet: try stabilis check twophase\n')
    else {
      for (const r of runs) {
        io.out(`${String(r.id).padStart(5)}  ${r.startedAt}  ${r.status.padEnd(11)} ${r.verdict.padEnd(8)} ${r.model} ${paramSummary(r.config)}  unique ${formatCount(r.unique)}  ${formatSeconds(r.seconds)}\n`)
      }
    }
    return 0
  } finally {
    await close()
  }
}

async function cmdExport(args: ParsedArgs, io: Io): Promise<number> {
  const target = stringFlag(args.flags, 'csv')
  if (!target) throw badInput('export needs --csv FILE (or a folder ending in /)')
  if (args.positional.length === 0) throw badInput('export needs at least one run id')
  const ids = args.positional.map((p) => {
    if (!/^\d+$/.test(p)) throw badInput(`run id must be a whole number, got "${p}"`)
    return Number(p)
  })
  const report = stringFlag(args.flags, 'report') ?? 'summary'
  if (!(report in CSV_REPORTS)) throw badInput(`--report must be one of ${Object.keys(CSV_REPORTS).join(', ')}`)
  const toDir = target.endsWith('/') || (statSafe(target)?.isDirectory() ?? false)
  const { lab, close } = openLab(dbFile(args.flags))
  try {
    if (toDir) {
      mkdirSync(target, { recursive: true })
      for (const r of Object.keys(CSV_REPORTS) as CsvReport[]) writeFileSync(join(target, `${r}.csv`), await lab.exportCsv(ids, r))
      io.out(`wrote ${Object.keys(CSV_REPORTS).length} reports to ${target}\n`)
    } else {
      writeFileSync(target, await lab.exportCsv(ids, report as CsvReport))
      io.out(`wrote ${target}\n`)
    }
    return 0
  } finally {
    await close()
  }
}

function statSafe(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

async function cmdServe(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positional.length) throw badInput(`unexpected argument "${args.positional[0]}"`)
  const opened = openLab(dbFile(args.flags))
  const host = await startWebHost({
    lab: opened.lab,
    host: stringFlag(args.flags, 'host') ?? '127.0.0.1',
    port: intFlag(args.flags, 'port', 0, 65535) ?? 0,
  })
  io.out(`Stabilis web host: ${host.openUrl}\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await host.close()
  await opened.close()
  return 0
}

const COMMANDS: Record<string, { flags: Record<string, { type: 'bool' | 'string' | 'list' }>; run: (a: ParsedArgs, io: Io) => Promise<number> }> = {
  models: { flags: { json: { type: 'bool' } }, run: cmdModels },
  check: {
    flags: {
      set: { type: 'list' }, consistency: { type: 'string' }, strategy: { type: 'string' }, workers: { type: 'string' },
      'max-depth': { type: 'string' }, timeout: { type: 'string' }, seed: { type: 'string' }, db: { type: 'string' },
      csv: { type: 'string' }, json: { type: 'bool' }, 'stop-on-violation': { type: 'bool' },
    },
    run: cmdCheck,
  },
  runs: { flags: { db: { type: 'string' }, json: { type: 'bool' } }, run: cmdRuns },
  export: { flags: { csv: { type: 'string' }, db: { type: 'string' }, report: { type: 'string' } }, run: cmdExport },
  serve: { flags: { host: { type: 'string' }, port: { type: 'string' }, db: { type: 'string' } }, run: cmdServe },
}

export async function main(argv: readonly string[], io: Io = stdio): Promise<number> {
  const [command, ...rest] = argv
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      io.out(USAGE)
      return command ? 0 : 2
    }
    if (command === 'store') {
      const { storeCommand } = await import('./store-command.ts')
      return await storeCommand([...rest])
    }
    const cmd = COMMANDS[command]
    if (!cmd) throw badInput(`unknown command "${command}"; commands: ${[...Object.keys(COMMANDS), 'store'].join(', ')}`)
    return await cmd.run(parseArgs(rest, cmd.flags, command), io)
  } catch (err) {
    if (err instanceof LabError) {
      io.err(`stabilis: ${err.message}\n`)
      return 2
    }
    io.err(`stabilis: internal error: ${err instanceof Error ? err.message : String(err)}\n`)
    return 2
  }
}
