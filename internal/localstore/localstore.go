// Package localstore is local mode's database: one SQLite file (through a
// pure-Go driver) that holds state machine executions and their journals,
// task tokens, reviews, outcomes and long-running jobs. Several processes may open the same
// file at once, for example `moderato serve` and `moderato reviews decide`.
package localstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// schemaVersion is stored in PRAGMA user_version; Open refuses a database
// written by a newer version instead of misreading it. Version 2 added the
// queue and escalation columns of reviews.
const schemaVersion = 2

const schema = `
CREATE TABLE IF NOT EXISTS executions (
	name          TEXT PRIMARY KEY,
	state_machine TEXT NOT NULL,
	definition    BLOB NOT NULL,
	input         BLOB NOT NULL,
	status        TEXT NOT NULL,
	output        BLOB,
	error         TEXT NOT NULL DEFAULT '',
	cause         TEXT NOT NULL DEFAULT '',
	start_date    INTEGER NOT NULL,
	stop_date     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS leases (
	execution TEXT PRIMARY KEY,
	owner     TEXT NOT NULL,
	until     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS executions_status ON executions (status);
CREATE TABLE IF NOT EXISTS journal (
	execution TEXT NOT NULL,
	key       TEXT NOT NULL,
	value     BLOB NOT NULL,
	PRIMARY KEY (execution, key)
);
CREATE TABLE IF NOT EXISTS task_tokens (
	token_hash TEXT PRIMARY KEY,
	execution  TEXT NOT NULL,
	key        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
	id          TEXT PRIMARY KEY,
	execution   TEXT NOT NULL,
	task_token  TEXT NOT NULL,
	status      TEXT NOT NULL,
	bucket      TEXT NOT NULL,
	key         TEXT NOT NULL,
	version_id  TEXT NOT NULL,
	media_type  TEXT NOT NULL,
	reasons     BLOB NOT NULL,
	created_at  INTEGER NOT NULL,
	deadline    INTEGER NOT NULL,
	details     BLOB,
	decided_at  INTEGER NOT NULL DEFAULT 0,
	decided_by  TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL DEFAULT '',
	queue            TEXT NOT NULL DEFAULT '',
	escalation_level INTEGER NOT NULL DEFAULT 0,
	escalated_from   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS reviews_status ON reviews (status, created_at);
CREATE TABLE IF NOT EXISTS outcomes (
	execution   TEXT PRIMARY KEY,
	bucket      TEXT NOT NULL,
	key         TEXT NOT NULL,
	version_id  TEXT NOT NULL,
	verdict     TEXT NOT NULL,
	recorded_at INTEGER NOT NULL,
	body        BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS outcomes_object ON outcomes (bucket, key, version_id);
`

// DB is an open local database.
type DB struct {
	db  *sql.DB
	now func() time.Time
}

// Open opens or creates the database file at path.
func Open(ctx context.Context, path string) (*DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(15000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	// One connection per process: SQLite serialises writers anyway, and a
	// single connection avoids lock waits between this process's goroutines.
	// Other processes wait through busy_timeout.
	db.SetMaxOpenConns(1)

	d := &DB{db: db, now: time.Now}
	if err := d.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	return d, nil
}

func (d *DB) migrate(ctx context.Context) error {
	var version int
	if err := d.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if version > schemaVersion {
		return fmt.Errorf("schema version %d is newer than this program's %d: upgrade moderato", version, schemaVersion)
	}
	if _, err := d.db.ExecContext(ctx, schema+jobsSchema); err != nil {
		return fmt.Errorf("creating schema: %w", err)
	}
	if version == 1 {
		// CREATE TABLE IF NOT EXISTS kept the version 1 reviews table.
		if _, err := d.db.ExecContext(ctx, `ALTER TABLE reviews ADD COLUMN queue TEXT NOT NULL DEFAULT '';
			ALTER TABLE reviews ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
			ALTER TABLE reviews ADD COLUMN escalated_from TEXT NOT NULL DEFAULT ''`); err != nil {
			return fmt.Errorf("upgrading the reviews table to schema version 2: %w", err)
		}
	}
	if _, err := d.db.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion)); err != nil {
		return fmt.Errorf("writing schema version: %w", err)
	}
	return nil
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

func toNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
