// The lab bench pages against a fake LabApi: runs selection, compare and delete with undo; run name/notes/tags;
// the Compare page's table, save and export; the trace explorer's steps, diff, keys and replay.
import { fireEvent, render, waitFor } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RunDetail, RunSummary } from '../../src-shared/types.ts'
import RunMeta from '../../src-renderer/components/RunMeta.svelte'
import Toasts from '../../src-renderer/components/Toasts.svelte'
import { setLab } from '../../src-renderer/lib/lab.ts'
import { handleShortcutKey } from '../../src-renderer/lib/shortcuts.svelte.ts'
import { toasts } from '../../src-renderer/lib/toast.svelte.ts'
import ComparePage from '../../src-renderer/pages/ComparePage.svelte'
import RunsPage from '../../src-renderer/pages/RunsPage.svelte'
import TracePage from '../../src-renderer/pages/TracePage.svelte'
import { createFakeLab } from './fake-lab.ts'
import { makeDetail, makeRun, makeSample } from './fixtures.ts'

const onKey = (e: KeyboardEvent): void => void handleShortcutKey(e)
beforeEach(() => window.addEventListener('keydown', onKey))
afterEach(() => {
  window.removeEventListener('keydown', onKey)
  toasts.splice(0)
  localStorage.clear()
  window.location.hash = ''
})

function detailFor(id: number, rms: number, unique: number, over: Partial<RunSummary> = {}): RunDetail {
  const d = makeDetail(
    makeRun({ id, unique, generated: unique * 4, maxDepth: 3 * rms + 2, seconds: rms / 10, config: { ...makeRun().config, params: { rms, bug: false } }, ...over }),
  )
  return { ...d, samples: [makeSample(100, unique / 2), makeSample(200, unique)], depthHistogram: [1, rms, unique - rms - 1] }
}

const details = new Map([
  [1, detailFor(1, 2, 56, { name: 'small' })],
  [2, detailFor(2, 3, 288)],
  [3, detailFor(3, 4, 1568)],
])
const getRun = vi.fn(async (id: number) => {
  const d = details.get(id)
  if (!d) throw Object.assign(new Error(`no run with id ${id}`), { code: 'not-found' })
  return d
})

describe('RunsPage selection', () => {
  it('selects 2–4 runs to compare and deletes with undo', async () => {
    const runs = [...details.values()].map((d) => d.summary)
    const { lab } = createFakeLab({ listRuns: vi.fn(async () => runs) })
    setLab(lab)
    const page = render(RunsPage)
    render(Toasts)
    await page.findByTestId('run-row-3')
    const compare = page.getByTestId('compare-selected') as HTMLButtonElement
    expect(compare.disabled).toBe(true)
    await fireEvent.click(page.getByTestId('select-3'))
    expect(compare.disabled).toBe(true)
    await fireEvent.click(page.getByTestId('select-1'))
    expect(page.getByTestId('selection-count').textContent).toBe('2 selected')
    expect((page.getByTestId('select-1') as HTMLInputElement).checked).toBe(true)
    await fireEvent.click(compare)
    expect(window.location.hash).toBe('#/compare/1,3')

    await fireEvent.click(page.getByTestId('delete-selected'))
    await waitFor(() => expect(page.queryByTestId('run-row-1')).toBeNull())
    expect(lab.deleteRuns).toHaveBeenCalledWith([3, 1])
    expect(page.queryByTestId('run-row-3')).toBeNull()
    const undo = await page.findByTestId('toast-action')
    expect(undo.textContent).toBe('Undo')
    await fireEvent.click(undo)
    await waitFor(() => expect(page.getByTestId('run-row-1')).toBeTruthy())
    expect(lab.restoreRuns).toHaveBeenCalledWith([3, 1])
  })

  it('filters the table and says so when nothing matches', async () => {
    const runs = [...details.values()].map((d) => d.summary)
    setLab(createFakeLab({ listRuns: vi.fn(async () => runs) }).lab)
    const page = render(RunsPage)
    await page.findByTestId('run-row-3')
    await fireEvent.input(page.getByTestId('runs-filter'), { target: { value: 'small' } })
    await waitFor(() => expect(page.queryByTestId('run-row-3')).toBeNull())
    expect(page.getByTestId('run-row-1')).toBeTruthy()
    expect(page.getByTestId('runs-count').textContent?.trim()).toBe('1 of 3 runs')
    await fireEvent.input(page.getByTestId('runs-filter'), { target: { value: 'zzz' } })
    expect((await page.findByTestId('runs-empty')).textContent).toContain('No run matches')
  })
})

