package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// attentionFake holds a green change first, then a refused new account with a contact that
// waits for it, then a conflict.
func attentionFake() *fakeBackend {
	f := seededFake(3)
	f.add("Account", remote.Fields{"Id": "local-p", "Name": "Plane Co"})
	f.add("Contact", remote.Fields{"Id": "local-c", "Name": "Jo Pilot", "LastName": "Pilot", "AccountId": "local-p"})
	f.setEntry(pending.Entry{ID: "e0", Object: "Account", RecordID: "001000000000000001", Name: "Acme 000001", Op: pending.OpUpdate, Status: pending.StatusPending})
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "local-p", Name: "Plane Co", Op: pending.OpCreate,
		Status: pending.StatusInvalid, Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION", Message: "Phone is required."})
	f.setEntry(pending.Entry{ID: "e2", Object: "Contact", RecordID: "local-c", Name: "Jo Pilot", Op: pending.OpCreate,
		Status: pending.StatusWaiting, WaitingOn: "local-p"})
	return f
}

// The sync alert counts the changes that wait for the ones needing the user, and its enter
// puts the cursor on the first change that needs the user, whether Pending Changes was open
// already (then the alert does not offer to open it) or not.
func TestSyncAlertCountsWaitingChangesAndEnterGoesToTheFirstThatNeedsYou(t *testing.T) {
	for _, from := range []string{"menu", "pending"} {
		t.Run(from, func(t *testing.T) {
			d := newDriver(t, attentionFake(), 100, 30)
			if from == "pending" {
				d.keys("p")
				d.requireView("Pending Changes  3")
			}
			d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: 1, Waiting: 1}}})
			d.requireView("Sync needs your attention")
			body := flat(strings.ReplaceAll(d.view(), "│", " "))
			if want := "1 change could not be synced and needs your attention, and 1 more waits for it."; !strings.Contains(body, want) {
				t.Fatalf("alert lacks %q:\n%s", want, body)
			}
			if from == "pending" {
				d.requireView("enter go to the first", "Resolve it here.")
				d.refuseView("open Pending Changes")
			} else {
				d.requireView("enter open Pending Changes")
			}
			d.keys("enter")
			if d.model().active() != ScreenPending {
				t.Fatal("enter did not show Pending Changes")
			}
			if e, ok := d.model().pend.current(); !ok || e.ID != "e1" {
				t.Fatalf("cursor on %+v, want the refused new account", e)
			}
			d.requireView("▸ ▲")
		})
	}
}

// A change waiting for a record created offline names it on its record page, and says that
// record needs the user first.
func TestAWaitingChangesRecordPageNamesTheRecordItWaitsFor(t *testing.T) {
	d := newDriver(t, attentionFake(), 120, 30)
	d.keys("p", "G", "enter")
	d.requireView("Jo Pilot")
	if want := `Waiting for Account "Plane Co", which needs you first`; !strings.Contains(flat(d.view()), want) {
		t.Fatalf("the record page lacks %q:\n%s", want, d.view())
	}
}
