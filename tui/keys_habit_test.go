package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// The record page and the conflict screen take g/home and G/end as every list does (they did
// nothing there), and pgup/pgdn move the conflict screen's cursor.
func TestTheRecordPageAndTheConflictScreenGoToTheirEnds(t *testing.T) {
	d := newDriver(t, seededFake(3), 80, 14)
	d.keys("enter", "enter")
	if d.model().active() != ScreenRecord {
		t.Fatalf("no record page:\n%s", d.view())
	}
	max := d.model().detail.maxScroll()
	if max == 0 {
		t.Fatal("the record page fits the terminal: nothing to scroll")
	}
	for _, k := range []string{"end", "G"} {
		d.keys("home")
		if d.model().detail.scroll != 0 {
			t.Fatalf("home left the page at %d", d.model().detail.scroll)
		}
		d.keys(k)
		if got := d.model().detail.scroll; got != max {
			t.Fatalf("%s scrolled to %d, want the end (%d)", k, got, max)
		}
	}
	d.keys("g")
	if d.model().detail.scroll != 0 {
		t.Fatalf("g left the page at %d", d.model().detail.scroll)
	}

	c, _ := twoFieldConflict(t, 80, 24)
	for _, k := range []string{"end", "G", "pgdown"} {
		c.keys("home")
		if c.model().conflict.cursor != 0 {
			t.Fatalf("home left the cursor at %d", c.model().conflict.cursor)
		}
		c.keys(k)
		if got := c.model().conflict.cursor; got != 1 {
			t.Fatalf("%s put the cursor on %d, want the last field (1)", k, got)
		}
	}
	c.keys("pgup")
	if c.model().conflict.cursor != 0 {
		t.Fatalf("pgup left the cursor at %d", c.model().conflict.cursor)
	}
}

// While a list filter is typed, ↑/↓ move through the matches (they did nothing until enter).
func TestTheArrowsMoveThroughAFiltersMatchesWhileItIsTyped(t *testing.T) {
	d := newDriver(t, seededFake(30), 100, 30)
	d.keys("enter", "/", "Acme 00000")
	d.requireView("↑/↓ matches")
	d.keys("down", "down")
	if got := d.model().home.cursor; got != 2 {
		t.Fatalf("the cursor is on row %d after two ↓ while filtering, want 2", got)
	}
	if !d.model().home.filtering || d.model().home.filter.Value() != "Acme 00000" {
		t.Fatalf("the arrows changed the filter: %q (filtering %v)", d.model().home.filter.Value(), d.model().home.filtering)
	}
	d.keys("up")
	if got := d.model().home.cursor; got != 1 {
		t.Fatalf("the cursor is on row %d after ↑, want 1", got)
	}
}

// A green change's record page offers x (discard) and, once a send failed, r (retry): both
// worked there, unsaid.
func TestAGreenChangesRecordPageOffersItsKeys(t *testing.T) {
	for _, c := range []struct {
		op       pending.Op
		attempts int
		want     []string
	}{
		{pending.OpUpdate, 0, []string{"x discard change"}},
		{pending.OpCreate, 0, []string{"x discard new record"}},
		{pending.OpUpdate, 2, []string{"x discard change", "r retry"}},
	} {
		f := seededFake(1)
		f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
			Op: c.op, Status: pending.StatusPending, Attempts: c.attempts, Changes: remote.Fields{"Phone": "1"}})
		d := newDriver(t, f, 200, 30)
		d.keys("enter", "enter")
		bar := helpBarOf(d.view())
		for _, w := range c.want {
			if !strings.Contains(bar, w) {
				t.Fatalf("%s with %d attempts: the help bar lacks %q: %q", c.op, c.attempts, w, bar)
			}
		}
	}
}

// The help lists o, p, B and L among the keys that never change: pressed while it is open they
// close it and do what they do (they did nothing).
func TestTheKeysThatNeverChangeWorkFromTheHelp(t *testing.T) {
	d := newDriver(t, seededFake(3), 100, 30)
	d.keys("?")
	if !d.model().showHelp {
		t.Fatal("? did not open the help")
	}
	d.keys("p")
	if d.model().showHelp || d.model().active() != ScreenPending {
		t.Fatalf("p from the help did not open Pending Changes:\n%s", d.view())
	}
	d.keys("?", "o")
	if d.model().showHelp || d.model().c.backend.Online() {
		t.Fatalf("o from the help did not go offline:\n%s", d.view())
	}
	d.keys("?", "j")
	if !d.model().showHelp {
		t.Fatal("j closed the help: it scrolls it")
	}
}
