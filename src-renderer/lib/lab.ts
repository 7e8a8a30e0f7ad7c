// The renderer's one way to the lab: window.lab (Electron preload) or the web host client.
import type { LabApi } from '../../src-shared/api.ts'
import { reportUnauthorized } from './access.svelte.ts'
import { createWebLab, takeToken } from './web-lab.ts'

declare global {
  interface Window {
    lab?: LabApi
  }
}

let instance: LabApi | null = null

export function getLab(): LabApi {
  if (!instance) {
    if (window.lab) instance = window.lab
    else {
      const token = takeToken()
      if (!token) reportUnauthorized(false)
      instance = createWebLab(token, window.location.origin, () => reportUnauthorized(token !== ''))
    }
  }
  return instance
}

/** For component tests: use a given LabApi instead of window.lab or the web host. */
export function setLab(lab: LabApi): void {
  instance = lab
}
