//go:build !unix

package mockorg

import "os"

// lockDB does nothing outside unix: a second process on the same org file is not caught there.
func lockDB(path string) (*os.File, error) { return nil, nil }

func unlockDB(*os.File) {}
