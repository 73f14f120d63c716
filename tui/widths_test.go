package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"

	"github.com/offline-edit/offline-edit/remote"
)

// refuseCutBody fails when a line above the status bar is cut ("…").
func (d *driver) refuseCutBody() {
	d.t.Helper()
	lines := strings.Split(d.view(), "\n")
	for _, l := range lines[:len(lines)-2] {
		if strings.Contains(l, "…") {
			d.t.Fatalf("a line is cut: %q\n%s", l, d.view())
		}
	}
}

// requireFits fails when a line of the view is wider than the terminal.
func (d *driver) requireFits(w int) {
	d.t.Helper()
	for _, l := range strings.Split(d.view(), "\n") {
		if lipgloss.Width(l) > w {
			d.t.Fatalf("line %d wide on a %d terminal: %q", lipgloss.Width(l), w, l)
		}
	}
}

func TestConflictUnderAFieldIsWrappedWithWhoAndWhenWhole(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		f := ownedFake()
		f.entries[0].Conflicts[0].Theirs = "555-0199 extension 4410, ask for the front desk"
		d := newDriver(t, namedBackend{f, map[string]string{samID: "Sam Chen"}}, size[0], size[1])
		d.keys("enter", "enter")
		// Words may go to the next line, but none is cut.
		v := strings.Join(strings.Fields(d.view()), " ")
		if !strings.Contains(v, `front desk" (Sam Chen, Mar 4 10:30)`) {
			t.Fatalf("%dx%d: the conflict line is cut:\n%s", size[0], size[1], d.view())
		}
		d.refuseCutBody()
		d.requireFits(size[0])
	}
}

// pendingFake queues changes on two accounts whose names differ only at the end: one the org
// refused (red), one that broke a validation rule with a long message (orange).
func pendingFake() *fakeBackend {
	f := seededFake(0)
	f.add("Account", remote.Fields{"Id": "001000000000000011", "Name": "Blue Sun Industries"})
	f.add("Account", remote.Fields{"Id": "001000000000000012", "Name": "Blue Sun Partners"})
	f.sortAll()
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000011", Name: "Blue Sun Industries",
		Op: pending.OpUpdate, Status: pending.StatusFailed, Code: "INSUFFICIENT_ACCESS_OR_READONLY",
		Message: "You no longer have access to change this record", UpdatedAt: f.now})
	f.setEntry(pending.Entry{ID: "e2", Object: "Account", RecordID: "001000000000000012", Name: "Blue Sun Partners",
		Op: pending.OpUpdate, Status: pending.StatusInvalid, Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION",
		Message: "Account Fax is required for every account in this region", UpdatedAt: f.now})
	return f
}

func TestObjectHomeNamesTakeTheRoomOfValuesNotOnScreen(t *testing.T) {
	f := pendingFake()
	f.records["Account"][0]["Industry"] = "Government"
	for i := 0; i < 30; i++ {
		f.add("Account", remote.Fields{"Id": sprintf("001%015d", 200+i), "Name": sprintf("Cedar %02d", i),
			"Industry": "Energy", "Phone": "555-0100", "BillingCity": "Oslo"})
	}
	// Further down the list, values that would take the room if they were on screen.
	for i := 0; i < 40; i++ {
		f.add("Account", remote.Fields{"Id": sprintf("001%015d", 100+i), "Name": sprintf("Zeta %02d", i),
			"Industry": "Telecommunications and Broadcasting", "Phone": "(555) 010-0000 extension 12"})
	}
	f.sortAll()
	d := newDriver(t, f, 80, 24)
	d.keys("enter")
	d.requireView("✖ Can't be saved Blue Sun Industries ", "Blue Sun Partners ", "Government")
	d.refuseCutBody()
	d.requireFits(80)
}
