package pending

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// wideField names the i-th of the custom fields mockorg.Options.ExtraFields adds.
func wideField(i int) string { return fmt.Sprintf("Regional_Compliance_Detail_%03d__c", i) }

// An object with 450 custom fields: a query naming them all is longer than the URL of a GET may
// be on a real org (the embedded org refuses it as a real one does), so every read that names
// them goes inside a Composite request. The device primes, refreshes, pushes, meets a conflict
// and finds a create whose reply was lost, as on any object.
func TestAnObjectWithHundredsOfFieldsIsCachedAndSynced(t *testing.T) {
	for _, profile := range []mockorg.Profile{mockorg.ProfileDemo, mockorg.ProfileReal} {
		t.Run(string(profile), func(t *testing.T) {
			h := newHarness(t, harnessOpts{profile: profile, objects: []string{"Account"}, extraFields: map[string]int{"Account": 450}})
			h.sync(t)
			rv := h.firstOwned(t, "Account")
			if _, ok := rv.Server[wideField(450)]; !ok {
				t.Fatalf("the primed record lacks %s", wideField(450))
			}

			acts, err := h.eng.Activity(bg, "", 500)
			if err != nil {
				t.Fatal(err)
			}
			carried := false
			for _, a := range acts {
				carried = carried || a.Method == "GET" && strings.HasSuffix(a.Path, "/query") && a.Status == 200 &&
					a.Note == "sent inside POST /composite (too long for a URL)"
			}
			if !carried {
				t.Fatalf("the log does not show the queries sent inside Composite requests: %+v", acts)
			}

			// Another user's change comes down with the refresh.
			h.changeLaterAsAdmin(t, "Account", rv.ID, remote.Fields{wideField(450): "set on the org"})
			h.sync(t)
			got, err := h.eng.Record(bg, "Account", rv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Fields[wideField(450)] != "set on the org" {
				t.Fatalf("after the refresh %s = %v", wideField(450), got.Fields[wideField(450)])
			}

			// An edit goes up, and the device keeps the org's copy, read back in the same
			// Composite by the POST form of the Collections retrieve (its fields in the body).
			h.clock.Set(h.clock.Now().Add(2 * time.Second))
			if err := h.eng.Edit(bg, "Account", rv.ID, remote.Fields{wideField(300): "mine"}); err != nil {
				t.Fatal(err)
			}
			var posted, fellBack atomic.Bool
			h.faults.set(func(req *http.Request) string {
				switch {
				case isComposite(req):
					body, _ := io.ReadAll(req.Body)
					req.Body = io.NopCloser(bytes.NewReader(body))
					posted.Store(posted.Load() || bytes.Contains(body, []byte(`"method":"POST","url":"/services/data/v62.0/composite/sobjects/Account"`)))
					// A record read on its own (inside a Composite, its URL being long): the
					// retrieve's answer was not taken.
					fellBack.Store(fellBack.Load() || bytes.Contains(body, []byte(`"method":"GET","url":"/services/data/v62.0/sobjects/Account/`)))
				case req.Method == http.MethodGet && strings.Contains(req.URL.Path, "/sobjects/Account/"):
					fellBack.Store(true)
				}
				return ""
			})
			if s := h.sync(t); s.Synced != 1 {
				t.Fatalf("summary %+v", s)
			}
			h.faults.set(nil)
			if !posted.Load() {
				t.Fatal("the push read its record back with a GET naming every field in its URL")
			}
			if fellBack.Load() {
				t.Fatal("the push read its record again on its own: the retrieve's answer was not taken")
			}
			if got, err := h.eng.Record(bg, "Account", rv.ID); err != nil || got.Server[wideField(300)] != "mine" {
				t.Fatalf("the device's copy of the org's record: %v %v", err, got.Server[wideField(300)])
			}
			if v := h.serverRecord(t, "Account", rv.ID).Fields[wideField(300)]; v != "mine" {
				t.Fatalf("the org holds %s = %v", wideField(300), v)
			}

			// The same field changed on both sides is a conflict, other fields merge.
			h.clock.Set(h.clock.Now().Add(2 * time.Second))
			h.editMeetingTheirs(t, "Account", rv.ID, remote.Fields{wideField(10): "mine"}, remote.Fields{wideField(10): "theirs", wideField(11): "theirs too"})
			h.sync(t)
			en := h.entryOf(t, rv.ID)
			if en.Status != StatusConflict || len(en.Conflicts) != 1 || en.Conflicts[0].Field != wideField(10) {
				t.Fatalf("entry %+v", en)
			}

			// A create whose reply was lost is found, not made twice.
			h.eng.SetOnline(false)
			name := "Wide Lost Reply " + string(profile)
			local, err := h.eng.Create(bg, "Account", remote.Fields{"Name": name, wideField(7): "x"})
			if err != nil {
				t.Fatal(err)
			}
			h.faults.set(once(isComposite, "lose"))
			h.eng.SetOnline(true)
			if _, err := h.eng.Sync(bg); err == nil {
				t.Fatal("a lost reply must report a network failure")
			}
			h.faults.set(nil)
			h.clock.Set(h.clock.Now().Add(10 * time.Minute))
			h.sync(t)
			if n := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name = '"+name+"'"); n != 1 {
				t.Fatalf("%d records named %q on the org", n, name)
			}
			if en := h.entryOf(t, rv.ID); en.Status != StatusConflict {
				t.Fatalf("the conflict is %+v", en)
			}
			if _, err := h.eng.Record(bg, "Account", local); err != nil {
				t.Fatalf("the create's record: %v", err)
			}
			assertNoLocalIDs(t, h)
		})
	}
}
