package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestADataDirThatIsAFileOrCannotBeWrittenSaysSo(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"pending"}, {"sync"}, {"new", "Account", "Name=X"}} {
		_, err := run(t, file, "", cmd...)
		if code := exitCode(err); code != 1 || !strings.Contains(err.Error(), "--data-dir "+file+" is a file, not a directory") {
			t.Errorf("%v: exit %d (%v)", cmd, code, err)
		}
	}
	if os.Geteuid() == 0 {
		t.Log("running as root: a read-only directory is writable, so that half is not checked")
		return
	}
	ro := t.TempDir()
	if err := os.Chmod(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(ro, 0o700)
	_, err := run(t, ro, "", "pending")
	if code := exitCode(err); code != 1 || !strings.Contains(err.Error(), "cannot be written") || !strings.Contains(err.Error(), "make it writable or choose another") {
		t.Errorf("read-only data dir: exit %d (%v)", code, err)
	}
}
