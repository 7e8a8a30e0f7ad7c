// The Store page against a fake lab: the durability table from a StoreView, replica rows, fault buttons and the
// partition tool calling storeFault, live updates from store-status events, writes and the key browser, and the
// benchmark section (charts, figures with ratios against etcd, the etcd-missing notice, starting one).
import { fireEvent, render, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it, vi } from 'vitest'
import DurabilityTable from '../../src-renderer/components/DurabilityTable.svelte'
import { benchData } from '../../src-renderer/components/BenchChartOptions.ts'
import { setLab } from '../../src-renderer/lib/lab.ts'
import { parseHash } from '../../src-renderer/lib/route.ts'
import { toasts } from '../../src-renderer/lib/toast.svelte.ts'
import StorePage from '../../src-renderer/pages/StorePage.svelte'
import type { StoreBenchRun, StoreBenchSystem, StoreView } from '../../src-shared/store-types.ts'
import { createFakeLab } from './fake-lab.ts'

afterEach(() => {
  toasts.splice(0)
  vi.restoreAllMocks()
})

const HEAD_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90'
const HEAD_B = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100'

function makeView(over: Partial<StoreView> = {}): StoreView {
  const replica = (name: string, i: number, up = true) => ({
    name,
    up,
    pid: up ? 1000 + i : null,
    endpoint: `127.0.0.1:${23790 + i}`,
    revision: 3,
    heads: [HEAD_A],
    keys: 2,
    changes: 3,
    storageError: null,
    peers: ['r1', 'r2', 'r3'].filter((p) => p !== name).map((p) => ({ name: p, connected: true, relation: 'equal', cut: false })),
  })
  return {
    running: true,
    dir: '/tmp/stabilis-store-x',
    replicas: [replica('r1', 1), replica('r2', 2), replica('r3', 3, false)],
    durability: [
      { key: 'cfg/b', via: 'r1', heads: [HEAD_B], held: [true, false, null] },
      { key: 'cfg/a', via: 'r2', heads: [HEAD_A], held: [true, true, null] },
    ],
    ...over,
  }
}

const workloads = (ops: number, p99: number) =>
  ['sequential puts', '64 puts in flight', '50/50 get/put'].map((workload, i) => ({
    workload,
    ops: 1000,
    seconds: 1,
    opsPerSec: ops * (i + 1),
    p50Ms: p99 / 3,
    p99Ms: p99,
    errors: 0,
    loadgenCpu: 0.4,
    serverCpu: 0.5,
    rounds: 5,
  }))

function makeBench(over: Partial<StoreBenchRun> = {}): StoreBenchRun {
  const systems: StoreBenchSystem[] = [
    { system: 'stabilis', members: 1, workloads: workloads(4000, 2) },
    { system: 'etcd', members: 1, workloads: workloads(2000, 4) },
  ]
  return {
    id: 3,
    kind: 'store-bench',
    status: 'done',
    startedAt: '2026-01-05T10:00:00.000Z',
    finishedAt: '2026-01-05T10:00:05.000Z',
    options: { size: 'quick', members: [1], keys: 1000, valueBytes: 32, sequentialOps: 200, concurrentOps: 2000, inFlight: 64, rounds: 5 },
    etcd: 'ran',
    note: null,
    report: {
      date: '2026-01-05T10:00:05.000Z',
      options: { keys: 1000, valueBytes: 32, sequentialOps: 200, concurrentOps: 2000, inFlight: 64 },
      systems,
      ratios: systems[0].workloads.map((w) => ({ members: 1, workload: w.workload, throughput: 2, p99: 0.5 })),
      targets: [{ target: '1 replica, 64 puts in flight: throughput ≥ etcd and p99 ≤ etcd', met: true, detail: 'throughput ×2.00, p99 ×0.50' }],
    },
    error: null,
    ...over,
  }
}

