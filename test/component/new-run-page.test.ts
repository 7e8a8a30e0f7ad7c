// The new-run form: generated from the model's ParamSpec list, validated like the lab, starts a run and opens it.
import { fireEvent, render, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { setLab } from '../../src-renderer/lib/lab.ts'
import { toasts } from '../../src-renderer/lib/toast.svelte.ts'
import NewRunPage from '../../src-renderer/pages/NewRunPage.svelte'
import { LabError } from '../../src-shared/errors.ts'
import type { ModelInfo } from '../../src-shared/types.ts'
import { createFakeLab } from './fake-lab.ts'
import { twoPhaseInfo } from './fixtures.ts'

const storeModel: ModelInfo = {
  id: 'store',
  title: 'Store',
  description: 'A replicated store.',
  params: [
    { name: 'consistency', kind: 'enum', label: 'Consistency', default: 'linearizable', options: ['linearizable', 'stale'] },
  ],
  properties: [],
}

afterEach(() => {
  toasts.splice(0)
  window.location.hash = ''
})

describe('NewRunPage', () => {
  it('builds fields from the ParamSpec list, starts the run with the edited config and opens it', async () => {
    const { lab } = createFakeLab()
    setLab(lab)
    const { findByTestId, getByTestId, getByLabelText } = render(NewRunPage)

    const rms = (await findByTestId('param-rms')) as HTMLInputElement
    expect(rms.type).toBe('number')
    expect(rms.min).toBe('1')
    expect(rms.max).toBe('12')
    expect(rms.value).toBe('3')
    expect(getByLabelText('Resource managers')).toBe(rms)
    const bug = getByTestId('param-bug') as HTMLInputElement
    expect(bug.type).toBe('checkbox')
    expect(bug.checked).toBe(false)

    await fireEvent.input(rms, { target: { value: '4' } })
    await fireEvent.click(bug)
    await fireEvent.change(getByTestId('strategy'), { target: { value: 'dfs' } })
    await fireEvent.input(getByTestId('max-depth'), { target: { value: '15' } })
    await fireEvent.click(getByTestId('stop-on-violation'))
    await fireEvent.click(getByTestId('start-run'))

    await waitFor(() => expect(lab.startRun).toHaveBeenCalledTimes(1))
    expect(lab.startRun).toHaveBeenCalledWith({
      model: 'twophase',
      params: { rms: 4, bug: true },
      strategy: 'dfs',
      workers: 1,
      maxDepth: 15,
      timeout: 0,
      seed: 1,
      stopOnViolation: true,
    })
    await waitFor(() => expect(window.location.hash).toBe('#/run/42'))
  })

  it('names a bad field inline and does not call the lab', async () => {
    const { lab } = createFakeLab()
    setLab(lab)
    const { findByTestId, getByTestId } = render(NewRunPage)

    await fireEvent.input(await findByTestId('param-rms'), { target: { value: '40' } })
    await fireEvent.click(getByTestId('start-run'))

    expect((await findByTestId('form-error')).textContent).toContain('parameter "rms" must be between 1 and 12')
    expect(lab.startRun).not.toHaveBeenCalled()
    expect(toasts).toHaveLength(1)
  })

  it('shows the lab’s own rejection message', async () => {
    const { lab } = createFakeLab({
      startRun: vi.fn(async () => Promise.reject(new LabError('bad-input', 'workers are busy'))),
    })
    setLab(lab)
    const { findByTestId, getByTestId } = render(NewRunPage)
    await fireEvent.click(await findByTestId('start-run'))
    expect((await findByTestId('form-error')).textContent).toBe('workers are busy')
    expect(toasts[0].message).toBe('workers are busy')
    expect(window.location.hash).toBe('')
  })

  it('switches the parameter fields with the model, an enum becoming a select', async () => {
    const { lab } = createFakeLab({ listModels: vi.fn(async () => [twoPhaseInfo, storeModel]) })
    setLab(lab)
    const { findByTestId, getByTestId, queryByTestId } = render(NewRunPage)

    await fireEvent.change(await findByTestId('model-select'), { target: { value: 'store' } })
    expect(queryByTestId('param-rms')).toBeNull()
    const select = getByTestId('param-consistency') as HTMLSelectElement
    expect(select.tagName).toBe('SELECT')
    expect(Array.from(select.options).map((o) => o.value)).toEqual(['linearizable', 'stale'])
    await fireEvent.change(select, { target: { value: 'stale' } })
    await fireEvent.click(getByTestId('start-run'))
    await waitFor(() => expect(lab.startRun).toHaveBeenCalled())
    expect(lab.startRun).toHaveBeenCalledWith(
      expect.objectContaining({ model: 'store', params: { consistency: 'stale' } }),
    )
  })
})
