// App-wide notices. Every failed LabApi call ends here, so an error is always visible and never a blank page.
export interface ToastAction {
  label: string
  run: () => void
}

export interface Toast {
  id: number
  kind: 'error' | 'info'
  message: string
  /** A button in the toast (e.g. Undo); pressing it runs the action and dismisses the toast. */
  action?: ToastAction
}

export const toasts = $state<Toast[]>([])

let nextId = 1
const LIFETIME_MS = 10_000

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name
  if (typeof err === 'string') return err
  if (err && typeof err === 'object' && 'message' in err && typeof err.message === 'string') return err.message
  return String(err)
}

export function dismissToast(id: number): void {
  const i = toasts.findIndex((t) => t.id === id)
  if (i >= 0) toasts.splice(i, 1)
}

export function showToast(message: string, kind: Toast['kind'] = 'info', action?: ToastAction): number {
  const id = nextId++
  toasts.push(action ? { id, kind, message, action } : { id, kind, message })
  // Keep the stack short: a flood of identical failures should not bury the page.
  while (toasts.length > 4) toasts.shift()
  setTimeout(() => dismissToast(id), LIFETIME_MS)
  return id
}

export function showError(err: unknown): void {
  showToast(errorMessage(err), 'error')
}
