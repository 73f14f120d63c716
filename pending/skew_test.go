package pending

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// A device whose clock disagrees with the org's (ahead or behind) still learns of the org's
// deletes at its next sync: getDeleted refuses a window the org's clock has not reached (the
// watermark stays), and the comparison of the cached ids with the org's, every two minutes,
// finds the records gone.
func TestADeviceClockAheadOrBehindTheOrgsMissesNoDelete(t *testing.T) {
	for _, ahead := range []time.Duration{10 * time.Minute, 2 * time.Hour, -2 * time.Hour} {
		t.Run(ahead.String(), func(t *testing.T) {
			h := newHarness(t, harnessOpts{orgBehind: ahead})
			h.sync(t)
			for i := range 3 {
				h.clock.Set(h.clock.Now().Add(3 * time.Minute))
				c := h.firstOwned(t, "Contact")
				if err := h.as(t, "admin@demo.example").Delete(bg, "Contact", c.ID); err != nil {
					t.Fatal(err)
				}
				h.clock.Set(h.clock.Now().Add(3 * time.Minute))
				// A sync in a process of its own, whose first comparison of ids is left out:
				// only getDeleted is to tell of the delete.
				h.reopen(t)
				h.eng.recheckMembers = false
				h.sync(t)
				if _, err := h.eng.Record(bg, "Contact", c.ID); !errors.Is(err, ErrNotFound) {
					t.Fatalf("sync %d: the contact deleted on the org is still on the device: %v", i+1, err)
				}
			}
		})
	}
}

// A create whose reply was lost, on an org without Offline_Key__c, is looked for by its values
// among the records created since shortly before the send: on the org's clock, which stamps
// CreatedDate, kept with the change at the send. Each of these sent the create again (a second
// record): a device clock minutes ahead of the org's; one set right (or wrong) between the send
// and the lookup; an edit of the create after the lost send (the window of earlier sends was the
// device's); a restart before the send and before the lookup (the org had not said its time to
// the new process: a sign-in says nothing to the REST client).
func TestALostCreateIsFoundWhateverTheDevicesClockSays(t *testing.T) {
	for _, c := range []struct {
		name              string
		ahead, aheadAfter time.Duration // the device's clock ahead of the org's, at the send and after
		edit, restart     bool
	}{
		{name: "right"},
		{name: "ahead 6m", ahead: 6 * time.Minute, aheadAfter: 6 * time.Minute},
		{name: "ahead 2h", ahead: 2 * time.Hour, aheadAfter: 2 * time.Hour},
		{name: "behind 2h", ahead: -2 * time.Hour, aheadAfter: -2 * time.Hour},
		{name: "set right after the send", ahead: 10 * time.Minute},
		{name: "set wrong after the send", aheadAfter: 10 * time.Minute},
		{name: "set back after the send", aheadAfter: -10 * time.Minute},
		{name: "edited after the send", ahead: 10 * time.Minute, aheadAfter: 10 * time.Minute, edit: true},
		{name: "edited, and set right", ahead: 10 * time.Minute, edit: true},
		{name: "restarted, ahead", ahead: 10 * time.Minute, aheadAfter: 10 * time.Minute, restart: true},
		{name: "restarted, ahead 6m", ahead: 6 * time.Minute, aheadAfter: 6 * time.Minute, restart: true},
		{name: "restarted, set right", ahead: 10 * time.Minute, restart: true},
		{name: "restarted, set wrong", aheadAfter: 10 * time.Minute, restart: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{profile: mockorg.ProfileReal, orgBehind: c.ahead})
			h.sync(t)
			id, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Skewed Clock Ltd", "Phone": "555-0142"})
			if err != nil {
				t.Fatal(err)
			}
			if c.restart {
				h.reopen(t)
			}
			h.faults.set(once(isComposite, "lose"))
			_, _ = h.eng.Sync(bg)
			h.faults.set(nil)
			// The device's clock may be set: the org's runs on as it did.
			orgNow := h.clock.Now().Add(-c.ahead)
			h.clock.Set(orgNow.Add(c.aheadAfter).Add(5 * time.Second))
			h.orgBehind.Store(int64(c.aheadAfter))
			if c.restart {
				h.reopen(t)
			}
			if c.edit {
				if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "555-0199"}); err != nil {
					t.Fatal(err)
				}
			}
			h.sync(t)
			if n := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name = 'Skewed Clock Ltd'"); n != 1 {
				t.Fatalf("%d records on the org, want the one the lost reply created", n)
			}
			if total, _, _ := h.eng.Counts(bg); total != 0 {
				t.Fatalf("%d change(s) left, want none", total)
			}
		})
	}
}

