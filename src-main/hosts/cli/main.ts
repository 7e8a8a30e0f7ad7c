// The stabilis CLI: models, check, runs, export, serve, store. Exit codes: 0 no violation, 1 a violation,
// 2 bad input (flags, parameters, database, a broken model), 130 interrupted.
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parseParamValue, parseShard } from '../../../src-shared/config.ts'
import { badInput, LabError } from '../../../src-shared/errors.ts'
import { formatCount, formatRate, formatSeconds } from '../../../src-shared/format.ts'
import { frontierText } from '../../../src-shared/frontier.ts'
import type { CsvReport, Matrix, MatrixSpec, ModelInfo, ParamValues, RunConfig, RunDetail, Strategy, TraceStep } from '../../../src-shared/types.ts'
import { CSV_REPORTS } from '../../lab/csv.ts'
import { defaultDbFile } from '../../lab/data-dir.ts'
import type { Lab } from '../../lab/lab.ts'
import { untilDone } from './until-done.ts'
import { openLab } from '../../lab/open-lab.ts'
import { formatPath, parsePath } from '../../../src-shared/trace-path.ts'
import { startWebHost } from '../web/server.ts'
import { persistentToken } from '../web/token.ts'
import { cellVerdictText, formatMatrixMarkdown, formatMatrixTable, matrixHeadline } from '../../lab/matrix.ts'
import { unknownCellsSpec } from '../../../src-shared/matrix-again.ts'
import { intFlag, parseArgs, stringFlag, type ParsedArgs } from './args.ts'
import { checkOutputFile } from './output-file.ts'

export interface Io {
  out: (text: string) => void
  err: (text: string) => void
}

const stdio: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }

