//go:build !linux

package cache

import "os"

// lockDatabaseFile does nothing where a lock on the database file could collide with SQLite's
// own locks on it (on the BSDs and macOS flock and fcntl locks are one mechanism; Windows locks
// byte ranges). There the lock file (symlinks resolved) and the in-process table guard the
// database; a hard link opened from another process is not caught.
func lockDatabaseFile(*os.File) error { return nil }
