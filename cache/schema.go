package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// migrations are applied in order; PRAGMA user_version counts how many ran. Each can run again
// on a database that already has what it adds (IF NOT EXISTS; an ALTER TABLE ... ADD COLUMN of
// a column the table has is skipped), so a file whose user_version lags behind its tables is
// brought up to date rather than refused.
var migrations = []string{
	`
CREATE TABLE IF NOT EXISTS describes (
	object     TEXT PRIMARY KEY,
	body       TEXT NOT NULL,
	fetched_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS records (
	id     TEXT PRIMARY KEY,
	object TEXT NOT NULL,
	name   TEXT NOT NULL DEFAULT '',
	view   TEXT NOT NULL,
	server TEXT,
	lmd    INTEGER NOT NULL DEFAULT 0,
	sysmod INTEGER NOT NULL DEFAULT 0,
	etag   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS records_by_name ON records(object, name COLLATE NOCASE, id);
CREATE TABLE IF NOT EXISTS idmap (
	local_id  TEXT PRIMARY KEY,
	server_id TEXT NOT NULL,
	object    TEXT NOT NULL DEFAULT '',
	mapped_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS idmap_server ON idmap(server_id);
CREATE TABLE IF NOT EXISTS sync_state (
	object     TEXT PRIMARY KEY,
	primed     INTEGER NOT NULL DEFAULT 0,
	updated_wm INTEGER NOT NULL DEFAULT 0,
	deleted_wm INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS entries (
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
CREATE INDEX IF NOT EXISTS entries_by_status ON entries(status, next_attempt);
CREATE TABLE IF NOT EXISTS activity (
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
CREATE INDEX IF NOT EXISTS activity_by_record ON activity(record_id, id);
`,
	// rev counts every write of an entry, so the engine can tell that an entry changed between
	// reading it and sending it.
	`ALTER TABLE entries ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;`,
	// members_at is when sync-down last compared the cached ids of an object with the ids the
	// org lets the user see (records shared or unshared since).
	`ALTER TABLE sync_state ADD COLUMN members_at INTEGER NOT NULL DEFAULT 0;`,
	// users holds the names of the users cached records point at (owner, created by, last
	// modified by), fetched during sync so drawing a record never needs a request.
	`CREATE TABLE IF NOT EXISTS users (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	fetched_at INTEGER NOT NULL DEFAULT 0
);`,
	// search is what a list filter matches: the record's name and its short text fields,
	// lower-cased (NULL until computed; Open fills it for rows written before it existed).
	// The index that lists use (name order) also carries it, so a filter reads the index and
	// not the records' JSON.
	`ALTER TABLE records ADD COLUMN search TEXT;
DROP INDEX IF EXISTS records_by_name;
CREATE INDEX IF NOT EXISTS records_by_name ON records(object, name COLLATE NOCASE, id, search);`,
	// The activity table holds 5,000 rows at most: a record's history is read by a scan, and
	// the index on record_id cost a page write at random for every request logged and trimmed.
	`DROP INDEX IF EXISTS activity_by_record;`,
	// names keeps the display name of records dropped from the cache while the org still has
	// them (pushed out of the most recent the device keeps, or unshared): records that point at
	// them still show a name, as the org shows a lookup's name to users who cannot open it.
	`CREATE TABLE IF NOT EXISTS names (
	id      TEXT PRIMARY KEY,
	name    TEXT NOT NULL,
	kept_at INTEGER NOT NULL DEFAULT 0
);`,
	// has_local marks the rows that may hold the id of a record created offline (a record in
	// its copies, an entry in its changes or bases), so that replacing one by the org's id
	// reads those rows only rather than the whole cache.
	`ALTER TABLE records ADD COLUMN has_local INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entries ADD COLUMN has_local INTEGER NOT NULL DEFAULT 0;
UPDATE records SET has_local = 1 WHERE view LIKE '%"local-%' OR server LIKE '%"local-%';
UPDATE entries SET has_local = 1 WHERE changes LIKE '%"local-%' OR base LIKE '%"local-%' OR base_record LIKE '%"local-%';
CREATE INDEX IF NOT EXISTS records_with_local ON records(id) WHERE has_local = 1;
CREATE INDEX IF NOT EXISTS entries_with_local ON entries(seq) WHERE has_local = 1;`,
	// sent keeps the values of earlier sends of an entry whose outcome was unknown when the user
	// changed the record again: the org may hold them, and they are the user's own, not another
	// user's (a JSON array of field maps; '' when there are none).
	`ALTER TABLE entries ADD COLUMN sent TEXT NOT NULL DEFAULT '';`,
	// no_reply marks an entry whose last send got no HTTP reply at all (the network failed, or
	// the org was out of reach): it goes with the next sync rather than after its backoff.
	`ALTER TABLE entries ADD COLUMN no_reply INTEGER NOT NULL DEFAULT 0;`,
	// device holds facts about the device's data as a whole, such as the org and user it came
	// from (so that another org answering at the same URL is told apart, whatever the file).
	`CREATE TABLE IF NOT EXISTS device (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
	// access holds what the org lets the user do with cached records they do not own, when it
	// is less than everything: 'Read' (shared read-only), 'Edit' (may edit, not delete),
	// 'None'. A record without a row is one the user may change and delete, or whose access
	// was never asked (the org then decides at sync, as before).
	`CREATE TABLE IF NOT EXISTS access (
	id         TEXT PRIMARY KEY,
	level      TEXT NOT NULL,
	checked_at INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;`,
	// access is kept per user (a device file opened as another user, or a user whose id
	// changed, must not take the first one's answers): asked again. Entries waiting for a record
	// created offline are found by an index, and a record created offline is no longer marked
	// has_local for naming itself (its own row is rewritten by id), so that replacing one local
	// id reads the rows that name it, not every record created offline.
	`DROP TABLE IF EXISTS access;
CREATE TABLE access (
	id         TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	level      TEXT NOT NULL,
	checked_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_waiting ON entries(waiting_on) WHERE waiting_on != '';
UPDATE records SET has_local = 0 WHERE has_local = 1 AND id LIKE 'local-%' AND server IS NULL
	AND (length(view) - length(replace(view, '"local-', ''))) / 7 =
	    (length(view) - length(replace(view, '"' || id || '"', ''))) / (length(id) + 2);`,
	// A change's record name follows its record's: renamed on the org by another user, the
	// record is listed, and its change on Pending Changes found, by the one name.
	`CREATE TRIGGER IF NOT EXISTS entry_name_follows_record AFTER UPDATE OF name ON records
WHEN NEW.name IS NOT OLD.name AND NEW.name != ''
BEGIN
	UPDATE entries SET name = NEW.name WHERE record_id = NEW.id;
END;
UPDATE entries SET name = (SELECT r.name FROM records r WHERE r.id = entries.record_id)
	WHERE EXISTS (SELECT 1 FROM records r WHERE r.id = entries.record_id AND r.name != '' AND r.name IS NOT entries.name);`,
	// A change in doubt that the user edited after its send, in a queue a build without the
	// sent column wrote: that build kept no record of what the send carried. Marked, so that
	// the engine does not take the values as they are now for what the send carried. Run only
	// on a database from before the sent column (see migrate): a later build remembers a send
	// before any edit, and an entry of one with an empty sent was touched (a retry), not
	// edited.
	`UPDATE entries SET sent = '` + UnrecordedSentMark + `'
	WHERE unknown = 1 AND sent = '' AND sent_at > 0 AND updated_at > sent_at;`,
	// When a change was last sent, and first sent, on the org's clock (0: unknown): a create
	// whose reply was lost is looked for among the records created since then, and the org
	// stamps CreatedDate with its own clock, which the device's may disagree with, or be set
	// to, between the send and the lookup.
	`ALTER TABLE entries ADD COLUMN sent_org_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entries ADD COLUMN first_sent_org_at INTEGER NOT NULL DEFAULT 0;`,
}

// UnrecordedSentMark is the sent value the migration gives such a change: what the engine
// writes for no remembered send, one unrecorded.
const UnrecordedSentMark = `{"at":0,"gens":[],"unrecorded":true}`

// sentMigration is the schema version that added entries.sent, and unrecordedMigration the one
// that marks the in-doubt changes a database from before it holds (it runs only on those).
const (
	sentMigration       = 9
	unrecordedMigration = 15
)

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
		what := "offline-edit did not write it: choose another --db"
		if v > len(migrations) {
			what = "a newer offline-edit wrote it: use that one, or choose another --db"
		}
		return fmt.Errorf("cache: the database %s has schema version %d, which this offline-edit does not know (it knows 1 to %d); %s", db.path, v, len(migrations), what)
	}
	refs, err := referenceSchemas()
	if err != nil {
		return err
	}
	have, err := readSchema(ctx, db.sql)
	if err != nil {
		return db.openError("read its tables", err)
	}
	if foreign := have.notIn(refs[len(migrations)]); len(foreign) > 0 {
		return fmt.Errorf("cache: %s is not an offline-edit database (it has %s %s); choose another --db",
			db.path, plural(len(foreign), "table", "tables"), strings.Join(foreign, ", "))
	}
	if miss := have.lacks(refs[v]); miss != "" {
		return fmt.Errorf("cache: %s is not an offline-edit database, or is damaged: its schema version is %d but %s; choose another --db", db.path, v, miss)
	}
	db.needSearch = v < searchMigration
	if v == len(migrations) {
		return nil
	}
	err = db.Update(ctx, func(tx *Tx) error {
		for i := v; i < len(migrations); i++ {
			if i+1 == unrecordedMigration && v >= sentMigration {
				continue // every send of its queue is remembered, or none was made before an edit
			}
			if err := runMigration(ctx, tx, migrations[i]); err != nil {
				return fmt.Errorf("migrate to schema %d: %w", i+1, err)
			}
		}
		got, err := readSchema(ctx, tx)
		if err != nil {
			return err
		}
		if miss := got.lacks(refs[len(migrations)]); miss != "" {
			return errNotOurs{miss}
		}
		_, err = tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations)))
		return err
	})
	var notOurs errNotOurs
	if errors.As(err, &notOurs) {
		return fmt.Errorf("cache: %s is not an offline-edit database, or is damaged: %s; choose another --db", db.path, notOurs.miss)
	}
	if err != nil {
		return db.openError(fmt.Sprintf("bring its schema from version %d to %d", v, len(migrations)), err)
	}
	return nil
}

// errNotOurs is a migration that ran but left tables unlike offline-edit's (a table of that name
// was there already with other columns); the transaction is rolled back.
type errNotOurs struct{ miss string }

func (e errNotOurs) Error() string { return e.miss }

// addColumn matches a migration statement that adds a column, skipped when the column exists.
var addColumn = regexp.MustCompile(`(?is)^ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(\w+)\b`)

// runMigration runs the statements of one migration, skipping the ADD COLUMNs already done.
func runMigration(ctx context.Context, tx *Tx, m string) error {
	trigger := "" // a CREATE TRIGGER read so far: its body's statements end in ';' too
	for _, stmt := range strings.Split(m, ";") {
		stmt = strings.TrimSpace(stmt)
		if stmt == "" {
			continue
		}
		if trigger != "" || strings.HasPrefix(strings.ToUpper(stmt), "CREATE TRIGGER") {
			trigger += stmt + ";\n"
			if !strings.EqualFold(stmt, "END") {
				continue
			}
			stmt, trigger = strings.TrimSuffix(trigger, ";\n"), ""
		}
		if g := addColumn.FindStringSubmatch(stmt); g != nil {
			cols, err := columns(ctx, tx, g[1])
			if err != nil {
				return err
			}
			if slices.Contains(cols, strings.ToLower(g[2])) {
				continue
			}
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// schema is the tables (and views) of a database with their columns, lower-cased.
type schema map[string][]string

// notIn lists the tables of s that want does not have, sorted.
func (s schema) notIn(want schema) []string {
	var out []string
	for t := range s {
		if _, ok := want[t]; !ok {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// lacks says what of want s does not have ("" when s has it all): a table, or a table's column.
func (s schema) lacks(want schema) string {
	tables := make([]string, 0, len(want))
	for t := range want {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	for _, t := range tables {
		have, ok := s[t]
		if !ok {
			return "it has no table " + t
		}
		for _, c := range want[t] {
			if !slices.Contains(have, c) {
				return fmt.Sprintf("its table %s has no column %s", t, c)
			}
		}
	}
	return ""
}

// readSchema reads the tables and views of a database, SQLite's own (sqlite_*) left out.
func readSchema(ctx context.Context, q querier) (schema, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s := schema{}
	for _, n := range names {
		cols, err := columns(ctx, q, n)
		if err != nil {
			return nil, err
		}
		s[strings.ToLower(n)] = cols
	}
	return s, nil
}

// columns lists the columns of table, lower-cased.
func columns(ctx context.Context, q querier, table string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, strings.ToLower(c))
	}
	return out, rows.Err()
}

// referenceSchemas is the schema after each number of migrations (index 0: none), found once
// by running them on an in-memory database.
var referenceSchemas = sync.OnceValues(func() ([]schema, error) {
	mem, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, fmt.Errorf("cache: reference schema: %w", err)
	}
	defer mem.Close()
	mem.SetMaxOpenConns(1) // one in-memory database is one connection
	ctx := context.Background()
	out := []schema{{}}
	for i, m := range migrations {
		if _, err := mem.ExecContext(ctx, m); err != nil {
			return nil, fmt.Errorf("cache: reference schema %d: %w", i+1, err)
		}
		s, err := readSchema(ctx, mem)
		if err != nil {
			return nil, fmt.Errorf("cache: reference schema %d: %w", i+1, err)
		}
		out = append(out, s)
	}
	return out, nil
})

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
