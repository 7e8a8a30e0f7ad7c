// npm run bench:checker — twophase rms=8 with 1 worker and with 2 workers, and SPIN on the Promela twin
// (test/bench/twophase.pml). Checks that every run stores the same 1,745,408 states, then writes
// bench-results/checker.json with unique/s and generated/s of each and the ratios.
// Options: --rms N (default 8), --repeat N (best of N runs each, default 3), --skip-spin.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { runPool } from '../../src-main/checker/pool.ts'
import { modelRefFor } from '../../src-main/lab/model-refs.ts'

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : def
}
const rms = arg('rms', 8)
const repeat = arg('repeat', 3)
const skipSpin = process.argv.includes('--skip-spin')
const root = new URL('../../', import.meta.url)
const entry = new URL('src-main/checker/check-worker.ts', root)
const expectedUnique = 2 ** rms + 4 ** rms + 6 ** rms
const expectedGenerated = Math.round(rms * 2 ** rms + (rms + 1) * 4 ** rms + (4 * rms * 6 ** rms) / 3 + 2)

interface Figures {
  unique: number
  generated: number
  seconds: number
  uniquePerSec: number
  generatedPerSec: number
  bytesPerState?: number
  visitedBytesPerState?: number
  runs: number[]
}

async function ours(workers: number): Promise<Figures> {
  let best: Figures | null = null
  const runs: number[] = []
  for (let i = 0; i < repeat; i++) {
    const r = await runPool(
      { model: 'twophase', params: { rms, bug: false }, workers, strategy: 'bfs', maxDepth: 0, timeout: 0, maxStates: 0, stopOnViolation: false, seed: 1, modelModule: modelRefFor({ model: 'twophase' }) },
      { entry },
    )
    if (r.unique !== expectedUnique || r.generated !== expectedGenerated || r.maxDepth !== 3 * rms + 2) {
      throw new Error(`${workers} worker(s): counts ${r.unique}/${r.generated}/${r.maxDepth} differ from the closed forms`)
    }
    const seconds = r.elapsedMs / 1000
    runs.push(Number(seconds.toFixed(3)))
    process.stderr.write(`  ${workers} worker(s): ${seconds.toFixed(2)} s\n`)
    if (!best || seconds < best.seconds) {
      best = {
        unique: r.unique, generated: r.generated, seconds,
        uniquePerSec: Math.round(r.unique / seconds), generatedPerSec: Math.round(r.generated / seconds),
        bytesPerState: Number(r.bytesPerState!.toFixed(2)), visitedBytesPerState: Number((r.visitedBytes! / r.unique).toFixed(2)), runs,
      }
    }
  }
  return best!
}

function spin(): Figures & { version: string; stateVector: string } {
  const dir = mkdtempSync(join(tmpdir(), 'stabilis-spin-'))
  const pml = new URL('test/bench/twophase.pml', root).pathname
  const version = execFileSync('spin', ['-V'], { encoding: 'utf8' }).trim()
  execFileSync('spin', [`-DRMS=${rms}`, '-a', pml], { cwd: dir })
  execFileSync('gcc', ['-O2', '-DNOREDUCE', '-DSAFETY', '-o', 'pan', 'pan.c'], { cwd: dir })
  let best: (Figures & { version: string; stateVector: string }) | null = null
  const runs: number[] = []
  for (let i = 0; i < repeat; i++) {
    const out = execFileSync('./pan', ['-m100000', '-w24'], { cwd: dir, encoding: 'utf8' })
    const stored = Number(/(\d+) states, stored/.exec(out)![1])
    const transitions = Number(/(\d+) transitions/.exec(out)![1])
    const seconds = Number(/elapsed time ([\d.e+-]+) seconds/.exec(out)![1])
    const stateVector = /State-vector (\d+ byte)/.exec(out)?.[1] ?? '?'
    if (stored !== expectedUnique) throw new Error(`SPIN stored ${stored} states, we store ${expectedUnique}: the Promela twin differs`)
    runs.push(seconds)
    process.stderr.write(`  SPIN: ${seconds} s\n`)
    if (!best || seconds < best.seconds) {
      best = {
        unique: stored, generated: transitions + 1, seconds, uniquePerSec: Math.round(stored / seconds),
        generatedPerSec: Math.round((transitions + 1) / seconds), runs, version, stateVector,
      }
    }
  }
  return best!
}

process.stderr.write(`twophase rms=${rms}: ${expectedUnique} unique, ${expectedGenerated} generated (best of ${repeat})\n`)
const one = await ours(1)
const two = await ours(2)
const spinFigures = skipSpin ? null : spin()
const round = (x: number): number => Number(x.toFixed(3))
const result = {
  date: new Date().toISOString(),
  machine: { cpus: availableParallelism(), model: cpus()[0]?.model, node: process.version },
  model: { id: 'twophase', rms, unique: expectedUnique, generated: expectedGenerated, depth: 3 * rms + 2 },
  stabilis1: one,
  stabilis2: two,
  spin: spinFigures,
  ratios: {
    twoWorkersOverOne: round(two.uniquePerSec / one.uniquePerSec),
    twoWorkersOverSpin: spinFigures ? round(two.uniquePerSec / spinFigures.uniquePerSec) : null,
    oneWorkerOverSpin: spinFigures ? round(one.uniquePerSec / spinFigures.uniquePerSec) : null,
  },
  targets: {
    'two workers >= 1.7x one': two.uniquePerSec / one.uniquePerSec >= 1.7,
    'two workers >= 350k unique/s': two.uniquePerSec >= 350_000,
    'two workers >= 0.5x SPIN': spinFigures ? two.uniquePerSec / spinFigures.uniquePerSec >= 0.5 : null,
    'visited set <= 24 B/state': (two.visitedBytesPerState ?? 99) <= 24,
  },
}
mkdirSync(new URL('bench-results/', root), { recursive: true })
writeFileSync(new URL('bench-results/checker.json', root), JSON.stringify(result, null, 2) + '\n')
process.stdout.write(JSON.stringify({ ratios: result.ratios, targets: result.targets, uniquePerSec: { one: one.uniquePerSec, two: two.uniquePerSec, spin: spinFigures?.uniquePerSec } }, null, 2) + '\n')
