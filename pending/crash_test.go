package pending

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// crashWorkload queues, offline, creates (with a parent and child made offline), updates and
// deletes, and returns what the org must hold once everything synced.
type crashExpect struct {
	tags    []string          // Account names / Contact last names created offline
	updates map[string]string // record id → Phone value
	deletes []string          // record ids deleted
	objects map[string]string // record id → object
}

func crashWorkload(t *testing.T, h *harness, run int) crashExpect {
	t.Helper()
	ex := crashExpect{updates: map[string]string{}, objects: map[string]string{}}
	owned := h.owned(t, "Account", "Contact")
	if len(owned) < 8 {
		t.Fatalf("only %d owned records", len(owned))
	}
	h.eng.SetOnline(false)
	for i := 0; i < 3; i++ {
		tag := fmt.Sprintf("Crash %d parent %d", run, i)
		acc, err := h.eng.Create(bg, "Account", remote.Fields{"Name": tag})
		if err != nil {
			t.Fatal(err)
		}
		kid := fmt.Sprintf("Crash %d child %d", run, i)
		if _, err := h.eng.Create(bg, "Contact", remote.Fields{"LastName": kid, "AccountId": acc}); err != nil {
			t.Fatal(err)
		}
		ex.tags = append(ex.tags, tag, kid)
	}
	for i, r := range owned[:5] {
		v := fmt.Sprintf("+1 %d %d", run, i)
		if err := h.eng.Edit(bg, r.object, r.id, remote.Fields{"Phone": v}); err != nil {
			t.Fatal(err)
		}
		ex.updates[r.id], ex.objects[r.id] = v, r.object
	}
	for _, r := range owned[5:7] {
		if err := h.eng.Delete(bg, r.object, r.id); err != nil {
			t.Fatal(err)
		}
		ex.deletes = append(ex.deletes, r.id)
		ex.objects[r.id] = r.object
	}
	return ex
}

// RowRef names a record.
func (ex crashExpect) verify(t *testing.T, h *harness) {
	t.Helper()
	for _, tag := range ex.tags {
		n := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name = '"+tag+"'") + countOnOrg(t, h, "SELECT Id FROM Contact WHERE LastName = '"+tag+"'")
		if n != 1 {
			t.Fatalf("%q: %d records on the org (lost or duplicated)", tag, n)
		}
	}
	for id, v := range ex.updates {
		if got := h.serverRecord(t, ex.objects[id], id).Fields["Phone"]; got != v {
			t.Fatalf("%s: org has Phone %v, want %v", id, got, v)
		}
	}
	for _, id := range ex.deletes {
		if n := countOnOrg(t, h, "SELECT Id FROM "+ex.objects[id]+" WHERE Id = '"+id+"'"); n != 0 {
			t.Fatalf("%s should be deleted", id)
		}
	}
	res, _ := h.as(t, "admin@demo.example").Query(bg, "SELECT Id, AccountId, LastName FROM Contact WHERE LastName LIKE 'Crash %'", 0)
	for _, r := range res.Records {
		if a, _ := r.Fields["AccountId"].(string); a == "" || IsLocalID(a) {
			t.Fatalf("child %v lost its parent: %v", r.Fields["LastName"], a)
		}
	}
	assertNoLocalIDs(t, h)
}

// syncUntilCrash runs a sync that the engine's crashAt hook may stop part-way (as kill -9 would).
func syncUntilCrash(h *harness) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(crashSignal); !ok {
				panic(p)
			}
		}
	}()
	_, _ = h.eng.Sync(bg)
}

// drainAfterCrash reopens the device database (the process died), then syncs until the queue
// is empty.
func drainAfterCrash(t *testing.T, h *harness) {
	t.Helper()
	h.reopen(t)
	h.eng.SetOnline(true)
	for i := 0; i < 10; i++ {
		h.clock.Set(h.clock.Now().Add(10 * time.Minute))
		if _, err := h.eng.Sync(bg); err != nil {
			t.Fatalf("sync after restart: %v", err)
		}
		if total, attention, _ := h.eng.Counts(bg); total == 0 {
			return
		} else if attention > 0 {
			ents, _ := h.eng.Entries(bg)
			t.Fatalf("entries need the user after a crash: %+v", ents)
		}
	}
	ents, _ := h.eng.Entries(bg)
	t.Fatalf("queue did not drain: %+v", ents)
}

// TestKillAtEveryStepLosesAndDuplicatesNothing stops the engine at every step boundary of a
// sync (as kill -9 would: nothing after that point runs, in-memory state is gone), reopens the
// database and resumes. It also kills between the org applying a request and the device
// recording the reply ("replied").
func TestKillAtEveryStepLosesAndDuplicatesNothing(t *testing.T) {
	for _, profile := range []mockorg.Profile{mockorg.ProfileDemo, mockorg.ProfileReal} {
		t.Run(string(profile), func(t *testing.T) {
			// Count the steps of an uninterrupted run.
			h := newHarness(t, harnessOpts{size: 60, profile: profile, objects: []string{"Account", "Contact"}})
			h.sync(t)
			ex := crashWorkload(t, h, 0)
			var steps []string
			h.eng.crashAt = func(s string) bool { steps = append(steps, s); return false }
			h.eng.SetOnline(true)
			h.eng.perRequest = 4 // several composites, several waves
			h.eng.waveChunks = 2
			h.sync(t)
			ex.verify(t, h)
			if len(steps) < 8 {
				t.Fatalf("only %d steps: %v", len(steps), steps)
			}
			for k := 1; k <= len(steps); k++ {
				h := newHarness(t, harnessOpts{size: 60, profile: profile, objects: []string{"Account", "Contact"}})
				h.sync(t)
				ex := crashWorkload(t, h, k)
				n := 0
				crashed := ""
				h.eng.crashAt = func(s string) bool {
					n++
					if n == k {
						crashed = s
						return true
					}
					return false
				}
				h.eng.perRequest, h.eng.waveChunks = 4, 2
				h.eng.SetOnline(true)
				syncUntilCrash(h)
				drainAfterCrash(t, h)
				t.Logf("killed at step %d (%s): converged", k, crashed)
				ex.verify(t, h)
				h.close()
			}
		})
	}
}

// TestACrashWithRequestsInFlightDuplicatesNothing stops the engine while one wave's creates are
// still on their way to an org without Offline_Key__c (they land late): the restarted engine
// must not look for them before they have landed, or it creates them again.
func TestACrashWithRequestsInFlightDuplicatesNothing(t *testing.T) {
	h := newHarness(t, harnessOpts{size: 60, profile: mockorg.ProfileReal, objects: []string{"Account", "Contact"}})
	h.sync(t)
	ex := crashWorkload(t, h, 0)
	var slow sync.WaitGroup // the slow requests, until the org has answered them
	h.faults.set(func(req *http.Request) string {
		if strings.HasSuffix(req.URL.Path, "/composite") {
			slow.Add(1)
			defer slow.Done()
			time.Sleep(100 * time.Millisecond)
		}
		return ""
	})
	marks := 0
	h.eng.crashAt = func(s string) bool {
		if s == "marked-syncing" {
			marks++
		}
		return marks == 2 // the first wave is on the wire, the second marked
	}
	h.eng.perRequest, h.eng.waveChunks = 4, 1
	h.eng.SetOnline(true)
	syncUntilCrash(h)
	if marks != 2 {
		t.Fatalf("the push marked %d waves, want a crash at the second", marks)
	}
	h.faults.set(nil)
	drainAfterCrash(t, h)
	slow.Wait() // whatever was on the wire has landed
	ex.verify(t, h)
}
