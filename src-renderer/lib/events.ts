// One app-wide subscription to the lab's events, shared by every page. Pages come and go, but the underlying
// stream (a WebSocket for the web host) stays open, so no event is lost while one page replaces another.
import type { LabApi } from '../../src-shared/api.ts'
import type { LabEvent } from '../../src-shared/types.ts'
import { getLab } from './lab.ts'

type Listener = (event: LabEvent) => void

const listeners = new Set<Listener>()
let source: LabApi | null = null
let unsubscribeSource: (() => void) | null = null

/** Subscribes to the lab once (again if the LabApi instance changed, as in tests). */
export function connectLabEvents(): void {
  const lab = getLab()
  if (lab === source) return
  unsubscribeSource?.()
  source = lab
  unsubscribeSource = lab.onEvent((event) => {
    // A copy: a listener may unsubscribe (page change) while we deliver.
    for (const l of [...listeners]) l(event)
  })
}

export function onLabEvent(listener: Listener): () => void {
  connectLabEvents()
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}
