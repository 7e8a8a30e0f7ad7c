// Number and time formatting shared by the renderer and the CLI, so both print figures the same way.
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

export function formatRate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)} M/s`
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)} k/s`
  return `${Math.round(perSec)} /s`
}

export function formatSeconds(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`
  if (s < 120) return `${s.toFixed(2)} s`
  const m = Math.floor(s / 60)
  return `${m} min ${Math.round(s - m * 60)} s`
}

export function formatBytes(b: number): string {
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(2)} GiB`
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)} MiB`
  if (b >= 2 ** 10) return `${(b / 2 ** 10).toFixed(1)} KiB`
  return `${b} B`
}
