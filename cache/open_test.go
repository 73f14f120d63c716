package cache

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// rawDB writes an SQLite file at path with stmts, outside this package's Open.
func rawDB(t *testing.T, path string, stmts ...string) {
	t.Helper()
	sdb, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	for _, q := range stmts {
		if _, err := sdb.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// fileState is what Open must leave alone in a file it refuses.
type fileState struct {
	body []byte
	mode os.FileMode
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{body: body, mode: st.Mode()}
}

// openRefused opens path, which must fail with an error containing every one of want, and
// leave the file byte for byte and mode for mode as it was.
func openRefused(t *testing.T, path string, want ...string) {
	t.Helper()
	before := stateOf(t, path)
	db, err := func() (db *DB, err error) {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("Open panicked: %v", p)
			}
		}()
		return Open(path)
	}()
	if err == nil {
		db.Close()
		t.Fatalf("Open(%s) succeeded, want an error", path)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	after := stateOf(t, path)
	if !bytes.Equal(before.body, after.body) {
		t.Errorf("Open changed the contents of %s", path)
	}
	if before.mode != after.mode {
		t.Errorf("Open changed the mode of %s from %v to %v", path, before.mode, after.mode)
	}
	// The refused file can still be opened once the first refusal is gone: nothing stays locked.
	if _, err2 := Open(path); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("second Open: %v, want the same refusal %v", err2, err)
	}
}

func TestASchemaVersionThisBuildDoesNotKnowIsRefusedAndTheFileLeftAlone(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version int
		want    []string
	}{
		{"negative", -1, []string{"has schema version -1, which this offline-edit does not know", "choose another --db"}},
		{"very negative", -2147483648, []string{"has schema version -2147483648, which this offline-edit does not know"}},
		{"newer", len(migrations) + 1, []string{"which this offline-edit does not know", "a newer offline-edit wrote it"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "device.db")
			rawDB(t, path, "PRAGMA user_version = "+strconv.Itoa(tc.version))
			if err := os.Chmod(path, 0o644); err != nil {
				t.Fatal(err)
			}
			openRefused(t, path, append(tc.want, path)...)
		})
	}
}

func TestAFileThatIsNotAnOfflineEditDatabaseIsRefusedAndLeftAlone(t *testing.T) {
	setVersion := func(v int) string { return "PRAGMA user_version = " + strconv.Itoa(v) }
	for _, tc := range []struct {
		name  string
		stmts []string
		want  []string
	}{
		{"another program's tables", []string{"CREATE TABLE foo(x)"},
			[]string{"is not an offline-edit database (it has table foo); choose another --db"}},
		{"ours and others", append(append([]string{}, migrations...), "CREATE TABLE foo(x)", "CREATE VIEW bar AS SELECT 1", setVersion(len(migrations))),
			[]string{"is not an offline-edit database (it has tables bar, foo)"}},
		{"a schema version but none of our tables", []string{"CREATE TABLE t(a)", "DROP TABLE t", setVersion(3)},
			[]string{"is not an offline-edit database, or is damaged: its schema version is 3 but it has no table activity"}},
		{"a table of ours with other columns", append(append([]string{}, migrations[:3]...), "CREATE TABLE users(x)", setVersion(3)),
			[]string{"is not an offline-edit database, or is damaged: its table users has no column id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "other.db")
			rawDB(t, path, tc.stmts...)
			if err := os.Chmod(path, 0o644); err != nil {
				t.Fatal(err)
			}
			openRefused(t, path, append(tc.want, path)...)
		})
	}
}

func TestAnOlderSchemaWhoseNewTablesAlreadyExistIsBroughtUpToDate(t *testing.T) {
	// Schema 3 by its user_version, yet with the users table of schema 4 and the search
	// column of schema 5 already there (a file whose user_version was set back).
	path := filepath.Join(t.TempDir(), "device.db")
	rawDB(t, path, append(append([]string{}, migrations...), "INSERT INTO users(id, name) VALUES('005A', 'Sam')", "PRAGMA user_version = 3")...)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	var v int
	if err := db.SQL().QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion {
		t.Fatalf("user_version %d (%v), want %d", v, err, SchemaVersion)
	}
	var name string
	if err := db.SQL().QueryRow("SELECT name FROM users WHERE id = '005A'").Scan(&name); err != nil || name != "Sam" {
		t.Fatalf("users kept %q (%v)", name, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("an offline-edit database is made private: %v %v", st.Mode(), err)
	}
}

func TestAnEmptyFileBecomesADeviceDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "device.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v (%v), want 0600", st.Mode(), err)
	}
}

func TestAFileThatIsNotSQLiteIsRefusedByName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("these are my notes, not a database\n", 20)), 0o644); err != nil {
		t.Fatal(err)
	}
	openRefused(t, path, path+" is not an SQLite database", "choose another --db")
}

