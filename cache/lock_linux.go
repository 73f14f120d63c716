package cache

import (
	"errors"
	"os"
	"syscall"
)

// lockDatabaseFile takes an exclusive flock on the database file itself: one inode, so a hard
// link to an open database is refused too. On Linux flock and the POSIX (fcntl) locks SQLite
// takes on the same file are independent, so this does not get in SQLite's way.
func lockDatabaseFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return err
}
