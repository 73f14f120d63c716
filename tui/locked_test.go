package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

func TestTheLockMessageSaysWhatTheChangeNeeds(t *testing.T) {
	cases := []struct {
		status     pending.Status
		code, want string
	}{
		{pending.StatusConflict, "CONFLICT", "Press r to resolve it first"},
		{pending.StatusInvalid, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Press r to fix it first"},
		{pending.StatusFailed, "ENTITY_IS_DELETED", "Press x to dismiss the change"},
	}
	for _, c := range cases {
		t.Run(string(c.status), func(t *testing.T) {
			got := lockedMessage("Account", c.status, c.code, "")
			if !strings.Contains(got, c.want) {
				t.Fatalf("%s: %q, want %q", c.status, got, c.want)
			}
			if c.status != pending.StatusConflict && strings.Contains(got, "resolve") {
				t.Fatalf("%s: %q says to resolve", c.status, got)
			}
		})
	}
}

// A change turned orange by the org (invalid) while the edit form was open: saving says to
// fix it, not to resolve it, and with the record page's key (in the form r is text: it said
// "Press r … here", and r typed an r).
func TestSavingAnEditOfARecordLockedMeanwhileSaysWhatTheChangeNeeds(t *testing.T) {
	for _, c := range []struct {
		status pending.Status
		want   string
	}{
		{pending.StatusInvalid, "esc leaves the form, then press r on the record to fix it first"},
		{pending.StatusConflict, "esc leaves the form, then press r on the record to resolve it first"},
	} {
		t.Run(string(c.status), func(t *testing.T) {
			f := seededFake(1)
			d := newDriver(t, f, 200, 30)
			d.keys("enter", "enter", "e")
			d.requireView("Edit Account")
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
				Op: pending.OpUpdate, Status: c.status, Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION", Changes: remote.Fields{"Phone": "1"}})
			d.keys("X", "ctrl+s")
			d.requireView(c.want)
		})
	}
}

func TestTheRecordPageOffersToFixAnInvalidChange(t *testing.T) {
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusInvalid, Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION", Changes: remote.Fields{"Phone": "1"}})
	d := newDriver(t, f, 200, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Press r to fix it first", "r fix")
	d.refuseView("resolve it")
}
