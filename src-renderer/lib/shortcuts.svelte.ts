import { untrack } from 'svelte'

// Keyboard shortcuts: pages register groups while mounted; one window listener dispatches keys and two-key
// sequences ("g r"). Keys typed into a field never trigger a shortcut. The help dialog (?) lists the groups.

export interface Shortcut {
  /** A key as KeyboardEvent.key reports it ("j", "/", "Delete"), or a sequence "g r". Alternatives: "j|ArrowDown". */
  keys: string
  description: string
  run: (e: KeyboardEvent) => void
}

interface Group {
  id: number
  title: string
  shortcuts: Shortcut[]
}

export const shortcutGroups = $state<Group[]>([])

let nextId = 1
let prefix: string | null = null
let prefixTimer: ReturnType<typeof setTimeout> | undefined

/** Registers a group; returns the function that removes it (use as an $effect's cleanup). */
export function registerShortcuts(title: string, shortcuts: Shortcut[]): () => void {
  const id = nextId++
  // Untracked: called from an $effect, and push() reads the list's length, which would re-run the effect forever.
  untrack(() => shortcutGroups.push({ id, title, shortcuts }))
  return () =>
    untrack(() => {
      const i = shortcutGroups.findIndex((g) => g.id === id)
      if (i >= 0) shortcutGroups.splice(i, 1)
    })
}

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  const tag = target.tagName
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true
  if (tag !== 'INPUT') return false
  const type = (target as HTMLInputElement).type
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes(type)
}

function alternatives(keys: string): string[][] {
  return keys.split('|').map((k) => k.trim().split(/\s+/))
}

/** Handles one keydown; returns true when a shortcut ran. */
export function handleShortcutKey(e: KeyboardEvent): boolean {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return false
  // Inside an open modal only the modal's own keys apply.
  if (document.querySelector('dialog[open]') && e.key !== 'Escape') return false
  const key = e.key
  // Later groups (the page) win over earlier ones (the app).
  const all = shortcutGroups.flatMap((g) => g.shortcuts).reverse()
  if (prefix !== null) {
    const first = prefix
    prefix = null
    clearTimeout(prefixTimer)
    const hit = all.find((s) => alternatives(s.keys).some((seq) => seq.length === 2 && seq[0] === first && seq[1] === key))
    if (hit) {
      e.preventDefault()
      hit.run(e)
      return true
    }
  }
  const single = all.find((s) => alternatives(s.keys).some((seq) => seq.length === 1 && seq[0] === key))
  if (single) {
    e.preventDefault()
    single.run(e)
    return true
  }
  if (all.some((s) => alternatives(s.keys).some((seq) => seq.length === 2 && seq[0] === key))) {
    prefix = key
    prefixTimer = setTimeout(() => (prefix = null), 1200)
    return true
  }
  return false
}

/** How a key list reads in the help: "g r", "j / ↓". */
export function describeKeys(keys: string): string {
  const names: Record<string, string> = { ArrowDown: '↓', ArrowUp: '↑', ArrowLeft: '←', ArrowRight: '→', Delete: 'Del', Escape: 'Esc' }
  return keys
    .split('|')
    .map((k) => k.trim().split(/\s+/).map((p) => names[p] ?? p).join(' then '))
    .join(' / ')
}
