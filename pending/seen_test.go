package pending

import (
	"errors"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// An edit begun before a sync brought another user's value of the same field is refused, not
// saved over the value the user never saw; given what the device holds now, it goes through.
// A field another user changed that the edit leaves alone does not stop it.
func TestAnEditBegunBeforeASyncBroughtAnotherValueIsRefused(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	seen := remote.Fields{"Title": c.Fields["Title"], "Phone": c.Fields["Phone"]}
	// Another user changes the title; the device learns it.
	if err := h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Title": "Theirs"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)

	err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Title": "Mine"}, Seen(seen))
	var ce *ChangedError
	if !errors.As(err, &ce) || !errors.Is(err, ErrChangedMeanwhile) {
		t.Fatalf("an edit over a value the user never saw: %v", err)
	}
	if got := ce.Now["Title"]; got != "Theirs" {
		t.Fatalf("the refusal says the device holds %v", got)
	}
	if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
		t.Fatalf("a refused edit queued %+v", ents)
	}
	// A field only the user changed goes through, whatever happened to the title.
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "555-0199"}, Seen(seen)); err != nil {
		t.Fatalf("an edit of a field nobody else changed: %v", err)
	}
	// Told what the device holds now, the user saves over it.
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Title": "Mine"}, Seen(remote.Fields{"Title": ce.Now["Title"]})); err != nil {
		t.Fatalf("the edit, seen again: %v", err)
	}
	h.sync(t)
	got := h.serverRecord(t, "Contact", c.ID).Fields
	if got["Title"] != "Mine" || got["Phone"] != "555-0199" {
		t.Fatalf("the org has %v / %v", got["Title"], got["Phone"])
	}
}

// A record created on this device and synced since goes by the org's id: an edit or a delete
// begun under its local id (a form opened before the sync) reaches it.
func TestAChangeByTheLocalIDOfASyncedRecordReachesIt(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	local, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Made Offline Co"})
	if err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	sid, err := h.eng.ServerID(bg, local)
	if err != nil || sid == "" {
		t.Fatalf("no org id for %s: %v", local, err)
	}
	if err := h.eng.Edit(bg, "Account", local, remote.Fields{"Phone": "555-0142"}); err != nil {
		t.Fatalf("edit by the local id: %v", err)
	}
	ents, _ := h.eng.Entries(bg)
	if len(ents) != 1 || ents[0].RecordID != sid {
		t.Fatalf("entries %+v, want one on %s", ents, sid)
	}
	h.sync(t)
	if got := h.serverRecord(t, "Account", sid).Fields["Phone"]; got != "555-0142" {
		t.Fatalf("the org has %v", got)
	}
	if err := h.eng.Delete(bg, "Account", local); err != nil {
		t.Fatalf("delete by the local id: %v", err)
	}
	if ents, _ := h.eng.Entries(bg); len(ents) != 1 || ents[0].RecordID != sid || ents[0].Op != OpDelete {
		t.Fatalf("entries %+v", ents)
	}
}

// A checkbox left unticked on a record created offline holds nothing on the device until the
// record syncs, then the org's false: the same unticked box, not another user's change.
func TestAnUntickedBoxIsTheSameBeforeAndAfterItsRecordSynced(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	local, err := h.eng.Create(bg, "Contact", remote.Fields{"LastName": "Unticked"})
	if err != nil {
		t.Fatal(err)
	}
	before, err := h.eng.Record(bg, "Contact", local)
	if err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	err = h.eng.Edit(bg, "Contact", local, remote.Fields{"DoNotCall": true}, Seen(remote.Fields{"DoNotCall": before.Fields["DoNotCall"]}))
	if err != nil {
		t.Fatalf("ticking a box nobody else touched: %v", err)
	}
}

// An edit begun before a sync brought another user's value is not refused when that value is
// the one the user saves: there is nothing to choose between (a checkbox both ticked, a title
// both typed).
func TestAnEditToTheValueAnotherUserSetMeanwhileGoesThrough(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	seen := remote.Fields{"Title": c.Fields["Title"], "DoNotCall": c.Fields["DoNotCall"]}
	if err := h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Title": "Same Title", "DoNotCall": true}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Title": "Same Title", "DoNotCall": true}, Seen(seen)); err != nil {
		t.Fatalf("an edit to the values the org holds now was refused: %v", err)
	}
	// One field the same and one not: refused, naming only the one that differs.
	if err := h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Title": "Theirs Again", "Department": "Theirs"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	seen = remote.Fields{"Title": "Same Title", "Department": c.Fields["Department"]}
	err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Title": "Mine", "Department": "Theirs"}, Seen(seen))
	var ce *ChangedError
	if !errors.As(err, &ce) || len(ce.Now) != 1 || ce.Now["Title"] != "Theirs Again" {
		t.Fatalf("an edit over one value the user never saw: %v", err)
	}
}

// A change's time (Pending Changes' When) is when it last changed: a retry leaves it.
func TestARetryLeavesTheTimeOfTheChange(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	a := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", a.ID, remote.Fields{"Phone": "555-0101"}); err != nil {
		t.Fatal(err)
	}
	en := h.entryOf(t, a.ID)
	h.clock.Set(h.clock.Now().Add(10 * time.Minute))
	if err := h.eng.Retry(bg, en.ID); err != nil {
		t.Fatal(err)
	}
	if got := h.entryOf(t, a.ID).UpdatedAt; !got.Equal(en.UpdatedAt) {
		t.Fatalf("a retry moved the change's time from %v to %v", en.UpdatedAt, got)
	}
}