const USAGE = `usage: stabilis <command> [options]

  models [--model-file PATH] [--json]     models and scenarios with their parameters (user models: docs/sdk.md)
  check <model> | --model-file PATH [--set key=value]... [--consistency LEVEL] [--strategy bfs|dfs|sim|auto]
        [--workers N] [--max-depth D] [--timeout S] [--seed N] [--stop-on-violation]
        [--walks N] [--shard i/n] [--db FILE] [--csv FILE] [--json]  run a check and save it
  merge <runId>... [--db FILE] [--json]   fold simulation shard runs (--shard i/n) into one saved run
  resume <runId> [--db FILE] [--json]     continue an interrupted or stopped run from its checkpoint
  runs [--db FILE] [--json]               saved runs
  export <runId>... --csv FILE|DIR/ [--report summary|samples|depths|properties|convergence|actions|comparison] [--db FILE]
  export --comparison ID --csv FILE [--db FILE]   a saved comparison (report "comparison")
  replay <runId> --property NAME | --path "A;B;…" [--db FILE] [--json]
                                          re-run the model along a saved trace or a path
  matrix <scenario|all> --consistency all|a,b --instances 1,2 [--strategy auto|bfs|dfs|sim]
        [--timeout-per-cell S] [--max-depth D] [--concurrency N] [--workers-per-cell N]
        [--db FILE] [--json | --markdown]
                                          every cell (level × instances) as a saved run; a table of verdicts
  matrix --unknown-of <matrixId> [--timeout-per-cell S] [--db FILE] [...]
                                          a saved matrix's unknown cells again (default: 4× their limit)
  matrices [<matrixId>] [--db FILE] [--json | --markdown]
                                          saved matrices; with an id, that matrix's table
  serve [--host 127.0.0.1] [--port N] [--new-token] [--db FILE]
                                          the lab in a browser (port 7357; the token is kept beside the database)
  store up --replicas N [--dir D] | store bench [...] | store chaos [...]  the replicated store
  live <scenario> --store stabilis|etcd [--replicas N] [--faults none|partition|kill|restart|stale-node|FILE]
        [--duration S] [--set key=value]... [--seed N] [--db FILE] [--json]
                                          the scenario's controllers against a real store, judged live (docs/live.md)
  live-trace <liveRunId> [--property NAME] [--db FILE] [--json]
                                          the events that led to a live run's first violation

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
  const shard = stringFlag(args.flags, 'shard')
  const walks = intFlag(args.flags, 'walks', 1, 1_000_000_000)
  return {
    model: model.id,
    params,
    strategy: strategy as Strategy,
    workers: intFlag(args.flags, 'workers', 1, 64) ?? 1,
    maxDepth: intFlag(args.flags, 'max-depth', 0, 1_000_000) ?? 0,
    timeout: intFlag(args.flags, 'timeout', 0, 7 * 24 * 3600) ?? 0,
    seed: intFlag(args.flags, 'seed', 0, 2 ** 31 - 1) ?? 1,
    stopOnViolation: args.flags['stop-on-violation'] === true,
    ...(shard !== undefined ? { shard: parseShard(shard) } : {}),
    ...(walks !== undefined ? { walks } : {}),
  }
}

/** A trace step on one line: the action, and what it did when the model says. */
function stepLine(step: TraceStep): string {
  if (step.action === null) return '(initial state)'
  return step.effect ? `${step.action} — ${step.effect}` : step.action
}

function printRunText(io: Io, detail: RunDetail): void {
  const s = detail.summary
  io.out(`${s.model} ${paramSummary(s.config)} (${s.config.strategy}): ${s.status} in ${formatSeconds(s.seconds)}${s.complete ? '' : ' (incomplete)'}\n`)
  const sums = s.coverage?.shards ? ` (sums over ${s.coverage.shards} shard runs)` : ''
  io.out(`  unique ${formatCount(s.unique)}  generated ${formatCount(s.generated)}  max depth ${s.maxDepth}${sums}\n`)
  const cov = s.coverage
  if (cov) {
    const bfs = cov.bfsDepth !== undefined ? `; BFS complete to depth ${cov.bfsDepth}` : ''
    const hunt = cov.huntStates !== undefined ? `; cycle hunt ${formatCount(cov.huntStates)} states` : ''
    io.out(`  walks ${formatCount(cov.walks)} (${formatCount(cov.walkSteps)} steps, deepest ${cov.walkDepth})${bfs}${hunt}\n`)
  }
  if (detail.actions) {
    const never = detail.actions.filter((a) => a.enabled === 0).map((a) => a.label)
    io.out(`  actions ${detail.actions.length} label(s)${never.length ? `; never enabled: ${never.join(', ')}` : ''}\n`)
  }
  if (s.firstViolationMs !== undefined) io.out(`  first violation after ${formatSeconds(s.firstViolationMs / 1000)}\n`)
  if (s.error) io.out(`  error: ${s.error}\n`)
  for (const p of detail.properties) {
    const mark = p.status === 'holds' ? 'ok ' : p.status === 'violated' ? 'BAD' : ' ? '
    const conv = p.convergence
    const worst = conv && p.status === 'holds' ? `, worst case ${conv.worstSteps} step(s) to converge` : ''
    const shape = p.counterexample ? ` (${p.counterexample})` : ''
    io.out(`  ${mark} ${p.name} (${p.kind}) ${p.status}${shape}${worst}\n`)
    if (p.trace && p.status === 'violated') {
      for (const step of p.trace) {
        const loop = p.loopStart === step.index ? '   <- loop starts here' : ''
        io.out(`      ${step.index}. ${stepLine(step)}${loop}\n`)
      }
      if (p.loopStart !== undefined) io.out(`      (back to step ${p.loopStart}, forever)\n`)
    }
  }
  io.out(`  saved as run ${s.id}\n`)
}

/** The lab's models (built-in, then the models folder's), with --model-file added; its listing when given. */
async function labModels(lab: Lab, args: ParsedArgs): Promise<{ models: ModelInfo[]; fromFile?: ModelInfo }> {
  const file = stringFlag(args.flags, 'model-file')
  const fromFile = file ? await lab.addModelFile(file) : undefined
  return { models: await lab.listModels(), fromFile }
}

async function cmdModels(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positional.length) throw badInput(`unexpected argument "${args.positional[0]}"`)
  const { lab, close } = openLab(dbFile(args.flags))
  let models: ModelInfo[]
  try {
    models = (await labModels(lab, args)).models
  } finally {
    await close()
  }
  if (args.flags.json) {
    io.out(JSON.stringify(models, null, 2) + '\n')
    return 0
  }
  for (const m of models) {
    io.out(`${m.id} — ${m.title}\n  ${m.description}\n`)
    if (m.source) io.out(`  source: ${m.source}\n`)
    for (const p of m.params) {
      const range = p.kind === 'int' ? ` [${p.min}..${p.max}]` : p.kind === 'enum' ? ` {${p.options.join(', ')}}` : ''
      io.out(`  --set ${p.name}=${String(p.default)}${range}  ${p.label}\n`)
    }
    for (const p of m.properties) io.out(`  property ${p.name} (${p.kind}): ${p.description}\n`)
  }
  return 0
}

/**
 * Follows a started run to its end: progress on stderr once a second, SIGINT/SIGTERM stop it (saved as stopped),
 * then the report on stdout. Returns the exit code.
 */
async function followRun(lab: Lab, runId: number, io: Io, json: boolean, afterRun?: () => Promise<void>): Promise<number> {
  let lastLine = 0
  const { interrupted } = await untilDone(lab, {
    onEvent(e) {
      if (e.type === 'run-phase' && e.runId === runId && e.phase.phase !== 'done') {
        const p = e.phase
        const n = p.total !== undefined ? ` ${formatCount(p.done ?? 0)}/${formatCount(p.total)} ${p.unit ?? ''}` : p.done !== undefined ? ` ${formatCount(p.done)} ${p.unit ?? ''}` : ''
        io.err(`[${p.phase}]${n}\n`)
      }
      if (e.type !== 'run-progress' || e.runId !== runId) return
      const s = e.samples[e.samples.length - 1]
      if (s.elapsedMs - lastLine < 1000) return
      lastLine = s.elapsedMs
      io.err(`[${formatSeconds(s.elapsedMs / 1000)}] generated ${formatCount(s.generated)}  unique ${formatCount(s.unique)}  depth ${s.maxDepth}  queue ${formatCount(s.queue)}  ${formatRate(s.uniquePerSec)} unique\n`)
    },
    stop: () => void lab.stopRun(runId),
    wait: () => lab.waitForRun(runId),
  })
  await afterRun?.()
  const detail = await lab.getRun(runId)
  const s = detail.summary
  if (json) {
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
        collisionProbability: s.collisionProbability ?? null,
        firstViolationMs: s.firstViolationMs ?? null,
        ...(s.coverage ? { coverage: s.coverage } : {}),
        ...(detail.actions ? { actions: detail.actions } : {}),
        ...(s.config.shard ? { shard: s.config.shard } : {}),
        ...(s.config.mergedFrom ? { mergedFrom: s.config.mergedFrom } : {}),
        properties: detail.properties.map((p) => ({
          name: p.name,
          kind: p.kind,
          status: p.status,
          ...(p.counterexample ? { counterexample: p.counterexample } : {}),
          ...(p.loopStart !== undefined ? { loopStart: p.loopStart } : {}),
          ...(p.walk !== undefined ? { walk: p.walk } : {}),
          ...(p.convergence ? { convergence: p.convergence } : {}),
          ...(p.trace ? { trace: p.trace } : {}),
        })),
      }) + '\n',
    )
  } else printRunText(io, detail)
  if (s.status === 'failed') {
    io.err(`stabilis: ${s.error}\n`)
    return 2
  }
  if (interrupted) return 130
  return detail.properties.some((p) => p.status === 'violated') ? 1 : 0
}

async function cmdCheck(args: ParsedArgs, io: Io): Promise<number> {
  const [modelArg, ...extra] = args.positional
  const modelFile = stringFlag(args.flags, 'model-file')
  if (!modelArg && !modelFile) throw badInput('check needs a model, e.g. stabilis check twophase --set rms=3 (or --model-file PATH)')
  if (extra.length) throw badInput(`unexpected argument "${extra[0]}"`)
  const csv = stringFlag(args.flags, 'csv')
  if (csv) checkOutputFile(csv, '--csv')
  const { lab, close } = openLab(dbFile(args.flags))
  try {
    // A user model: from --model-file, or by id from the models folder. One that does not load still starts a run,
    // which fails naming the file and the error.
    const { models, fromFile } = await labModels(lab, args)
    if (fromFile && modelArg && fromFile.id !== modelArg) throw badInput(`${modelFile} defines model "${fromFile.id}", not "${modelArg}"`)
    const model = fromFile ?? models.find((m) => m.id === modelArg)
    if (!model) throw badInput(`unknown model "${modelArg}"; known: ${models.map((m) => m.id).join(', ')}`)
    const config = buildConfig(model, args)
    const started = await lab.startRun(config)
    const writeCsv = async (): Promise<void> => {
      if (csv) writeFileSync(csv, await lab.exportCsv([started.id], 'summary'))
    }
    return await followRun(lab, started.id, io, args.flags.json === true, writeCsv)
  } finally {
    await close()
  }
}

async function cmdResume(args: ParsedArgs, io: Io): Promise<number> {
  const [idText, ...extra] = args.positional
  if (!idText) throw badInput('resume needs a run id, e.g. stabilis resume 12')
  if (extra.length) throw badInput(`unexpected argument "${extra[0]}"`)
  if (!/^\d+$/.test(idText)) throw badInput(`run id must be a whole number, got "${idText}"`)
  const { lab, close } = openLab(dbFile(args.flags))
  try {
    const run = await lab.resumeRun(Number(idText))
    return await followRun(lab, run.id, io, args.flags.json === true)
  } finally {
    await close()
  }
}

/** Folds shard runs into one saved run (Lab.mergeRuns) and reports it like a check. */
async function cmdMerge(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positional.length === 0) throw badInput('merge needs the shard runs, e.g. stabilis merge 4 5 6 7')
  const ids = args.positional.map((p) => {
    if (!/^\d+$/.test(p)) throw badInput(`run id must be a whole number, got "${p}"`)
    return Number(p)
  })
  const { lab, close } = openLab(dbFile(args.flags))
  try {
    const merged = await lab.mergeRuns(ids)
    return await followRun(lab, merged.id, io, args.flags.json === true)
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
  const comparisonId = intFlag(args.flags, 'comparison', 1, Number.MAX_SAFE_INTEGER)
  if (comparisonId !== undefined && args.positional.length) throw badInput('export takes run ids or --comparison, not both')
  if (comparisonId === undefined && args.positional.length === 0) throw badInput('export needs at least one run id (or --comparison ID)')
  let ids = args.positional.map((p) => {
    if (!/^\d+$/.test(p)) throw badInput(`run id must be a whole number, got "${p}"`)
    return Number(p)
  })
  const report = stringFlag(args.flags, 'report') ?? (comparisonId !== undefined ? 'comparison' : 'summary')
  if (!(report in CSV_REPORTS)) throw badInput(`--report must be one of ${Object.keys(CSV_REPORTS).join(', ')}`)
  const toDir = target.endsWith('/') || (statSafe(target)?.isDirectory() ?? false)
  const { lab, close } = openLab(dbFile(args.flags))
  try {
    if (comparisonId !== undefined) {
      const saved = (await lab.listComparisons()).find((c) => c.id === comparisonId)
      if (!saved) throw badInput(`no saved comparison with id ${comparisonId}`)
      ids = saved.runIds
    }
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

async function cmdReplay(args: ParsedArgs, io: Io): Promise<number> {
  const [runArg, ...extra] = args.positional
  if (!runArg) throw badInput('replay needs a run id, e.g. stabilis replay 3 --property consistent')
  if (extra.length) throw badInput(`unexpected argument "${extra[0]}"`)
  if (!/^\d+$/.test(runArg)) throw badInput(`run id must be a whole number, got "${runArg}"`)
  const property = stringFlag(args.flags, 'property')
  const pathText = stringFlag(args.flags, 'path')
  if (property === undefined && pathText === undefined) throw badInput('replay needs --property NAME or --path "A;B;…"')
  let path: string[] | undefined
  if (pathText !== undefined) {
    try {
      path = parsePath(pathText)
    } catch (err) {
      throw badInput(`--path: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  const { lab, close } = openLab(dbFile(args.flags))
  try {
    const r = await lab.replayTrace(Number(runArg), { property, path })
    if (args.flags.json) io.out(JSON.stringify(r) + '\n')
    else {
      // A liveness counterexample is a lasso: mark its loop as check does.
      const saved = r.property ? (await lab.getRun(r.runId)).properties.find((p) => p.name === r.property) : undefined
      const loopStart = saved?.loopStart
      const shape = saved?.counterexample ? ` (${saved.counterexample})` : ''
      io.out(`run ${r.runId} (${r.model})${r.property ? `, property ${r.property}${shape}` : ''}: ${r.steps.length - 1} of ${r.path.length} steps replayed\n`)
      for (const step of r.steps) {
        const mark = r.propertyStep === step.index ? '  <- ' + (r.property ?? 'property') : ''
        const loop = loopStart === step.index ? '   <- loop starts here' : ''
        io.out(`  ${step.index}. ${stepLine(step)}${mark}${loop}\n`)
      }
      if (loopStart !== undefined && r.reproduced) io.out(`  (back to step ${loopStart}, forever)\n`)
      io.out(`${r.reproduced ? 'reproduced' : 'NOT reproduced'}: ${r.message}\n`)
      io.out(`path: ${formatPath(r.path)}\n`)
    }
    return r.reproduced ? 0 : 1
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

/** `--set key=value` for a matrix: numbers and booleans as such, anything else as text (checked per cell). */
function matrixSets(sets: string[]): ParamValues {
  const out: ParamValues = {}
  for (const kv of sets) {
    const eq = kv.indexOf('=')
    if (eq <= 0) throw badInput(`--set needs key=value, got "${kv}"`)
    const v = kv.slice(eq + 1)
    out[kv.slice(0, eq)] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v
  }
  return out
}

/** The matrix the flags describe: a scenario (or all), levels, instance counts, limits and fixed parameters. */
function matrixSpecOf(args: ParsedArgs): MatrixSpec {
  const [scenario, ...extra] = args.positional
  if (!scenario) throw badInput('matrix needs a scenario or "all", e.g. stabilis matrix statefulset-stale-reads --consistency all --instances 1,2')
  if (extra.length) throw badInput(`unexpected argument "${extra[0]}"`)
  const list = (name: string, fallback: string): string[] =>
    (stringFlag(args.flags, name) ?? fallback).split(',').map((v) => v.trim()).filter((v) => v !== '')
  const instances = list('instances', '1').map((v) => {
    if (!/^\d+$/.test(v)) throw badInput(`--instances must be whole numbers separated by commas, got "${v}"`)
    return Number(v)
  })
  return {
    scenario,
    consistency: list('consistency', 'all'),
    instances,
    strategy: (stringFlag(args.flags, 'strategy') ?? 'auto') as Strategy,
    timeoutPerCell: 0,
    maxDepth: 0,
    ...matrixLimits(args),
    ...(args.flags.set ? { params: matrixSets(args.flags.set as string[]) } : {}),
  }
}

/** A matrix's limits as flags: the spec field, the flag, its bounds. */
const MATRIX_LIMITS = [
  ['timeoutPerCell', 'timeout-per-cell', 0, 7 * 24 * 3600],
  ['maxDepth', 'max-depth', 0, 1_000_000],
  ['concurrency', 'concurrency', 1, 1024],
  ['workersPerCell', 'workers-per-cell', 1, 64],
] as const

/** The limits given as flags (time and depth per cell, cells at once), and only those. */
function matrixLimits(args: ParsedArgs): Pick<MatrixSpec, (typeof MATRIX_LIMITS)[number][0]> {
  const out: Pick<MatrixSpec, (typeof MATRIX_LIMITS)[number][0]> = {}
  for (const [key, flag, min, max] of MATRIX_LIMITS) if (args.flags[flag] !== undefined) out[key] = intFlag(args.flags, flag, min, max)
  return out
}

/**
 * `--unknown-of ID`: the saved matrix's unknown cells again, with its parameters and strategy; the limit per cell is
 * --timeout-per-cell, else four times the one that cut them.
 */
async function unknownAgainSpec(lab: Lab, id: number, args: ParsedArgs): Promise<MatrixSpec> {
  const clash = ['consistency', 'instances', 'strategy', 'set'].find((f) => args.flags[f] !== undefined)
  if (clash || args.positional.length) throw badInput(`--unknown-of takes the saved matrix's cells and parameters; drop ${clash ? `--${clash}` : `"${args.positional[0]}"`}`)
  const spec = unknownCellsSpec(await lab.getMatrix(id), matrixLimits(args))
  if (!spec) throw badInput(`matrix ${id} has no unknown cells`)
  return spec
}

/** Runs a matrix to its end: a line per finished cell on stderr, then the table (or JSON / Markdown) on stdout. */
async function cmdMatrix(args: ParsedArgs, io: Io): Promise<number> {
  if (args.flags.json && args.flags.markdown) throw badInput('--json and --markdown cannot be combined')
  const again = intFlag(args.flags, 'unknown-of', 1, Number.MAX_SAFE_INTEGER)
  // A new matrix's flags are checked before the database is opened.
  const fresh = again === undefined ? matrixSpecOf(args) : undefined
  const { lab, close } = openLab(dbFile(args.flags))
  try {
    const started = await lab.startMatrix(fresh ?? (await unknownAgainSpec(lab, again!, args)))
    io.err(`${matrixHeadline(started)}, ${started.spec.concurrency} at a time, ${started.spec.workersPerCell} worker(s) each\n`)
    const { result: m, interrupted } = await untilDone(lab, {
      onEvent(e) {
        if (e.type !== 'matrix-progress' || e.matrix.id !== started.id || e.cell.status === 'running') return
        const c = e.cell
        const cut = c.frontier ? `  (BFS ${frontierText(c.frontier)})` : ''
        io.err(`[${e.matrix.finished}/${e.matrix.cellCount}] ${c.scenario} ×${c.instances} ${c.consistency}: ${cellVerdictText(c)}  unique ${formatCount(c.unique)}  ${formatSeconds(c.seconds)}${cut}\n`)
      },
      stop: () => void lab.stopMatrix(started.id),
      wait: () => lab.waitForMatrix(started.id),
    })
    printMatrix(io, m, args.flags)
    if (m.violated > 0) return 1
    if (interrupted) return 130
    return m.cells.some((c) => c.status === 'failed') ? 2 : 0
  } finally {
    await close()
  }
}

function printMatrix(io: Io, m: Matrix, flags: ParsedArgs['flags']): void {
  if (flags.json) {
    io.out(JSON.stringify({ matrixId: m.id, status: m.status, spec: m.spec, holds: m.holds, violated: m.violated, unknown: m.unknown, cells: m.cells }) + '\n')
  } else if (flags.markdown) io.out(formatMatrixMarkdown(m))
  else io.out(`${matrixHeadline(m)}\n${formatMatrixTable(m)}cells are saved runs: stabilis runs --db FILE, or the Matrix page\n`)
}

/** Saved matrices, newest first; with an id, that matrix as `matrix` prints it at its end. */
async function cmdMatrices(args: ParsedArgs, io: Io): Promise<number> {
  const [id, ...extra] = args.positional
  if (extra.length) throw badInput(`unexpected argument "${extra[0]}"`)
  if (id !== undefined && !/^\d+$/.test(id)) throw badInput(`matrix id must be a whole number, got "${id}"`)
  if (args.flags.json && args.flags.markdown) throw badInput('--json and --markdown cannot be combined')
  const { lab, close } = openLab(dbFile(args.flags))
  try {
    if (id !== undefined) {
      printMatrix(io, await lab.getMatrix(Number(id)), args.flags)
      return 0
    }
    if (args.flags.markdown) throw badInput('--markdown prints one matrix: give its id (stabilis matrices ID --markdown)')
    const list = await lab.listMatrices()
    if (args.flags.json) io.out(JSON.stringify(list) + '\n')
    else if (list.length === 0) io.out('no matrices yet: try stabilis matrix statefulset-stale-reads --consistency all\n')
    else for (const m of list) io.out(`${String(m.id).padStart(5)}  ${m.startedAt}  ${matrixHeadline(m)}\n`)
    return 0
  } finally {
    await close()
  }
}

/** `serve` listens here unless --port says otherwise, so the printed link stays the same across restarts. */
export const DEFAULT_SERVE_PORT = 7357

async function cmdServe(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positional.length) throw badInput(`unexpected argument "${args.positional[0]}"`)
  const db = dbFile(args.flags)
  const givenPort = intFlag(args.flags, 'port', 0, 65535)
  const hostName = stringFlag(args.flags, 'host') ?? '127.0.0.1'
  const opened = openLab(db)
  // The token lives beside the database (web-token, mode 0600); --new-token replaces it, invalidating old links.
  const tokenFile = join(dirname(resolve(db)), 'web-token')
  if (args.flags['new-token']) rmSync(tokenFile, { force: true })
  const { token } = persistentToken(tokenFile)
  let host
  try {
    host = await startWebHost({ lab: opened.lab, host: hostName, port: givenPort ?? DEFAULT_SERVE_PORT, token })
  } catch (err) {
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
    if (!inUse || givenPort !== undefined) {
      await opened.close()
      throw inUse ? badInput(`port ${givenPort} is in use; choose another with --port N (0: any free port)`) : err
    }
    io.err(`port ${DEFAULT_SERVE_PORT} is in use; serving on a free port instead (--port N to choose)\n`)
    host = await startWebHost({ lab: opened.lab, host: hostName, port: 0, token })
  }
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
  models: { flags: { json: { type: 'bool' }, 'model-file': { type: 'string' } }, run: cmdModels },
  check: {
    flags: {
      set: { type: 'list' }, consistency: { type: 'string' }, strategy: { type: 'string' }, workers: { type: 'string' },
      'max-depth': { type: 'string' }, timeout: { type: 'string' }, seed: { type: 'string' }, db: { type: 'string' },
      csv: { type: 'string' }, json: { type: 'bool' }, 'stop-on-violation': { type: 'bool' }, 'model-file': { type: 'string' },
      shard: { type: 'string' }, walks: { type: 'string' },
    },
    run: cmdCheck,
  },
  merge: { flags: { db: { type: 'string' }, json: { type: 'bool' } }, run: cmdMerge },
  resume: { flags: { db: { type: 'string' }, json: { type: 'bool' } }, run: cmdResume },
  runs: { flags: { db: { type: 'string' }, json: { type: 'bool' } }, run: cmdRuns },
  export: { flags: { csv: { type: 'string' }, db: { type: 'string' }, report: { type: 'string' }, comparison: { type: 'string' } }, run: cmdExport },
  replay: { flags: { property: { type: 'string' }, path: { type: 'string' }, db: { type: 'string' }, json: { type: 'bool' } }, run: cmdReplay },
  serve: { flags: { host: { type: 'string' }, port: { type: 'string' }, db: { type: 'string' }, 'new-token': { type: 'bool' } }, run: cmdServe },
  matrix: {
    flags: {
      consistency: { type: 'string' }, instances: { type: 'string' }, strategy: { type: 'string' }, 'timeout-per-cell': { type: 'string' },
      'max-depth': { type: 'string' }, concurrency: { type: 'string' }, 'workers-per-cell': { type: 'string' }, db: { type: 'string' }, json: { type: 'bool' }, markdown: { type: 'bool' },
      set: { type: 'list' }, 'unknown-of': { type: 'string' },
    },
    run: cmdMatrix,
  },
  matrices: { flags: { db: { type: 'string' }, json: { type: 'bool' }, markdown: { type: 'bool' } }, run: cmdMatrices },
}

