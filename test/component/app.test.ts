// The shell: hash routing between pages, the remembered theme switch, and errors surfacing as toasts.
import { fireEvent, render, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it, vi } from 'vitest'
import App from '../../src-renderer/App.svelte'
import { setLab } from '../../src-renderer/lib/lab.ts'
import { initTheme } from '../../src-renderer/lib/theme.svelte.ts'
import { toasts } from '../../src-renderer/lib/toast.svelte.ts'
import { createFakeLab } from './fake-lab.ts'

afterEach(() => {
  toasts.splice(0)
  localStorage.clear()
  window.location.hash = ''
})

describe('App', () => {
  it('routes by hash between the runs, new-run and run pages', async () => {
    const { lab } = createFakeLab()
    setLab(lab)
    const { findByTestId, queryByTestId } = render(App)
    await findByTestId('runs-table')

    window.location.hash = '#/new'
    await findByTestId('new-run-form')
    expect(queryByTestId('runs-table')).toBeNull()

    window.location.hash = '#/run/1'
    await findByTestId('run-unique')
    expect(lab.getRun).toHaveBeenCalledWith(1)

    window.location.hash = '#/nowhere'
    expect((await findByTestId('not-found')).textContent).toContain('/nowhere')
  })

  it('toggles the theme and remembers the choice', async () => {
    setLab(createFakeLab().lab)
    initTheme()
    expect(document.documentElement.dataset.theme).toBe('light')
    const { getByTestId } = render(App)
    const toggle = getByTestId('theme-toggle')
    expect(toggle.getAttribute('aria-label')).toBe('Switch to dark theme')

    await fireEvent.click(toggle)
    expect(document.documentElement.dataset.theme).toBe('dark')
    expect(localStorage.getItem('stabilis.theme')).toBe('dark')
    expect(toggle.getAttribute('aria-label')).toBe('Switch to light theme')

    initTheme()
    expect(document.documentElement.dataset.theme).toBe('dark')
  })

  it('shows a failed lab call as a toast with the error message', async () => {
    const { lab } = createFakeLab({ listRuns: vi.fn(async () => Promise.reject(new Error('database is locked'))) })
    setLab(lab)
    const { findByTestId } = render(App)
    expect((await findByTestId('toast')).textContent).toContain('database is locked')
    // The page still renders its empty state rather than nothing.
    await findByTestId('runs-empty')
  })

  it('turns an unhandled rejection into a toast', async () => {
    setLab(createFakeLab().lab)
    const { findByTestId } = render(App)
    window.dispatchEvent(
      Object.assign(new Event('unhandledrejection'), { reason: new Error('socket closed'), promise: Promise.resolve() }),
    )
    await waitFor(async () => expect((await findByTestId('toast')).textContent).toContain('socket closed'))
  })
})
