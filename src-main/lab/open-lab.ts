// Opens the database and the Lab on it: the one start-up path shared by the CLI, the web host and Electron.
import { RunRepository } from './db/run-repository.ts'
import { Lab, type LabOptions } from './lab.ts'

export interface OpenLab {
  lab: Lab
  repo: RunRepository
  /** Stops running checks (saved as stopped) and closes the database. */
  close(): Promise<void>
}

export function openLab(dbFile: string, opts: LabOptions = {}): OpenLab {
  const repo = RunRepository.open(dbFile)
  const lab = new Lab(repo, opts)
  return {
    lab,
    repo,
    async close() {
      await lab.close()
      repo.close()
    },
  }
}
