// Light/dark theme: follows the system until the user picks one, then remembers the pick in localStorage.
export type ThemeMode = 'light' | 'dark'

const STORAGE_KEY = 'stabilis.theme'
const DARK_QUERY = '(prefers-color-scheme: dark)'

export const theme = $state<{ mode: ThemeMode }>({ mode: 'light' })

function stored(): ThemeMode | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    return v === 'light' || v === 'dark' ? v : null
  } catch {
    // Storage can be unavailable (privacy settings); the system preference still works.
    return null
  }
}

function systemMode(): ThemeMode {
  return typeof window.matchMedia === 'function' && window.matchMedia(DARK_QUERY).matches ? 'dark' : 'light'
}

function apply(mode: ThemeMode): void {
  theme.mode = mode
  document.documentElement.dataset.theme = mode
}

let initialised = false

/** Applies the remembered or system theme and keeps following the system while nothing is remembered. */
export function initTheme(): void {
  apply(stored() ?? systemMode())
  if (initialised || typeof window.matchMedia !== 'function') return
  initialised = true
  window.matchMedia(DARK_QUERY).addEventListener?.('change', () => {
    if (!stored()) apply(systemMode())
  })
}

export function toggleTheme(): void {
  const next: ThemeMode = theme.mode === 'dark' ? 'light' : 'dark'
  try {
    localStorage.setItem(STORAGE_KEY, next)
  } catch {
    // Not remembered, but the switch still applies for this session.
  }
  apply(next)
}
