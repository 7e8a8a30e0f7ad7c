// Where a breadth-first search stood when it was cut: how deep it had found every state, and whether the levels were
// still widening. An unknown matrix cell shows it, so a reader sees how far the space is from its end.
import { formatCount } from './format.ts'
import type { Frontier } from './types.ts'

/** From a run's states per depth (index 0 = depth 1) and the depth its BFS had found whole; undefined without one. */
export function frontierOf(hist: readonly number[], depth: number | undefined): Frontier | undefined {
  if (depth === undefined || depth < 1 || depth > hist.length) return undefined
  return { depth, states: hist[depth - 1], before: depth > 1 ? hist[depth - 2] : 0, beyond: hist[depth] ?? 0 }
}

/** How much a depth's level holds over the one before (the space's growth per step); undefined at depth 1. */
export function frontierGrowth(f: Frontier): number | undefined {
  return f.before > 0 ? f.states / f.before : undefined
}

/** "whole to depth 11: 121,218 states there, ×2.1 the depth before; 124,386 found at depth 12 when cut" */
export function frontierText(f: Frontier): string {
  const g = frontierGrowth(f)
  const growth = g !== undefined ? `, ×${g.toFixed(1)} the depth before` : ''
  const beyond = f.beyond > 0 ? `; ${formatCount(f.beyond)} found at depth ${f.depth + 1} when cut` : ''
  return `whole to depth ${f.depth}: ${formatCount(f.states)} states there${growth}${beyond}`
}
