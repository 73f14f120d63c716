package pending

import (
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// The If-Unmodified-Since window: the org compares whole seconds, so a remote change in the same
// second as the base passes the precondition. These tests place another user's change inside
// and outside that second on purpose, with the mock org's clock.
func TestIfUnmodifiedSinceWindow(t *testing.T) {
	cases := []struct {
		name        string
		theirsAfter time.Duration // after the base's LastModifiedDate
		refresh     bool          // a sync-down saw their change before the push
		profile     mockorg.Profile
		want        string // "overwritten", "conflict"
	}{
		{"same second: the documented residual, their value is overwritten", 500 * time.Millisecond, false, "", "overwritten"},
		{"next second: the precondition fails and it is a conflict", 1500 * time.Millisecond, false, "", "conflict"},
		{"same second but seen by sync-down: millisecond compare makes it a conflict", 500 * time.Millisecond, true, "", "conflict"},
		// A real org stamps whole seconds: their change carries the base's very SystemModstamp,
		// so only its values tell it from the base.
		{"same second, seen by sync-down, whole-second stamps: the values make it a conflict", 500 * time.Millisecond, true, mockorg.ProfileReal, "conflict"},
		{"same second, whole-second stamps, not seen: the documented residual", 500 * time.Millisecond, false, mockorg.ProfileReal, "overwritten"},
		{"next second, whole-second stamps: the precondition fails", 1500 * time.Millisecond, false, mockorg.ProfileReal, "conflict"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{size: 60, objects: []string{"Contact"}, profile: tc.profile})
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

// A delete reads the record first; on an org that stamps whole seconds (a real one), another
// user's change made in the second of the base carries the base's stamp, and is still a
// conflict: the values tell it.
func TestADeleteFindsAChangeMadeInTheSecondOfItsBase(t *testing.T) {
	h := newHarness(t, harnessOpts{size: 60, objects: []string{"Contact"}, profile: mockorg.ProfileReal})
	admin := h.as(t, "admin@demo.example")
	c := func() string {
		res, err := admin.Query(bg, "SELECT Id FROM Contact WHERE OwnerId = '"+h.users["alex@demo.example"].ID+"' LIMIT 1", 0)
		if err != nil || len(res.Records) == 0 {
			t.Fatalf("alex's contact: %v", err)
		}
		return res.Records[0].ID()
	}()
	base := time.Now().UTC().Truncate(time.Second).Add(3*time.Second + 100*time.Millisecond)
	h.clock.Set(base)
	if err := admin.Update(bg, "Contact", c, remote.Fields{"Title": "Base"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	h.eng.SetOnline(false)
	if err := h.eng.Delete(bg, "Contact", c); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(base.Add(500 * time.Millisecond))
	if err := admin.Update(bg, "Contact", c, remote.Fields{"Title": "Still here"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := h.serverRecord(t, "Contact", c).Fields
	if stamp, _ := remote.ParseTime(srv["SystemModstamp"].(string)); !stamp.Equal(base.Truncate(time.Second)) {
		t.Fatalf("their change is stamped %v, not the base's second (the test's premise)", stamp)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, c)
	if en.Status != StatusConflict || en.Message != "Another user changed Title before your delete reached the org" {
		t.Fatalf("entry %+v; want a conflict on Title", en)
	}
	if n := countOnOrg(t, h, "SELECT Id FROM Contact WHERE Id = '"+c+"'"); n != 1 {
		t.Fatalf("the contact another user changed was deleted")
	}
}
