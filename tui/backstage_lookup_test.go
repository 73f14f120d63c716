package tui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

func TestBackstageEditsALookupAmongCachedRecordsAndMakesALookupConflict(t *testing.T) {
	env := qaEnv(t, nil)
	eng := env.Engine()
	ctx := context.Background()
	p, err := eng.List(ctx, pending.ListQuery{Object: "Contact", Limit: 1})
	if err != nil || len(p.Rows) == 0 {
		t.Fatalf("no contact: %v", err)
	}
	contact := p.Rows[0]
	accounts, err := eng.List(ctx, pending.ListQuery{Object: "Account", Limit: 3})
	if err != nil || len(accounts.Rows) < 3 {
		t.Fatalf("want three accounts: %v", err)
	}
	cur, err := eng.Record(ctx, "Contact", contact.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Two accounts the contact is not on: one for me, one for the admin.
	var mine, theirs pending.Row
	for _, a := range accounts.Rows {
		switch {
		case a.ID == cur.Fields["AccountId"]:
		case mine.ID == "":
			mine = a
		case theirs.ID == "":
			theirs = a
		}
	}
	if theirs.ID == "" {
		t.Fatalf("accounts %+v leave no two apart from the contact's", accounts.Rows)
	}

	s := newQAStory(t, Options{Backend: eng, NetStatus: env.Network().String, Backstage: env})
	s.goOffline()
	if err := eng.Edit(ctx, "Contact", contact.ID, remote.Fields{"AccountId": mine.ID}); err != nil {
		t.Fatal(err)
	}
	s.press("down", "enter")
	s.wait("records")
	s.press("enter")
	s.wait("● Waiting to sync")
	s.press("B")
	s.wait("SIMULATION — backstage")
	s.press("u")
	s.wait("As admin")
	s.backstageItem("Edit fields of this record as admin")
	s.press("enter")
	s.wait("values on the org now, as admin reads them", "  Account   ")
	// Tab to the lookup, clear it, search, take the first match.
	for i := 0; i < 30 && !strings.Contains(s.view(), "▸ Account   "); i++ {
		s.press("tab")
	}
	v := s.wait("▸ Account   ", "type search the cached records")
	if !strings.Contains(v, "Account   ") {
		t.Fatalf("no lookup row:\n%s", v)
	}
	s.press("ctrl+u", theirs.Name)
	s.wait("▸ "+theirs.Name+"  (Account)", "enter take it")
	s.press("enter")
	v = s.wait("type search the cached records") // the matches closed
	if l := linesWith(v, "▸ Account   "); len(l) != 1 || !strings.Contains(l[0], theirs.Name) || !strings.Contains(l[0], "✓") {
		t.Fatalf("the match was not taken:\n%s", v)
	}
	s.press("ctrl+s")
	s.wait("✓ as admin: edit")
	admin, err := env.Client(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	got, err := admin.Retrieve(ctx, "Contact", contact.ID, []string{"AccountId"})
	if err != nil || got.Fields["AccountId"] != theirs.ID {
		t.Fatalf("the org's contact points at %v (%v), want %s", got.Fields["AccountId"], err, theirs.ID)
	}

	s.press("esc")
	s.wait("● Waiting to sync")
	s.press("o")
	s.wait("Sync needs your attention")
	s.press("esc", "r")
	s.wait("Resolve conflict", "Another user changed Account\n", "▸ Account\n", "theirs  "+theirs.Name, "mine    "+mine.Name)
}

func TestBackstageLookupOffersNoRecordCreatedOnTheDeviceAndEscClosesOnlyTheMatches(t *testing.T) {
	f := seededFake(3)
	f.add("Account", remote.Fields{"Id": "local-0123456789abcdef", "Name": "Acme Offline New"})
	f.sortAll()
	d := newDriverWith(t, Options{Backend: f, Backstage: stageRefusing{}}, 80, 24)
	d.keys("down", "enter", "enter") // the first contact
	d.requireView("[e] Edit")
	d.keys("B")
	d.requireView("SIMULATION")
	d.keys("enter") // Edit fields of this record as sam
	d.requireView("Edit ", "  Account   ")
	for i := 0; i < 10 && d.model().bstage.form.rows[d.model().bstage.form.focus].name != "AccountId"; i++ {
		d.keys("tab")
	}
	for range 30 {
		d.keys("backspace")
	}
	d.keys("Acme")
	d.requireView("Acme 000000  (Account)")
	d.refuseView("Acme Offline New")
	if bar := helpBarOf(d.view()); !strings.Contains(bar, "↑/↓ choose a match · enter take it · esc close the matches") {
		t.Fatalf("with the matches open the help bar is %q", bar)
	}
	teatest.RequireEqualOutput(t, []byte(d.view()))
	d.keys("esc")
	if d.model().bstage.form == nil {
		t.Fatal("esc on the open matches closed the whole form")
	}
	d.refuseView("Acme 000000  (Account)")
}

func TestBackstageSaysSamCannotSeeTheRecordALookupPointsAt(t *testing.T) {
	refused := &remote.Error{Status: 400, Items: []remote.ErrorItem{{Code: "INVALID_CROSS_REFERENCE_KEY", Message: "invalid cross reference id 001000000000000002", Fields: []string{"AccountId"}}}}
	d := newDriverWith(t, Options{Backend: seededFake(3), Backstage: stageRefusing{err: refused}}, 80, 24)
	d.keys("down", "enter", "enter", "B")
	d.requireView("SIMULATION")
	d.keys("down", "enter") // Delete this record as sam: the fake answers with the refusal
	if v := flat(d.view()); !strings.Contains(v, "sam cannot see the record a lookup points at: choose one sam can see, or act as the admin (u).") {
		t.Fatalf("the refusal says nothing of what to do:\n%s", d.view())
	}
}

func TestEditFormHelpBarGivesTheLookupMatchesKeysWhileTheyAreOpen(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		d := newDriver(t, seededFake(3), size[0], size[1])
		d.keys("down", "enter", "enter", "e")
		d.requireView("Edit Contact")
		for i := 0; i < 10 && d.model().form.fields[d.model().form.focus].def.Name != "AccountId"; i++ {
			d.keys("tab")
		}
		for range 30 {
			d.keys("backspace")
		}
		d.keys("Acme")
		d.requireView("Acme 000001  (Account)")
		bar := helpBarOf(d.view())
		if !strings.Contains(bar, "esc close the matches") || strings.Contains(bar, "esc cancel") {
			t.Fatalf("%dx%d: with the matches open the help bar is %q", size[0], size[1], bar)
		}
		d.keys("esc")
		if d.model().active() != ScreenForm {
			t.Fatalf("%dx%d: esc on the matches left the form", size[0], size[1])
		}
		if bar := helpBarOf(d.view()); !strings.Contains(bar, "esc cancel") {
			t.Fatalf("%dx%d: with the matches closed the help bar is %q", size[0], size[1], bar)
		}
	}
}

func TestAChosenLookupShowsItsCheckRightAfterTheName(t *testing.T) {
	f := seededFake(2)
	c := New(Options{Backend: f}).c
	fd := remote.Field{Name: "AccountId", Label: "Account ID", Type: "reference", ReferenceTo: []string{"Account"}}
	l := newLookupField(c, fd, "001000000000000001", "Acme 000001")
	_ = l.Focus()
	for _, w := range []int{40, 180} {
		v := l.View(true, w)
		if !strings.Contains(v, "Acme 000001") || !strings.Contains(strings.TrimRight(v, " "), "  ✓") ||
			strings.Index(v, "✓")-strings.Index(v, "Acme 000001") > len("Acme 000001")+4 {
			t.Fatalf("width %d: the check is not beside the name: %q", w, v)
		}
	}
}

// A lookup whose text was edited away from the record chosen shows, once left, what was typed
// and that no record is chosen — not the old record's name, which saving would refuse anyway.
func TestALookupEditedAwayFromItsRecordSaysSoWhenLeft(t *testing.T) {
	f := seededFake(2)
	c := New(Options{Backend: f}).c
	fd := remote.Field{Name: "AccountId", Label: "Account ID", Type: "reference", ReferenceTo: []string{"Account"}}
	l := newLookupField(c, fd, "001000000000000001", "Acme 000001")
	_ = l.Focus()
	if v := l.View(false, 60); !strings.HasPrefix(v, "Acme 000001") {
		t.Fatalf("chosen: %q", v)
	}
	var in fieldInput = l
	in, _ = in.Update(tea.KeyMsg{Type: tea.KeyBackspace})
	in.Blur()
	if v := in.View(false, 60); !strings.Contains(v, "Acme 00000") || !strings.Contains(v, "(not chosen)") {
		t.Fatalf("edited away and left: %q", v)
	}
	if in.Check() == nil {
		t.Fatal("saving takes a lookup whose text names no chosen record")
	}
}
