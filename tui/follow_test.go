package tui

import (
	"context"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// When a sync reloads a list under the user, the cursor stays on the record it was on (the next
// enter, d or B acts on that record), and that record stays where it was on the screen.
func TestAListReloadKeepsTheCursorOnItsRecord(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(rs []remote.Fields) []remote.Fields
		want   string
	}{
		{"a record above it leaves", func(rs []remote.Fields) []remote.Fields { return rs[1:] }, "Acme 000040"},
		{"a record above it arrives", func(rs []remote.Fields) []remote.Fields {
			return append([]remote.Fields{{"Id": "001999999999999999", "Name": "Aardvark Ltd"}}, rs...)
		}, "Acme 000040"},
		{"a record below it leaves", func(rs []remote.Fields) []remote.Fields { return slices.Delete(rs, 41, 42) }, "Acme 000040"},
		// Gone itself: the cursor stays on its row, now the next record's.
		{"the record itself leaves", func(rs []remote.Fields) []remote.Fields { return slices.Delete(rs, 40, 41) }, "Acme 000041"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := seededFake(100)
			d := newDriver(t, f, 100, 30)
			d.keys("enter")
			for range 40 {
				d.keys("down")
			}
			d.requireView("▸ Acme 000040")
			line := lineOf(d.view(), "▸ ")
			f.mu.Lock()
			f.records["Account"] = tc.change(f.records["Account"])
			f.mu.Unlock()
			d.send(refreshMsg{})
			d.requireView("▸ " + tc.want)
			if r, _ := d.model().home.row(d.model().home.cursor); r.Name != tc.want {
				t.Fatalf("the selection is %s, want %s", r.Name, tc.want)
			}
			if got := lineOf(d.view(), "▸ "); got != line {
				t.Errorf("the selected row moved on the screen from line %d to %d:\n%s", line, got, d.view())
			}
		})
	}
}

// lineOf is the number of the first line of a view that holds s (-1 when none does).
func lineOf(view, s string) int {
	for i, l := range strings.Split(view, "\n") {
		if strings.Contains(l, s) {
			return i
		}
	}
	return -1
}

// The same in a record's related list: a contact added to the account before the selected one
// leaves the cursor on the selected contact, and enter opens it.
func TestARelatedListReloadKeepsTheCursorOnItsRecord(t *testing.T) {
	f := familyFake()
	d := newDriver(t, f, 80, 24)
	d.keys("enter", "enter", "tab", "down")
	d.requireView("▸ Jo Smith")
	f.mu.Lock()
	f.add("Contact", remote.Fields{"Id": "003000000000000009", "LastName": "Able", "Name": "Aaron Able", "AccountId": "001000000000000000"})
	f.sortAll()
	f.mu.Unlock()
	d.send(refreshMsg{})
	d.requireView("Aaron Able", "▸ Jo Smith")
	d.keys("enter")
	d.requireView("Contact  Jo Smith")
}

// Deleting a record created offline and never sent says what happens: it is discarded, nothing is
// sent, nothing goes with it on the org, and the changes pointing at it are named (as a
// discard's question names them), not that the delete will sync and remove it for everyone.
func TestStoryDeletingARecordCreatedOfflineSaysItIsDiscarded(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := newStory(t, w)
	s.goOffline()
	parent, err := w.eng.Create(ctx, "Account", remote.Fields{"Name": "Zed Offline Parent"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.eng.Create(ctx, "Contact", remote.Fields{"LastName": "Kid", "AccountId": parent}); err != nil {
		t.Fatal(err)
	}
	s.wait("2 pending")
	s.press("enter")
	s.wait("records")
	s.press("/")
	s.wait("filter")
	s.press("Zed Offline", "enter")
	s.wait("▸ ● To sync Zed Offline Parent")
	s.press("enter")
	s.wait("Account  Zed Offline Parent", "[d] Delete")
	s.press("d")
	v := flat(s.wait("Delete Account?"))
	for _, want := range []string{"It was created on this", "nothing is sent", `Contact "Kid" points at it`} {
		if !strings.Contains(v, want) {
			t.Fatalf("the question lacks %q:\n%s", want, s.view())
		}
	}
	for _, unwanted := range []string{"for everyone", "go with it"} {
		if strings.Contains(v, unwanted) {
			t.Fatalf("the question says %q of a record the org never had:\n%s", unwanted, s.view())
		}
	}
	s.press("y")
	s.wait("No records match", "1 pending")
}

// And the line after it says the record was discarded and nothing sent, not that a delete syncs.
func TestDeletingARecordCreatedOfflineSaysNothingWasSent(t *testing.T) {
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Seq: 1, Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpCreate, Status: pending.StatusPending, Changes: map[string]any{"Name": "Acme 000000"}})
	d := newDriver(t, f, 100, 30)
	d.keys("o", "enter", "enter")
	d.requireView("Account  Acme 000000")
	d.keys("d")
	d.requireView("It was created on this device and", "it is discarded, and nothing is sent")
	d.keys("y")
	d.requireView("New account discarded; nothing was sent.")
	d.refuseView("will sync")
}

