package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// A sync while an Edit form is open brings another user's value of the field the user is
// changing: saving does not overwrite it unseen. The form says what the org holds now and
// keeps what was typed; a second ctrl+s saves it over the org's value.
func TestStoryAFormSavedAfterASyncBroughtAnotherValueSaysSoFirst(t *testing.T) {
	w := newWorld(t)
	acct := w.firstAccount(t)
	s := newStory(t, w)
	s.openFirstAccount()
	s.press("e")
	s.wait("▸ Account Name")
	w.clk.Advance(3 * time.Second)
	if err := w.admin.Update(context.Background(), "Account", acct.ID, remote.Fields{"Name": "Theirs Meanwhile Co"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.eng.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.press("ctrl+u", "Mine Typed Co", "ctrl+s")
	s.wait("Changed on the org while you edited", "ctrl+s saves what you typed over it", `"Theirs Meanwhile Co"`, "Mine Typed Co")
	if v := s.record("Account", acct.ID); v.Entry != nil {
		t.Fatalf("the refused save queued %+v", v.Entry.Changes)
	}
	s.press("ctrl+s")
	s.wait("Account  Mine Typed Co", "[e] Edit")
	if _, err := w.eng.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := w.admin.Retrieve(context.Background(), "Account", acct.ID, []string{"Name"})
	if err != nil || got.Fields["Name"] != "Mine Typed Co" {
		t.Fatalf("the org has %v (%v)", got.Fields["Name"], err)
	}
}

// A record a sync removed while its Edit form was open: saving says what happened, not a
// bare "not found", and keeps what was typed.
func TestStoryAFormSavedAfterASyncRemovedItsRecordSaysWhy(t *testing.T) {
	w := newWorld(t)
	acct := w.firstAccount(t)
	s := newStory(t, w)
	s.openFirstAccount()
	s.press("e")
	s.wait("▸ Account Name")
	w.clk.Advance(3 * time.Second)
	if err := w.admin.Delete(context.Background(), "Account", acct.ID); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(2 * time.Minute) // getDeleted answers in whole minutes
	if _, err := w.eng.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.press("ctrl+u", "Mine Typed Co", "ctrl+s")
	s.wait("no longer on this device: the org deleted it", "Mine Typed Co")
}

// The refusal names fields as the form does and says a lookup the org cleared is empty.
func TestChangedMeanwhileNamesFieldsAsTheFormDoes(t *testing.T) {
	c := New(Options{}).c
	defs := map[string]remote.Field{
		"AccountId": {Name: "AccountId", Label: "Account ID", Type: "reference"},
		"Title":     {Name: "Title", Label: "Title", Type: "string"},
	}
	got := changedMeanwhile(c, defs, remote.Fields{"AccountId": nil, "Title": "Boss"})
	for _, want := range []string{"Account is now empty", `Title is now "Boss"`} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if got := changedMeanwhile(c, defs, remote.Fields{"AccountId": "001000000000000001AAA"}); !strings.Contains(got, "Account points at another record") {
		t.Errorf("%q", got)
	}
}
