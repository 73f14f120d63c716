//go:build !unix

package cache

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// fileLock on platforms without flock: an exclusive create of the lock file, removed on release.
// A crashed process leaves the file behind; its message says how to recover.
type fileLock struct{ path string }

var lockMu sync.Mutex

func acquireLock(path string) (*fileLock, error) {
	lockMu.Lock()
	defer lockMu.Unlock()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if os.IsExist(err) {
			return nil, fmt.Errorf("%w (%s); if no other copy runs, remove %s", ErrAlreadyOpen, filepath.Base(path), path)
		}
		return nil, fmt.Errorf("cache: lock %s: %w", path, err)
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
