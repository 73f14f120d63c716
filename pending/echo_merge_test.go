package pending

import (
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// The user's own earlier send that reached the org (its reply lost), met again by a later edit,
// is not counted as merged with another user's edits: no one else touched the record, and the
// screens word a merge as another user's.
func TestAnEchoOfTheUsersOwnSendIsNotCountedAsAMerge(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "555-6006"}); err != nil {
		t.Fatal(err)
	}
	h.faults.set(once(isComposite, "lose"))
	h.eng.SetOnline(true)
	if _, err := h.eng.Sync(bg); err == nil {
		t.Fatal("a lost reply must report a network failure")
	}
	h.faults.set(nil)
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "555-6006", "Title": "Later"}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	sum := h.sync(t)
	if sum.Synced != 1 || sum.Merged != 0 {
		t.Fatalf("summary %+v: the user's own earlier send counted as a merge", sum)
	}
	got := h.serverRecord(t, "Contact", c.ID).Fields
	if got["Phone"] != "555-6006" || got["Title"] != "Later" {
		t.Fatalf("the org has %v / %v", got["Phone"], got["Title"])
	}
}
