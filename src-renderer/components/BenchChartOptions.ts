// Grouped bar charts of store benchmark figures (uPlot options and data), kept apart from the component so tests can import them.
import uPlot from 'uplot'
import type { ChartOptions } from '../lib/chart-options.ts'
import type { ThemeMode } from '../lib/theme.svelte.ts'
import type { StoreBenchReport } from '../../src-shared/store-types.ts'
import { formatCount } from '../../src-shared/format.ts'

export type BenchMetric = 'opsPerSec' | 'p99Ms'

const COLORS: Record<ThemeMode, { axis: string; grid: string; stabilis: string[]; etcd: string[] }> = {
  light: { axis: '#5f6b7c', grid: 'rgba(29,34,48,0.08)', stabilis: ['#2f6fdb', '#1f9d6b', '#7c4dcc'], etcd: ['#d97706', '#b45309', '#c2410c'] },
  dark: { axis: '#9aa3b2', grid: 'rgba(228,231,238,0.08)', stabilis: ['#6b9cf0', '#5fcf8d', '#b191f0'], etcd: ['#f0b34f', '#e08a3c', '#f08a6b'] },
}

/** A series label per system: "stabilis ×3". */
export const systemLabel = (s: { system: string; members: number }): string => `${s.system} ×${s.members}`

/**
 * Grouped bars as uPlot data: one group per workload, one bar (series) per system. Bar (w, s) sits at
 * x = w·(n+1) + s, so a gap of one bar separates the groups; a series is null away from its own bars.
 */
export function benchData(report: StoreBenchReport, metric: BenchMetric): { data: uPlot.AlignedData; workloads: string[]; systems: string[] } {
  const systems = report.systems
  const workloads = [...new Set(systems.flatMap((s) => s.workloads.map((w) => w.workload)))]
  const n = systems.length
  const xs: number[] = []
  const ys: (number | null)[][] = systems.map(() => [])
  workloads.forEach((wl, w) => {
    systems.forEach((_, s) => {
      xs.push(w * (n + 1) + s)
      systems.forEach((sys, k) => ys[k].push(k === s ? (sys.workloads.find((x) => x.workload === wl)?.[metric] ?? null) : null))
    })
  })
  return { data: [xs, ...ys] as uPlot.AlignedData, workloads, systems: systems.map(systemLabel) }
}

export function benchOptions(mode: ThemeMode, report: StoreBenchReport, metric: BenchMetric): ChartOptions {
  const p = COLORS[mode]
  const { workloads } = benchData(report, metric)
  const n = report.systems.length
  const centers = workloads.map((_, w) => w * (n + 1) + (n - 1) / 2)
  const counters = { stabilis: 0, etcd: 0 }
  const common = { stroke: p.axis, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1 } }
  const unit = metric === 'opsPerSec' ? 'ops/s' : 'p99 ms'
  const fmt = (v: number | null): string => (v == null ? '–' : metric === 'opsPerSec' ? formatCount(v) : v.toFixed(2))
  return {
    scales: { x: { time: false, range: () => [-0.6, workloads.length * (n + 1) - 1.4] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      { ...common, splits: () => centers, values: (_u, splits) => splits.map((v) => workloads[centers.indexOf(v)] ?? ''), grid: { show: false } },
      { ...common, label: unit, size: 60, values: (_u, splits) => splits.map((v) => (v >= 1000 ? `${+(v / 1000).toFixed(1)}k` : `${+v.toFixed(2)}`)) },
    ],
    cursor: { drag: { x: false, y: false } },
    legend: { live: false },
    series: [
      { label: 'workload', value: () => '' },
      ...report.systems.map((s) => {
        const palette = s.system === 'etcd' ? p.etcd : p.stabilis
        const color = palette[counters[s.system]++ % palette.length]
        return {
          label: systemLabel(s),
          stroke: color,
          fill: color,
          width: 0,
          points: { show: false },
          paths: uPlot.paths.bars!({ size: [0.9, 80], align: 0 }),
          value: (_u: uPlot, v: number | null) => fmt(v),
        }
      }),
    ],
  }
}
