// uPlot options for the run charts. Canvas colours cannot come from CSS variables, so each theme has a palette.
import uPlot from 'uplot'
import { formatCount } from '../../src-shared/format.ts'
import type { ThemeMode } from './theme.svelte.ts'

/** Options without size: the Chart wrapper sizes the plot to its container. */
export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>

interface Palette {
  axis: string
  grid: string
  series: [string, string, string]
}

const PALETTES: Record<ThemeMode, Palette> = {
  light: { axis: '#5f6b7c', grid: 'rgba(29,34,48,0.08)', series: ['#2f6fdb', '#1f9d6b', '#d97706'] },
  dark: { axis: '#9aa3b2', grid: 'rgba(228,231,238,0.08)', series: ['#6b9cf0', '#5fcf8d', '#f0b34f'] },
}

/** Short axis labels: 1.2M instead of 1200000, so the y axis stays narrow. */
function compact(v: number): string {
  const a = Math.abs(v)
  if (a >= 1e9) return `${+(v / 1e9).toFixed(1)}G`
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`
  return `${+v.toFixed(2)}`
}

function axes(p: Palette, xLabel: string, yLabel: string): uPlot.Axis[] {
  const common = { stroke: p.axis, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1 } }
  return [
    { ...common, label: xLabel },
    { ...common, label: yLabel, size: 56, values: (_u, splits) => splits.map(compact) },
  ]
}

const secondsScale: uPlot.Scale = { time: false }

/** Counts start at zero, so a bar's or a line's height is read against nothing rather than against the minimum. */
export const zeroScale: uPlot.Scale = { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] }
const countValue = (_u: uPlot, v: number | null): string => (v == null ? '–' : formatCount(v))

export function ratesOptions(mode: ThemeMode): ChartOptions {
  const p = PALETTES[mode]
  return {
    scales: { x: secondsScale, y: zeroScale },
    axes: axes(p, 'elapsed (s)', 'states / s'),
    series: [
      { label: 'elapsed (s)' },
      { label: 'generated/s', stroke: p.series[0], width: 2, value: countValue },
      { label: 'unique/s', stroke: p.series[1], width: 2, value: countValue },
    ],
  }
}

export function uniqueOptions(mode: ThemeMode): ChartOptions {
  const p = PALETTES[mode]
  return {
    scales: { x: secondsScale, y: zeroScale },
    axes: axes(p, 'elapsed (s)', 'unique states'),
    series: [
      { label: 'elapsed (s)' },
      { label: 'unique', stroke: p.series[1], fill: `${p.series[1]}22`, width: 2, value: countValue },
    ],
  }
}

const DEPTH_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000]

export function depthOptions(mode: ThemeMode): ChartOptions {
  const p = PALETTES[mode]
  return {
    // Half a bar of room each side, so the first and last depths are drawn whole (and one depth still has a range).
    scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: zeroScale },
    // Depths are whole numbers: only integer ticks.
    axes: axes(p, 'depth', 'unique states').map((a, i) => (i === 0 ? { ...a, incrs: DEPTH_INCRS } : a)),
    series: [
      { label: 'depth' },
      {
        label: 'unique states',
        stroke: p.series[2],
        fill: `${p.series[2]}aa`,
        width: 1,
        paths: uPlot.paths.bars?.({ size: [0.7, 60] }),
        points: { show: false },
        value: countValue,
      },
    ],
  }
}

/** Steps-to-converge histogram: x = worst-case steps from a state to the goal, y = reachable states. */
export function stepsOptions(mode: ThemeMode): ChartOptions {
  const p = PALETTES[mode]
  return {
    legend: { show: false },
    scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: zeroScale },
    axes: axes(p, 'steps to converge (worst case)', 'states').map((a, i) => (i === 0 ? { ...a, incrs: DEPTH_INCRS } : a)),
    series: [
      { label: 'steps' },
      {
        label: 'states',
        stroke: p.series[1],
        fill: `${p.series[1]}aa`,
        width: 1,
        paths: uPlot.paths.bars?.({ size: [0.7, 60] }),
        points: { show: false },
        value: countValue,
      },
    ],
  }
}

/** Colours for up to four compared runs, in order; the legend chips on the Compare page use the same. */
export const RUN_COLOURS: Record<ThemeMode, readonly string[]> = {
  light: ['#2f6fdb', '#d97706', '#1f9d6b', '#b23ab2'],
  dark: ['#6b9cf0', '#f0b34f', '#5fcf8d', '#e07be0'],
}

const percentValue = (_u: uPlot, v: number | null): string => (v == null ? '–' : `${(v * 100).toFixed(1)} %`)

/** One line per run over a shared x axis. */
export function overlayOptions(
  mode: ThemeMode,
  runLabels: readonly string[],
  kind: 'unique' | 'rate' | 'depth' | 'depth-share',
): ChartOptions {
  const p = PALETTES[mode]
  const colours = RUN_COLOURS[mode]
  const depth = kind === 'depth' || kind === 'depth-share'
  const xLabel = depth ? 'depth' : 'elapsed (s)'
  const yLabel = { unique: 'unique states', rate: 'generated / s', depth: 'unique states', 'depth-share': 'share of states' }[kind]
  const ax = axes(p, xLabel, yLabel)
  if (kind === 'depth-share') ax[1] = { ...ax[1], values: (_u, splits) => splits.map((v) => `${+(v * 100).toFixed(1)}%`) }
  if (depth) ax[0] = { ...ax[0], incrs: DEPTH_INCRS }
  return {
    scales: { x: depth ? { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] } : secondsScale, y: zeroScale },
    axes: ax,
    series: [
      { label: xLabel },
      ...runLabels.map((label, i) => ({
        label,
        stroke: colours[i % colours.length],
        width: 2,
        spanGaps: true,
        // Depths are few: always dotted. Over time uPlot shows points by itself when they are sparse (short runs).
        points: depth ? { show: true, size: 5 } : { size: 6 },
        value: kind === 'depth-share' ? percentValue : countValue,
      })),
    ],
  }
}
