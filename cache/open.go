package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Open opens (creating if needed) the database at path: busy timeout, schema migrations, WAL,
// file mode 0600. A second Open of the same file while the first is open (by the same path, a
// symlink or a hard link) fails with an error matching ErrAlreadyOpen. A file that is not an
// offline-edit database, or whose schema this build does not know, is refused and left as it
// was. Every error names the file and says what to do.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("cache: empty database path")
	}
	real, err := resolve(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(real)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, newFileErr(err, "cache: cannot create the data directory %s: %v; choose another --data-dir or --db", dir, unwrapPath(err))
	}
	if real, err = resolve(path); err != nil { // the directory exists now: resolve it too
		return nil, err
	}
	lk, created, err := lockDatabase(real, path)
	if err != nil {
		return nil, err
	}
	// No journal_mode here: switching to WAL writes to the file, which must wait until the file
	// is known to be ours.
	dsn := "file:" + (&url.URL{Path: real}).EscapedPath() +
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
		if created {
			_ = os.Remove(real) // nothing of ours was written to it
		}
		return nil, err
	}
	ctx := context.Background()
	if err := db.migrate(ctx); err != nil {
		return fail(err)
	}
	created = false // from here the file is an offline-edit database
	var mode string
	if err := sdb.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return fail(db.openError("switch it to WAL", err))
	}
	if mode != "wal" {
		return fail(fmt.Errorf("cache: the database %s stays in journal mode %q, not WAL; choose another --db", path, mode))
	}
	_ = os.Chmod(real, 0o600)
	if err := db.fillSearch(ctx); err != nil {
		return fail(db.openError("prepare list filters", err))
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		_ = os.Chmod(real+suffix, 0o600)
	}
	return db, nil
}

// resolve makes path absolute with its symlinks resolved, so that every name of one file leads
// to one lock file. A file that does not exist yet resolves through its directory, if that
// exists. A path that names something other than a regular file is refused.
func resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("cache: the database path %s: %w", path, err)
	}
	if _, err := os.Lstat(abs); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fileError(path, err)
		}
		dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
		if err != nil {
			return abs, nil // not there yet: Open creates it
		}
		return filepath.Join(dir, filepath.Base(abs)), nil
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			target, _ := os.Readlink(abs)
			return "", fmt.Errorf("cache: %s is a symbolic link to %s, which does not exist; create the database where you mean it to be and name that with --db", path, target)
		}
		return "", fileError(path, err)
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", fileError(path, err)
	}
	if !st.Mode().IsRegular() {
		what := "not a regular file"
		if st.IsDir() {
			what = "a directory"
		}
		return "", fmt.Errorf("cache: %s is %s, not a device database; choose another --db", path, what)
	}
	return real, nil
}

// unwrapPath drops the path an *fs.PathError repeats, for messages that name it already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ErrDeviceFile is wrapped by every failure to create, open or lock the files of the device
// database: a problem of the device itself, which no retry against the org cures.
var ErrDeviceFile = errors.New("the device database's files cannot be used")

// fileErr says what went wrong with a file of the device database in its own words (the path
// once), and keeps the error it comes from (an *fs.PathError, an errno) for errors.Is and As.
type fileErr struct {
	msg string
	err error
}

func (e *fileErr) Error() string   { return e.msg }
func (e *fileErr) Unwrap() []error { return []error{ErrDeviceFile, e.err} }

func newFileErr(err error, format string, args ...any) error {
	return &fileErr{msg: fmt.Sprintf(format, args...), err: err}
}

// fileError is a failure to open or inspect the database file.
func fileError(path string, err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return newFileErr(err, "cache: cannot open the device database %s: %v; it must be readable and writable by you (check its owner and mode), or choose another --db", path, unwrapPath(err))
	}
	return newFileErr(err, "cache: cannot open the device database %s: %v", path, unwrapPath(err))
}

// lockFileError is a failure to create or open the lock file next to the database.
func lockFileError(lockPath, shown string, err error) error {
	dir := filepath.Dir(lockPath)
	if errors.Is(err, fs.ErrPermission) && !writable(dir) {
		return readOnlyDir(dir, shown, err)
	}
	return newFileErr(err, "cache: cannot open the lock file %s of the device database %s: %v; check its owner and mode", lockPath, shown, unwrapPath(err))
}

func readOnlyDir(dir, shown string, err error) error {
	return newFileErr(err, "cache: the data directory %s is read-only (%v), and the device database %s needs to write its lock and journal files there; make the directory writable, or choose another --data-dir or --db", dir, unwrapPath(err), shown)
}

// writable says whether a file can be created in dir (a probe, removed at once).
func writable(dir string) bool {
	f, err := os.CreateTemp(dir, ".offline-edit-probe-*")
	if err != nil {
		return false
	}
	_ = f.Close()
	_ = os.Remove(f.Name())
	return true
}