function storeLab(view: StoreView = makeView(), benches: StoreBenchRun[] = []) {
  return createFakeLab({
    storeView: vi.fn(async () => view),
    storeStart: vi.fn(async () => view),
    storeStop: vi.fn(async () => {}),
    storeFault: vi.fn(async () => view),
    storePut: vi.fn(async () => ({ revision: 4, heads: [HEAD_B] })),
    storeRange: vi.fn(async () => [{ key: 'cfg/a', value: 'one', modRevision: 2, version: 1 }]),
    listBenchRuns: vi.fn(async () => benches),
    storeBench: vi.fn(async () => makeBench({ id: 4, status: 'running', report: null, finishedAt: null })),
  })
}

describe('DurabilityTable', () => {
  it('renders one row per write and one cell per replica: held, not yet, down', () => {
    const { getByTestId, getAllByRole } = render(DurabilityTable, { props: { view: makeView() } })
    expect(getAllByRole('row')).toHaveLength(3)
    const cell = (key: string, r: string) => getByTestId(`durability-cell-${key}-${r}`)
    expect([cell('cfg/b', 'r1'), cell('cfg/b', 'r2'), cell('cfg/b', 'r3')].map((c) => [c.dataset.held, c.textContent])).toEqual([
      ['true', '✓'],
      ['false', '✗'],
      ['down', '–'],
    ])
    expect(cell('cfg/a', 'r2').dataset.held).toBe('true')
    // Heads abbreviated, the full hash in the title.
    const row = getByTestId('durability-row-cfg/b')
    expect(row.textContent).toContain(HEAD_B.slice(0, 8))
    expect(row.textContent).not.toContain(HEAD_B)
  })

  it('says so when there are no writes yet', () => {
    const { getByTestId } = render(DurabilityTable, { props: { view: makeView({ durability: [] }) } })
    expect(getByTestId('durability-empty').textContent).toMatch(/No writes yet/)
  })
})

