// A live run's timeline as chart series: writes per second of each controller (buckets of `bucketMs`), x in seconds.
import type uPlot from 'uplot'
import type { LiveEvent } from '../../src-shared/live-types.ts'
import type { ChartOptions } from './chart-options.ts'

export interface WriteRates {
  who: string[]
  data: uPlot.AlignedData
}

export function writeRates(events: readonly LiveEvent[], bucketMs = 250): WriteRates {
  const writes = events.filter((e) => e.type === 'write' && e.who !== 'fault' && e.who !== 'user')
  const who = [...new Set(writes.map((e) => e.who))].sort()
  if (writes.length === 0) return { who, data: [[], ...who.map(() => [])] }
  const last = Math.max(...events.map((e) => e.atMs))
  const n = Math.floor(last / bucketMs) + 1
  const counts = who.map(() => new Array<number>(n).fill(0))
  for (const e of writes) counts[who.indexOf(e.who)][Math.floor(e.atMs / bucketMs)]++
  const x = Array.from({ length: n }, (_, i) => ((i + 0.5) * bucketMs) / 1000)
  return { who, data: [x, ...counts.map((c) => c.map((k) => (k * 1000) / bucketMs))] }
}

export function writeRatesOptions(who: readonly string[], dark: boolean): ChartOptions {
  const axis = dark ? '#9aa3b2' : '#5f6b7c'
  const grid = dark ? 'rgba(228,231,238,0.08)' : 'rgba(29,34,48,0.08)'
  const common = { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } }
  return {
    scales: { x: { time: false } },
    axes: [
      { ...common, label: 'elapsed (s)' },
      { ...common, label: 'writes / s', size: 48 },
    ],
    series: [{ label: 'elapsed (s)' }, ...who.map((w, i) => ({ label: w, stroke: `hsl(${(i * 67) % 360} 65% ${dark ? 65 : 45}%)`, width: 2 }))],
  }
}
