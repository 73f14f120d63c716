package tui

import (
	"context"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// Resolving a conflict when another user has changed another field of the change since (a sync
// brought it while the conflict waited) keeps the choices and says the new conflict, rather
// than "Resolved; the change is queued again."
func TestResolvingAConflictSaysANewOneOnAFieldChangedSince(t *testing.T) {
	ctx := context.Background()
	env := qaEnv(t, nil)
	eng := env.Engine()
	acct := firstAccountOf(t, eng)
	admin, err := env.Client(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	eng.SetOnline(false)
	if err := eng.Edit(ctx, "Account", acct.ID, remote.Fields{"Phone": "555-0111", "Description": "mine"}); err != nil {
		t.Fatal(err)
	}
	env.Clock().Advance(2 * time.Second)
	if err := admin.Update(ctx, "Account", acct.ID, remote.Fields{"Phone": "555-0222"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	eng.SetOnline(true)
	if _, err := eng.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	env.Clock().Advance(2 * time.Second)
	if err := admin.Update(ctx, "Account", acct.ID, remote.Fields{"Description": "theirs, later"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	s := newQAStory(t, Options{Backend: eng, NetStatus: env.Network().String, Backstage: env})
	s.wait("Sync needs your attention")
	s.press("enter")
	s.wait("Conflict", "changed Account Phone")
	s.press("r")
	s.wait("Resolve conflict", "555-0222")
	s.press("m", "ctrl+s")
	// (The story's screens leave notes out: the note is checked on the fake below.)
	s.wait("Pending Changes", "▲ Conflict", "Another user changed Account Description")
}

// What the conflict screen says when its resolution leaves a new conflict behind (a field of the
// change another user changed since): not "Resolved; the change is queued again".
func TestAResolutionThatLeavesANewConflictSaysSo(t *testing.T) {
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "1", "Website": "w"},
		Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "2", Mine: "1"}}})
	f.resolvedInto = &pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "1", "Website": "w"},
		Message:   "Another user changed Website",
		Conflicts: []pending.Conflict{{Field: "Website", Base: "", Theirs: "t", Mine: "w"}}}
	d := newDriver(t, f, 120, 30)
	d.keys("enter", "enter", "r")
	d.requireView("Resolve conflict")
	d.keys("m", "ctrl+s")
	d.requireView("Your choices are kept, but another user changed Website since your change: a new conflict to resolve.")
	d.refuseView("the change is queued again")
}

// The conflict screen does not list a field another user changed since (outside the conflict)
// as "also to be sent, no conflict": it says saving asks about it next.
func TestTheConflictScreenSaysAFieldChangedSinceIsNotSentAsItIs(t *testing.T) {
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict,
		Changes:   remote.Fields{"Phone": "1", "Website": "mine.example", "Industry": "Energy"},
		Base:      remote.Fields{"Phone": "555-0100", "Website": "before.example", "Industry": "Banking"},
		Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "2", Mine: "1"}}})
	rv, err := f.Record(context.Background(), "Account", "001000000000000000")
	if err != nil || rv.Server["Website"] == "before.example" || rv.Server["Industry"] != "Banking" {
		t.Fatalf("the test's record: %v %v", rv.Server, err)
	}
	d := newDriver(t, f, 120, 30)
	d.keys("enter", "enter", "r")
	d.requireView("Resolve conflict", "Changed on the org since your change, too: Website", "Also to be sent, no conflict: Industry")
	d.refuseView(`Website "mine.example"`)
}

// Delete anyway over a record changed again since the conflict showed it: not deleted, and the
// screen says so rather than "Delete will be sent again."
func TestDeleteAnywayOverALaterChangeSaysItWasNotDeleted(t *testing.T) {
	f := seededFake(1)
	conflict := pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpDelete, Status: pending.StatusConflict, Message: "Another user changed Phone before your delete reached the org",
		Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "2"}}}
	f.setEntry(conflict)
	again := conflict
	again.Message = "Another user changed Phone, Website before your delete reached the org"
	f.resolvedInto = &again
	d := newDriver(t, f, 120, 30)
	d.keys("enter", "enter", "r")
	d.requireView("Resolve conflict")
	d.keys("m", "ctrl+s")
	d.requireView("Not deleted: the record changed again since the conflict showed it. Another user changed Phone, Website")
	d.refuseView("Delete will be sent again.")
}
