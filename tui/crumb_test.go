package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

func TestBreadcrumbNamesTheRecordAsItIsAfterANameConflictResolvedWithTheirs(t *testing.T) {
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Name": "Mine Co"},
		Conflicts: []pending.Conflict{{Field: "Name", Base: "Acme 000000", Theirs: "Theirs Co", Mine: "Mine Co"}}})
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter")
	d.requireView("Acme 000000")
	d.keys("p", "r")
	d.requireView("Resolve conflict")
	d.keys("t")
	// Taking theirs gives the record their name, as the engine does.
	f.mu.Lock()
	f.records["Account"][0]["Name"] = "Theirs Co"
	f.mu.Unlock()
	d.keys("ctrl+s")
	crumb := strings.Split(d.view(), "\n")[0]
	if !strings.Contains(crumb, "Pending Changes") || !strings.Contains(crumb, "Theirs Co") || strings.Contains(crumb, "Acme 000000") {
		t.Fatalf("the title bar is %q, want the record's new name before Pending Changes", crumb)
	}
}
