package pending

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// lostAccess leaves alex with a failed entry on one of sam's accounts whose share was taken away.
func lostAccess(t *testing.T, h *harness) (id string, en Entry) {
	t.Helper()
	id, en = shareNarrowedUnderAnEdit(t, h, "none")
	if en.Status != StatusFailed || en.Code != "NOT_FOUND" {
		t.Fatalf("entry %+v", en)
	}
	if red, err := h.eng.RedCount(bg); err != nil || red != 1 {
		t.Fatalf("RedCount = %d (%v), want the one failed change", red, err)
	}
	return id, en
}

// shareNarrowedUnderAnEdit: alex edits offline one of sam's accounts shared with alex to edit;
// the share is narrowed to access ("none", "read") before alex's sync. It returns the entry after it.
func shareNarrowedUnderAnEdit(t *testing.T, h *harness, access string) (string, Entry) {
	t.Helper()
	id := hiddenAccountOfSam(t, h)
	if err := h.admin(t).Share(bg, id, "alex@demo.example", "edit"); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "111"}); err != nil {
		t.Fatal(err)
	}
	if err := h.admin(t).Share(bg, id, "alex@demo.example", access); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	return id, h.entryOf(t, id)
}

func TestDismissKeepsARecordTheUserCanStillReadWithTheOrgsCopy(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id, en := lostAccess(t, h)
	// Access came back read-only, and sam changed the record meanwhile.
	if err := h.admin(t).Share(bg, id, "alex@demo.example", "read"); err != nil {
		t.Fatal(err)
	}
	if err := h.as(t, "sam@demo.example").Update(bg, "Account", id, remote.Fields{"Phone": "222"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := h.eng.Dismiss(bg, en.ID); err != nil {
		t.Fatal(err)
	}
	rv, err := h.eng.Record(bg, "Account", id)
	if err != nil {
		t.Fatalf("a record alex can still read was dropped: %v", err)
	}
	if rv.Entry != nil || rv.Fields["Phone"] != "222" || rv.Server["Phone"] != "222" {
		t.Fatalf("the cache does not hold the org's copy: view %v server %v entry %v", rv.Fields["Phone"], rv.Server["Phone"], rv.Entry)
	}
}

func TestDismissDropsARecordTheUserCanNoLongerSee(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id, en := lostAccess(t, h)
	if err := h.eng.Dismiss(bg, en.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.eng.Record(bg, "Account", id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a record alex cannot see is still cached: %v", err)
	}
}

// Offline, a dismissed change on a record the org said the user can no longer see takes the
// record off the device, as the dismiss dialog says: the cached copy, left editable, would only
// take another change the org refuses. The next sync brings it back if it is shared again.
func TestDismissOfflineDropsARecordTheOrgSaidIsOutOfSight(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id, en := lostAccess(t, h)
	name := h.serverRecord(t, "Account", id).Fields["Name"]
	// alex's contact points at the account, and keeps naming it once the account has left.
	kid, err := h.as(t, "admin@demo.example").Create(bg, "Contact", remote.Fields{"LastName": "Points At It", "AccountId": id, "OwnerId": h.users["alex@demo.example"].ID}, remote.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(time.Minute))
	h.sync(t)
	h.eng.SetOnline(false)
	if err := h.eng.Dismiss(bg, en.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.eng.Record(bg, "Account", id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("offline dismiss kept a record the org said alex cannot see: %v", err)
	}
	if rv, err := h.eng.Record(bg, "Contact", kid); err != nil || rv.Names[id] != name {
		t.Fatalf("the contact names its account %q (%v); want %q", rv.Names[id], err, name)
	}
	if err := h.admin(t).Share(bg, id, "alex@demo.example", "read"); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	if _, err := h.eng.Record(bg, "Account", id); err != nil {
		t.Fatalf("shared again, the record did not come back: %v", err)
	}
}

// Offline, a dismissed change the org refused for want of edit access (the user may still read
// the record) keeps the cached copy, read only: a new edit is refused on the device.
func TestDismissOfflineOfAReadOnlyRefusalKeepsTheRecordReadOnly(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id, en := shareNarrowedUnderAnEdit(t, h, "read")
	if en.Status != StatusFailed || !strings.HasPrefix(en.Code, "INSUFFICIENT_ACCESS") {
		t.Fatalf("entry %+v", en)
	}
	h.eng.SetOnline(false)
	if err := h.eng.Dismiss(bg, en.ID); err != nil {
		t.Fatal(err)
	}
	rv, err := h.eng.Record(bg, "Account", id)
	if err != nil || rv.Entry != nil || rv.Server == nil || rv.Fields["Phone"] == "111" {
		t.Fatalf("offline dismiss: %v entry %v view phone %v", err, rv.Entry, rv.Fields["Phone"])
	}
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "333"}); err == nil {
		t.Fatal("a record the org said alex may only read took a new edit after the dismiss")
	}
}

// A record locked by a change that can't be saved says to dismiss it (resolving is for orange).
func TestALockedRecordSaysWhatUnlocksIt(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id, _ := lostAccess(t, h)
	err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "222"})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "dismiss it first") || strings.Contains(err.Error(), "resolve") {
		t.Fatalf("edit of a record with a red change: %v", err)
	}
}