// openError names the file, says what was being done when SQLite failed, and what to do.
func (db *DB) openError(doing string, err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("cache: the device database %s: %s: %w", db.path, doing, err)
	}
	real := db.path
	if db.lock != nil && db.lock.db != nil {
		real = db.lock.db.Name()
	}
	switch code := se.Code(); code & 0xff {
	case sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("cache: %s is not an SQLite database, so not an offline-edit one (%w); choose another --db", db.path, err)
	case sqlite3.SQLITE_CORRUPT:
		return fmt.Errorf("cache: the device database %s is damaged (%w); move it away (a new one is made) or choose another --db", db.path, err)
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_IOERR:
		if dir := filepath.Dir(real); code == sqlite3.SQLITE_READONLY_DIRECTORY || !writable(dir) {
			return readOnlyDir(dir, db.path, err)
		}
		if code&0xff == sqlite3.SQLITE_READONLY {
			return fmt.Errorf("cache: the device database %s is read-only (%w); make it writable or choose another --db", db.path, err)
		}
		if code&0xff == sqlite3.SQLITE_IOERR {
			return fmt.Errorf("cache: the device database %s: %s: %w; check the disk holding it (free space, errors) and try again", db.path, doing, err)
		}
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("cache: the disk holding the device database %s is full (%w); free some space and try again", db.path, err)
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("cache: the device database %s is held by another program (%w); close it and try again", db.path, err)
	}
	return fmt.Errorf("cache: the device database %s: %s: %w", db.path, doing, err)
}

// writtenError is a write the device database refused, explained: it is not explained twice.
type writtenError struct {
	error
	readable bool // the file is whole: it can still be read (a full disk, an I/O error)
}

// Unwritable reports a write the device database refused although the file can still be read
// (a full disk, an input/output error): commands that only read may open it read-only.
func Unwritable(err error) bool {
	var we writtenError
	return errors.As(err, &we) && we.readable
}

func (e writtenError) Unwrap() error { return e.error }

// DeviceError reports an error of the device database itself (a full disk, an input/output
// error, damage, a lock held by another program), as opposed to the org's or the network's.
func DeviceError(err error) bool {
	var we writtenError
	var se *sqlite.Error
	return errors.As(err, &we) || errors.As(err, &se)
}

// Damaged reports an error of a device database whose file is damaged, met where no step
// explained it (a read; a write says so itself, with the file's path).
func Damaged(err error) bool {
	var se *sqlite.Error
	var done writtenError
	if !errors.As(err, &se) || errors.As(err, &done) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqlite3.SQLITE_CORRUPT || code == sqlite3.SQLITE_NOTADB
}

// DamagedAdvice is what to say of an error Damaged reports.
const DamagedAdvice = "the device database is damaged: copy its file aside first (`offline-edit pending --json` may still list the pending changes; if it cannot, SQLite's own `sqlite3 FILE .recover` often rescues the rows), then move it away and a new one is made (the cache fills again at the next sync)"

// LockedAdvice is what to say of an error Locked reports.
const LockedAdvice = "another program keeps a database of this device or org locked (an open sqlite3 transaction?): close it and try again; nothing saved was lost"

// Locked reports that another program (not offline-edit: sqlite3 holding a write transaction,
// say) kept the device database locked past the wait: commands that only read may read it
// read-only beside that program.
func Locked(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}

// queueEmpty reports whether the queue of pending changes can be read and is empty: a damaged
// file that holds none can simply be replaced.
func (db *DB) queueEmpty() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM entries`).Scan(&n)
	return err == nil && n == 0
}

// writeError explains a write the device database refused for want of disk, for damage or for
// an input/output error: none of it was saved (the transaction is rolled back), and the user is
// told what to do. Other errors (a constraint, a closed database, the caller's own) pass as
// they are.
func (db *DB) writeError(err error) error {
	var se *sqlite.Error
	var done writtenError
	if !errors.As(err, &se) || errors.As(err, &done) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL:
		return writtenError{fmt.Errorf("cache: the disk holding the device database %s is full (%w); nothing of this step was saved and the queue is as it was: free some space and try again", db.path, err), true}
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		if db.queueEmpty() {
			return writtenError{fmt.Errorf("cache: the device database %s is damaged (%w); its queue of pending changes is empty, so nothing is lost by starting again: move it away and a new one is made (the cache fills again at the next sync)", db.path, err), false}
		}
		return writtenError{fmt.Errorf("cache: the device database %s is damaged (%w); it may hold pending changes: copy it aside first (`offline-edit pending --json` may still list them; if it cannot, SQLite's own `sqlite3 FILE .recover` often rescues the rows), then move it away and a new one is made", db.path, err), false}
	case sqlite3.SQLITE_IOERR:
		return writtenError{fmt.Errorf("cache: the device database %s could not be written (%w); nothing of this step was saved: check the disk (space, errors), then try again", db.path, err), true}
	}
	return err
}

// OpenReadOnly opens an existing device database to read it while another process holds it
// (Open would answer ErrAlreadyOpen): no lock, no migration, no write of any kind. It sees what
// the other process has committed. A database of another schema version is refused; so is
// every Update.
func OpenReadOnly(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("cache: empty database path")
	}
	real, err := resolve(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(real); err != nil {
		return nil, fileError(path, err)
	}
	dsn := "file:" + (&url.URL{Path: real}).EscapedPath() + "?mode=ro&_pragma=busy_timeout(5000)&_pragma=query_only(1)"
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("cache: open %s: %w", path, err)
	}
	sdb.SetMaxOpenConns(1)
	db := &DB{sql: sdb, path: path, readOnly: true}
	var v int
	if err := sdb.QueryRowContext(context.Background(), "PRAGMA user_version").Scan(&v); err != nil {
		_ = sdb.Close()
		return nil, db.openError("read its schema version", err)
	}
	if v != SchemaVersion {
		_ = sdb.Close()
		return nil, fmt.Errorf("cache: the database %s has schema version %d and this offline-edit reads %d; use the offline-edit that has it open", path, v, SchemaVersion)
	}
	return db, nil
}
