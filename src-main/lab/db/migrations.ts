// Versioned schema migrations, applied in order inside one transaction each; PRAGMA user_version is the version.
export const MIGRATIONS: readonly string[] = [
  // 1: runs, progress samples, depth histograms, property results
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    model TEXT NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running','done','failed','stopped','interrupted')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    owner_pid INTEGER,
    unique_states INTEGER NOT NULL DEFAULT 0,
    generated_states INTEGER NOT NULL DEFAULT 0,
    max_depth INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0,
    verdict TEXT NOT NULL DEFAULT 'unknown',
    error TEXT
  );
  CREATE INDEX runs_status ON runs(status);
  CREATE TABLE samples (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    elapsed_ms REAL NOT NULL,
    generated INTEGER NOT NULL,
    unique_states INTEGER NOT NULL,
    queue INTEGER NOT NULL,
    max_depth INTEGER NOT NULL,
    generated_per_sec REAL NOT NULL,
    unique_per_sec REAL NOT NULL,
    memory_bytes INTEGER NOT NULL
  );
  CREATE INDEX samples_run ON samples(run_id, elapsed_ms);
  CREATE TABLE depth_histogram (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    depth INTEGER NOT NULL,
    states INTEGER NOT NULL,
    PRIMARY KEY (run_id, depth)
  );
  CREATE TABLE property_results (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    trace TEXT,
    PRIMARY KEY (run_id, position)
  );
  `,
  // runs: a user-given name, notes and tags; deleted_at for delete-with-undo (soft delete, purged later).
  // comparisons: saved side-by-side views of 2–4 runs.
  `
  ALTER TABLE runs ADD COLUMN name TEXT NOT NULL DEFAULT '';
  ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
  ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE runs ADD COLUMN deleted_at TEXT;
  CREATE TABLE comparisons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    run_ids TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  // matrices: one scenario (or all) × consistency levels × instance counts; each cell links to an ordinary run.
  `
  CREATE TABLE matrices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    spec TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running','done','stopped','interrupted')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    owner_pid INTEGER
  );
  CREATE TABLE matrix_cells (
    matrix_id INTEGER NOT NULL REFERENCES matrices(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    scenario TEXT NOT NULL,
    consistency TEXT NOT NULL,
    instances INTEGER NOT NULL,
    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    PRIMARY KEY (matrix_id, position)
  );
  CREATE INDEX matrix_cells_run ON matrix_cells(run_id);
  `,
  // liveness evidence kept with each property (lasso start, counterexample kind, convergence report);
  // the fingerprint collision probability of each run.
  `
  ALTER TABLE property_results ADD COLUMN details TEXT;
  ALTER TABLE runs ADD COLUMN collision_probability REAL;
  `,
  // store benchmarks saved as runs of kind "store-bench": options, whether etcd ran, the report (JSON).
  `
  CREATE TABLE bench_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL DEFAULT 'store-bench',
    status TEXT NOT NULL CHECK (status IN ('running','done','failed','interrupted')),
    options TEXT NOT NULL,
    etcd TEXT NOT NULL,
    note TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    owner_pid INTEGER,
    report TEXT,
    error TEXT
  );
  `,
  // store benchmarks can be stopped: SQLite cannot change a CHECK, so the table is rebuilt with its rows.
  `
  CREATE TABLE bench_runs_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL DEFAULT 'store-bench',
    status TEXT NOT NULL CHECK (status IN ('running','done','failed','interrupted','stopped')),
    options TEXT NOT NULL,
    etcd TEXT NOT NULL,
    note TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    owner_pid INTEGER,
    report TEXT,
    error TEXT
  );
  INSERT INTO bench_runs_new SELECT id, kind, status, options, etcd, note, started_at, finished_at, owner_pid, report, error FROM bench_runs;
  DROP TABLE bench_runs;
  ALTER TABLE bench_runs_new RENAME TO bench_runs;
  `,
  // what a search covered beyond its states (random walks, the portfolio's BFS depth, merged shards) and the time
  // to its first violation, as one JSON column.
  `
  ALTER TABLE runs ADD COLUMN search TEXT;
  `,
  // live runs (kind "live"): the models' controllers against a real store; the result (JSON) and the event timeline.
  `
  CREATE TABLE live_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL DEFAULT 'live',
    scenario TEXT NOT NULL,
    store TEXT NOT NULL,
    replicas INTEGER NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running','done','failed','stopped','interrupted')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    owner_pid INTEGER,
    result TEXT,
    error TEXT
  );
  CREATE TABLE live_events (
    run_id INTEGER NOT NULL REFERENCES live_runs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    type TEXT NOT NULL,
    who TEXT NOT NULL,
    endpoint INTEGER,
    view_rev INTEGER,
    what TEXT NOT NULL,
    ok INTEGER,
    reason TEXT,
    PRIMARY KEY (run_id, seq)
  );
  `,
  // per-action coverage of a check run (label, times enabled, new states), as one JSON column.
  `
  ALTER TABLE runs ADD COLUMN actions TEXT;
  `,
]