// The log's note of a change that can't be saved carries the org's error code, as the request
// that brought it (a Composite answered 200) does not.
func TestTheNoteOfARefusedChangeCarriesTheOrgsCode(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id, en := lostAccess(t, h)
	acts, err := h.eng.Activity(bg, id, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acts {
		if strings.HasPrefix(a.Note, "failed: ") {
			if a.Code == "" || a.Code != en.Code {
				t.Fatalf("the note %q has code %q, want the entry's %q", a.Note, a.Code, en.Code)
			}
			return
		}
	}
	t.Fatalf("no 'failed' note in %+v", acts)
}

// The log lists what happened newest first: requests made before the user discards a change
// (a record page's reads) are not written after the discard's note.
func TestTheLogKeepsRequestsMadeBeforeADiscardBelowItsNote(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	id := h.owned(t, "Account")[0].id
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "111"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(time.Second))
	// A record page's read, made and logged before the user discards the change.
	if _, err := h.eng.org.Query(bg, "SELECT Id FROM Account LIMIT 1", 0); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(time.Second))
	if err := h.eng.Discard(bg, h.entryOf(t, id).ID); err != nil {
		t.Fatal(err)
	}
	acts, err := h.eng.Activity(bg, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(acts) == 0 || !strings.HasPrefix(acts[0].Note, "discarded") {
		t.Fatalf("the newest row is %+v, want the discard's note", acts)
	}
	for i := 1; i < len(acts); i++ {
		if acts[i].At.After(acts[i-1].At) {
			t.Fatalf("row %d (%s %s %s) is newer than the row above it (%s %s %s)", i,
				acts[i].At.Format(time.StampMilli), acts[i].Method, acts[i].Path+acts[i].Note,
				acts[i-1].At.Format(time.StampMilli), acts[i-1].Method, acts[i-1].Path+acts[i-1].Note)
		}
	}
}

// Support reads what a dismissed or discarded change held: the log names the record (it may
// leave the device) and says the values dropped, a date and time in UTC saying so (the log's
// own times are local).
func TestTheLogSaysWhatADismissedOrDiscardedChangeHeld(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	_, en := lostAccess(t, h)
	if err := h.eng.Dismiss(bg, en.ID); err != nil {
		t.Fatal(err)
	}
	acts, _ := h.eng.Activity(bg, en.RecordID, 20)
	if want := `dismissed: ` + en.Message + `; dropped the edit of ` + strconv.Quote(en.Name) + ` (Account Phone "111")`; !hasNote(acts, want) {
		t.Fatalf("want the note %q in %+v", want, acts)
	}

	c := h.firstOwned(t, "Contact")
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Next_Meeting__c": "2026-12-01T10:00:00+09:00", "Title": "Boss"}); err != nil {
		t.Fatal(err)
	}
	if err := h.eng.Discard(bg, h.entryOf(t, c.ID).ID); err != nil {
		t.Fatal(err)
	}
	acts, _ = h.eng.Activity(bg, c.ID, 20)
	if want := `discarded by the user: dropped the edit of ` + strconv.Quote(c.Name) + ` (Title "Boss", Next Meeting "2026-12-01 01:00 UTC")`; !hasNote(acts, want) {
		t.Fatalf("want the note %q in %+v", want, acts)
	}
}