func TestReadOnlyOpenSeesWhatTheHolderCommittedAndWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "device.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	put := func(id, name string) {
		t.Helper()
		err := db.Update(ctx, func(tx *Tx) error {
			return tx.PutRecord(ctx, Record{Object: "Account", ID: id, Name: name, View: remote.Fields{"Name": name}, Server: remote.Fields{"Name": name}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put("001A", "Acme")
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatalf("read-only open beside the holder: %v", err)
	}
	defer ro.Close()
	if r, err := ro.Record(ctx, "001A"); err != nil || r.Name != "Acme" {
		t.Fatalf("read-only sees %+v %v", r, err)
	}
	put("001B", "Blue") // committed later by the holder: seen too
	if r, err := ro.Record(ctx, "001B"); err != nil || r.Name != "Blue" {
		t.Fatalf("read-only sees %+v %v after the holder's commit", r, err)
	}
	if err := ro.Update(ctx, func(tx *Tx) error { return nil }); err == nil {
		t.Fatal("a read-only database took an update")
	}
	if _, err := ro.SQL().ExecContext(ctx, `DELETE FROM records`); err == nil {
		t.Fatal("a read-only connection deleted rows")
	}
	ro.Close()
	// The holder is unharmed.
	put("001C", "Cove")
	if n, err := db.Record(ctx, "001A"); err != nil || n.Name != "Acme" {
		t.Fatalf("holder after the read-only close: %+v %v", n, err)
	}
}

func TestReadOnlyOpenRefusesAMissingFileOrAnotherSchema(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenReadOnly(filepath.Join(dir, "none.db")); err == nil {
		t.Fatal("a missing file opened read-only")
	}
	old := filepath.Join(dir, "old.db")
	db, err := Open(old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`PRAGMA user_version = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenReadOnly(old); err == nil || !strings.Contains(err.Error(), "schema version 2") {
		t.Fatalf("err = %v, want the schema version named", err)
	}
}

func TestMigratingMarksTheRowsThatHoldALocalIDSoReplacingFindsThem(t *testing.T) {
	// A database of the schema before has_local: a child created offline points at its parent,
	// also created offline, in its view and in its queued change.
	path := filepath.Join(t.TempDir(), "device.db")
	local, server := "local-0123456789abcdef", "001000000000001AAA"
	kid := `{"AccountId":"` + local + `"}`
	before := slices.IndexFunc(migrations, func(m string) bool { return strings.Contains(m, "ADD COLUMN has_local") })
	rawDB(t, path, append(append([]string{}, migrations[:before]...),
		`INSERT INTO records(id, object, name, view) VALUES('local-ffff0000ffff0000', 'Contact', 'Kid', '`+kid+`')`,
		`INSERT INTO records(id, object, name, view, server) VALUES('003A', 'Contact', 'Old', '{"AccountId":"001B"}', '{"AccountId":"001B"}')`,
		`INSERT INTO entries(id, object, record_id, op, changes, status) VALUES('e2', 'Contact', 'local-ffff0000ffff0000', 'create', '`+kid+`', 'waiting')`,
		fmt.Sprintf("PRAGMA user_version = %d", before))...)
	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	var marked int
	if err := db.SQL().QueryRow(`SELECT (SELECT COUNT(*) FROM records WHERE has_local = 1) + (SELECT COUNT(*) FROM entries WHERE has_local = 1)`).Scan(&marked); err != nil || marked != 2 {
		t.Fatalf("%d rows marked (%v), want the child's record and entry", marked, err)
	}
	ctx := context.Background()
	if err := db.Update(ctx, func(tx *Tx) error { return tx.ReplaceID(ctx, "Account", local, server, time.Now()) }); err != nil {
		t.Fatal(err)
	}
	r, err := db.Record(ctx, "local-ffff0000ffff0000")
	if err != nil || r.View["AccountId"] != server {
		t.Fatalf("the child's lookup after the replace: %v %v", r.View, err)
	}
	var changes string
	if err := db.SQL().QueryRow(`SELECT changes FROM entries WHERE id = 'e2'`).Scan(&changes); err != nil || !strings.Contains(changes, server) {
		t.Fatalf("the child's change after the replace: %s %v", changes, err)
	}
}

// A write refused for want of disk says so, names the file and loses nothing already saved;
// the same write goes through once there is room again.
func TestWriteOnAFullDiskSaysSoAndKeepsWhatWasSaved(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "full.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	put := func(id string, size int) error {
		return db.Update(ctx, func(tx *Tx) error {
			return tx.PutRecord(ctx, Record{Object: "Account", ID: id, Name: id,
				View: remote.Fields{"Id": id, "Description": strings.Repeat("x", size)}})
		})
	}
	if err := put("001000000000001AAA", 10); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := db.SQL().QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// The disk is full: the file may not grow (SQLite answers SQLITE_FULL, as on a full disk).
	if _, err := db.SQL().ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	err = put("001000000000002AAA", 200000)
	if err == nil || !strings.Contains(err.Error(), "is full") || !strings.Contains(err.Error(), "full.db") {
		t.Fatalf("a write on a full disk: %v", err)
	}
	if !Unwritable(err) {
		t.Fatalf("a full disk is not taken for a file that can still be read: %v", err)
	}
	if _, err := db.Record(ctx, "001000000000001AAA"); err != nil {
		t.Fatalf("what was saved before is gone: %v", err)
	}
	if _, err := db.Record(ctx, "001000000000002AAA"); err == nil {
		t.Fatal("half of the refused write was kept")
	}
	if _, err := db.SQL().ExecContext(ctx, `PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	if err := put("001000000000002AAA", 200000); err != nil {
		t.Fatalf("the write with room again: %v", err)
	}
}
