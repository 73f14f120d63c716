//go:build unix

package cache

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// fileLock is an advisory flock on a file next to the database. flock locks belong to the open
// file description, so a second Open in the same process is refused just like another process.
type fileLock struct{ f *os.File }

// acquireLockFile locks path, the lock file of the database real (shown as the caller named it).
func acquireLockFile(path, real, shown string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, lockFileError(path, shown, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, alreadyOpen(real, shown)
		}
		return nil, fmt.Errorf("cache: lock %s: %w", path, err)
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
	l.f = nil
}
