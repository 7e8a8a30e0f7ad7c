// The Run page's per-action coverage: shares of enabled steps, never-enabled actions flagged and listed last.
import { render } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import type { ActionCoverage } from '../../src-shared/types.ts'
import CoverageTable from '../../src-renderer/components/CoverageTable.svelte'
import { coverageRows, shareText } from '../../src-renderer/lib/coverage.ts'

const actions: ActionCoverage[] = [
  { label: 'TMAbort', enabled: 0, newStates: 0 },
  { label: 'RMPrepare(rm#)', enabled: 300, newStates: 120 },
  { label: 'TMCommit', enabled: 100, newStates: 40 },
  { label: 'RMRcvAbortMsg(rm#)', enabled: 0, newStates: 0 },
]

describe('coverage rows', () => {
  it('gives each label its share of enabled steps and puts the never-enabled ones last', () => {
    const rows = coverageRows(actions)
    expect(rows.map((r) => r.label)).toEqual(['RMPrepare(rm#)', 'TMCommit', 'TMAbort', 'RMRcvAbortMsg(rm#)'])
    expect(rows.map((r) => r.share)).toEqual([0.75, 0.25, 0, 0])
    expect(rows.map((r) => r.never)).toEqual([false, false, true, true])
    expect(coverageRows([{ label: 'x', enabled: 0, newStates: 0 }])[0].share).toBe(0)
  })

  it('writes shares as percentages, with a floor for rare actions', () => {
    expect(shareText(0.75)).toBe('75.0 %')
    expect(shareText(0.0004)).toBe('< 0.1 %')
    expect(shareText(0)).toBe('0 %')
  })
})

describe('CoverageTable', () => {
  it('shows label, enabled, new states and share, and flags actions never enabled', () => {
    const { getAllByTestId, getByTestId } = render(CoverageTable, { actions })
    const rows = getAllByTestId('coverage-row')
    expect(rows.map((r) => r.getAttribute('data-label'))).toEqual(['RMPrepare(rm#)', 'TMCommit', 'TMAbort', 'RMRcvAbortMsg(rm#)'])
    const cells = (i: number): string[] => [...rows[i].querySelectorAll('td')].map((td) => td.textContent!.trim())
    expect(cells(0)).toEqual(['RMPrepare(rm#)', '300', '120', '75.0 %'])
    expect(cells(2)[0]).toMatch(/^TMAbort\s*never enabled$/)
    expect(getAllByTestId('coverage-never-flag')).toHaveLength(2)
    expect(getByTestId('coverage-never').textContent).toMatch(/2 actions were never enabled/)
  })

  it('has no warning when every action was enabled', () => {
    const { queryByTestId, getAllByTestId } = render(CoverageTable, { actions: actions.filter((a) => a.enabled > 0) })
    expect(queryByTestId('coverage-never')).toBeNull()
    expect(getAllByTestId('coverage-row')).toHaveLength(2)
  })
})
