package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// A change the device stopped before sending it (a lookup at a new record discarded here, two
// new records pointing at each other) says so; only a change the org saw says it refused it.
func TestAChangeStoppedOnTheDeviceDoesNotSayTheOrgRefusedIt(t *testing.T) {
	cases := []struct {
		code, want string
	}{
		{"REFERENCE_DISCARDED", "Needs your attention: a record it points at was discarded on this device"},
		{"REFERENCE_CYCLE", "Needs your attention: it and another new record point at each other"},
		{"FIELD_CUSTOM_VALIDATION_EXCEPTION", "Needs your attention: the org refused the change"},
		{"REQUIRED_FIELD_MISSING", "Needs your attention: the org refused the change"},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			if got := longWord(pending.StatusInvalid, c.code, ""); got != c.want {
				t.Fatalf("longWord = %q, want %q", got, c.want)
			}
			locked := lockedMessage("Contact", pending.StatusInvalid, c.code, "")
			if refused := strings.Contains(locked, "org refused"); refused != strings.Contains(c.want, "org refused") {
				t.Fatalf("locked message %q disagrees with the sash %q", locked, c.want)
			}
		})
	}
}

// The record page of a change whose lookup points at a new record discarded here names the
// lookup as the Fix form does, not by its local id, and its sash says why.
func TestARecordPointingAtADiscardedNewRecordShowsTheLookupAsDiscarded(t *testing.T) {
	f := seededFake(1)
	const gone = "local-00000000dead"
	f.add("Contact", remote.Fields{"Id": "local-000000000c01", "LastName": "ChildY", "Name": "ChildY", "AccountId": gone})
	f.sortAll()
	f.setEntry(pending.Entry{ID: "e1", Object: "Contact", RecordID: "local-000000000c01", Name: "ChildY", Op: pending.OpCreate,
		Status: pending.StatusInvalid, Code: "REFERENCE_DISCARDED", Message: "A related record created offline was discarded; choose another for Account",
		Errors:  []pending.FieldError{{Field: "AccountId", Code: "REFERENCE_DISCARDED", Message: "points at a new record that was discarded; choose another"}},
		Changes: remote.Fields{"LastName": "ChildY", "AccountId": gone}})
	d := newDriver(t, f, 100, 30)
	d.keys("o", "p", "enter")
	d.requireView("ChildY", "a record it points at was discarded on this device", "(a new record, discarded)")
	d.refuseView(gone, "org refused")
}

// After the user discards a record created here, its page says it was discarded, not that it
// was deleted or access was lost; a record of the org's that left the device still says that.
func TestTheDiscardedNewRecordsPageSaysItWasDiscarded(t *testing.T) {
	f := seededFake(1)
	d := newDriver(t, f, 100, 30)
	d.keys("o", "enter", "n", "Gone", "ctrl+s")
	d.requireView("Gone", "created here")
	d.keys("x", "y")
	d.requireView("discarded on this device")
	d.refuseView("deleted or you lost access")

	d.keys("esc", "enter")
	d.requireView("Acme 000000")
	f.mu.Lock()
	f.records["Account"] = nil
	f.mu.Unlock()
	d.send(refreshMsg{})
	d.requireView("deleted or you lost access")
	d.refuseView("discarded")
}