describe('StorePage', () => {
  it('is routed at #/store', () => {
    expect(parseHash('#/store')).toEqual({ page: 'store' })
  })

  it('starts a store with the chosen replica count', async () => {
    const stopped: StoreView = { running: false, dir: null, replicas: [], durability: [] }
    const { lab } = storeLab()
    lab.storeView = vi.fn(async () => stopped)
    setLab(lab)
    const { findByTestId, getByTestId } = render(StorePage)
    await findByTestId('store-stopped')
    await fireEvent.input(getByTestId('store-replicas'), { target: { value: '5' } })
    await fireEvent.click(getByTestId('store-start'))
    await waitFor(() => expect(lab.storeStart).toHaveBeenCalledWith(5))
    await findByTestId('replica-row-r1')
    await fireEvent.click(getByTestId('store-stop'))
    await waitFor(() => expect(lab.storeStop).toHaveBeenCalled())
  })

  it('shows replicas with up/down, endpoints and peers, and the etcdctl hint', async () => {
    const { lab } = storeLab()
    setLab(lab)
    const { findByTestId, getByTestId } = render(StorePage)
    const r1 = await findByTestId('replica-row-r1')
    expect(r1.dataset.up).toBe('true')
    expect(r1.textContent).toContain('127.0.0.1:23791')
    expect(r1.textContent).toContain('1001')
    expect(getByTestId('replica-row-r3').dataset.up).toBe('false')
    expect(getByTestId('peer-r1-r2').dataset.relation).toBe('equal')
    expect(getByTestId('etcdctl-hint').textContent).toContain('--endpoints=127.0.0.1:23791,127.0.0.1:23792,127.0.0.1:23793')
    // A down replica cannot be killed again, but can be restarted.
    expect((getByTestId('fault-kill-r3') as HTMLButtonElement).disabled).toBe(true)
    expect((getByTestId('fault-restart-r3') as HTMLButtonElement).disabled).toBe(false)
  })

  it('calls storeFault from the fault buttons, the partition tool and Heal', async () => {
    const { lab } = storeLab()
    setLab(lab)
    const { findByTestId, getByTestId } = render(StorePage)
    await fireEvent.click(await findByTestId('fault-kill-r2'))
    await waitFor(() => expect(lab.storeFault).toHaveBeenLastCalledWith({ kind: 'kill', replica: 'r2' }))
    await waitFor(() => expect((getByTestId('fault-restart-r3') as HTMLButtonElement).disabled).toBe(false))
    await fireEvent.click(getByTestId('fault-restart-r3'))
    await waitFor(() => expect(lab.storeFault).toHaveBeenLastCalledWith({ kind: 'restart', replica: 'r3' }))

    // Everyone starts in group A: no partition until group B has a member.
    await waitFor(() => expect((getByTestId('heal') as HTMLButtonElement).disabled).toBe(false))
    expect((getByTestId('partition-apply') as HTMLButtonElement).disabled).toBe(true)
    await fireEvent.click(getByTestId('partition-r2'))
    await fireEvent.click(getByTestId('partition-r3'))
    expect(getByTestId('partition-summary').textContent).toBe('to apply: {r1} | {r2, r3}')
    await fireEvent.click(getByTestId('partition-apply'))
    await waitFor(() => expect(lab.storeFault).toHaveBeenLastCalledWith({ kind: 'partition', groups: [['r1'], ['r2', 'r3']] }))
    await waitFor(() => expect((getByTestId('heal') as HTMLButtonElement).disabled).toBe(false))
    await fireEvent.click(getByTestId('heal'))
    await waitFor(() => expect(lab.storeFault).toHaveBeenLastCalledWith({ kind: 'heal' }))
  })

  it('follows store-status events in the replica and durability tables', async () => {
    const { lab, emit } = storeLab()
    setLab(lab)
    const { findByTestId, getByTestId } = render(StorePage)
    expect((await findByTestId('durability-cell-cfg/b-r2')).dataset.held).toBe('false')
    const next = makeView()
    next.replicas[2] = { ...next.replicas[2], up: true, pid: 2003 }
    next.durability = [{ key: 'cfg/b', via: 'r1', heads: [HEAD_B], held: [true, true, true] }]
    emit({ type: 'store-status', view: next })
    await waitFor(() => expect(getByTestId('durability-cell-cfg/b-r2').dataset.held).toBe('true'))
    expect(getByTestId('durability-cell-cfg/b-r3').dataset.held).toBe('true')
    expect(getByTestId('replica-row-r3').dataset.up).toBe('true')
  })

  it('writes through a chosen replica and lists keys as a replica sees them', async () => {
    const { lab } = storeLab()
    setLab(lab)
    const { findByTestId, getByTestId } = render(StorePage)
    await findByTestId('store-put-form')
    await fireEvent.change(getByTestId('store-put-replica'), { target: { value: 'r2' } })
    await fireEvent.input(getByTestId('store-put-key'), { target: { value: 'cfg/c' } })
    await fireEvent.input(getByTestId('store-put-value'), { target: { value: 'three' } })
    await fireEvent.submit(getByTestId('store-put-form'))
    await waitFor(() => expect(lab.storePut).toHaveBeenCalledWith('r2', 'cfg/c', 'three'))
    expect((await findByTestId('store-put-ack')).textContent).toContain('revision 4')

    await fireEvent.change(getByTestId('store-browse-replica'), { target: { value: 'r3' } })
    await fireEvent.input(getByTestId('store-browse-prefix'), { target: { value: 'cfg/' } })
    await fireEvent.submit(getByTestId('store-browse-form'))
    await waitFor(() => expect(lab.storeRange).toHaveBeenCalledWith('r3', 'cfg/'))
    const keys = await findByTestId('store-keys')
    expect(keys.dataset.replica).toBe('r3')
    expect(getByTestId('store-key-cfg/a').textContent).toMatch(/cfg\/a\s*one\s*2\s*1/)
  })
})

