package pending

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// A refresh that brings a copy of a record older than the one the device holds (a query page
// read before a push stored the org's newer copy, or a replica behind) leaves the newer copy:
// going back would show the user a value the org no longer has. The same stamp with other
// values is a change made in the second of the copy held, and is taken.
func TestARefreshKeepsTheNewerCopyItHolds(t *testing.T) {
	h := newHarness(t, harnessOpts{objects: []string{"Account"}})
	h.sync(t)
	ctx := context.Background()
	rv := h.firstOwned(t, "Account")
	held, err := h.db.Record(ctx, rv.ID)
	if err != nil {
		t.Fatal(err)
	}
	stamp := held.Version.SystemModstamp
	copyAt := func(at time.Time, phone string) remote.Record {
		f := maps.Clone(held.Server)
		f["Phone"] = phone
		f["SystemModstamp"] = remote.FormatTime(at)
		f["LastModifiedDate"] = remote.FormatTime(at)
		return remote.Record{Type: "Account", Fields: f}
	}
	tests := []struct {
		name  string
		at    time.Time
		taken bool
	}{
		{"older", stamp.Add(-time.Second), false},
		{"newer", stamp.Add(time.Second), true},
	}
	for _, tc := range tests {
		phone := "555-" + tc.name
		r := newRun(&Summary{})
		if _, err := h.eng.storeServerCopies(ctx, r, "Account", []remote.Record{copyAt(tc.at, phone)}, true); err != nil {
			t.Fatal(err)
		}
		now, err := h.db.Record(ctx, rv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := now.Server["Phone"] == phone; got != tc.taken {
			t.Errorf("the %s copy: taken %v, want %v (the device holds Phone %v)", tc.name, got, tc.taken, now.Server["Phone"])
		}
		held = now
		stamp = now.Version.SystemModstamp
	}
}
