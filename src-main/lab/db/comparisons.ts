// The SQL of saved comparisons: a name and the runs compared side by side.
import type Database from 'better-sqlite3'
import { notFound } from '../../../src-shared/errors.ts'
import type { Comparison, ComparisonInput } from '../../../src-shared/types.ts'
import { Repository } from './database.ts'

interface ComparisonRow {
  id: number
  name: string
  run_ids: string
  created_at: string
  updated_at: string
}

const toComparison = (r: ComparisonRow): Comparison => ({
  id: r.id,
  name: r.name,
  runIds: JSON.parse(r.run_ids) as number[],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
})

const SQL = {
  list: `SELECT * FROM comparisons ORDER BY updated_at DESC, id DESC`,
  get: `SELECT * FROM comparisons WHERE id = ?`,
  insert: `INSERT INTO comparisons (name, run_ids, created_at, updated_at) VALUES (?, ?, ?, ?)`,
  update: `UPDATE comparisons SET name = ?, run_ids = ?, updated_at = ? WHERE id = ?`,
  delete: `DELETE FROM comparisons WHERE id = ?`,
}

export class ComparisonsRepository extends Repository<keyof typeof SQL> {
  constructor(db: Database.Database) {
    super(db, SQL)
  }

  listComparisons(): Comparison[] {
    return (this.sql.list.all() as ComparisonRow[]).map(toComparison)
  }

  getComparison(id: number): Comparison {
    const row = this.sql.get.get(id) as ComparisonRow | undefined
    if (!row) throw notFound(`no comparison with id ${id}`)
    return toComparison(row)
  }

  saveComparison(input: ComparisonInput, at: string): Comparison {
    const runIds = JSON.stringify(input.runIds)
    if (input.id === undefined) return this.getComparison(Number(this.sql.insert.run(input.name, runIds, at, at).lastInsertRowid))
    this.getComparison(input.id)
    this.sql.update.run(input.name, runIds, at, input.id)
    return this.getComparison(input.id)
  }

  deleteComparison(id: number): void {
    if (this.sql.delete.run(id).changes === 0) throw notFound(`no comparison with id ${id}`)
  }
}
