// Following a started piece of work (a check, a matrix, a live run) from the CLI: its events while it runs, and
// SIGINT / SIGTERM asking the Lab to stop it (what it did is still saved, and the command exits 130).
import type { LabEvent } from '../../../src-shared/types.ts'
import type { Lab } from '../../lab/lab.ts'

export async function untilDone<T>(
  lab: Lab,
  work: { onEvent(e: LabEvent): void; stop(): void; wait(): Promise<T> },
): Promise<{ result: T; interrupted: boolean }> {
  let interrupted = false
  const off = lab.onEvent((e) => work.onEvent(e))
  const onSignal = (): void => {
    interrupted = true
    work.stop()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    return { result: await work.wait(), interrupted }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    off()
  }
}
