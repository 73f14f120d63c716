package tui

import "errors"

// The engine's sentinel errors, matched with errors.Is.
var (
	errNotFound = errors.New("record not found")
	errLocked   = errors.New("record is locked")
)

func isNotFound(err error) bool { return errors.Is(err, errNotFound) }
func isLocked(err error) bool   { return errors.Is(err, errLocked) }
