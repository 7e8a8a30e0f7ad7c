// The Electron build runs the checker worker and the replica processes from bundled chunks (out/main/chunks),
// and imports models through the bundled catalog (out/main/chunks), not from the TypeScript sources: prove those
// chunks work. `npm test` builds before it runs the tests.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openLab } from '../../../../src-main/lab/open-lab.ts'
import { tempDir } from '../../../helpers/tmp.ts'

const chunks = join(import.meta.dirname, '../../../../out/main/chunks')
const chunk = (prefix: string): string => {
  const name = readdirSync(chunks).find((f) => f.startsWith(prefix) && f.endsWith('.js'))
  if (!name) throw new Error(`no ${prefix}*.js in ${chunks}: run npm run build`)
  return join(chunks, name)
}

const dir = tempDir()
const opened = openLab(join(dir, 'bundle.db'), { checkWorker: chunk('check-worker-'), modelCatalog: chunk('catalog-'), store: { dir, replicaEntry: chunk('replica-') } })
afterAll(() => opened.close())

describe('Electron bundle', () => {
  it('ships the store protocol files beside the main bundle and the replica chunk', () => {
    for (const d of ['../../../../out/main/proto', '../../../../out/main/chunks/proto']) {
      expect(existsSync(join(import.meta.dirname, d, 'rpc.proto'))).toBe(true)
    }
  })

  it('checks twophase with the bundled worker, with 1 and 2 explorer threads', async () => {
    for (const workers of [1, 2]) {
      const run = await opened.lab.startRun({ model: 'twophase', params: { rms: 4 }, workers } as never)
      expect(await opened.lab.waitForRun(run.id)).toMatchObject({ status: 'done', unique: 1568, generated: 8258, maxDepth: 14 })
    }
  })

  it('runs a store replica from the bundled chunk', async () => {
    await opened.lab.storeStart(1)
    await opened.lab.storePut('r1', 'k', 'v')
    expect((await opened.lab.storeRange('r1', 'k')).map((kv) => kv.value)).toEqual(['v'])
    await opened.lab.storeStop()
  })

  it('benchmarks the store with the bundled replica', async () => {
    const run = await opened.lab.storeBench({ members: [1], etcd: false, keys: 64, sequentialOps: 20, concurrentOps: 200 })
    const done = await opened.lab.waitForBench(run.id)
    expect(done.status, done.error ?? '').toBe('done')
    expect(done.report!.systems.map((s) => [s.system, s.members])).toEqual([['stabilis', 1]])
  })
})