// A record followed to the end of the rows read (a rename that sorts it far down) has the rows
// around it read too: none shows as "…".
func TestAFollowedRecordNearTheEndOfThePageHasItsNeighboursRead(t *testing.T) {
	f := seededFake(300)
	d := newDriver(t, f, 80, 24)
	d.keys("enter")
	d.requireView("▸ Acme 000000")
	f.mu.Lock()
	f.records["Account"][0]["Name"] = "Acme 000195x"
	f.sortAll()
	f.mu.Unlock()
	d.send(refreshMsg{})
	d.requireView("▸ Acme 000195x", "Acme 000199", "Acme 000205")
	if strings.Contains(d.view(), "…\n") {
		t.Fatalf("rows past the page read show as \"…\" after the reload:\n%s", d.view())
	}
}

// A filter cleared (or typed) while a reload is under way leaves the cursor on the first row:
// the reload does not follow a record of the rows read with the old filter.
func TestClearingTheFilterDuringAReloadLeavesTheCursorOnTop(t *testing.T) {
	f := seededFake(300)
	d := newDriver(t, f, 80, 24)
	d.keys("enter", "/")
	for _, r := range "Acme 00015" {
		d.keys(string(r))
	}
	d.requireView("▸ Acme 000150", "10 records")
	var esc tea.Cmd
	d.m, esc = d.m.Update(tea.KeyMsg{Type: tea.KeyEsc}) // the cleared list being read…
	d.send(refreshMsg{})                                // …when a sync event reloads it
	d.run(esc)
	d.requireView("300 records", "▸ Acme 000000")
	if got := d.model().home.cursor; got != 0 {
		t.Fatalf("after esc cleared the filter the cursor is on row %d, want 0:\n%s", got, d.view())
	}
}

// A record that moves past the rows read, or is created far down a big list, keeps the cursor:
// the list reads the page that holds it. A renamed record stays on its screen row.
func TestTheCursorFollowsARecordBeyondTheRowsRead(t *testing.T) {
	t.Run("renamed", func(t *testing.T) {
		f := seededFake(600)
		d := newDriver(t, f, 80, 24)
		d.keys("enter", "down", "down")
		d.requireView("▸ Acme 000002")
		line := lineOf(d.view(), "▸ ")
		f.mu.Lock()
		f.records["Account"][2]["Name"] = "Acme 000500x"
		f.sortAll()
		f.mu.Unlock()
		d.send(refreshMsg{})
		d.requireView("▸ Acme 000500x", "Acme 000501")
		if r, _ := d.model().home.row(d.model().home.cursor); r.Name != "Acme 000500x" {
			t.Fatalf("the selection is %s", r.Name)
		}
		if got := lineOf(d.view(), "▸ "); got != line {
			t.Errorf("the renamed record moved on the screen from line %d to %d:\n%s", line, got, d.view())
		}
		if strings.Contains(d.view(), "…\n") {
			t.Fatalf("rows show as \"…\":\n%s", d.view())
		}
	})
	t.Run("created", func(t *testing.T) {
		f := seededFake(600)
		d := newDriver(t, f, 80, 24)
		d.keys("enter")
		d.requireView("▸ Acme 000000")
		f.mu.Lock()
		f.add("Account", remote.Fields{"Id": "001999999999999999", "Name": "Zz New Co"})
		f.sortAll()
		f.mu.Unlock()
		m := d.model()
		m.home.focusID = "001999999999999999"
		d.m = m
		d.send(refreshMsg{})
		d.requireView("▸ Zz New Co")
	})
}