describe('RunMeta', () => {
  it('edits name, tags and notes and saves them through updateRun', async () => {
    const { lab } = createFakeLab()
    setLab(lab)
    const onsaved = vi.fn()
    const { getByTestId, findByTestId } = render(RunMeta, { props: { run: makeRun({ id: 5 }), onsaved } })
    expect(getByTestId('run-name').textContent).toBe('Unnamed run')
    await fireEvent.click(getByTestId('run-meta-edit'))
    await fireEvent.input(getByTestId('run-name-input'), { target: { value: 'baseline' } })
    await fireEvent.input(getByTestId('run-tags-input'), { target: { value: 'a, b a' } })
    await fireEvent.input(getByTestId('run-notes-input'), { target: { value: 'line 1\nline 2' } })
    await fireEvent.submit(getByTestId('run-meta-form'))
    await waitFor(() => expect(onsaved).toHaveBeenCalled())
    expect(lab.updateRun).toHaveBeenCalledWith(5, { name: 'baseline', notes: 'line 1\nline 2', tags: ['a', 'b'] })
    await findByTestId('run-meta-edit')
  })
})

describe('ComparePage', () => {
  it('shows the runs side by side with differences and deltas against the first', async () => {
    const { lab } = createFakeLab({ getRun })
    setLab(lab)
    const page = render(ComparePage, { props: { ids: [1, 2, 3] } })
    await page.findByTestId('compare-table')
    const value = (key: string, id: number): string | null => page.getByTestId(`cmp-${key}-${id}`).getAttribute('data-value')
    expect([value('unique_states', 1), value('unique_states', 2), value('unique_states', 3)]).toEqual(['56', '288', '1568'])
    expect(page.getByTestId('cmp-unique_states-3').textContent).toContain('1,568')
    expect(page.getByTestId('cmp-delta-unique_states-3').textContent).toContain('+1,512')
    expect(page.getByTestId('cmp-delta-unique_states-3').textContent).toContain('×28')
    expect(page.getByTestId('cmp-row-param_rms').getAttribute('data-differs')).toBe('true')
    expect(page.getByTestId('cmp-row-strategy').getAttribute('data-differs')).toBe('false')
    expect(page.getByTestId('cmp-property_consistent-2').textContent?.trim()).toBe('holds')
    expect(page.getByTestId('cmp-name-1').textContent?.trim()).toBe('small')

    await fireEvent.click(page.getByTestId('only-diffs'))
    await waitFor(() => expect(page.queryByTestId('cmp-row-strategy')).toBeNull())
    expect(page.getByTestId('cmp-row-unique_states')).toBeTruthy()
  })

  it('saves the comparison under a suggested name and exports it as CSV', async () => {
    const { lab } = createFakeLab({ getRun })
    setLab(lab)
    const page = render(ComparePage, { props: { ids: [1, 2] } })
    await page.findByTestId('compare-table')
    await fireEvent.click(page.getByTestId('save-comparison'))
    expect((page.getByTestId('comparison-name') as HTMLInputElement).value).toBe('twophase: rms=2 vs rms=3')
    await fireEvent.submit(page.getByTestId('comparison-name-form'))
    await waitFor(() => expect(lab.saveComparison).toHaveBeenCalledWith({ id: undefined, name: 'twophase: rms=2 vs rms=3', runIds: [1, 2] }))
    await waitFor(() => expect(window.location.hash).toBe('#/comparisons/1'))

    URL.createObjectURL = vi.fn(() => 'blob:x')
    URL.revokeObjectURL = vi.fn()
    await fireEvent.click(page.getByTestId('export-comparison'))
    await waitFor(() => expect(lab.exportCsv).toHaveBeenCalledWith([1, 2], 'comparison'))
  })

  it('opens a saved comparison by id, and names runs it cannot load', async () => {
    const { lab, comparisons } = createFakeLab({ getRun })
    comparisons.push({ id: 9, name: 'saved one', runIds: [1, 2, 77], createdAt: '', updatedAt: '' })
    setLab(lab)
    const page = render(ComparePage, { props: { savedId: 9 } })
    expect((await page.findByTestId('compare-title')).textContent).toBe('saved one')
    expect((await page.findByTestId('compare-missing')).textContent).toContain('Run #77 could not be loaded: no run with id 77')
    await page.findByTestId('compare-table')
    expect(page.getByTestId('delete-comparison')).toBeTruthy()
  })

  it('explains an address with too few runs', async () => {
    setLab(createFakeLab({ getRun }).lab)
    const page = render(ComparePage, { props: { ids: [1] } })
    expect((await page.findByTestId('compare-error')).textContent).toContain('at least 2 runs')
  })
})

