package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/pending"
)

// The selected row of Pending Changes is highlighted across its whole width, as in the object
// lists: its sash's colour does not end the highlight after the sash.
func TestPendingChangesHighlightsTheWholeSelectedRow(t *testing.T) {
	defer withColor(true)()
	f := seededFake(2)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000", Op: pending.OpUpdate,
		Status: pending.StatusPending, UpdatedAt: time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)})
	for _, screen := range []string{"pending", "list"} {
		d := newDriver(t, f, 100, 30)
		if screen == "pending" {
			d.keys("p")
		} else {
			d.keys("enter")
		}
		var row string
		for _, l := range strings.Split(d.view(), "\n") {
			if strings.Contains(l, "▸") && strings.Contains(l, "Acme 000000") {
				row = l
			}
		}
		if row == "" {
			t.Fatalf("%s: no selected row:\n%s", screen, d.view())
		}
		// From the sash's word on, every text run is drawn on the highlight's background.
		at := strings.Index(row, "Acme 000000")
		before := row[:at]
		last := max(strings.LastIndex(before, "\x1b[0m"), strings.LastIndex(before, "\x1b[m"))
		if last >= 0 && !strings.Contains(before[last:], "48;") {
			t.Fatalf("%s: the highlight ends before the record's name: %q", screen, row)
		}
		if !strings.Contains(before, "48;") {
			t.Fatalf("%s: the row is not highlighted: %q", screen, row)
		}
	}
}
