package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
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

func TestDataDirCheckSweepsProbesKilledProcessesLeft(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data[1]") // a name that is a glob pattern
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, ".writable-123")
	fresh := filepath.Join(dir, ".writable-456")  // another process, probing right now
	kept := filepath.Join(dir, ".writable-notes") // a file of the user's, not empty
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(kept, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-time.Hour)
	for _, p := range []string{stale, kept} {
		if err := os.Chtimes(p, long, long); err != nil {
			t.Fatal(err)
		}
	}
	if err := usableDir(dir, "the data directory"); err != nil {
		t.Fatal(err)
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, filepath.Join(dir, e.Name()))
	}
	if !slices.Equal(left, []string{fresh, kept}) {
		t.Fatalf("left %v, want %v", left, []string{fresh, kept})
	}
}
