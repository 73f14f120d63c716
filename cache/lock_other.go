//go:build !unix

package cache

import (
	"fmt"
	"os"
)

// fileLock on platforms without flock: an exclusive create of the lock file, removed on release.
// A crashed process leaves the file behind; its message says how to recover.
type fileLock struct{ path string }

// acquireLockFile locks path, the lock file of the database real (shown as the caller named it).
// Callers hold openMu.
func acquireLockFile(path, real, shown string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if os.IsExist(err) {
			return nil, fmt.Errorf("%w; if no other copy runs, remove %s", alreadyOpen(real, shown), path)
		}
		return nil, lockFileError(path, shown, err)
	}
	_ = f.Close()
	return &fileLock{path: path}, nil
}

func (l *fileLock) release() {
	if l == nil || l.path == "" {
		return
	}
	_ = os.Remove(l.path)
	l.path = ""
}