describe('TracePage', () => {
  const trace = [
    { index: 0, action: null, state: { tmState: 'init', rmState: { rm1: 'working', rm2: 'working' } } },
    { index: 1, action: 'TMCommit', state: { tmState: 'committed', rmState: { rm1: 'working', rm2: 'working' } } },
    { index: 2, action: 'RMChooseToAbort(rm1)', state: { tmState: 'committed', rmState: { rm1: 'aborted', rm2: 'working' } } },
    { index: 3, action: 'RMRcvCommitMsg(rm2)', state: { tmState: 'committed', rmState: { rm1: 'aborted', rm2: 'committed' } } },
  ]
  const bugRun = (): RunDetail => {
    const d = makeDetail(makeRun({ id: 8, verdict: 'violated' }))
    return { ...d, properties: [{ name: 'consistent', kind: 'always', description: 'No mixed outcome.', status: 'violated', trace }, d.properties[1]] }
  }

  it('opens on the violating step, shows its changes, and moves with j / k', async () => {
    const { lab } = createFakeLab({ getRun: vi.fn(async () => bugRun()) })
    setLab(lab)
    const page = render(TracePage, { props: { id: 8, property: 'consistent' } })
    expect((await page.findByTestId('trace-selected')).textContent).toContain('Step 3 of 3')
    expect(page.getByTestId('trace-decided').textContent).toContain('consistent is violated')
    expect(page.getAllByTestId('trace-step-item')).toHaveLength(4)
    expect(page.getByTestId('trace-changes').textContent).toContain('rmState.rm2')
    const changed = page.getByTestId('trace-state').querySelectorAll('[data-changed]')
    expect([...changed].map((el) => el.getAttribute('data-path'))).toEqual(['rmState.rm2'])

    await fireEvent.keyDown(window, { key: 'k' })
    expect(page.getByTestId('trace-selected').textContent).toContain('Step 2 of 3')
    expect(page.getByTestId('trace-changes').textContent).toContain('rmState.rm1')
    expect(page.getByTestId('trace-path-command').textContent).toBe("npx stabilis replay 8 --path 'TMCommit;RMChooseToAbort(rm1)'")
    await fireEvent.keyDown(window, { key: 'Home' })
    expect(page.getByTestId('trace-selected').textContent).toContain('Step 0 of 3')
    expect(page.queryByTestId('trace-changes')).toBeNull()
    await fireEvent.keyDown(window, { key: 'j' })
    expect(page.getByTestId('trace-selected').textContent).toContain('Step 1 of 3')
    await fireEvent.keyDown(window, { key: 'v' })
    expect(page.getByTestId('trace-selected').textContent).toContain('Step 3 of 3')

    await fireEvent.click(page.getByTestId('replay-trace'))
    expect((await page.findByTestId('replay-result')).textContent).toContain('Reproduced')
    expect(lab.replayTrace).toHaveBeenCalledWith(8, { property: 'consistent' })
  })

  it('says so when the property has no trace', async () => {
    setLab(createFakeLab({ getRun: vi.fn(async () => bugRun()) }).lab)
    const page = render(TracePage, { props: { id: 8, property: 'nope' } })
    expect((await page.findByTestId('trace-error')).textContent).toContain('has no property "nope"')
  })
})
