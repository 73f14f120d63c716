package pending

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// giveAwayOnline: alex (online, no toggle: no comparison of ids due) changes the owner of one of
// their accounts and its phone; before the sync the admin takes the record and shares it back
// with alex to edit. The sync meets the conflict on the owner; the record was alex's until then,
// so the device never asked what alex may do with it.
func giveAwayOnline(t *testing.T, h *harness) (RecordView, Entry) {
	t.Helper()
	h.sync(t)
	a := h.firstOwned(t, "Account")
	if err := h.eng.Edit(bg, "Account", a.ID, remote.Fields{"OwnerId": h.users["sam@demo.example"].ID, "Phone": "555-6101"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := h.as(t, "admin@demo.example").Update(bg, "Account", a.ID, remote.Fields{"OwnerId": h.users["admin@demo.example"].ID}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := h.admin(t).Share(bg, a.ID, "alex@demo.example", "edit"); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	en := h.entryOf(t, a.ID)
	if en.Status != StatusConflict || len(en.Conflicts) != 1 || en.Conflicts[0].Field != "OwnerId" {
		t.Fatalf("premise: an owner conflict, got %+v", en)
	}
	return a, en
}

// Keeping my owner change on a record the org gave to someone else, whose access the device
// never asked, is refused by the resolution (the org would refuse the whole change, and the
// phone with it); taking theirs for the owner saves the rest.
func TestResolveRefusesMyOwnerOnARecordNoLongerMineWhoseAccessIsUnknown(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	a, en := giveAwayOnline(t, h)
	err := h.eng.Resolve(bg, en.ID, map[string]Choice{"OwnerId": {Take: TakeMine}})
	if !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), "is no longer yours") || !strings.Contains(err.Error(), "take theirs for Owner") {
		t.Fatalf("keeping my owner change: %v; want it refused", err)
	}
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"OwnerId": {Take: TakeTheirs}}); err != nil {
		t.Fatal(err)
	}
	if s := h.sync(t); s.Synced != 1 || s.Attention != 0 {
		t.Fatalf("summary %+v", s)
	}
	srv := h.serverRecord(t, "Account", a.ID).Fields
	if srv["Phone"] != "555-6101" || srv["OwnerId"] != h.users["admin@demo.example"].ID {
		t.Fatalf("org has Phone %v, owner %v", srv["Phone"], srv["OwnerId"])
	}
}

// sam's account, shared with alex to edit, while the org will not say what alex may do with
// it (UserRecordAccess refused): the device offers an owner change, and the org refuses it
// (INSUFFICIENT_ACCESS_OR_READONLY) though alex may still edit the record. That is not lost
// access (red, read only, dismiss only, the phone lost with it): the owner is the field at
// fault, and setting it back to the org's owner saves the rest.
func TestAnOwnerChangeTheOrgRefusesOnARecordIStillEditIsFixedOnTheOwner(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id := hiddenAccountOfSam(t, h)
	h.share(t, id, "edit")
	h.faults.set(func(req *http.Request) string {
		if q, _ := url.QueryUnescape(req.URL.RawQuery); strings.Contains(q, "FROM UserRecordAccess") {
			return "badquery"
		}
		return ""
	})
	h.sync(t)
	h.faults.set(nil)
	if acc, err := h.eng.RecordAccess(bg, id); err != nil || acc != AccessFull {
		t.Fatalf("premise: access %v (%v); want nothing known (offered in full)", acc, err)
	}
	sam := h.users["sam@demo.example"]
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"OwnerId": h.users["alex@demo.example"].ID, "Phone": "555-6202"}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	en := h.entryOf(t, id)
	if en.Status != StatusInvalid || en.Cause() == CauseNoAccess || en.GivenAway() {
		t.Fatalf("entry %s %s %q (cause %v); want orange, not lost access", en.Status, en.Code, en.Message, en.Cause())
	}
	t.Logf("message: %s", en.Message)
	onOwner := false
	for _, fe := range en.Errors {
		onOwner = onOwner || fe.Field == "OwnerId"
	}
	if !onOwner || !strings.Contains(en.Message, sam.Name) {
		t.Fatalf("errors %+v, message %q; want the error on Owner, naming the org's owner %s", en.Errors, en.Message, sam.Name)
	}
	// The same sync asked what alex may do with it: edit (not read only).
	if acc, err := h.eng.RecordAccess(bg, id); err != nil || acc != AccessEdit {
		t.Fatalf("access %v (%v); want edit, as the org says", acc, err)
	}
	if err := h.eng.Fix(bg, en.ID, remote.Fields{"OwnerId": sam.ID}); err != nil {
		t.Fatal(err)
	}
	if s := h.sync(t); s.Synced != 1 || s.Attention != 0 {
		t.Fatalf("summary %+v", s)
	}
	srv := h.serverRecord(t, "Account", id).Fields
	if srv["Phone"] != "555-6202" || srv["OwnerId"] != sam.ID {
		t.Fatalf("org has Phone %v, owner %v", srv["Phone"], srv["OwnerId"])
	}
}
