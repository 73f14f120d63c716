package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// dbLock keeps a database to one Open at a time, whatever name it is opened by:
//   - in this process, a table of the files open (os.SameFile: one inode, so a symlink or a hard
//     link to an open database is the same file), checked before the file is touched;
//   - against other processes, a lock file next to the real path (symlinks resolved) and, where
//     the system allows it without disturbing SQLite's own locks, a lock on the database file
//     itself (see lockDatabaseFile), which covers hard links too.
type dbLock struct {
	side *fileLock // the lock file
	db   *os.File  // the database file, held open (and locked where supported) until release
	id   os.FileInfo
}

var (
	openMu    sync.Mutex
	openFiles []os.FileInfo // the database files open in this process
)

// lockDatabase locks the database whose real path (symlinks resolved) is real; shown is the path
// the caller gave, for messages. created says whether the file was made here.
func lockDatabase(real, shown string) (lk *dbLock, created bool, err error) {
	openMu.Lock()
	defer openMu.Unlock()
	// In this process the database file must not be opened and closed again while an open DB
	// holds it: closing any descriptor of a file drops this process's POSIX locks on it, the
	// ones SQLite holds.
	if st, err := os.Stat(real); err == nil {
		for _, fi := range openFiles {
			if os.SameFile(fi, st) {
				return nil, false, alreadyOpen(real, shown)
			}
		}
	}
	side, err := acquireLockFile(real+".lock", real, shown)
	if err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(real, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	created = err == nil
	if errors.Is(err, fs.ErrExist) {
		f, err = os.OpenFile(real, os.O_RDWR, 0)
	}
	if err != nil {
		side.release()
		return nil, false, fileError(shown, err)
	}
	if err := lockDatabaseFile(f); err != nil {
		_ = f.Close()
		side.release()
		if errors.Is(err, errLocked) {
			return nil, false, alreadyOpen(real, shown)
		}
		return nil, false, fmt.Errorf("cache: lock the device database %s: %w", shown, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		side.release()
		return nil, false, fileError(shown, err)
	}
	openFiles = append(openFiles, st)
	return &dbLock{side: side, db: f, id: st}, created, nil
}

// errLocked is lockDatabaseFile's answer when another process holds the file.
var errLocked = errors.New("locked")

func alreadyOpen(real, shown string) error {
	if abs, err := filepath.Abs(shown); err == nil && abs != real {
		return fmt.Errorf("%w (%s, which is %s); quit the other one first", ErrAlreadyOpen, shown, real)
	}
	return fmt.Errorf("%w (%s); quit the other one first", ErrAlreadyOpen, shown)
}

// inUseError is Remove's refusal of a file another process has open: it names the file, which
// may be any database (the demo org's as well as a device's). It is an ErrAlreadyOpen.
type inUseError struct{ path string }

func (e inUseError) Error() string {
	return e.path + " is open in another offline-edit process; quit it first"
}

func (e inUseError) Is(target error) bool { return target == ErrAlreadyOpen }

// release unlocks; call it only after the SQLite connection to the file is closed.
func (l *dbLock) release() {
	if l == nil || l.db == nil {
		return
	}
	openMu.Lock()
	defer openMu.Unlock()
	for i, fi := range openFiles {
		if fi == l.id {
			openFiles = append(openFiles[:i], openFiles[i+1:]...)
			break
		}
	}
	_ = l.db.Close()
	l.db = nil
	l.side.release()
}

// Remove deletes the databases at paths with their -wal, -shm and -journal files and their lock
// files, holding each one's lock meanwhile, so that no offline-edit process opens one half-way.
// It deletes nothing when any of them is open (ErrAlreadyOpen, naming it).
func Remove(paths ...string) error {
	openMu.Lock()
	defer openMu.Unlock()
	var held []*fileLock
	defer func() {
		for _, l := range held {
			l.release()
		}
	}()
	for _, p := range paths {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fileError(p, err)
		}
		for _, fi := range openFiles {
			if os.SameFile(fi, st) {
				return inUseError{p}
			}
		}
		l, err := acquireLockFile(p+".lock", p, p)
		if errors.Is(err, ErrAlreadyOpen) {
			return inUseError{p}
		}
		if err != nil {
			return err
		}
		held = append(held, l)
	}
	for _, p := range paths {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal", ".lock"} {
			if err := os.Remove(p + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("cache: remove %s: %w", p+suffix, err)
			}
		}
	}
	return nil
}
