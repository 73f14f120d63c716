package tui

import (
	"context"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// userNamesFake is the fake with the names the device keeps of users, as the engine's Names
// gives them: users are no cached records.
type userNamesFake struct {
	*fakeBackend
	users map[string]string
}

func (u userNamesFake) Names(_ context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if n := u.users[id]; n != "" {
			out[id] = n
		}
	}
	return out, nil
}

const (
	ownerAlex  = "005000000000000001"
	ownerSam   = "005000000000000002"
	ownerAdmin = "005000000000000003"
)

// ownerConflict opens the conflict screen on an owner conflict: the device's user gave sam's
// record to alex, sam gave it to the admin meanwhile.
func ownerConflict(t *testing.T) (*driver, *fakeBackend) {
	t.Helper()
	return ownerConflictOf(t, ownerSam, ownerAdmin, ownerAlex,
		map[string]string{ownerAlex: "Alex Rivera", ownerSam: "Sam Lee", ownerAdmin: "Ada Admin"})
}

// ownerConflictOf opens the conflict screen on an owner conflict of the given users (base, theirs
// by the base's owner, mine), with the names the device keeps of users.
func ownerConflictOf(t *testing.T, base, theirs, mine string, users map[string]string) (*driver, *fakeBackend) {
	t.Helper()
	f := seededFake(3)
	a := f.desc["Account"]
	a.Fields = append(a.Fields, remote.Field{Name: "OwnerId", Label: "Owner ID", Type: "reference", ReferenceTo: []string{"User"}, Createable: true, Updateable: true})
	f.records["Account"][0]["OwnerId"] = base
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"OwnerId": mine},
		Conflicts: []pending.Conflict{{Field: "OwnerId", Base: base, Theirs: theirs, Mine: mine, TheirsBy: base}}})
	b := userNamesFake{fakeBackend: f, users: users}
	d := newDriver(t, b, 100, 30)
	d.send(openConflictMsg{entryID: "e1"})
	d.requireView("Resolve conflict")
	return d, f
}

func TestOwnerConflictShowsTheUsersByTheNamesTheDeviceKeeps(t *testing.T) {
	d, _ := ownerConflict(t)
	for which, want := range map[string]string{"base": "Sam Lee", "theirs": "Ada Admin", "mine": "Alex Rivera"} {
		if got := rowOf(t, d, which); got != want {
			t.Errorf("%s shows %q, want %q:\n%s", which, got, want, d.view())
		}
	}
	d.refuseView(ownerAdmin, ownerAlex)
}

func TestOwnerConflictNewOwnerIsTypedByNameOrId(t *testing.T) {
	d, f := ownerConflict(t)
	d.keys("v")
	d.requireView("Alex Rivera", "a user's name shown above, or a user id (005…)")
	d.keys("Nobody", "enter")
	d.requireView("✖ type one of the users this screen knows")
	if !d.model().conflict.editing {
		t.Fatalf("a name no user has was set:\n%s", d.view())
	}
	for range 20 {
		d.keys("backspace")
	}
	d.keys("sam lee", "enter")
	if got := rowOf(t, d, "new"); got != "Sam Lee" {
		t.Fatalf("the new owner shows %q:\n%s", got, d.view())
	}
	d.keys("v")
	for range 20 {
		d.keys("backspace")
	}
	d.keys(ownerAdmin, "enter")
	if got := rowOf(t, d, "new"); got != "Ada Admin" {
		t.Fatalf("the new owner typed by id shows %q:\n%s", got, d.view())
	}
	d.keys("ctrl+s")
	if ch := f.resolved["OwnerId"]; ch.Take != pending.TakeValue || ch.Value != ownerAdmin {
		t.Fatalf("the resolution sent %+v", ch)
	}
}

// Two users of one name (mine and theirs both "Sam Lee"): the name picks neither, so the editor
// opens on mine's id, and typing the name asks for the id of the one meant. Map order once
// decided which Sam Lee the name meant, and enter on the untouched editor could save theirs.
func TestOwnerConflictWithTwoUsersOfOneNameAsksForTheID(t *testing.T) {
	const otherSam = "005000000000000004"
	open := func() (*driver, *fakeBackend) {
		return ownerConflictOf(t, ownerAlex, ownerSam, otherSam,
			map[string]string{ownerAlex: "Alex Rivera", ownerSam: "Sam Lee", otherSam: "Sam Lee"})
	}
	for range 20 { // the names are read from a map: any order must give the same answer
		d, f := open()
		d.keys("v", "enter", "ctrl+s")
		if ch := f.resolved["OwnerId"]; ch.Take != pending.TakeValue || ch.Value != otherSam {
			t.Fatalf("enter on the editor as it opened resolved %+v, want mine, %s", ch, otherSam)
		}
		d, _ = open()
		d.keys("v")
		for range 20 {
			d.keys("backspace")
		}
		d.keys("sam lee", "enter")
		d.requireView(`several users are named "sam lee"`, ownerSam, otherSam)
	}
}
