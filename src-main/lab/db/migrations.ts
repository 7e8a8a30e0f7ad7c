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
]
