package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
)

// A sync stopped by the device's own storage (a full disk) says so and what to do, not that the
// connection dropped: the org was fine.
func TestASyncStoppedByAFullDiskSaysTheDiskIsFull(t *testing.T) {
	ctx := context.Background()
	db, err := cache.Open(filepath.Join(t.TempDir(), "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var pages int
	if err := db.SQL().QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	full := db.Update(ctx, func(tx *cache.Tx) error {
		return tx.PutRecord(ctx, cache.Record{Object: "Account", ID: "001000000000001AAA", Name: "Big",
			View: remote.Fields{"Id": "001000000000001AAA", "Description": strings.Repeat("x", 200000)}})
	})
	if full == nil {
		t.Fatal("the test's premise: a write on a full disk fails")
	}
	for _, err := range []error{full, fmt.Errorf("sync: recording outcomes: %w", full)} {
		got := syncStopped(err)
		if !strings.Contains(got, "is full") || !strings.Contains(got, "free some space") || strings.Contains(got, "connection") {
			t.Errorf("a sync stopped by a full disk says %q", got)
		}
	}
}
