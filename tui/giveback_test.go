package tui

import (
	"context"
	"testing"

	"github.com/offline-edit/offline-edit/scenario"
)

// The backstage gives a record back to the device's user while someone else owns it on the
// org, acting as sam (who owns it then) or as the admin; the item is offered only then.
func TestBackstageGivesTheRecordBackToMe(t *testing.T) {
	env := qaEnv(t, nil)
	eng := env.Engine()
	ctx := context.Background()
	acct := firstAccountOf(t, eng)
	me, err := env.UserID(ctx, scenario.Me)
	if err != nil {
		t.Fatal(err)
	}
	owner := func() string {
		t.Helper()
		admin, err := env.Client(ctx, "admin")
		if err != nil {
			t.Fatal(err)
		}
		r, err := admin.Retrieve(ctx, "Account", acct.ID, []string{"OwnerId"})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := r.Fields["OwnerId"].(string)
		return s
	}
	if owner() != me {
		t.Skipf("the first account, %s, is not mine", acct.Name)
	}
	s := newQAStory(t, Options{Backend: eng, NetStatus: env.Network().String, Backstage: env})
	s.press("enter")
	s.wait("records")
	s.press("enter")
	s.wait(acct.Name, "[d] Delete")
	s.press("B")
	s.wait("SIMULATION — backstage", "Change its owner to sam")
	s.refuse("Make alex") // mine: nothing to give back
	// Mine: a share with me, or its loss, changes nothing; the panel says so rather than do it.
	s.wait("Share it with me: read only  (you own it)")
	s.backstageItem("Share it with me: read only")
	s.wait("▸ Share it with me: read only  (you own it)") // selected, it still says why
	s.press("enter")
	s.wait("You own this record")

	for _, as := range []string{"sam", "admin"} {
		s.backstageItem("Change its owner to sam")
		s.press("enter")
		s.wait(`✓ as admin: edit Account "`+acct.Name+`": Owner "sam"`, "Make alex its owner")
		s.refuse("(you own it)")
		if owner() == me {
			t.Fatal("the owner change did not reach the org")
		}
		if as == "admin" {
			s.press("u")
			s.wait("Acting as admin now.", "Make alex its owner")
		}
		s.backstageItem("Make alex its owner")
		s.press("enter")
		v := s.wait(`✓ as ` + as + `: edit Account "` + acct.Name + `": Owner "alex"`)
		if owner() != me {
			t.Fatalf("given back as %s, the org's owner is %s, not me (%s):\n%s", as, owner(), me, v)
		}
		// Mine again: the item goes, and the cursor with it to the owner item.
		s.waitGone("Make alex its owner")
		s.wait("▸ Change its owner to " + as)
	}
}

// The backstage opened again on the same record keeps its cursor on the item last chosen while
// the admin's answer on the owner comes back: the give-back item, hidden meanwhile, came back
// under a cursor that had moved, and enter ran the item below (a share narrowed unasked).
func TestReopeningTheBackstageKeepsItsCursorOnTheSameItem(t *testing.T) {
	env := qaEnv(t, nil)
	eng := env.Engine()
	acct := firstAccountOf(t, eng)
	s := newQAStory(t, Options{Backend: eng, NetStatus: env.Network().String, Backstage: env})
	s.press("enter")
	s.wait("records")
	s.press("enter")
	s.wait(acct.Name, "[d] Delete")
	s.press("B")
	s.wait("SIMULATION — backstage", "Change its owner to sam")
	s.backstageItem("Change its owner to sam")
	s.press("enter")
	s.wait(`✓ as admin: edit Account "`+acct.Name+`": Owner "sam"`, "Make alex its owner")
	s.backstageItem("Share it with me: read and edit")
	for i := 0; i < 3; i++ {
		s.press("esc")
		s.wait("[d] Delete")
		s.press("B")
		s.wait("SIMULATION — backstage", "Make alex its owner")
		s.wait("▸ Share it with me: read and edit")
	}
}
