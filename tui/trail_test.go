package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// familyFake is an account with two contacts, the second with a task of its own.
func familyFake() *fakeBackend {
	f := seededFake(2)
	f.add("Contact", remote.Fields{"Id": "003000000000000002", "LastName": "Brown", "Name": "Al Brown", "AccountId": "001000000000000000"})
	f.add("Task", remote.Fields{"Id": "00T000000000000001", "Subject": "Call Jo", "WhoId": "003000000000000001"})
	f.sortAll()
	return f
}

func (d *driver) requireTitle(want string) {
	d.t.Helper()
	if got := strings.Split(d.view(), "\n")[0]; strings.TrimSpace(got) != want {
		d.t.Fatalf("title bar is %q, want %q:\n%s", got, want, d.view())
	}
}

func TestEscFromARelatedRecordGoesBackToTheParentRecordAsItWasLeft(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		d := newDriver(t, familyFake(), size[0], size[1])
		d.keys("enter", "enter", "tab", "down")
		d.requireView("▸ Jo Smith")
		d.keys("enter")
		d.requireTitle("offline-edit › Accounts › Acme 000000 › Jo Smith")
		d.requireView("Contact  Jo Smith")

		// One more level down: the contact's task.
		d.keys("tab", "enter")
		d.requireTitle("offline-edit › Accounts › Acme 000000 › Jo Smith › Call Jo")
		d.keys("esc")
		d.requireTitle("offline-edit › Accounts › Acme 000000 › Jo Smith")
		d.requireView("Contact  Jo Smith", "▸ Tasks (1)")

		d.keys("esc")
		d.requireTitle("offline-edit › Accounts › Acme 000000")
		d.requireView("Account  Acme 000000", "▸ Contacts (2)", "▸ Jo Smith")
		if m := d.model(); m.detail.pane != 1 || m.detail.relCursor != 1 {
			t.Fatalf("%dx%d: back on the account with pane %d, row %d; want the contacts list on its second row",
				size[0], size[1], m.detail.pane, m.detail.relCursor)
		}

		d.keys("esc")
		d.requireTitle("offline-edit › Accounts")
		d.keys("esc")
		d.requireTitle("offline-edit")
	}
}

func TestRecordsOpenedFromListsStartANewTrail(t *testing.T) {
	d := newDriver(t, familyFake(), 80, 24)
	// My Tasks: the record opened from the list goes back to the list.
	d.keys("down", "down", "enter")
	d.requireTitle("offline-edit › My Tasks")
	d.keys("enter")
	d.requireTitle("offline-edit › My Tasks › Call Jo")
	d.keys("esc")
	d.requireTitle("offline-edit › My Tasks")
	d.keys("esc")

	// A record opened from a related list, left for the menu, then another from a list: no
	// trail of the first remains.
	d.keys("up", "up", "enter", "enter", "tab", "enter")
	d.requireTitle("offline-edit › Accounts › Acme 000000 › Al Brown")
	d.keys("esc", "esc", "esc", "down", "enter", "enter")
	d.requireTitle("offline-edit › Contacts › Al Brown")
	d.keys("esc")
	d.requireTitle("offline-edit › Contacts")
}

func TestTrailFollowsRecordsCreatedOfflineToTheirServerIDsAndNamesAfterASync(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		f := seededFake(1)
		ctx := context.Background()
		acct, _ := f.Create(ctx, "Account", remote.Fields{"Name": "Offline Co"})
		person, _ := f.Create(ctx, "Contact", remote.Fields{"LastName": "Newman", "AccountId": acct})
		task, _ := f.Create(ctx, "Task", remote.Fields{"Subject": "Call Newman", "WhoId": person})
		f.sortAll()
		d := newDriver(t, f, size[0], size[1])
		d.keys("enter", "down", "enter", "tab", "enter", "tab", "enter")
		d.requireTitle("offline-edit › Accounts › Offline Co › Newman › Call Newman")

		f.syncCreate(acct, "001S00000000000001", "Offline Co Ltd")
		f.syncCreate(person, "003S00000000000001", "Newman-Ray")
		f.syncCreate(task, "00TS00000000000001", "")
		d.send(refreshMsg{})
		d.requireTitle("offline-edit › Accounts › Offline Co Ltd › Newman-Ray › Call Newman")
		for i, want := range []string{"001S00000000000001", "003S00000000000001"} {
			if got := d.model().trail[i].id; got != want {
				t.Fatalf("trail page %d is on %q after the sync, want the server id %q", i, got, want)
			}
		}

		d.keys("esc")
		d.requireTitle("offline-edit › Accounts › Offline Co Ltd › Newman-Ray")
		d.requireView("Contact  Newman-Ray", "Call Newman")
		d.refuseView("no longer cached")
		d.keys("esc")
		d.requireTitle("offline-edit › Accounts › Offline Co Ltd")
		d.requireView("Account  Offline Co Ltd", "Newman-Ray")
		d.refuseView("no longer cached")
	}
}

func TestBackOffTheTrailTheCursorStaysOnARowWhenTheChildLeftTheList(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 16}, {200, 60}} {
		f := familyFake()
		d := newDriver(t, f, size[0], size[1])
		d.keys("enter", "enter", "tab", "down", "enter")
		d.requireTitle("offline-edit › Accounts › Acme 000000 › Jo Smith")
		// The org removed the contact meanwhile.
		f.mu.Lock()
		f.records["Contact"] = f.records["Contact"][:1]
		f.mu.Unlock()
		d.keys("esc")
		d.requireView("▸ Contacts (1)", "▸ Al Brown")
		if c := d.model().detail.relCursor; c != 0 {
			t.Fatalf("%dx%d: back on the account the cursor is on row %d of a list of 1", size[0], size[1], c)
		}
		d.keys("enter")
		d.requireTitle("offline-edit › Accounts › Acme 000000 › Al Brown")
	}
}

func TestEscDuringADeleteLeavesTheDeleteNothingMoreToGoBackFrom(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 16}, {200, 60}} {
		d := newDriver(t, familyFake(), size[0], size[1])
		d.keys("enter", "enter", "tab", "enter")
		d.requireTitle("offline-edit › Accounts › Acme 000000 › Al Brown")
		d.keys("d")
		yes := d.model().modal.onYes
		if yes == nil {
			t.Fatalf("no delete confirmation:\n%s", d.view())
		}
		// The delete is under way when esc is pressed: the contact's page is left at once.
		d.keys("n", "esc")
		d.requireTitle("offline-edit › Accounts › Acme 000000")
		d.send(yes())
		d.requireTitle("offline-edit › Accounts › Acme 000000")
		d.requireView("Contact deleted.")
	}
}
