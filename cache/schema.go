package cache

import (
	"context"
	"fmt"
)

// migrations are applied in order; PRAGMA user_version counts how many ran.
var migrations = []string{
	`
CREATE TABLE describes (
	object     TEXT PRIMARY KEY,
	body       TEXT NOT NULL,
	fetched_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE records (
	id     TEXT PRIMARY KEY,
	object TEXT NOT NULL,
	name   TEXT NOT NULL DEFAULT '',
	view   TEXT NOT NULL,
	server TEXT,
	lmd    INTEGER NOT NULL DEFAULT 0,
	sysmod INTEGER NOT NULL DEFAULT 0,
	etag   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX records_by_name ON records(object, name COLLATE NOCASE, id);
CREATE TABLE idmap (
	local_id  TEXT PRIMARY KEY,
	server_id TEXT NOT NULL,
	object    TEXT NOT NULL DEFAULT '',
	mapped_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idmap_server ON idmap(server_id);
CREATE TABLE sync_state (
	object     TEXT PRIMARY KEY,
	primed     INTEGER NOT NULL DEFAULT 0,
	updated_wm INTEGER NOT NULL DEFAULT 0,
	deleted_wm INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE entries (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	id           TEXT NOT NULL UNIQUE,
	object       TEXT NOT NULL,
	record_id    TEXT NOT NULL UNIQUE,
	name         TEXT NOT NULL DEFAULT '',
	op           TEXT NOT NULL,
	changes      TEXT NOT NULL DEFAULT '{}',
	base         TEXT NOT NULL DEFAULT '{}',
	base_record  TEXT NOT NULL DEFAULT '{}',
	base_lmd     INTEGER NOT NULL DEFAULT 0,
	base_sysmod  INTEGER NOT NULL DEFAULT 0,
	base_etag    TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL,
	code         TEXT NOT NULL DEFAULT '',
	message      TEXT NOT NULL DEFAULT '',
	errors       TEXT NOT NULL DEFAULT '[]',
	conflicts    TEXT NOT NULL DEFAULT '[]',
	waiting_on   TEXT NOT NULL DEFAULT '',
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_attempt INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL DEFAULT 0,
	updated_at   INTEGER NOT NULL DEFAULT 0,
	unknown      INTEGER NOT NULL DEFAULT 0,
	sent_at      INTEGER NOT NULL DEFAULT 0,
	allow_dups   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX entries_by_status ON entries(status, next_attempt);
CREATE TABLE activity (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	at        INTEGER NOT NULL,
	method    TEXT NOT NULL DEFAULT '',
	path      TEXT NOT NULL DEFAULT '',
	status    INTEGER NOT NULL DEFAULT 0,
	code      TEXT NOT NULL DEFAULT '',
	duration  INTEGER NOT NULL DEFAULT 0,
	entry_id  TEXT NOT NULL DEFAULT '',
	record_id TEXT NOT NULL DEFAULT '',
	note      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX activity_by_record ON activity(record_id, id);
`,
	// rev counts every write of an entry, so the engine can tell that an entry changed between
	// reading it and sending it.
	`ALTER TABLE entries ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;`,
	// members_at is when sync-down last compared the cached ids of an object with the ids the
	// org lets the user see (records shared or unshared since).
	`ALTER TABLE sync_state ADD COLUMN members_at INTEGER NOT NULL DEFAULT 0;`,
	// users holds the names of the users cached records point at (owner, created by, last
	// modified by), fetched during sync so drawing a record never needs a request.
	`CREATE TABLE users (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	fetched_at INTEGER NOT NULL DEFAULT 0
);`,
	// search is what a list filter matches: the record's name and its short text fields,
	// lower-cased (NULL until computed; Open fills it for rows written before it existed).
	// The index that lists use (name order) also carries it, so a filter reads the index and
	// not the records' JSON.
	`ALTER TABLE records ADD COLUMN search TEXT;
DROP INDEX records_by_name;
CREATE INDEX records_by_name ON records(object, name COLLATE NOCASE, id, search);`,
}

// searchMigration is the schema version that added records.search: a database migrated from
// before it gets the search text of its rows computed once.
const searchMigration = 5

// SchemaVersion is the user_version a fully migrated database has.
var SchemaVersion = len(migrations)

func (db *DB) migrate(ctx context.Context) error {
	var v int
	if err := db.sql.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return db.openError("read its schema version", err)
	}
	if v < 0 || v > len(migrations) {
		why := "it was not written by offline-edit"
		if v > len(migrations) {
			why = "a newer offline-edit wrote it; use that one"
		}
		return fmt.Errorf("cache: the database %s has schema version %d, which this offline-edit does not know (it knows 1 to %d): %s, or choose another --db", db.path, v, len(migrations), why)
	}
	db.needSearch = v < searchMigration
	if v == len(migrations) {
		return nil
	}
	err := db.Update(ctx, func(tx *Tx) error {
		for i := v; i < len(migrations); i++ {
			if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
				return fmt.Errorf("migrate to schema %d: %w", i+1, err)
			}
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations)))
		return err
	})
	if err != nil {
		return db.openError("bring its schema up to date", err)
	}
	return nil
}
