package tui

import (
	"context"
	"fmt"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
)

// x pressed twice quickly on red changes dismisses nothing: the first press asks, and the
// second reaches the question, which takes only y or n.
func TestDismissTwiceQuicklyAsksAndDismissesNothingUnasked(t *testing.T) {
	f := seededFake(3)
	for i, id := range []string{"001000000000000000", "001000000000000001"} {
		f.setEntry(pending.Entry{ID: fmt.Sprintf("red%d", i), Object: "Account", RecordID: id, Name: fmt.Sprintf("Acme 00000%d", i), Op: pending.OpUpdate,
			Status: pending.StatusFailed, Code: "ENTITY_IS_DELETED", Message: "Record was deleted by another user"})
	}
	d := newDriver(t, f, 100, 30)
	d.keys("p")
	d.requireView("Pending Changes  2")
	d.keys("x", "x")
	d.requireView("Dismiss change?", "record then leaves this device")
	if n, _, _ := f.Counts(context.Background()); n != 2 {
		t.Fatalf("two quick x presses left %d changes, want both kept until a yes", n)
	}
	d.keys("n")
	d.requireView("Pending Changes  2")
	d.keys("x", "y")
	if n, _, _ := f.Counts(context.Background()); n != 1 {
		t.Fatalf("after x then y %d changes are left, want 1", n)
	}
}
