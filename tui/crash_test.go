package tui

import (
	tea "github.com/charmbracelet/bubbletea"
	"testing"
)

func TestDownAndEnterOnAnEmptyRelatedListDoNothing(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 16}, {200, 60}} {
		d := newDriver(t, familyFake(), size[0], size[1])
		d.keys("enter", "enter")
		d.requireView("Account  Acme 000000")
		d.keys("tab", "tab")
		d.requireView("▸ Tasks (0)")
		d.keys("down", "down", "up", "down")
		if c := d.model().detail.relCursor; c != 0 {
			t.Fatalf("%dx%d: the cursor on an empty list is %d, want 0", size[0], size[1], c)
		}
		d.keys("enter")
		d.requireTitle("offline-edit › Accounts › Acme 000000")
	}
}

func TestDownAndEnterOnALookupWithNoMatchesDoNothing(t *testing.T) {
	f := seededFake(1)
	m := New(Options{Backend: f})
	fd, _ := f.desc["Contact"].Field("AccountId")
	l := newLookupField(m.c, fd, nil, "")
	var in fieldInput = l
	in, _ = in.Update(lookupResultsMsg{field: "AccountId", gen: l.gen})
	for _, k := range []tea.KeyType{tea.KeyDown, tea.KeyDown, tea.KeyEnter} {
		in, _ = in.Update(tea.KeyMsg{Type: k})
	}
	if l.sel != 0 || l.id != "" {
		t.Fatalf("after down and enter on no matches: selection %d, chose %q; want 0 and nothing", l.sel, l.id)
	}
}
