package tui

import (
	"errors"
	"strings"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
)

// ErrorText is what the screens say of err: a database another program keeps locked in the
// words of what to do about it, not SQLite's.
func ErrorText(err error) string {
	if cache.Locked(err) {
		return strings.ToUpper(cache.LockedAdvice[:1]) + cache.LockedAdvice[1:] + "."
	}
	if cache.Damaged(err) {
		return strings.ToUpper(cache.DamagedAdvice[:1]) + cache.DamagedAdvice[1:] + "."
	}
	return err.Error()
}

func isNotFound(err error) bool { return errors.Is(err, pending.ErrNotFound) }
func isLocked(err error) bool   { return errors.Is(err, pending.ErrLocked) }
