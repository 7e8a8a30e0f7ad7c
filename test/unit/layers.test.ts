// The layer rules (.dependency-cruiser.cjs) hold for the source tree, and each one fires on a tree that breaks it.
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/tmp.ts'

const root = resolve(import.meta.dirname, '../..')
const config = join(root, '.dependency-cruiser.cjs')
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs')

interface Violation {
  rule: { name: string }
  from: string
  to: string
}

async function cruise(cwd: string, paths: string[]): Promise<Violation[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [depcruise, ...paths, '--config', config, '--output-type', 'json'], {
    cwd,
    maxBuffer: 64 << 20,
  })
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations
}

describe('layer rules', () => {
  it('the source tree keeps every rule', async () => {
    expect(await cruise(root, ['src-main', 'src-shared', 'src-renderer', 'bin'])).toEqual([])
  })

  it('each rule fires on a tree that breaks it', async () => {
    const dir = tempDir()
    const files: Record<string, string> = {
      'src-shared/contract.ts': `import '../src-main/lab/service.ts'\nimport 'node:fs'\n`,
      'src-renderer/page.ts': `import '../src-main/lab/service.ts'\nimport 'node:path'\n`,
      'src-renderer/types.ts': `import type { Service } from '../src-main/lab/service.ts'\nexport type View = Service\n`,
      'src-main/lab/service.ts': `import '../hosts/cli/main.ts'\nimport 'electron'\nexport interface Service { id: number }\n`,
      'src-main/hosts/cli/main.ts': `import '../../checker/engine.ts'\n`,
      'src-main/hosts/electron/main.ts': `import 'electron'\n`,
      'src-main/checker/engine.ts': `import '../models/library.ts'\nimport '../lab/service.ts'\n`,
      'src-main/models/library.ts': `import '../checker/engine.ts'\n`,
      'src-main/store/replica.ts': `import '../../src-renderer/page.ts'\n`,
    }
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), text)
    }
    const broken = (await cruise(dir, ['src-main', 'src-shared', 'src-renderer'])).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)
    expect(broken).toEqual(
      expect.arrayContaining([
        'shared-is-contract-only: src-shared/contract.ts -> src-main/lab/service.ts',
        'shared-is-contract-only: src-shared/contract.ts -> fs',
        'renderer-talks-to-shared-only: src-renderer/page.ts -> src-main/lab/service.ts',
        'renderer-talks-to-shared-only: src-renderer/types.ts -> src-main/lab/service.ts',
        'renderer-no-node: src-renderer/page.ts -> path',
        'lab-below-hosts: src-main/lab/service.ts -> src-main/hosts/cli/main.ts',
        'electron-only-in-its-host: src-main/lab/service.ts -> electron',
        'engine-below-lab: src-main/checker/engine.ts -> src-main/lab/service.ts',
        'hosts-through-lab: src-main/hosts/cli/main.ts -> src-main/checker/engine.ts',
        'checker-below-models: src-main/checker/engine.ts -> src-main/models/library.ts',
        'main-not-renderer: src-main/store/replica.ts -> src-renderer/page.ts',
      ]),
    )
    expect(broken.some((b) => b.startsWith('no-folder-loop: src-main/checker'))).toBe(true)
    expect(broken.filter((b) => b.includes('hosts/electron/main.ts'))).toEqual([])
  })

  it('the lab reaches replicas as a client only: never the replica module, never Automerge', async () => {
    const dir = tempDir()
    const files: Record<string, string> = {
      'src-main/lab/store/client.ts': `import '../../store/replica.ts'\nimport '../../store/protos.ts'\n`,
      'src-main/lab/runs.ts': `import '../live/run.ts'\n`,
      'src-main/live/run.ts': `import '../store/kv.ts'\n`,
      'src-main/store/replica.ts': `import './document.ts'\n`,
      'src-main/store/kv.ts': `import './document.ts'\n`,
      'src-main/store/document.ts': `import '@automerge/automerge'\n`,
      'src-main/store/protos.ts': `export const PROTOS = 1\n`,
    }
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), text)
    }
    const broken = (await cruise(dir, ['src-main'])).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)
    expect(broken).toEqual(
      expect.arrayContaining([
        'lab-not-the-replica: src-main/lab/store/client.ts -> src-main/store/replica.ts',
        'lab-without-automerge: src-main/lab/store/client.ts -> @automerge/automerge',
        'lab-without-automerge: src-main/lab/runs.ts -> @automerge/automerge',
      ]),
    )
    expect(broken.filter((b) => b.includes('store/protos.ts'))).toEqual([])
  })
})
