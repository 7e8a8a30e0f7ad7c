// Matrices: one scenario (or all) × consistency levels × instance counts. Each cell is an ordinary saved run
// (it opens in the Run page and its trace explorer); cells run a few at a time, one worker each.
import { availableParallelism } from 'node:os'
import { defaultParams, STRATEGIES } from '../../src-shared/config.ts'
import { badInput } from '../../src-shared/errors.ts'
import type { ParamValues,
  LabEvent,
  Matrix,
  MatrixCell,
  MatrixCellKey,
  MatrixSpec,
  MatrixSummary,
  ModelInfo,
  ParamSpec,
  RunConfig,
  RunSummary,
  Strategy,
} from '../../src-shared/types.ts'
import type { RunRepository } from './db/run-repository.ts'
import { formatCount } from '../../src-shared/format.ts'
import { frontierGrowth, frontierText } from '../../src-shared/frontier.ts'
import { unknownText } from '../../src-shared/matrix-again.ts'

/**
 * Cells at once when the spec does not say: one, with every core (defaultWorkersPerCell). A cell's limit is time, so
 * a cell given two cores instead of one ends more often within it (deployment-create ×2 optimistic holds in 23–27 s
 * with 2 workers, and was cut at 30 s with 1 beside another cell); the whole matrix takes longer (14–15 min
 * instead of 10 on 2 cores), since cut cells no longer share the machine.
 */
const DEFAULT_MATRIX_CONCURRENCY = 1

/** Workers per cell when the spec does not say: the cores shared among the cells at once. */
function defaultWorkersPerCell(concurrency: number): number {
  return Math.max(1, Math.floor(availableParallelism() / concurrency))
}

export const MAX_MATRIX_CELLS = 500

type EnumSpec = Extract<ParamSpec, { kind: 'enum' }>
type IntSpec = Extract<ParamSpec, { kind: 'int' }>

const levelsOf = (m: ModelInfo): EnumSpec | undefined =>
  m.params.find((p): p is EnumSpec => p.name === 'consistency' && p.kind === 'enum')
const instancesOf = (m: ModelInfo): IntSpec | undefined =>
  m.params.find((p): p is IntSpec => p.name === 'instances' && p.kind === 'int')

/** Scenarios a matrix can run: models with consistency levels and an instance count. */
export function matrixScenarios(models: readonly ModelInfo[]): ModelInfo[] {
  return models.filter((m) => levelsOf(m) && instancesOf(m))
}

function wholeNumber(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badInput(`${field} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`)
  }
  return value
}

/**
 * Checks a matrix spec against the models, resolves "all" and defaults, and lists the cells in order
 * (scenario, then instances, then consistency level). Every error names the bad field.
 */
