package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
)

func TestPendingChangesShowErrorCodesAndRecordNamesWhole(t *testing.T) {
	for _, size := range [][2]int{{60, 20}, {80, 24}, {200, 60}} {
		d := newDriver(t, pendingFake(), size[0], size[1])
		d.keys("p")
		d.requireView("Blue Sun Industries", "Blue Sun Partners", "Edit",
			"FIELD_CUSTOM_VALIDATION_EXCEPTION", "INSUFFICIENT_ACCESS_OR_READONLY")
		d.refuseCutBody()
		d.requireFits(size[0])
		// The cursor moves over entries of two lines or more and stays on screen.
		d.keys("down")
		d.requireView("▸ ▲ Fix errors")
	}
}

func TestPendingChangesScrollKeepsTheCursorsEntryWhole(t *testing.T) {
	f := seededFake(12)
	for i := 0; i < 12; i++ {
		id := sprintf("001%015d", i)
		f.setEntry(pending.Entry{ID: sprintf("e%d", i), Object: "Account", RecordID: id, Name: sprintf("Acme %06d", i),
			Op: pending.OpUpdate, Status: pending.StatusInvalid, Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION",
			Message: "Account Fax is required for every account in this region", UpdatedAt: f.now})
	}
	d := newDriver(t, f, 60, 20)
	d.keys("p")
	for i := 0; i < 12; i++ {
		d.requireView(sprintf("▸ ▲ Fix errors Account Acme %06d", i))
		lines := strings.Split(d.view(), "\n")
		for j, l := range lines {
			if strings.Contains(l, "▸ ▲") && (j+3 >= len(lines) || !strings.Contains(lines[j+3], "FIELD_CUSTOM_VALIDATION_EXCEPTION")) {
				t.Fatalf("entry %d is not whole on screen:\n%s", i, d.view())
			}
		}
		d.keys("down")
	}
}

// A change waiting for a record created offline names that record on Pending Changes, and says
// when it needs the user first (a refused create: syncing again cannot move either).
func TestAWaitingChangeNamesTheRecordItWaitsFor(t *testing.T) {
	for _, parent := range []pending.Status{pending.StatusPending, pending.StatusInvalid} {
		t.Run(string(parent), func(t *testing.T) {
			f := seededFake(1)
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "local-p", Name: "Plane Co", Op: pending.OpCreate,
				Status: parent, Code: map[bool]string{true: "FIELD_CUSTOM_VALIDATION_EXCEPTION"}[parent == pending.StatusInvalid]})
			f.setEntry(pending.Entry{ID: "e2", Object: "Contact", RecordID: "local-c", Name: "Jo Pilot", Op: pending.OpCreate,
				Status: pending.StatusWaiting, WaitingOn: "local-p"})
			d := newDriver(t, f, 120, 30)
			d.keys("p")
			if parent == pending.StatusInvalid {
				// On two lines at 120 columns: the whole of it.
				if want := `Waiting for Account "Plane Co", which needs you first (needs your attention: the org refused the change)`; !strings.Contains(flat(d.view()), want) {
					t.Fatalf("view lacks %q:\n%s", want, d.view())
				}
			} else {
				d.requireView(`Waiting for Account "Plane Co" to sync first`)
			}
		})
	}
}
