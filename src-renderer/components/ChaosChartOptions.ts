// uPlot options and data for a store chaos run's timeline: operations per second (acknowledged, failed, no answer)
// with each fault shaded across the plot and labelled with its kind and target.
import uPlot from 'uplot'
import type { ChaosFault, StoreChaosReport } from '../../src-shared/store-types.ts'
import type { ChartOptions } from '../lib/chart-options.ts'
import type { ThemeMode } from '../lib/theme.svelte.ts'

const COLORS: Record<ThemeMode, { axis: string; grid: string; ok: string; failed: string; unknown: string; text: string }> = {
  light: { axis: '#5f6b7c', grid: 'rgba(29,34,48,0.08)', ok: '#1f9d6b', failed: '#c2410c', unknown: '#d97706', text: '#1d2230' },
  dark: { axis: '#9aa3b2', grid: 'rgba(228,231,238,0.08)', ok: '#5fcf8d', failed: '#f07b4f', unknown: '#f0b34f', text: '#e4e7ee' },
}

/** Shade per fault kind (translucent, so the lines stay readable). */
export const FAULT_SHADES: Record<ChaosFault['kind'], string> = {
  kill: 'rgba(220, 38, 38, 0.16)',
  partition: 'rgba(47, 111, 219, 0.16)',
  pause: 'rgba(147, 51, 234, 0.16)',
}

export function chaosData(report: StoreChaosReport): uPlot.AlignedData {
  const t = report.timeline
  return [t.map((s) => s.second), t.map((s) => s.ok), t.map((s) => s.failed), t.map((s) => s.unknown)]
}

/** The rectangle (canvas pixels) each fault shades: its span in seconds mapped by `toX`, the plot's full height. */
export function faultSpans(faults: ChaosFault[], toX: (seconds: number) => number, top: number, height: number): { kind: ChaosFault['kind']; x: number; y: number; w: number; h: number }[] {
  return faults.map((f) => {
    const x0 = toX(f.startMs / 1000)
    return { kind: f.kind, x: x0, y: top, w: Math.max(1, toX(f.endMs / 1000) - x0), h: height }
  })
}

/** A draw hook that shades each fault's span under the series. */
export function shadeFaults(faults: ChaosFault[], text: string): (u: uPlot) => void {
  return (u) => {
    const ctx = u.ctx
    ctx.save()
    for (const r of faultSpans(faults, (s) => u.valToPos(s, 'x', true), u.bbox.top, u.bbox.height)) {
      ctx.fillStyle = FAULT_SHADES[r.kind]
      ctx.fillRect(r.x, r.y, r.w, r.h)
      ctx.fillStyle = text
      ctx.font = `${10 * devicePixelRatio}px sans-serif`
      ctx.fillText(r.kind, r.x + 2 * devicePixelRatio, r.y + 12 * devicePixelRatio)
    }
    ctx.restore()
  }
}

export function chaosOptions(mode: ThemeMode, report: StoreChaosReport): ChartOptions {
  const c = COLORS[mode]
  const common = { stroke: c.axis, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } }
  return {
    scales: { x: { time: false } },
    axes: [{ ...common, label: 'elapsed (s)' }, { ...common, label: 'operations / s', size: 56 }],
    series: [
      { label: 'second' },
      { label: 'acknowledged', stroke: c.ok, width: 2 },
      { label: 'failed', stroke: c.failed, width: 1.5 },
      { label: 'no answer', stroke: c.unknown, width: 1.5, dash: [4, 3] },
    ],
    hooks: { drawClear: [shadeFaults(report.faults, c.text)] },
  }
}
