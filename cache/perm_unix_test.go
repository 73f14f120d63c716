//go:build unix

package cache

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// unprivileged runs the calling test as an ordinary user: file modes mean nothing to root, so
// as root the test binary runs itself again as nobody (65534) and reports its result.
// It returns true in the process that should run the test's body.
func unprivileged(t *testing.T) bool {
	t.Helper()
	if os.Geteuid() != 0 {
		return true
	}
	if os.Getenv("OFFLINE_EDIT_CACHE_UNPRIVILEGED") != "" {
		t.Fatal("still root after dropping privileges")
	}
	dir, err := os.MkdirTemp("", "cache-test-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	bin := filepath.Join(dir, "cache.test")
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	dst, err := os.OpenFile(bin, os.O_WRONLY|os.O_CREATE, 0o755)
	if err == nil {
		_, err = io.Copy(dst, src)
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
	}
	_ = src.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+t.Name()+"$", "-test.v")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OFFLINE_EDIT_CACHE_UNPRIVILEGED=1", "TMPDIR="+os.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("as nobody, the test did not run:\n%s", out)
	}
	t.Logf("as nobody:\n%s", out)
	return false
}

func TestPermissionProblemsNameTheFileOnceAndSayWhatToDo(t *testing.T) {
	if !unprivileged(t) {
		return
	}
	made := func(t *testing.T, path string) {
		db, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the database path
		want  []string
	}{
		{"unreadable file", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "device.db")
			made(t, path)
			chmod(t, path, 0)
			return path
		}, []string{"cannot open the device database DB: permission denied", "check its owner and mode"}},
		{"read-only file", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "device.db")
			made(t, path)
			chmod(t, path, 0o400)
			return path
		}, []string{"cannot open the device database DB: permission denied", "readable and writable by you"}},
		{"read-only directory after a run", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "device.db")
			made(t, path) // leaves device.db.lock behind
			chmod(t, dir, 0o500)
			return path
		}, []string{"the data directory DIR is read-only", "make the directory writable"}},
		{"read-only directory, no lock file", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "device.db")
			made(t, path)
			if err := os.Remove(path + ".lock"); err != nil {
				t.Fatal(err)
			}
			chmod(t, dir, 0o500)
			return path
		}, []string{"the data directory DIR is read-only", "make the directory writable"}},
		{"read-only directory, new database", func(t *testing.T, dir string) string {
			chmod(t, dir, 0o500)
			return filepath.Join(dir, "device.db")
		}, []string{"the data directory DIR is read-only"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tc.setup(t, dir)
			t.Cleanup(func() { _ = os.Chmod(dir, 0o700); _ = os.Chmod(path, 0o600) })
			db, err := Open(path)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			for _, w := range tc.want {
				w = strings.NewReplacer("DB", path, "DIR", dir).Replace(w)
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not say %q", msg, w)
				}
			}
			if strings.Count(msg, path) > 1 && !strings.Contains(msg, path+".lock") {
				t.Errorf("%q names the file more than once", msg)
			}
		})
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