export function resolveMatrixSpec(input: unknown, models: readonly ModelInfo[]): { spec: Required<MatrixSpec>; cells: MatrixCellKey[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badInput('a matrix needs a scenario, consistency levels and instance counts')
  const raw = input as Record<string, unknown>
  const known = matrixScenarios(models)
  const knownIds = known.map((m) => m.id).join(', ')
  if (typeof raw.scenario !== 'string' || raw.scenario.trim() === '') throw badInput(`scenario must be a scenario id or "all"; scenarios: ${knownIds}`)
  const scenarioId = raw.scenario.trim()
  let scenarios: ModelInfo[]
  if (scenarioId === 'all') scenarios = known
  else {
    const m = known.find((s) => s.id === scenarioId)
    if (!m) throw badInput(`unknown scenario "${scenarioId}"; scenarios: ${knownIds}`)
    scenarios = [m]
  }
  if (scenarios.length === 0) throw badInput('there are no scenarios with consistency levels')

  const consistencyIn = raw.consistency ?? []
  if (!Array.isArray(consistencyIn) || !consistencyIn.every((c) => typeof c === 'string')) {
    throw badInput('consistency must be a list of consistency levels (or ["all"])')
  }
  const requested = [...new Set((consistencyIn as string[]).map((c) => c.trim()).filter((c) => c !== ''))]
  const allLevels = [...new Set(scenarios.flatMap((m) => levelsOf(m)!.options))]
  let levels: string[]
  if (requested.length === 0 || requested.includes('all')) {
    if (requested.length > 1) throw badInput('consistency "all" cannot be combined with named levels')
    levels = allLevels
  } else {
    for (const level of requested) {
      const missing = scenarios.find((m) => !levelsOf(m)!.options.includes(level))
      if (missing) {
        throw badInput(`unknown consistency level "${level}"${scenarios.length > 1 ? ` for scenario "${missing.id}"` : ''}; levels: ${levelsOf(missing)!.options.join(', ')}`)
      }
    }
    levels = requested
  }

  const instancesIn = raw.instances
  if (!Array.isArray(instancesIn) || instancesIn.length === 0) throw badInput('instances must be a list of instance counts, e.g. [1, 2]')
  const min = Math.max(...scenarios.map((m) => instancesOf(m)!.min))
  const max = Math.min(...scenarios.map((m) => instancesOf(m)!.max))
  const instances = [...new Set(instancesIn.map((n) => wholeNumber('instances', n, min, max)))]

  const strategy = raw.strategy ?? 'auto'
  if (typeof strategy !== 'string' || !STRATEGIES.includes(strategy as Strategy)) {
    throw badInput(`strategy must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(strategy)}`)
  }
  const concurrency = wholeNumber('concurrency', raw.concurrency ?? DEFAULT_MATRIX_CONCURRENCY, 1, Math.max(1, availableParallelism()))
  const spec: Required<MatrixSpec> = {
    scenario: scenarioId,
    consistency: levels,
    instances,
    strategy: strategy as Strategy,
    timeoutPerCell: wholeNumber('timeoutPerCell', raw.timeoutPerCell ?? 0, 0, 7 * 24 * 3600),
    maxDepth: wholeNumber('maxDepth', raw.maxDepth ?? 0, 0, 1_000_000),
    concurrency,
    workersPerCell: wholeNumber('workersPerCell', raw.workersPerCell ?? defaultWorkersPerCell(concurrency), 1, 64),
    params: matrixParams(raw.params, scenarios),
    only: [],
  }
  let cells: MatrixCellKey[] = []
  for (const m of scenarios) for (const n of instances) for (const c of levels) cells.push({ scenario: m.id, consistency: c, instances: n })
  if (raw.only !== undefined) {
    spec.only = onlyCells(raw.only, cells)
    if (spec.only.length > 0) cells = cells.filter((c) => spec.only.some((o) => sameCell(o, c)))
  }
  if (cells.length > MAX_MATRIX_CELLS) throw badInput(`a matrix takes at most ${MAX_MATRIX_CELLS} cells, this one has ${cells.length}`)
  return { spec, cells }
}

const sameCell = (a: MatrixCellKey, b: MatrixCellKey): boolean =>
  a.scenario === b.scenario && a.consistency === b.consistency && a.instances === b.instances

/** `only`: cells of the grid, each named as scenario, consistency and instances, each once. */
function onlyCells(input: unknown, grid: readonly MatrixCellKey[]): MatrixCellKey[] {
  if (!Array.isArray(input)) throw badInput('only must be a list of cells ({scenario, consistency, instances})')
  const out: MatrixCellKey[] = []
  input.forEach((c: unknown, i) => {
    const x = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>
    const cell = { scenario: x.scenario, consistency: x.consistency, instances: x.instances } as MatrixCellKey
    if (!grid.some((g) => sameCell(g, cell))) {
      throw badInput(`only[${i}]: ${JSON.stringify(cell)} is not a cell of this matrix's scenarios, levels and instances`)
    }
    if (!out.some((o) => sameCell(o, cell))) out.push(cell)
  })
  return out
}

/** Fixed parameters for every cell: each must be a parameter of every scenario (values are checked per run). */
function matrixParams(input: unknown, scenarios: readonly ModelInfo[]): ParamValues {
  if (input === undefined) return {}
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badInput('params must be an object of parameter values')
  const out: ParamValues = {}
  for (const [k, v] of Object.entries(input)) {
    if (k === 'consistency' || k === 'instances') throw badInput(`params.${k}: ${k} is an axis of the matrix, not a fixed parameter`)
    const missing = scenarios.find((m) => !m.params.some((p) => p.name === k))
    if (missing) throw badInput(`params.${k}: scenario "${missing.id}" has no parameter "${k}"; its parameters: ${missing.params.map((p) => p.name).join(', ')}`)
    if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') throw badInput(`params.${k} must be a number, a string or a boolean`)
    out[k] = v
  }
  return out
}

/** The run a cell starts: the scenario's defaults with the cell's consistency and instances. */
export function cellRunConfig(model: ModelInfo, spec: Required<MatrixSpec>, cell: MatrixCellKey): RunConfig {
  return {
    model: model.id,
    params: { ...defaultParams(model), ...spec.params, consistency: cell.consistency, instances: cell.instances },
    strategy: spec.strategy,
    workers: spec.workersPerCell,
    maxDepth: spec.maxDepth,
    timeout: spec.timeoutPerCell,
    seed: 1,
    stopOnViolation: false,
  }
}

/** What the matrix service needs from the Lab: start, wait for and stop ordinary runs, and the event stream. */
export interface MatrixHost {
  repo: RunRepository
  models: () => ModelInfo[]
  startRun: (config: RunConfig) => Promise<RunSummary>
  waitForRun: (runId: number) => Promise<RunSummary>
  stopRun: (runId: number) => Promise<void>
  emit: (event: LabEvent) => void
}

interface ActiveMatrix {
  stopRequested: boolean
  running: Set<number>
  finished: Promise<Matrix>
}

export class MatrixService {
  private readonly host: MatrixHost
  private readonly active = new Map<number, ActiveMatrix>()

  constructor(host: MatrixHost) {
    this.host = host
    host.repo.markMatricesInterrupted()
  }

  start(input: MatrixSpec): MatrixSummary {
    const models = this.host.models()
    const { spec, cells } = resolveMatrixSpec(input, models)
    const id = this.host.repo.createMatrix(spec, cells, new Date().toISOString())
    const state: ActiveMatrix = { stopRequested: false, running: new Set(), finished: Promise.resolve(null as unknown as Matrix) }
    state.finished = this.runCells(id, spec, cells, models, state)
    this.active.set(id, state)
    return this.summary(id)
  }

  private async runCells(id: number, spec: Required<MatrixSpec>, cells: MatrixCellKey[], models: ModelInfo[], state: ActiveMatrix): Promise<Matrix> {
    let next = 0
    const lane = async (): Promise<void> => {
      while (!state.stopRequested && next < cells.length) {
        const position = next++
        const cell = cells[position]
        const model = models.find((m) => m.id === cell.scenario)!
        let run: RunSummary
        try {
          run = await this.host.startRun(cellRunConfig(model, spec, cell))
        } catch {
          continue // cannot happen for a resolved spec; the cell stays pending rather than ending the matrix
        }
        state.running.add(run.id)
        this.host.repo.setMatrixCellRun(id, position, run.id)
        try {
          this.host.repo.updateRun(run.id, { tags: [`matrix-${id}`] })
        } catch {
          // a tag is a convenience only
        }
        if (state.stopRequested) void this.host.stopRun(run.id)
        this.emitCell(id, position)
        await this.host.waitForRun(run.id)
        state.running.delete(run.id)
        this.emitCell(id, position)
      }
    }
    await Promise.all(Array.from({ length: Math.min(spec.concurrency, cells.length) }, lane))
    this.host.repo.finishMatrix(id, state.stopRequested ? 'stopped' : 'done')
    this.active.delete(id)
    const matrix = this.host.repo.getMatrix(id)
    const { cells: _cells, ...summary } = matrix
    this.host.emit({ type: 'matrix-finished', matrix: summary })
    return matrix
  }

  private emitCell(id: number, position: number): void {
    const { cells, ...summary } = this.host.repo.getMatrix(id)
    this.host.emit({ type: 'matrix-progress', matrix: summary, cell: cells[position] as MatrixCell })
  }

  private summary(id: number): MatrixSummary {
    const { cells: _cells, ...summary } = this.host.repo.getMatrix(id)
    return summary
  }

  get(id: number): Matrix {
    if (!Number.isInteger(id)) throw badInput(`matrix id must be a whole number, got ${JSON.stringify(id)}`)
    return this.host.repo.getMatrix(id)
  }

  list(): MatrixSummary[] {
    return this.host.repo.listMatrices()
  }

  async stop(id: number): Promise<void> {
    const state = this.active.get(id)
    if (!state) {
      this.get(id) // not-found for an unknown id; a finished matrix has nothing to stop
      return
    }
    state.stopRequested = true
    await Promise.all([...state.running].map((runId) => this.host.stopRun(runId)))
  }

  /** Resolves when every cell has ended and the matrix is saved. */
  async wait(id: number): Promise<Matrix> {
    const state = this.active.get(id)
    return state ? state.finished : this.get(id)
  }

  /** Stops every running matrix and waits until each is saved. */
  async stopAll(): Promise<void> {
    const all = [...this.active.entries()]
    await Promise.all(all.map(([id]) => this.stop(id)))
    await Promise.all(all.map(([, s]) => s.finished))
  }
}

// Text forms of a matrix, shared by the CLI (table, --markdown) and the docs.

const secs = (s: number): string => (s < 10 ? s.toFixed(1) : s.toFixed(0)) + ' s'

/** holds / violated: names / unknown at limit (or: a cycle under symmetry) / stopped / error: message / pending / running. */
export function cellVerdictText(cell: MatrixCell): string {
  if (cell.status === 'pending' || cell.status === 'running') return cell.status
  if (cell.status === 'failed') return `error: ${cell.error ?? 'the run failed'}`
  if (cell.verdict === 'violated') return `violated: ${cell.violated.join(', ')}`
  if (cell.verdict === 'holds') return 'holds'
  if (cell.status === 'stopped' || cell.status === 'interrupted') return cell.status
  return unknownText(cell)
}

/** One line per cell: scenario, instances, consistency, verdict, unique states, seconds; where an unknown cell's BFS stood. */
export function formatMatrixTable(m: Matrix): string {
  const rows = [['scenario', 'inst', 'consistency', 'verdict', 'unique', 'time', 'BFS when cut']]
  for (const c of m.cells) {
    rows.push([c.scenario, String(c.instances), c.consistency, cellVerdictText(c), formatCount(c.unique), secs(c.seconds), c.frontier ? frontierText(c.frontier) : ''])
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  const right = new Set([1, 4, 5])
  const lines = rows.map((r) => r.map((v, i) => (right.has(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd())
  return lines.join('\n') + '\n'
}

function limitText(spec: Required<MatrixSpec>): string {
  const parts: string[] = [spec.strategy]
  if (spec.only?.length) parts.push(`${spec.only.length} chosen cells`)
  if (spec.timeoutPerCell) parts.push(`${spec.timeoutPerCell} s per cell`)
  if (spec.maxDepth) parts.push(`depth ≤ ${spec.maxDepth}`)
  return parts.join(', ')
}

export function matrixHeadline(m: MatrixSummary): string {
  return `matrix ${m.id} (${m.status}): ${m.spec.scenario} × ${m.spec.consistency.join(', ')} × instances ${m.spec.instances.join(', ')} (${limitText(m.spec)}): ` +
    `${m.holds} hold, ${m.violated} violated, ${m.unknown} unknown of ${m.cellCount}`
}

/** A Markdown grid: rows scenario × instances, columns consistency levels; each cell verdict, unique states, time. */
export function formatMatrixMarkdown(m: Matrix): string {
  const levels = m.spec.consistency
  const lines = [`| scenario | inst | ${levels.join(' | ')} |`, `|---|---:|${levels.map(() => '---').join('|')}|`]
  const rowKeys: string[] = []
  for (const c of m.cells) {
    const key = `${c.scenario}\u0000${c.instances}`
    if (!rowKeys.includes(key)) rowKeys.push(key)
  }
  for (const key of rowKeys) {
    const [scenario, inst] = key.split('\u0000')
    const cols = levels.map((level) => {
      const c = m.cells.find((x) => x.scenario === scenario && String(x.instances) === inst && x.consistency === level)
      if (!c) return ''
      const mark = c.verdict === 'holds' ? '✅' : c.verdict === 'violated' ? '❌' : '❔'
      const what = c.verdict === 'violated' ? c.violated.join(', ') : cellVerdictText(c)
      return `${mark} ${what} · ${formatCount(c.unique)} · ${secs(c.seconds)}`
    })
    lines.push(`| ${scenario} | ${inst} | ${cols.join(' | ')} |`)
  }
  return lines.join('\n') + '\n' + formatFrontiersMarkdown(m)
}

/**
 * The unknown cells' frontiers as a second table (empty when there are none): how deep each BFS had found every
 * state, how many states that depth held and how fast the levels were still growing.
 */
function formatFrontiersMarkdown(m: Matrix): string {
  const cut = m.cells.filter((c) => c.frontier)
  if (cut.length === 0) return ''
  const lines = [
    '',
    'Unknown cells, where the BFS stood at the limit (depth counts the initial state as 1):',
    '',
    '| scenario | inst | consistency | unique | found whole to depth | states at that depth | × the depth before | found one deeper |',
    '|---|---:|---|---:|---:|---:|---:|---:|',
  ]
  for (const c of cut) {
    const f = c.frontier!
    const g = frontierGrowth(f)
    lines.push(`| ${c.scenario} | ${c.instances} | ${c.consistency} | ${formatCount(c.unique)} | ${f.depth} | ${formatCount(f.states)} | ${g === undefined ? '' : g.toFixed(2)} | ${formatCount(f.beyond)} |`)
  }
  return lines.join('\n') + '\n'
}
