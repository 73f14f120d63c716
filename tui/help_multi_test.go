package tui

import (
	"strings"
	"testing"
)

// withInterest is a fake whose accounts have the Product Interest multi-select.
func withInterest(n int) *fakeBackend {
	f := seededFake(n)
	d := *f.desc["Account"]
	d.Fields = append(append(d.Fields[:0:0], d.Fields...), interestField)
	f.desc["Account"] = &d
	return f
}

// The form's help bar on a checklist names space and ↑/↓ at 80 columns, and the full help
// lists space ticking a multi-select value.
func TestChecklistHelpSaysSpaceTicksAndArrowsMove(t *testing.T) {
	d := newDriver(t, withInterest(2), 80, 24)
	d.keys("enter", "enter", "e")
	for i := 0; i < 60 && !strings.Contains(d.view(), "▸ Product Interest"); i++ {
		d.keys("down")
	}
	d.requireView("▸ Product Interest")
	if bar := helpBarOf(d.view()); !strings.Contains(bar, "space tick/untick · ↑/↓ move") {
		t.Fatalf("the checklist's help bar is %q", bar)
	}
	d = newDriver(t, withInterest(2), 120, 80)
	d.keys("?")
	d.requireView("space", "on a multi-select: tick/untick the value")
}
