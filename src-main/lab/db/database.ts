// Opening the SQLite file (better-sqlite3, WAL) and migrating it; what every repository of db/ shares: statements
// prepared once, and the "running, but its process is gone" sweep.
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { badInput, LabError } from '../../../src-shared/errors.ts'
import { MIGRATIONS } from './migrations.ts'

export interface OpenDatabase {
  db: Database.Database
  file: string
  /** A read-only database read through a copy (see openReadOnly): that copy's folder, removed on close. */
  snapshotDir: string | null
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * A repository of one aggregate: its statements, prepared once when it is made (the file is migrated by then, so
 * every table exists), by the names its SQL record gives them.
 */
/**
 * Runs fn as one write transaction, BEGIN IMMEDIATE: a deferred one that reads first cannot wait for the lock when it
 * turns into a writer after another process wrote (SQLite answers SQLITE_BUSY at once), as shards of one check do.
 */
export function writeTransaction<T>(db: Database.Database, fn: () => T): T {
  return db.transaction(fn).immediate()
}

export class Repository<K extends string> {
  protected readonly db: Database.Database
  protected readonly sql: Record<K, Database.Statement>

  constructor(db: Database.Database, sql: Record<K, string>) {
    this.db = db
    this.sql = {} as Record<K, Database.Statement>
    for (const k of Object.keys(sql) as K[]) this.sql[k] = db.prepare(sql[k])
  }
}

/**
 * Rows of `table` left "running" by a process that no longer exists become "interrupted"; returns how many. Runs of
 * another live process (a CLI run while the web host has the same file open) are left alone.
 */
export function markDeadInterrupted(db: Database.Database, table: 'runs' | 'bench_runs' | 'matrices' | 'live_runs'): number {
  if (db.readonly) return 0
  const rows = db.prepare(`SELECT id, owner_pid FROM ${table} WHERE status = 'running'`).all() as { id: number; owner_pid: number | null }[]
  const dead = rows.filter((r) => r.owner_pid === null || (r.owner_pid !== process.pid && !isAlive(r.owner_pid)))
  const mark = db.prepare(`UPDATE ${table} SET status = 'interrupted', finished_at = COALESCE(finished_at, ?) WHERE id = ?`)
  const now = new Date().toISOString()
  writeTransaction(db, () => dead.forEach((r) => mark.run(now, r.id)))
  return dead.length
}

/** Errors that mean "this process may not write here" (a read-only file, folder or mount), as opposed to a bad file. */
const READ_ONLY_CODES = /^(SQLITE_CANTOPEN|SQLITE_READONLY|SQLITE_PERM|SQLITE_AUTH|EACCES|EPERM|EROFS)/

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : ''
}

/** Whether this process may write `path` (file or folder); access(2) also sees the immutable flag and read-only mounts. */
function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK)
    return true
  } catch {
    return false
  }
}

/** Opens (creating if needed) and migrates the database; a bad path or a corrupt file is a bad-input error. */
export function openDatabase(file: string): OpenDatabase {
  let db: Database.Database | undefined
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
    // SQLite opens a file it may not write without complaint and fails at the first write: ask the system first.
    if (file !== ':memory:' && existsSync(file) && !writable(file)) return openReadOnly(file, new Error('the file is read-only'))
    // Switching a new file to WAL can meet SQLITE_BUSY at once, without the busy handler, while another process
    // does the same: try again a few times before calling the file locked.
    for (let attempt = 1; ; attempt++) {
      db = new Database(file)
      try {
        // Before anything that takes a lock: a second process opening the same file waits instead of failing.
        db.pragma('busy_timeout = 5000')
        db.pragma('journal_mode = WAL')
        db.pragma('synchronous = NORMAL')
        db.pragma('foreign_keys = ON')
        migrate(db)
        return { db, file, snapshotDir: null }
      } catch (err) {
        if (attempt >= 8 || errorCode(err) !== 'SQLITE_BUSY') throw err
        db.close()
        db = undefined
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100 * attempt)
      }
    }
  } catch (err) {
    db?.close()
    // Read-only only when the system says so: a folder that refuses SQLite's "-shm" file, say.
    const refused = file !== ':memory:' && existsSync(file) && (!writable(file) || !writable(dirname(file)))
    if (refused && READ_ONLY_CODES.test(errorCode(err))) return openReadOnly(file, err)
    if (err instanceof LabError) throw err
    const msg = err instanceof Error ? err.message : String(err)
    throw badInput(`cannot open database "${file}": ${msg}`)
  }
}

/**
 * A database this process may not write (read-only file, folder or mount) is opened for reading, so its runs can
 * still be listed and exported. SQLite reads a WAL database only beside a "-shm" file it can create, which a
 * read-only folder refuses: then the database (and its "-wal") is read through a copy in a temporary folder.
 */
function openReadOnly(file: string, cause: unknown): OpenDatabase {
  const why = cause instanceof Error ? cause.message : String(cause)
  let db: Database.Database | undefined
  let snapshot: string | null = null
  try {
    try {
      db = new Database(file, { readonly: true, fileMustExist: true })
      db.pragma('user_version', { simple: true })
    } catch {
      db?.close()
      snapshot = mkdtempSync(join(tmpdir(), 'stabilis-readonly-'))
      const copy = join(snapshot, basename(file))
      copyFileSync(file, copy)
      if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`)
      db = new Database(copy, { readonly: true, fileMustExist: true })
    }
    const version = db.pragma('user_version', { simple: true }) as number
    if (version !== MIGRATIONS.length) {
      throw new Error(`it is read-only (${why}) and has schema ${version} where this Stabilis needs ${MIGRATIONS.length}`)
    }
    return { db, file, snapshotDir: snapshot }
  } catch (err) {
    db?.close()
    if (snapshot) rmSync(snapshot, { recursive: true, force: true })
    throw badInput(`cannot open database "${file}": ${err instanceof Error ? err.message : String(err)}`)
  }
}

/**
 * Applies the missing migrations. Each runs in a BEGIN IMMEDIATE transaction that re-reads the version once it
 * holds the write lock: two processes creating the same new database both wait their turn, and the second finds
 * the work done instead of running it twice ("duplicate column name").
 */
function migrate(db: Database.Database): void {
  for (;;) {
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > MIGRATIONS.length) {
      throw new Error(`it was written by a newer Stabilis (schema ${version}, this one knows ${MIGRATIONS.length})`)
    }
    if (version === MIGRATIONS.length) return
    writeTransaction(db, () => {
      const v = db.pragma('user_version', { simple: true }) as number
      if (v >= MIGRATIONS.length) return
      db.exec(MIGRATIONS[v])
      db.pragma(`user_version = ${v + 1}`)
    })
  }
}
