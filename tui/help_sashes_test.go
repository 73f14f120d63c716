package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

func TestHelpSashesCoverEveryStateTheAppShows(t *testing.T) {
	d := newDriver(t, seededFake(1), 80, 24)
	d.keys("?")
	m := d.model()
	w, _ := m.bodySize()
	help := flat(strings.Join(m.helpLines(w), "\n"))
	i := strings.Index(help, "Sashes")
	if i < 0 {
		t.Fatalf("the help has no Sashes section:\n%s", help)
	}
	sashes := help[i:]
	for _, want := range []string{
		"● To sync Waiting to sync",
		"● To delete To delete: waiting to sync",
		"● To sync Sent, no reply yet",
		"◐ Syncing Syncing now",
		"◐ Deleting Deleting now",
		"● Waits for parent Waiting to sync: needs a record created offline",
		"▲ Conflict Needs your attention: conflict",
		"▲ Fix errors Needs your attention: the org refused the change",
		"✖ Can't be saved Can't be saved: record was deleted",
		"✖ Can't be saved Can't be saved: you no longer have access",
		"✖ Can't be saved Can't be saved: you can no longer change it",
	} {
		if !strings.Contains(sashes, want) {
			t.Errorf("the help's Sashes lack %q:\n%s", want, strings.Join(m.helpLines(w), "\n"))
		}
	}
}

func TestConflictBarSaysArrowsMoveBetweenFieldsWhenThereAreSeveral(t *testing.T) {
	d, _ := twoFieldConflict(t, 80, 24)
	if bar := helpBarOf(d.view()); !strings.Contains(bar, "↑/↓ fields") {
		t.Errorf("at 80 columns the conflict's bar does not say ↑/↓: %q", bar)
	}
	if !strings.Contains(flat(d.view()), "↑/↓ move between fields") {
		t.Errorf("the conflict screen's hint does not say ↑/↓ moves between fields:\n%s", d.view())
	}

	f := seededFake(2)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Code: "CONFLICT", Message: "Another user changed Account Phone",
		Changes: remote.Fields{"Phone": "555-0111"},
		Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "555-0122", Mine: "555-0111",
			TheirsBy: "005A", TheirsAt: time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)}}})
	d = newDriver(t, f, 200, 24)
	d.keys("p", "r")
	d.requireView("Resolve conflict")
	if v := d.view(); strings.Contains(v, "↑/↓") {
		t.Errorf("a conflict of one field offers ↑/↓:\n%s", v)
	}
}
