// Output files named on the command line are tried before the work starts, so a mistyped --csv costs no run.
import { closeSync, openSync, rmSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { badInput } from '../../../src-shared/errors.ts'

function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path)
  } catch {
    return null
  }
}

/** Throws a bad-input error naming `flag` when `path` cannot be written; leaves no file behind. */
export function checkOutputFile(path: string, flag: string): void {
  const target = resolve(path)
  const existing = statOrNull(target)
  if (existing?.isDirectory()) throw badInput(`${flag} ${path} is a folder; name a file`)
  const dir = statOrNull(dirname(target))
  if (!dir) throw badInput(`${flag} ${path}: the folder ${dirname(target)} does not exist`)
  if (!dir.isDirectory()) throw badInput(`${flag} ${path}: ${dirname(target)} is not a folder`)
  // A trial open is the only test that also holds for root and for read-only mounts; a file it made is removed.
  try {
    closeSync(openSync(target, 'a'))
  } catch (err) {
    throw badInput(`${flag} ${path} cannot be written: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (!existing) rmSync(target, { force: true })
}
