package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

// Open opens (creating if needed) the database at path: busy timeout, schema migrations, WAL,
// file mode 0600. A second Open of the same file while the first is open fails with an error
// matching ErrAlreadyOpen. A file that is not an offline-edit database, or whose schema this
// build does not know, is refused and left as it was.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("cache: empty database path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cache: create data directory: %w", err)
	}
	lk, err := acquireLock(path + ".lock")
	if err != nil {
		return nil, err
	}
	// Create the file with mode 0600 before SQLite does (SQLite would use 0644).
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		lk.release()
		return nil, fmt.Errorf("cache: open %s: %w", path, err)
	}
	_ = f.Close()
	// No journal_mode here: switching to WAL writes to the file, which must wait until the file
	// is known to be ours.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(FULL)&_txlock=immediate"
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		lk.release()
		return nil, fmt.Errorf("cache: open %s: %w", path, err)
	}
	sdb.SetMaxOpenConns(1)
	db := &DB{sql: sdb, path: path, lock: lk}
	fail := func(err error) (*DB, error) {
		_ = sdb.Close()
		lk.release()
		return nil, err
	}
	ctx := context.Background()
	if err := db.migrate(ctx); err != nil {
		return fail(err)
	}
	var mode string
	if err := sdb.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return fail(db.openError("switch it to WAL", err))
	}
	if mode != "wal" {
		return fail(fmt.Errorf("cache: the database %s stays in journal mode %q, not WAL; choose another --db", path, mode))
	}
	_ = os.Chmod(path, 0o600)
	if err := db.fillSearch(ctx); err != nil {
		return fail(fmt.Errorf("cache: prepare list filters: %w", err))
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		_ = os.Chmod(path+suffix, 0o600)
	}
	return db, nil
}

// openError names the file and what was being done when SQLite failed.
func (db *DB) openError(doing string, err error) error {
	return fmt.Errorf("cache: %s: %s: %w", db.path, doing, err)
}
