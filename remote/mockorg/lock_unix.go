//go:build unix

package mockorg

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockDB takes the lock file next to an org's database (the one the device's own databases use,
// path + ".lock"), so that a second process opening the same org is refused: each process keeps
// the org in memory, and two would hand out the same ids and overwrite each other's records.
func lockDB(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("mockorg: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrInUse, path)
		}
		return nil, fmt.Errorf("mockorg: lock %s: %w", path, err)
	}
	return f, nil
}

func unlockDB(f *os.File) {
	if f == nil {
		return
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	_ = f.Close()
}