// A create edited after a send whose outcome is unknown, sent again, whose reply is lost, with
// the device's clock set back between: the later send's time came before the edit's, so it was
// taken for the one the edit followed and its values were never looked for (a second record).
func TestAnEditedCreateIsFoundAfterTheClockIsSetBack(t *testing.T) {
	h := newHarness(t, harnessOpts{profile: mockorg.ProfileReal, objects: []string{"Account"}})
	h.sync(t)
	id, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Edited Then Set Back Ltd", "Phone": "p0"})
	if err != nil {
		t.Fatal(err)
	}
	h.faults.set(once(isComposite, "drop"))
	_, _ = h.eng.Sync(bg)
	h.faults.set(nil)
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "666"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(-10 * time.Minute)) // the device is set right; the org runs on
	h.orgBehind.Add(int64(-10 * time.Minute))
	h.faults.set(once(isComposite, "lose"))
	_, _ = h.eng.Sync(bg)
	h.faults.set(nil)
	h.clock.Set(h.clock.Now().Add(10 * time.Minute))
	h.sync(t)
	if n := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name = 'Edited Then Set Back Ltd'"); n != 1 {
		t.Fatalf("%d records on the org for one create", n)
	}
}

// After a restart, the org not answering what time it is (a 503) stops the run before a create
// goes out without it: sent then, lost, and looked for after the clock was set back, it was
// looked for on the wrong clock (a second record).
func TestACreateIsNotSentBeforeTheOrgSaysItsTime(t *testing.T) {
	h := newHarness(t, harnessOpts{profile: mockorg.ProfileReal, objects: []string{"Account"}, orgBehind: -10 * time.Minute})
	h.sync(t)
	if _, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Versions 503 Ltd", "Phone": "555-0177"}); err != nil {
		t.Fatal(err)
	}
	h.reopen(t)
	var versions, composite atomic.Bool
	h.faults.set(func(r *http.Request) string {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/services/data/") && versions.CompareAndSwap(false, true) {
			return "503"
		}
		if isComposite(r) && composite.CompareAndSwap(false, true) {
			return "lose"
		}
		return ""
	})
	_, _ = h.eng.Sync(bg)
	h.faults.set(nil)
	h.clock.Set(h.clock.Now().Add(-10 * time.Minute)) // the device is set right
	h.orgBehind.Store(0)
	h.clock.Set(h.clock.Now().Add(time.Minute))
	h.sync(t)
	if n := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name = 'Versions 503 Ltd'"); n != 1 {
		t.Fatalf("%d records on the org for one create", n)
	}
}

// A retry after a 503 waits what it was given from now when the device's clock is set back:
// it waited as long again as the clock went back (two hours, said to "retry automatically").
func TestARetryDoesNotWaitForAClockSetBack(t *testing.T) {
	h := newHarness(t, harnessOpts{objects: []string{"Account"}})
	h.sync(t)
	acc := h.firstOwned(t, "Account")
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Phone": "555-0100"}); err != nil {
		t.Fatal(err)
	}
	h.faults.set(once(isComposite, "503"))
	_, _ = h.eng.Sync(bg)
	h.faults.set(nil)
	h.clock.Set(h.clock.Now().Add(-2 * time.Hour))
	h.orgBehind.Add(int64(-2 * time.Hour))
	if next, ok := h.eng.nextAttempt(bg); !ok || next.Sub(h.clock.Now()) > DefaultBackoff.Cap {
		t.Fatalf("the background loop's next try is at %v (now %v)", next, h.clock.Now())
	}
	h.sync(t) // the retry is taken from now: not due yet
	h.clock.Set(h.clock.Now().Add(DefaultBackoff.Cap))
	h.sync(t)
	if total, _, _ := h.eng.Counts(bg); total != 0 {
		t.Fatalf("%d change(s) still queued after the backoff's longest wait", total)
	}
}
