package cache

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A write that meets a damaged page says whether the file holds pending changes: with an empty
// queue the user can just let a new file be made; with changes they copy it aside first.
func TestAWriteToADamagedFileSaysWhetherItHoldsPendingChanges(t *testing.T) {
	for _, tc := range []struct {
		name    string
		queued  bool
		want    string
		wantNot string
	}{
		{"an empty queue", false, "its queue of pending changes is empty, so nothing is lost by starting again", "copy it aside"},
		{"changes queued", true, "it may hold pending changes: copy it aside first", "nothing is lost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "device.db")
			db, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.queued {
				if _, err := db.SQL().Exec(`INSERT INTO entries (id, object, record_id, op, status) VALUES ('e1', 'Account', 'local-1', 'create', 'pending')`); err != nil {
					t.Fatal(err)
				}
			}
			seedAccounts(t, db, 3000) // the records fill the file's last pages, after the queue's
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			damageTail(t, path, 64<<10)
			db, err = Open(path)
			if err != nil {
				t.Fatalf("the damage is in the last pages, the open should not meet it: %v", err)
			}
			defer db.Close()
			err = db.Update(context.Background(), func(tx *Tx) error {
				_, err := tx.ExecContext(context.Background(), `UPDATE records SET name = name || '!'`)
				return err
			})
			if err == nil {
				t.Fatal("a write over damaged pages succeeded")
			}
			if msg := err.Error(); !strings.Contains(msg, "is damaged") || !strings.Contains(msg, tc.want) || strings.Contains(msg, tc.wantNot) {
				t.Fatalf("said %q\nwant %q", msg, tc.want)
			}
		})
	}
}

// damageTail overwrites the last n bytes of the file with bytes no page has.
func damageTail(t *testing.T, path string, n int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() < 4*n {
		t.Fatalf("file of %d bytes: too small to damage its last %d only", st.Size(), n)
	}
	junk := make([]byte, n)
	for i := range junk {
		junk[i] = byte(i*7 + 13)
	}
	if _, err := f.WriteAt(junk, st.Size()-n); err != nil {
		t.Fatal(err)
	}
}

// A read that meets a damaged page is told apart (a write says so itself): the app and the
// commands say what to do rather than SQLite's "database disk image is malformed".
func TestAReadOfADamagedFileIsToldApart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "device.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	seedAccounts(t, db, 3000)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	damageTail(t, path, 64<<10)
	db, err = Open(path)
	if err != nil {
		t.Fatalf("the damage is in the last pages, the open should not meet it: %v", err)
	}
	defer db.Close()
	var n int
	err = db.SQL().QueryRow(`SELECT COUNT(*) FROM records WHERE name LIKE '%x%'`).Scan(&n)
	if err == nil || !Damaged(err) {
		t.Fatalf("a read over damaged pages: %v (Damaged %v)", err, Damaged(err))
	}
	werr := db.Update(context.Background(), func(tx *Tx) error {
		_, err := tx.ExecContext(context.Background(), `UPDATE records SET name = name || '!'`)
		return err
	})
	if werr == nil || Damaged(werr) {
		t.Fatalf("a write that says it is damaged itself is taken for one to explain: %v", werr)
	}
}
