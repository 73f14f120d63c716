package tui

import (
	"cmp"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// A record shared with the user read-only offers no Edit or Delete, and one shared to edit no
// Delete: the page says so in its header and action bar, and the keys say why at once (no form,
// no confirmation).
func TestASharedRecordOffersOnlyWhatItsShareAllows(t *testing.T) {
	cases := []struct {
		access                pending.Access
		header, bar           []string
		editSays, deleteSays  string
		editOpens, deleteAsks bool
	}{
		{access: pending.AccessRead, header: []string{"read only: shared with you"},
			bar:      []string{"[e] Edit (read only)", "[d] Delete (read only)"},
			editSays: "open the page again: it asks the org each time it opens online", deleteSays: "the org would refuse to delete it"},
		{access: pending.AccessEdit, header: []string{"shared with you: edit, not delete"},
			bar: []string{"[d] Delete (not yours)", "e edit · t new task"}, editOpens: true,
			deleteSays: "only its owner or an admin can delete it"},
		{access: pending.AccessFull, deleteAsks: true, editOpens: true},
	}
	for _, c := range cases {
		t.Run(cmp.Or(string(c.access), "full"), func(t *testing.T) {
			f := seededFake(2)
			f.access = map[string]pending.Access{"001000000000000000": c.access}
			d := newDriver(t, f, 120, 30)
			d.keys("enter", "enter")
			d.requireView(append(append([]string{"Acme 000000"}, c.header...), c.bar...)...)
			if c.access == pending.AccessFull {
				d.refuseView("read only", "shared with you", "(not yours)")
			}
			d.keys("d")
			if c.deleteAsks != d.model().modal.open() {
				t.Fatalf("delete asked for confirmation: %v", d.model().modal.open())
			}
			if c.deleteSays != "" {
				d.requireView(c.deleteSays)
			}
			if c.deleteAsks {
				d.keys("esc")
			}
			d.keys("e")
			if c.editOpens {
				d.requireView("Edit Account")
				return
			}
			d.requireView(c.editSays)
			d.refuseView("Edit Account ·")
		})
	}
}

// A record the device knows as shared read-only is asked about again when its page opens online:
// a share widened since the last check offers Edit at once, without o twice. Offline, the page
// asks nothing and keeps what the device knows.
func TestARecordPageOpenedOnlineLearnsAShareWidenedSince(t *testing.T) {
	for _, online := range []bool{true, false} {
		t.Run(map[bool]string{true: "online", false: "offline"}[online], func(t *testing.T) {
			f := seededFake(2)
			f.online = online
			f.access = map[string]pending.Access{"001000000000000000": pending.AccessRead}
			f.orgAccess = map[string]pending.Access{"001000000000000000": pending.AccessEdit}
			d := newDriver(t, f, 120, 30)
			d.keys("enter", "enter")
			if !online {
				d.requireView("(read only: shared with you)", "[e] Edit (read only)")
				d.keys("e")
				d.requireView("go online (o): the page asks the org again")
				if len(f.checked) != 0 {
					t.Fatalf("asked the org offline: %v", f.checked)
				}
				return
			}
			d.requireView("(shared with you: edit, not delete)", "[d] Delete (not yours)")
			if len(f.checked) != 1 {
				t.Fatalf("asked the org %d times, want once per opening: %v", len(f.checked), f.checked)
			}
			d.keys("e")
			d.requireView("Edit Account")
		})
	}
}

// At 80 columns a long name does not push the read-only tag off the page.
func TestTheReadOnlyTagShowsBesideALongName(t *testing.T) {
	f := seededFake(2)
	f.access = map[string]pending.Access{"001000000000000000": pending.AccessRead}
	f.records["Account"][0]["Name"] = "Acme " + strings.Repeat("International Holdings ", 4)
	d := newDriver(t, f, 80, 24)
	d.keys("enter", "enter")
	d.requireView("(read only: shared with you)", "[e] Edit (read only)")
}

// A record opened from Pending Changes goes back there on esc, even when another record page
// was open under Pending Changes.
func TestEscFromARecordOpenedInPendingChangesGoesBackThere(t *testing.T) {
	f := seededFake(3)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000001", Name: "Acme 000001",
		Op: pending.OpUpdate, Status: pending.StatusPending, Changes: remote.Fields{"Phone": "1"}})
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter") // the first account's page
	d.requireView("Account  Acme 000000")
	d.keys("p")
	d.requireView("Pending Changes  1", "Acme 000001")
	d.keys("enter")
	d.requireView("Account  Acme 000001", "› Pending Changes › Acme 000001")
	d.keys("esc")
	d.requireView("Pending Changes  1")
	d.refuseView("Account  Acme 000000")
}

// A screen left open over the record page under Pending Changes does not come back in the way:
// opened again from the new record, esc returns to that record.
func TestAScreenLeftUnderPendingChangesDoesNotCutTheNewRecordOff(t *testing.T) {
	f := seededFake(3)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000001", Name: "Acme 000001",
		Op: pending.OpUpdate, Status: pending.StatusPending, Changes: remote.Fields{"Phone": "1"}})
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter")
	d.requireView("Account  Acme 000000")
	d.keys("L") // the log, over the record page
	d.keys("p")
	d.requireView("Pending Changes  1", "Acme 000001")
	d.keys("enter")
	d.requireView("Account  Acme 000001")
	d.keys("L", "esc")
	d.requireView("Account  Acme 000001")
	d.keys("esc")
	d.requireView("Pending Changes  1")
}
