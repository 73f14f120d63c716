package pending

import (
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// The If-Unmodified-Since window: the org compares whole seconds, so a remote change in the same
// second as the base passes the precondition. These tests place another user's change inside
// and outside that second on purpose, with the mock org's clock.
func TestIfUnmodifiedSinceWindow(t *testing.T) {
	cases := []struct {
		name        string
		theirsAfter time.Duration // after the base's LastModifiedDate
		refresh     bool          // a sync-down saw their change before the push
		want        string        // "overwritten", "conflict"
	}{
		{"same second: the documented residual, their value is overwritten", 500 * time.Millisecond, false, "overwritten"},
		{"next second: the precondition fails and it is a conflict", 1500 * time.Millisecond, false, "conflict"},
		{"same second but seen by sync-down: millisecond compare makes it a conflict", 500 * time.Millisecond, true, "conflict"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{size: 60, objects: []string{"Contact"}})
			admin := h.as(t, "admin@demo.example")
			res, err := admin.Query(bg, "SELECT Id FROM Contact WHERE OwnerId = '"+h.users["alex@demo.example"].ID+"' LIMIT 1", 0)
			if err != nil || len(res.Records) == 0 {
				t.Fatalf("alex's contact: %v", err)
			}
			id := res.Records[0].ID()
			base := time.Now().UTC().Truncate(time.Second).Add(3*time.Second + 100*time.Millisecond)
			h.clock.Set(base)
			if err := admin.Update(bg, "Contact", id, remote.Fields{"Title": "Base"}, remote.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			h.sync(t) // prime: the base is the version written at base (+ a few ms)
			rv, _ := h.eng.Record(bg, "Contact", id)
			lmd, _ := remote.ParseTime(rv.Server["LastModifiedDate"].(string))
			if lmd.Truncate(time.Second) != base.Truncate(time.Second) {
				t.Skipf("the prime took too long to keep the base in its second (%v)", lmd)
			}
			h.eng.SetOnline(false)
			if err := h.eng.Edit(bg, "Contact", id, remote.Fields{"Phone": "mine"}); err != nil {
				t.Fatal(err)
			}
			h.clock.Set(base.Add(tc.theirsAfter))
			if err := admin.Update(bg, "Contact", id, remote.Fields{"Phone": "theirs"}, remote.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			theirs := h.serverRecord(t, "Contact", id).Fields["LastModifiedDate"].(string)
			tt, _ := remote.ParseTime(theirs)
			if (tt.Truncate(time.Second) == base.Truncate(time.Second)) != (tc.theirsAfter < time.Second) {
				t.Fatalf("their change landed at %v, not where the test put it", tt)
			}
			h.eng.SetOnline(true)
			if tc.refresh {
				// Sync-down runs first (getUpdated needs the minute to be over).
				h.clock.Set(base.Add(2 * time.Minute))
				r := newRun(&Summary{})
				if err := h.eng.ensureDescribes(bg, r); err != nil {
					t.Fatal(err)
				}
				if err := h.eng.syncDown(bg, r); err != nil {
					t.Fatal(err)
				}
				rv, _ := h.eng.Record(bg, "Contact", id)
				if rv.Server["Phone"] != "theirs" || rv.Fields["Phone"] != "mine" {
					t.Fatalf("sync-down: server %v view %v", rv.Server["Phone"], rv.Fields["Phone"])
				}
			}
			h.sync(t)
			srv := h.serverRecord(t, "Contact", id).Fields
			switch tc.want {
			case "overwritten":
				if srv["Phone"] != "mine" {
					t.Fatalf("org has %v", srv["Phone"])
				}
			case "conflict":
				en := h.entryOf(t, id)
				if en.Status != StatusConflict || srv["Phone"] != "theirs" {
					t.Fatalf("entry %+v org %v", en, srv["Phone"])
				}
			}
		})
	}
}
