// Package cache is the device's SQLite store: object metadata (describe results), the cached
// server copy of each record with its version, what the user sees of each record (the server
// copy with its pending change laid over it), the local-id map, sync watermarks, and the tables
// the pending queue and the activity log live in. One file per (org, user), mode 0600, opened
// by one process at a time.
package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/offline-edit/offline-edit/remote"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// ErrAlreadyOpen is returned by Open when another process (or another Open in this process)
// holds the database.
var ErrAlreadyOpen = errors.New("the device database is already open in another offline-edit process")

// ErrNotFound is returned when a record, describe or entry is not in the cache.
var ErrNotFound = errors.New("not in the device cache")

// DB is the open device database.
type DB struct {
	sql    *sql.DB // never changes after Open: after Close its calls fail with sql's "database is closed"
	path   string
	lock   *dbLock
	closed atomic.Bool
	// readOnly marks a database opened with OpenReadOnly: Update refuses.
	readOnly bool

	needSearch bool // migrated from before records.search: fill it once at Open

	describeMu sync.Mutex
	describes  map[string]*remote.Describe // decoded describes, by object

	// Statements prepared on the connection once and reused by every transaction (see
	// Tx.Prepared). A statement first met inside a transaction is prepared for that transaction
	// and, once it ends, for good: the one connection is busy while a transaction runs.
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
	reused atomic.Int64 // statements transactions took from stmts rather than prepared
}

// stmt returns the connection-wide statement of query, nil when it is not prepared yet (then
// it is prepared after the current transaction).
func (db *DB) stmt(query string) *sql.Stmt {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if st := db.stmts[query]; st != nil {
		return st
	}
	if db.wanted == nil {
		db.wanted = map[string]bool{}
	}
	db.wanted[query] = true
	return nil
}

// prepareWanted prepares, outside any transaction, the statements transactions asked for. The
// lock is not held while preparing: that waits for the connection, which another transaction
// (needing the lock for a moment) may hold.
func (db *DB) prepareWanted(ctx context.Context) {
	db.stmtMu.Lock()
	var todo []string
	for q := range db.wanted {
		todo = append(todo, q)
	}
	clear(db.wanted)
	db.stmtMu.Unlock()
	for _, q := range todo {
		if db.closed.Load() {
			return
		}
		st, err := db.sql.PrepareContext(ctx, q)
		if err != nil {
			continue // the transaction that used it reported any error; it is asked for again
		}
		db.stmtMu.Lock()
		if db.stmts == nil {
			db.stmts = map[string]*sql.Stmt{}
		}
		if db.stmts[q] == nil {
			db.stmts[q] = st
			st = nil
		}
		db.stmtMu.Unlock()
		if st != nil {
			_ = st.Close() // another goroutine prepared it first
		}
	}
}

// DefaultPath returns where the database of (instanceURL, username) lives:
// $XDG_DATA_HOME/offline-edit/<host>-<username>.db, falling back to ~/.local/share.
func DefaultPath(instanceURL, username string) (string, error) {
	if strings.TrimSpace(instanceURL) == "" {
		return "", errors.New("cache: an instance URL is needed to name the device database")
	}
	if strings.TrimSpace(username) == "" {
		return "", errors.New("cache: a username is needed to name the device database")
	}
	host := instanceURL
	if u, err := url.Parse(instanceURL); err == nil && u.Host != "" {
		host = u.Host
	}
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cache: no data directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "offline-edit", safeName(host)+"-"+safeName(username)+".db"), nil
}

// safeName keeps letters, digits and . _ @ - and replaces everything else with '_'.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '@', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), ".")
	if out == "" {
		out = "_"
	}
	return out
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// SQL is the underlying connection pool (one connection). The pending package runs its queue
// statements through it; everyone else uses the typed methods.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the database and releases the process lock.
// Calls still in flight on other goroutines (a screen loading a record as the app quits) get
// an error, never a nil connection pool.
func (db *DB) Close() error {
	if db == nil || db.sql == nil || !db.closed.CompareAndSwap(false, true) {
		return nil
	}
	err := db.sql.Close()
	db.lock.release()
	return err
}

// Tx is one transaction on the device database.
type Tx struct {
	*sql.Tx
	db    *DB
	stmts map[string]*sql.Stmt // prepared once per transaction (closed with it)
}

// Prepared returns query prepared for this transaction: the connection's own statement once
// one transaction has used it (a statement is parsed once per database, not per transaction),
// else one prepared now. The returned statement is closed when the transaction ends.
func (tx *Tx) Prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[query]; ok {
		return st, nil
	}
	var shared *sql.Stmt
	if tx.db != nil { // nil only for a Tx made outside Update and View
		shared = tx.db.stmt(query)
	}
	var st *sql.Stmt
	if shared != nil {
		st = tx.StmtContext(ctx, shared) // the connection's statement: no parsing
		tx.db.reused.Add(1)
	} else {
		var err error
		if st, err = tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[query] = st
	return st, nil
}

// Update runs fn in one immediate transaction and commits it when fn returns nil.
func (db *DB) Update(ctx context.Context, fn func(tx *Tx) error) (err error) {
	if db == nil || db.sql == nil || db.closed.Load() {
		return errors.New("cache: database is closed")
	}
	if db.readOnly {
		return fmt.Errorf("cache: %s is open read-only (another process holds it)", db.path)
	}
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cache: begin: %w", err)
	}
	defer db.prepareWanted(context.WithoutCancel(ctx)) // after the rollback below, even on panic
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Tx{Tx: stx, db: db}); err != nil {
		_ = stx.Rollback()
		return db.writeError(err)
	}
	if err := stx.Commit(); err != nil {
		return db.writeError(fmt.Errorf("cache: commit: %w", err))
	}
	return nil
}

// View runs fn in a transaction that is rolled back afterwards (a consistent read).
func (db *DB) View(ctx context.Context, fn func(tx *Tx) error) error {
	if db == nil || db.sql == nil || db.closed.Load() {
		return errors.New("cache: database is closed")
	}
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cache: begin: %w", err)
	}
	defer db.prepareWanted(context.WithoutCancel(ctx))
	defer func() { _ = stx.Rollback() }()
	return fn(&Tx{Tx: stx, db: db})
}
