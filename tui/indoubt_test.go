package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote/signin"
)

// A record created offline whose reply was lost may be on the org already: Delete says so at
// once (before asking), the action bar says to sync first, and a discard warns that it would
// leave the record on the org.
func TestACreateInDoubtSaysToSyncBeforeDeletingAndWarnsBeforeADiscard(t *testing.T) {
	f := seededFake(2)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpCreate, Status: pending.StatusPending, InDoubt: true})
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter")
	d.requireView("Acme 000000", "[d] Delete (sync first)")
	d.keys("d")
	d.requireView("may already be on the org", "sync first, then")
	if d.model().modal.open() {
		t.Fatal("the delete asked for confirmation before refusing")
	}
	d.keys("esc", "esc", "p", "x")
	d.requireView("Discard the new record", "creation was lost", "discarding leaves it")
}

// A sync refused because the org's address answers for another org says so, and the pause for a
// sign-in that follows does not replace that reason with advice that would not cure it.
func TestAnotherOrgAtTheAddressIsSaidAndNotTakenForASignIn(t *testing.T) {
	err := fmt.Errorf("refresh: %w", signin.ErrOtherOrg)
	if got := syncStopped(err); !strings.Contains(got, "another org") || !strings.Contains(got, "nothing was sent") {
		t.Fatalf("syncStopped = %q", got)
	}
	d := newDriver(t, seededFake(1), 100, 30)
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Err: err}}})
	d.send(eventMsg{pending.Event{Kind: pending.EventAuthRequired}})
	d.requireView("another org")
	d.refuseView("o twice tries the same sign-in again")
	// The engine pauses for a sign-in before it finishes the run: the reason still wins.
	d3 := newDriver(t, seededFake(1), 100, 30)
	d3.send(eventMsg{pending.Event{Kind: pending.EventAuthRequired}})
	d3.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Err: err}}})
	d3.requireView("another org")
	d3.refuseView("o twice tries the same sign-in again")
	d2 := newDriver(t, seededFake(1), 100, 30)
	d2.send(eventMsg{pending.Event{Kind: pending.EventAuthRequired}})
	d2.requireView("o twice tries the same sign-in again")
	// A sign-in that failed says why, and that trying it again as it is may not cure it (a
	// wrong password given at start: "o twice signs in again" could never work).
	d4 := newDriver(t, seededFake(1), 200, 30)
	d4.send(eventMsg{pending.Event{Kind: pending.EventAuthRequired,
		Reason: "signing in to http://127.0.0.1:8787 as alex@demo.example: sign-in refused (HTTP 400): invalid_grant: authentication failure"}})
	for _, want := range []string{"Why: signing in to http://127.0.0.1:8787", "invalid_grant: authentication failure", "quit and start again signed in anew"} {
		if !strings.Contains(flat(d4.view()), want) {
			t.Fatalf("the pause does not say %q:\n%s", want, d4.view())
		}
	}
	// At 80 columns the cure stays in sight, before a refusal that may be long.
	d5 := newDriver(t, seededFake(1), 80, 24)
	d5.send(eventMsg{pending.Event{Kind: pending.EventAuthRequired, Reason: strings.Repeat("refused ", 40)}})
	d5.requireView("quit and start again signed in anew")
}

// A change whose last send got no reply (the app quit in the middle of a sync) says so on the
// record page and on Pending Changes, not only that it waits.
func TestAChangeSentWithNoReplySaysTheNextSyncChecksTheOrg(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		for _, op := range []pending.Op{pending.OpUpdate, pending.OpCreate, pending.OpDelete} {
			f := seededFake(2)
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
				Op: op, Status: pending.StatusPending, InDoubt: true})
			d := newDriver(t, f, size[0], size[1])
			d.keys("enter", "enter")
			if !strings.Contains(flat(d.view()), "sent, no reply yet") && !strings.Contains(flat(d.view()), "Sent, no reply yet") {
				t.Fatalf("%v %dx%d: the record page does not say the change was sent with no reply:\n%s", op, size[0], size[1], d.view())
			}
			if !strings.Contains(flat(d.view()), "the next sync checks whether the org has") {
				t.Fatalf("%v %dx%d: the record page does not say what the next sync does:\n%s", op, size[0], size[1], d.view())
			}
			d.keys("p")
			if v := flat(d.view()); !strings.Contains(v, "no reply yet") || !strings.Contains(v, "the next sync checks") {
				t.Fatalf("%v %dx%d: Pending Changes does not say the change was sent with no reply:\n%s", op, size[0], size[1], d.view())
			}
		}
	}
}

// Discarding a new record other changes point at says which: they will need another record.
func TestDiscardingANewRecordNamesTheChangesThatPointAtIt(t *testing.T) {
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Seq: 1, Object: "Account", RecordID: "local-aaa", Name: "CV Offline Co",
		Op: pending.OpCreate, Status: pending.StatusPending, Changes: map[string]any{"Name": "CV Offline Co"}})
	f.setEntry(pending.Entry{ID: "e2", Seq: 2, Object: "Contact", RecordID: "local-bbb", Name: "Orphan",
		Op: pending.OpCreate, Status: pending.StatusWaiting, WaitingOn: "local-aaa",
		Changes: map[string]any{"LastName": "Orphan", "AccountId": "local-aaa"}})
	d := newDriver(t, f, 100, 30)
	d.keys("p")
	d.requireView("CV Offline Co")
	d.keys("x")
	d.requireView("Discard the new record", `Contact "Orphan" points at it and will need another`)
}

// A change whose message says itself that the org may have it ("No confirmation …") is not
// told twice on Pending Changes: the row does not put "Sent, no reply yet" before it.
func TestAChangeWithNoConfirmationIsToldOnce(t *testing.T) {
	f := seededFake(2)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusPending, InDoubt: true,
		Message: pending.MsgNoConfirmation + "you went offline while it was being sent; the org may have it); the next sync settles it"})
	d := newDriver(t, f, 80, 24)
	d.keys("p")
	d.requireView("Pending Changes", "No confirmation (you went offline")
	d.refuseView("next sync checks whether the org has it")
}
