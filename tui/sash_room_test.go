package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
)

func TestListGivesTheSashColumnOnlyTheRoomTheRowsOnScreenNeed(t *testing.T) {
	f := seededFake(60)
	// A change far down the list, out of the first screen of rows.
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000050", Name: "Acme 000050",
		Op: pending.OpUpdate, Status: pending.StatusWaiting})
	d := newDriver(t, f, 80, 24)
	d.keys("enter")
	d.requireView("Acme 000000")
	v := d.view()
	if !strings.Contains(v, "▸ Acme 000000") || !strings.Contains(v, "\n  Name ") || !strings.Contains(v, "\n  Acme 000001") {
		t.Fatalf("with no sash on screen the rows keep room for one:\n%s", v)
	}
	for range 50 {
		d.keys("down")
	}
	v = d.view()
	if !strings.Contains(v, "▸ ● Waits for parent Acme 000050") {
		t.Fatalf("the sash of the row on screen is not shown:\n%s", v)
	}
	if !strings.Contains(v, "\n                     Acme 000049") {
		t.Fatalf("the rows without a sash do not line up with it:\n%s", v)
	}
}