describe('Store benchmarks on the Store page', () => {
  it('charts a saved benchmark and lists its figures with ratios against etcd', async () => {
    const { lab } = storeLab(makeView(), [makeBench()])
    setLab(lab)
    const { findByTestId, getByTestId } = render(StorePage)
    const table = await findByTestId('bench-table')
    expect(table.querySelectorAll('tbody tr')).toHaveLength(6)
    const row = getByTestId('bench-row-stabilis-1-64 puts in flight')
    expect(row.textContent).toContain('8,000')
    expect(row.textContent).toContain('×2.00')
    expect(row.textContent).toContain('×0.50')
    expect(getByTestId('bench-row-etcd-1-64 puts in flight').textContent).toContain('4,000')
    // Server CPU per op: 0.5 cores at 8,000 ops/s is 63 µs; the figures are medians of 5 rounds.
    expect(row.querySelector('[data-testid="bench-server-cpu"]')!.textContent).toBe('63')
    expect(getByTestId('bench-meta').textContent).toMatch(/median of 5 rounds, the systems taking turns/)
    for (const id of ['bench-chart-ops', 'bench-chart-p99']) expect(getByTestId(id).querySelector('canvas'), id).not.toBeNull()
    expect(getByTestId('bench-targets').textContent).toContain('✓')
  })

  it('groups bars per workload, one series per system', () => {
    const { data, workloads, systems } = benchData(makeBench().report!, 'opsPerSec')
    expect(workloads).toEqual(['sequential puts', '64 puts in flight', '50/50 get/put'])
    expect(systems).toEqual(['stabilis ×1', 'etcd ×1'])
    expect(data[0]).toEqual([0, 1, 3, 4, 6, 7])
    expect(data[1]).toEqual([4000, null, 8000, null, 12000, null])
    expect(data[2]).toEqual([null, 2000, null, 4000, null, 6000])
  })

  it('says clearly when etcd is not installed', async () => {
    const { lab } = storeLab(makeView(), [
      makeBench({ etcd: 'not-installed', note: 'etcd is not installed (Debian package etcd-server): only this store was benchmarked.' }),
    ])
    setLab(lab)
    const { findByTestId } = render(StorePage)
    expect((await findByTestId('bench-note')).textContent).toMatch(/etcd is not installed/)
  })

  it('starts a quick benchmark, shows progress and the result when it finishes', async () => {
    const { lab, emit } = storeLab(makeView(), [])
    setLab(lab)
    const { findByTestId, getByTestId } = render(StorePage)
    await findByTestId('bench-empty')
    await fireEvent.input(getByTestId('bench-members'), { target: { value: '1' } })
    await fireEvent.click(getByTestId('bench-start'))
    await waitFor(() => expect(lab.storeBench).toHaveBeenCalledWith({ size: 'quick', members: [1], etcd: true }))
    await findByTestId('bench-progress')
    expect((getByTestId('bench-start') as HTMLButtonElement).disabled).toBe(true)
    emit({ type: 'store-bench-progress', runId: 4, step: 1, steps: 2, message: 'stabilis, 1 replica(s)…' })
    await waitFor(() => expect(getByTestId('bench-progress').textContent).toContain('1/2 stabilis, 1 replica(s)…'))
    emit({ type: 'store-bench-finished', run: makeBench({ id: 4 }) })
    await findByTestId('bench-table')
    expect(getByTestId('bench-status').dataset.status).toBe('done')
    expect((getByTestId('bench-start') as HTMLButtonElement).disabled).toBe(false)
  })

  it('stops a running benchmark and shows it as stopped', async () => {
    const running = makeBench({ id: 5, status: 'running', report: null, finishedAt: null })
    const { lab } = storeLab(makeView(), [running])
    const stopped = makeBench({ id: 5, status: 'stopped' })
    lab.stopBenchRun = vi.fn(async () => stopped)
    setLab(lab)
    const { findByTestId, getByTestId, queryByTestId } = render(StorePage)
    await fireEvent.click(await findByTestId('bench-stop'))
    await waitFor(() => expect(lab.stopBenchRun).toHaveBeenCalledWith(5))
    await waitFor(() => expect(getByTestId('bench-status').dataset.status).toBe('stopped'))
    expect(queryByTestId('bench-stop')).toBeNull()
    expect((getByTestId('bench-start') as HTMLButtonElement).disabled).toBe(false)
  })
})