export async function main(argv: readonly string[], io: Io = stdio): Promise<number> {
  const [command, ...rest] = argv
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      io.out(USAGE)
      return command ? 0 : 2
    }
    if (command === 'live') {
      const { liveCommand, LIVE_FLAGS } = await import('./live-command.ts')
      return await liveCommand(parseArgs(rest, LIVE_FLAGS, 'live'), io)
    }
    if (command === 'live-trace') {
      const { liveTraceCommand, LIVE_TRACE_FLAGS } = await import('./live-command.ts')
      return await liveTraceCommand(parseArgs(rest, LIVE_TRACE_FLAGS, 'live-trace'), io)
    }
    if (command === 'store') {
      const { storeCommand } = await import('./store-command.ts')
      return await storeCommand([...rest])
    }
    const cmd = COMMANDS[command]
    if (!cmd) throw badInput(`unknown command "${command}"; commands: ${[...Object.keys(COMMANDS), 'store', 'live', 'live-trace'].join(', ')}`)
    return await cmd.run(parseArgs(rest, cmd.flags, command), io)
  } catch (err) {
    if (err instanceof LabError) {
      io.err(`stabilis: ${err.message}\n`)
      return 2
    }
    // A file or database the system refused (ENOENT, EACCES, SQLITE_READONLY, …) is the user's to fix, not a bug.
    const code = (err as { code?: unknown } | null)?.code
    const kind = typeof code === 'string' && /^(E[A-Z]+|SQLITE_[A-Z_]+)$/.test(code) ? '' : 'internal error: '
    io.err(`stabilis: ${kind}${err instanceof Error ? err.message : String(err)}\n`)
    return 2
  }
}
