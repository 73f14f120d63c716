package pending

import (
	"errors"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// A resolve is made on theirs as the conflict found them (or as a screen showed them): when a
// later sync brought a newer value of a conflicting field, nothing is resolved and the error
// names the field with both values; against the newer value (given, or nil for "whatever the
// device holds now") it stands.
func TestAResolveOnTheirsThatChangedAgainIsRefused(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "111"}); err != nil {
		t.Fatal(err)
	}
	admin := h.as(t, "admin@demo.example")
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := admin.Update(bg, "Contact", c.ID, remote.Fields{"Phone": "222"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, c.ID)
	if en.Status != StatusConflict {
		t.Fatalf("entry %+v", en)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := admin.Update(bg, "Contact", c.ID, remote.Fields{"Phone": "333"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.sync(t) // sync-down brings 333; the conflict still says 222
	mine := map[string]Choice{"Phone": {Take: TakeMine}}
	err := h.eng.Resolve(bg, en.ID, mine)
	var moved *TheirsMovedError
	if !errors.Is(err, ErrTheirsMoved) || !errors.As(err, &moved) || len(moved.Fields) != 1 ||
		moved.Fields[0].Field != "Phone" || moved.Fields[0].Was != "222" || moved.Fields[0].Now != "333" {
		t.Fatalf("resolve on the value the conflict found: %v (%+v)", err, moved)
	}
	if err := h.eng.ResolveAgainst(bg, en.ID, mine, remote.Fields{"Phone": "222"}); !errors.Is(err, ErrTheirsMoved) {
		t.Fatalf("resolve against the old value shown: %v", err)
	}
	if got := h.entryOf(t, c.ID); got.Status != StatusConflict || got.Changes["Phone"] != "111" {
		t.Fatalf("a refused resolve changed the entry: %+v", got)
	}
	if err := h.eng.ResolveAgainst(bg, en.ID, mine, remote.Fields{"Phone": "333"}); err != nil {
		t.Fatalf("resolve against the newer value shown: %v", err)
	}
	h.sync(t)
	if got := h.serverRecord(t, "Contact", c.ID).Fields["Phone"]; got != "111" {
		t.Fatalf("org has Phone %v, want mine", got)
	}
}

// A composite answers 200 as a whole; the log row of each entry in it says what the org
// answered that entry, so a record's history shows the 412 without reading the notes.
func TestTheCompositeRowOfAnEntrySaysWhatTheOrgAnsweredIt(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "111"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Phone": "222"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	acts, err := h.eng.Activity(bg, c.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acts {
		if a.Method == "POST" && strings.HasSuffix(a.Path, "/composite") {
			if a.Status != 200 || !strings.HasPrefix(a.Code, "412") {
				t.Fatalf("the composite row says %d %q, want 200 with the entry's 412", a.Status, a.Code)
			}
			return
		}
	}
	t.Fatalf("no composite row in the record's log: %+v", acts)
}
