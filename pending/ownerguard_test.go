package pending

import (
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
// never asked, is the org's to judge (an admin may give anyone's record away): the org refuses
// alex, for the owner alone, and the rest of the change waits for Owner to be set back (orange),
// not lost with it (red, dismiss only); set back, the phone is saved.
func TestMyOwnerKeptOnARecordGivenAwayIsRefusedByTheOrgForTheOwnerAlone(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	a, en := giveAwayOnline(t, h)
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"OwnerId": {Take: TakeMine}}); err != nil {
		t.Fatalf("keeping my owner change, the org not yet asked: %v", err)
	}
	h.sync(t)
	en = h.entryOf(t, a.ID)
	admin := h.users["admin@demo.example"]
	if en.Status != StatusInvalid || en.Cause() == CauseNoAccess || len(en.Errors) != 1 || en.Errors[0].Field != "OwnerId" || !strings.Contains(en.Message, admin.Name) {
		t.Fatalf("entry %s %s %q %+v; want orange on Owner, naming the org's owner %s", en.Status, en.Code, en.Message, en.Errors, admin.Name)
	}
	if acc, err := h.eng.RecordAccess(bg, a.ID); err != nil || acc != AccessEdit {
		t.Fatalf("access %v (%v); want edit, as the org says", acc, err)
	}
	// Known now: the device refuses "mine" for Owner at once.
	if err := h.eng.Fix(bg, en.ID, remote.Fields{"OwnerId": admin.ID}); err != nil {
		t.Fatal(err)
	}
	if s := h.sync(t); s.Synced != 1 || s.Attention != 0 {
		t.Fatalf("summary %+v", s)
	}
	srv := h.serverRecord(t, "Account", a.ID).Fields
	if srv["Phone"] != "555-6101" || srv["OwnerId"] != admin.ID {
		t.Fatalf("org has Phone %v, owner %v", srv["Phone"], srv["OwnerId"])
	}
}

// An admin's device keeps the admin's owner change over alex's: the admin may give away any
// record, and nothing on the device says otherwise.
func TestAnAdminKeepsTheirOwnerChangeInAnOwnerConflict(t *testing.T) {
	h := newHarness(t, harnessOpts{user: "admin@demo.example"})
	h.sync(t)
	alex, sam, admin := h.users["alex@demo.example"], h.users["sam@demo.example"], h.users["admin@demo.example"]
	res, err := h.as(t, "admin@demo.example").Query(bg, "SELECT Id FROM Account WHERE OwnerId = '"+alex.ID+"' LIMIT 1", 0)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("an account of alex's: %v", err)
	}
	id := res.Records[0].ID()
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"OwnerId": admin.ID, "Phone": "555-6303"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := h.as(t, "alex@demo.example").Update(bg, "Account", id, remote.Fields{"OwnerId": sam.ID}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	en := h.entryOf(t, id)
	if en.Status != StatusConflict {
		t.Fatalf("premise: an owner conflict, got %+v", en)
	}
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"OwnerId": {Take: TakeMine}}); err != nil {
		t.Fatalf("the admin keeping their owner change: %v", err)
	}
	if s := h.sync(t); s.Synced != 1 || s.Attention != 0 {
		t.Fatalf("summary %+v", s)
	}
	srv := h.serverRecord(t, "Account", id).Fields
	if srv["Phone"] != "555-6303" || srv["OwnerId"] != admin.ID {
		t.Fatalf("org has Phone %v, owner %v", srv["Phone"], srv["OwnerId"])
	}
}

// sharedToEditAccessUnknown is sam's account shared with alex to edit, cached by a sync whose
// question of what alex may do with it the org refused (UserRecordAccess): nothing known.
func sharedToEditAccessUnknown(t *testing.T, h *harness) string {
	t.Helper()
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
	return id
}

// A share narrowed to read only while an owner change waited: the org's refusal is first taken
// for the owner alone (the device did not know), and once the same sync learns the record is
// read only, the change is red, as a sent change would come back.
func TestAnOwnerRefusalOnARecordLearntReadOnlyTurnsRed(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id := sharedToEditAccessUnknown(t, h)
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"OwnerId": h.users["alex@demo.example"].ID, "Phone": "555-6202"}); err != nil {
		t.Fatal(err)
	}
	h.share(t, id, "read")
	h.sync(t)
	en := h.entryOf(t, id)
	if en.Status != StatusFailed || en.Message != msgNoAccessToChange {
		t.Fatalf("entry %s %s %q; want red, %q", en.Status, en.Code, en.Message, msgNoAccessToChange)
	}
}

// sam's account, shared with alex to edit, while the org will not say what alex may do with
// it (UserRecordAccess refused): the device offers an owner change, and the org refuses it
// (INSUFFICIENT_ACCESS_OR_READONLY) though alex may still edit the record. That is not lost
// access (red, read only, dismiss only, the phone lost with it): the owner is the field at
// fault, and setting it back to the org's owner saves the rest.
func TestAnOwnerChangeTheOrgRefusesOnARecordIStillEditIsFixedOnTheOwner(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id := sharedToEditAccessUnknown(t, h)
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
