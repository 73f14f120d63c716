package tui

import (
	"errors"

	"github.com/offline-edit/offline-edit/pending"
)

func isNotFound(err error) bool { return errors.Is(err, pending.ErrNotFound) }
func isLocked(err error) bool   { return errors.Is(err, pending.ErrLocked) }
