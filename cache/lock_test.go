package cache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// otherName makes another name for the database file path: the path itself, a symlink to it,
// a hard link to it, or the path through a symlinked directory.
type otherName struct {
	name string
	make func(t *testing.T, path string) string
}

var otherNames = []otherName{
	{"same path", func(t *testing.T, path string) string { return path }},
	{"relative path", func(t *testing.T, path string) string {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		rel, err := filepath.Rel(wd, path)
		if err != nil {
			t.Skip(err)
		}
		return rel
	}},
	{"symlink", func(t *testing.T, path string) string {
		link := filepath.Join(t.TempDir(), "link.db")
		if err := os.Symlink(path, link); err != nil {
			t.Skip(err)
		}
		return link
	}},
	{"symlinked directory", func(t *testing.T, path string) string {
		link := filepath.Join(t.TempDir(), "dir")
		if err := os.Symlink(filepath.Dir(path), link); err != nil {
			t.Skip(err)
		}
		return filepath.Join(link, filepath.Base(path))
	}},
	{"hard link", func(t *testing.T, path string) string {
		link := filepath.Join(filepath.Dir(path), "hard.db")
		if err := os.Link(path, link); err != nil {
			t.Skip(err)
		}
		return link
	}},
}

func TestOpeningAnOpenDatabaseByAnotherNameIsRefusedUntilItCloses(t *testing.T) {
	ctx := context.Background()
	for _, on := range otherNames {
		t.Run(on.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "device.db")
			db, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(ctx, func(tx *Tx) error {
				return tx.PutRecord(ctx, Record{Object: "Account", ID: "001A", Name: "Acme", View: remote.Fields{"Name": "Acme"}, Server: remote.Fields{"Name": "Acme"}})
			}); err != nil {
				t.Fatal(err)
			}
			other := on.make(t, path)
			if _, err := Open(other); !errors.Is(err, ErrAlreadyOpen) {
				t.Fatalf("Open(%s) while %s is open: %v, want ErrAlreadyOpen", other, path, err)
			}
			// The refusal left the open database working: it still reads and writes.
			if err := db.Update(ctx, func(tx *Tx) error {
				return tx.PutRecord(ctx, Record{Object: "Account", ID: "001B", Name: "Beta", View: remote.Fields{"Name": "Beta"}, Server: remote.Fields{"Name": "Beta"}})
			}); err != nil {
				t.Fatalf("write after a refused Open: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db2, err := Open(other)
			if err != nil {
				t.Fatalf("Open(%s) after close: %v", other, err)
			}
			defer db2.Close()
			if r, err := db2.Record(ctx, "001B"); err != nil || r.Name != "Beta" {
				t.Fatalf("the same data by the other name: %+v %v", r, err)
			}
			if _, err := Open(path); !errors.Is(err, ErrAlreadyOpen) {
				t.Fatalf("Open(%s) while open as %s: %v, want ErrAlreadyOpen", path, other, err)
			}
		})
	}
}

// TestAnotherProcessOpeningTheDatabaseByAnyNameGetsAlreadyOpen runs this test binary again as
// a second process that opens the database the first one holds, by each of its names.
func TestAnotherProcessOpeningTheDatabaseByAnyNameGetsAlreadyOpen(t *testing.T) {
	if p := os.Getenv("OFFLINE_EDIT_CACHE_CHILD_NAME"); p != "" {
		_, err := Open(p)
		if errors.Is(err, ErrAlreadyOpen) {
			fmt.Println("REFUSED:", err)
			os.Exit(0)
		}
		fmt.Println("OPENED:", err)
		os.Exit(3)
	}
	for _, on := range otherNames {
		t.Run(on.name, func(t *testing.T) {
			if on.name == "hard link" && runtime.GOOS != "linux" {
				t.Skip("the database file itself is locked only on Linux")
			}
			path := filepath.Join(t.TempDir(), "device.db")
			db, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			other := on.make(t, path)
			cmd := exec.Command(os.Args[0], "-test.run=^TestAnotherProcessOpeningTheDatabaseByAnyNameGetsAlreadyOpen$")
			cmd.Env = append(os.Environ(), "OFFLINE_EDIT_CACHE_CHILD_NAME="+other)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "REFUSED: the device database is already open") {
				t.Fatalf("second process opening %s: %v\n%s", other, err, out)
			}
			// And the first process's database still works.
			if _, err := db.Names(context.Background(), []string{"001A"}); err != nil {
				t.Fatalf("after the other process: %v", err)
			}
		})
	}
}

func TestADanglingSymlinkOrADirectoryIsRefusedWithItsName(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(filepath.Join(dir, "missing.db"), link); err != nil {
		t.Skip(err)
	}
	if _, err := Open(link); err == nil || !strings.Contains(err.Error(), link+" is a symbolic link to") {
		t.Fatalf("dangling symlink: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !os.IsNotExist(err) {
		t.Fatalf("Open created the symlink's target: %v", err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), dir+" is a directory") {
		t.Fatalf("directory: %v", err)
	}
}

func TestRemoveDeletesDatabasesOnlyWhenNoneIsOpen(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	for _, p := range []string{a, b} {
		db, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	other := filepath.Join(dir, "notes.db.bak")
	if err := os.WriteFile(other, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	held, err := Open(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := Remove(a, b); !errors.Is(err, ErrAlreadyOpen) {
		t.Fatalf("remove with one open: %v", err)
	}
	if _, err := os.Stat(a); err != nil {
		t.Fatalf("a refused removal deleted a closed database: %v", err)
	}
	held.Close()
	if err := Remove(a, b); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 1 || left[0] != other {
		t.Fatalf("left %v, want only %s", left, other)
	}
}
