package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// conflictOnName makes my offline edit of the first account's name meet the admin's, and opens
// the conflict screen on it at 80x24.
func conflictOnName(t *testing.T) (*story, *world, string) {
	t.Helper()
	w := newWorld(t)
	acct := w.firstAccount(t)
	s := newStorySized(t, w, 80, 24)
	editNameMeetsTheAdmins(t, s, w, acct.ID, "Theirs First Co")
	s.wait("Sync needs your attention")
	s.press("esc")
	s.wait("▲ Needs your attention: conflict", "Theirs First Co")
	s.press("r")
	s.wait("Resolve conflict", "Theirs First Co", "Mine Name Co")
	return s, w, acct.ID
}

// changeAgain is the admin's second change of the name, while the conflict screen is open.
func changeAgain(t *testing.T, w *world, id string) {
	t.Helper()
	w.clk.Advance(3 * time.Second)
	if err := w.admin.Update(context.Background(), "Account", id, remote.Fields{"Name": "Theirs Second Co"}, remote.WriteOptions{}); err != nil {
		t.Fatalf("another user's second edit: %v", err)
	}
	w.clk.Advance(3 * time.Second)
}

func orgName(t *testing.T, w *world, id string) any {
	t.Helper()
	got, err := w.admin.Retrieve(context.Background(), "Account", id, []string{"Name"})
	if err != nil {
		t.Fatal(err)
	}
	return got.Fields["Name"]
}

func TestTheirsChangedAgainAndSyncedShowsOnTheConflictScreenBeforeSaving(t *testing.T) {
	s, w, id := conflictOnName(t)
	s.press("t")
	changeAgain(t, w, id)
	// A sync brings the second change while the screen is open; the screen still shows the first.
	s.goOffline()
	s.press("o")
	s.wait(" ONLINE ")
	deadline := time.Now().Add(10 * time.Second)
	for s.record("Account", id).Server["Name"] != "Theirs Second Co" {
		if time.Now().After(deadline) {
			t.Fatal("the sync never brought the second change to the device")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The screen follows the sync at once, before any ctrl+s, keeping the choice made.
	v := s.wait("changed again on the org while this screen was open", "Theirs Second Co")
	if !strings.Contains(flat(v), "Account Name changed again on the org while this screen was open") ||
		!strings.Contains(flat(v), `(changed again: Mar 4 10:30, was "Theirs First Co")`) {
		t.Fatalf("the screen does not say theirs changed again:\n%s", v)
	}
	if d := s.view(); !strings.Contains(d, "✓ theirs  Theirs Second Co") {
		t.Fatalf("the choice of theirs was lost, or theirs is not the newest value:\n%s", d)
	}
	s.golden("refreshed", "changed again on the org while this screen was open")
	// Saved again, theirs is the newest value: the org keeps it and the change goes.
	s.press("ctrl+s")
	s.wait("0 pending")
	s.refuse("Theirs changed again")
	if got := orgName(t, w, id); got != "Theirs Second Co" {
		t.Fatalf("org has %v", got)
	}
}

func TestTheirsChangedAgainBeforeTheDeviceKnewSaysSoAfterTheNextSync(t *testing.T) {
	s, w, id := conflictOnName(t)
	changeAgain(t, w, id)
	// The device, offline, has not synced since: the screen can't know, and the resolution
	// goes through.
	s.goOffline()
	s.press("t", "ctrl+s")
	s.wait("0 pending")
	s.refuse("Theirs changed again")
	s.press("o")
	v := s.wait("Theirs changed again", "enter open the record")
	want := `Another user changed "Theirs Second Co" again after the conflict screen showed it: on the org Account Name is "Theirs Second Co", not "Theirs First Co", which you took as theirs. Nothing of yours was sent for that field.`
	if !strings.Contains(boxText(v), want) {
		t.Fatalf("the alert does not say what the org holds:\n%s", v)
	}
	s.golden("alert", "Theirs changed again", "Accounts › Theirs Second Co") // the record page behind it reloaded
	s.press("enter")
	s.wait("[e] Edit", "Theirs Second Co")
	if got := orgName(t, w, id); got != "Theirs Second Co" {
		t.Fatalf("org has %v", got)
	}
}

func TestTheirsMovedNamesTheLookupsRecordsNotTheirIDs(t *testing.T) {
	f := seededFake(3) // the contact points at Acme 000000
	taken := &theirsTaken{object: "Contact", recordID: "003000000000000001",
		values: map[string]any{"AccountId": "001000000000000001"}, shown: map[string]string{"AccountId": "Acme 000001"},
		labels: map[string]string{"AccountId": "Account ID"}}
	got := theirsMoved(context.Background(), f, taken)
	if !strings.Contains(got, `Account ID is "Acme 000000", not "Acme 000001"`) || strings.Contains(got, "0010000") {
		t.Fatalf("the note is %q", got)
	}
	taken.values["AccountId"], taken.shown["AccountId"] = "001000000000000000", "Acme 000000"
	if got := theirsMoved(context.Background(), f, taken); got != "" {
		t.Fatalf("nothing moved, yet the note is %q", got)
	}
}

// Phone kept as mine, Name taken as theirs; both change again before the resolution reaches
// the org. Phone is a conflict again, and the pop-up that says so also says what the org now
// holds for Name: it is in no conflict any more, and nothing else would tell.
func TestChangedAgainAlsoSaysWhatTheOrgHoldsForAFieldTakenAsTheirs(t *testing.T) {
	w := newWorld(t)
	acct := w.firstAccount(t)
	s := newStory(t, w)
	s.goOffline()
	s.openFirstAccount()
	s.press("e")
	s.wait("▸ Account Name")
	s.press("ctrl+u", "Mine Name Co", "down", "down", "down", "down")
	s.wait("▸ Account Phone")
	s.press("ctrl+u", "555-1111", "ctrl+s")
	s.wait("● Waiting to sync")
	admin := func(name, phone string) {
		w.clk.Advance(3 * time.Second)
		if err := w.admin.Update(context.Background(), "Account", acct.ID, remote.Fields{"Name": name, "Phone": phone}, remote.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		w.clk.Advance(3 * time.Second)
	}
	admin("Theirs First Co", "555-2222")
	s.press("o")
	s.wait("Sync needs your attention")
	s.press("esc")
	s.press("r")
	s.wait("Resolve conflict", "Theirs First Co", "555-2222")
	s.press("t") // Account Name, first in the form: theirs; Account Phone stays mine
	admin("Theirs Second Co", "555-3333")
	s.goOffline()
	s.press("ctrl+s")
	s.wait("1 pending", "[e] Edit") // saved: back on the record page
	s.switchOnline(true)
	v := s.wait("Changed again while you resolved it")
	if box := boxText(v); !strings.Contains(box, `Account Name is "Theirs Second Co", not "Theirs First Co", which you took as theirs`) {
		t.Fatalf("the pop-up does not say what the org holds for the field taken as theirs:\n%s", v)
	}
}
