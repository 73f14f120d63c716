package tui

import (
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// A change refused because the user could no longer see the record stays red, but once the
// org says (asked when the page opens online) that the record is shared with them again, the
// page no longer claims they have no access: the share shows, and New Task is offered.
func TestARecordSharedAgainAfterItsChangeWasRefusedForLostAccessNoLongerClaimsNoAccess(t *testing.T) {
	const id = "001000000000000000"
	cases := []struct {
		name     string
		offline  bool
		known    pending.Access
		org      pending.Access
		unseen   bool
		want     []string
		unwanted []string
		newTask  bool
	}{
		{name: "shared read-only since", known: pending.AccessRead, org: pending.AccessRead,
			want:     []string{"(read only: shared with you)", "Can't be saved", "shared with you again (read only)", "[t] New Task  "},
			unwanted: []string{"(no access)", "can no longer see"}, newTask: true},
		{name: "shared to edit since", known: pending.AccessRead, org: pending.AccessEdit,
			want:     []string{"(shared with you: edit, not delete)", "Can't be saved", "shared with you again (to edit)"},
			unwanted: []string{"(no access)"}, newTask: true},
		{name: "still out of sight", known: pending.AccessRead, unseen: true,
			want:     []string{"(no access)", "[t] New Task (no access)", "can no longer see"},
			unwanted: []string{"shared with you"}},
		{name: "offline: not asked", offline: true, known: pending.AccessRead, org: pending.AccessRead,
			want:     []string{"(no access)", "[t] New Task (no access)"},
			unwanted: []string{"shared with you"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := seededFake(1)
			f.access = map[string]pending.Access{id: c.known}
			f.orgAccess = map[string]pending.Access{id: c.org}
			f.orgUnseen = map[string]bool{id: c.unseen}
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: id, Name: "Acme 000000",
				Op: pending.OpUpdate, Status: pending.StatusFailed, Code: "NOT_FOUND", Message: "You no longer have access to this record",
				Errors:  []pending.FieldError{{Code: "NOT_FOUND", Message: "The requested resource does not exist"}},
				Changes: remote.Fields{"Phone": "1"}})
			d := newDriver(t, f, 120, 30)
			if c.offline {
				d.keys("o")
			}
			d.keys("enter", "enter")
			d.requireView(append([]string{"Acme 000000", "✖ Can't be saved"}, c.want...)...)
			d.refuseView(c.unwanted...)
			d.keys("t")
			if c.newTask {
				d.requireView("New Task", "ctrl+s save")
				d.refuseView("can't take new records")
			} else {
				d.requireView("can't take new records")
			}
		})
	}
}
