package tui

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/netsim"
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

// A run the user cut off by going offline (a request under way ended) says nothing of a dropped
// connection and a retry: the offline note says what happens next.
func TestARunCutOffByGoingOfflineIsNotCalledADroppedConnection(t *testing.T) {
	cut := fmt.Errorf("sync: the network failed; changes left pending will be retried: %w",
		&url.Error{Op: "Post", URL: "http://org.invalid/services/data/v62.0/composite", Err: netsim.ErrCutOff})
	if got := syncOutcome(&pending.Summary{Err: cut, Retrying: 1}, 0); strings.Contains(got, "Sync stopped") {
		t.Fatalf("a run cut off by going offline says %q", got)
	}
	dropped := fmt.Errorf("sync: the network failed; changes left pending will be retried: %w",
		&url.Error{Op: "Post", URL: "http://org.invalid/services/data/v62.0/composite", Err: netsim.ErrDropped})
	if got := syncOutcome(&pending.Summary{Err: dropped, Retrying: 1}, 0); !strings.Contains(got, "Sync stopped") {
		t.Fatalf("a run the network failed says %q", got)
	}
}

// A save refused because the org holds the record's earlier send says how to end that send
// without losing what was typed: ctrl+o goes offline from the form, and the save then goes
// through.
func TestStoryCtrlOInAFormEndsASendTheOrgHolds(t *testing.T) {
	w := newWorld(t)
	s := newStory(t, w)
	s.goOffline()
	s.renameFirstAccount("First Offline Name")
	s.wait("● Waiting to sync")
	w.net.SetConditions(netsim.Conditions{Latency: time.Hour}) // the org holds every request
	// s.wait waits for a sync to end; this one does not until the device goes offline.
	during := func(markers ...string) string {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			v := s.view()
			ok := true
			for _, m := range markers {
				ok = ok && strings.Contains(flat(v), m)
			}
			if ok {
				return v
			}
			if time.Now().After(deadline) {
				t.Fatalf("screen never showed %q:\n%s", markers, v)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	s.press("o")
	during("◐ Syncing")
	s.press("e")
	during("▸ Account Name")
	s.press("ctrl+u", "Second Name", "ctrl+s")
	during("being sent right now", "press ctrl+o: going offline ends the send")
	s.press("ctrl+o")
	s.wait(" OFFLINE ", "Second Name")
	s.press("ctrl+s")
	s.wait("● Waiting to sync", "Second Name")
	w.net.SetConditions(netsim.Conditions{})
}

// Going offline with a request under way says nothing of the org: the status bar does not say
// it is not answering.
func TestACutOffIsNotTheOrgOutOfReach(t *testing.T) {
	err := fmt.Errorf("sync: the device went offline while changes were being sent: %w",
		&url.Error{Op: "Post", URL: "http://org.invalid/services/data/v62.0/composite", Err: netsim.ErrCutOff})
	if r, known := reachOf(err); known || r.out() {
		t.Fatalf("a cut-off is taken as news of the org: %q (known %v)", r.long, known)
	}
}
