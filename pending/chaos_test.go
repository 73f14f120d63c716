package pending

import (
	"fmt"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
	"github.com/offline-edit/offline-edit/remote/netsim"
)

// TestFlakyNetworkConvergesWithoutLossOrDuplicates syncs a queue of creates (parents and
// children), updates and deletes through a network that drops requests, loses replies after the
// org applied them and answers 503 / UNABLE_TO_LOCK_ROW, until the queue drains.
func TestFlakyNetworkConvergesWithoutLossOrDuplicates(t *testing.T) {
	for _, profile := range []mockorg.Profile{mockorg.ProfileDemo, mockorg.ProfileReal} {
		t.Run(string(profile), func(t *testing.T) {
			h := newHarness(t, harnessOpts{size: 200, profile: profile, objects: []string{"Account", "Contact"}})
			h.sync(t)
			owned := h.owned(t, "Account", "Contact")
			if len(owned) < 30 {
				t.Fatalf("only %d owned records", len(owned))
			}
			h.eng.SetOnline(false)
			ex := crashExpect{updates: map[string]string{}, objects: map[string]string{}}
			for i := 0; i < 20; i++ {
				tag := fmt.Sprintf("Chaos parent %d", i)
				acc, err := h.eng.Create(bg, "Account", remote.Fields{"Name": tag})
				if err != nil {
					t.Fatal(err)
				}
				kid := fmt.Sprintf("Chaos child %d", i)
				if _, err := h.eng.Create(bg, "Contact", remote.Fields{"LastName": kid, "AccountId": acc}); err != nil {
					t.Fatal(err)
				}
				ex.tags = append(ex.tags, tag, kid)
			}
			for i, r := range owned[:20] {
				v := fmt.Sprintf("+1 555 %04d", i)
				if err := h.eng.Edit(bg, r.object, r.id, remote.Fields{"Phone": v}); err != nil {
					t.Fatal(err)
				}
				ex.updates[r.id], ex.objects[r.id] = v, r.object
			}
			for _, r := range owned[20:26] {
				if err := h.eng.Delete(bg, r.object, r.id); err != nil {
					t.Fatal(err)
				}
				ex.deletes = append(ex.deletes, r.id)
				ex.objects[r.id] = r.object
			}
			h.net.SetConditions(netsim.Conditions{DropRate: 0.2, LossyRate: 0.3, ErrorRate: 0.2})
			h.eng.perRequest = 5
			h.eng.SetOnline(true)
			for round := 0; round < 200; round++ {
				_, _ = h.eng.Sync(bg) // errors are expected on this network
				if total, attention, _ := h.eng.Counts(bg); attention > 0 {
					ents, _ := h.eng.Entries(bg)
					t.Fatalf("round %d: entries need the user on a merely flaky network: %+v", round, ents)
				} else if total == 0 {
					break
				}
				h.clock.Set(h.clock.Now().Add(10 * time.Minute))
			}
			h.net.SetConditions(netsim.Conditions{})
			h.clock.Set(h.clock.Now().Add(10 * time.Minute))
			h.sync(t)
			if total, _, _ := h.eng.Counts(bg); total != 0 {
				ents, _ := h.eng.Entries(bg)
				t.Fatalf("queue did not drain: %+v", ents)
			}
			ex.verify(t, h)
			st := h.net.Stats()
			if st.ReplyLost == 0 || st.Dropped == 0 || st.Errors == 0 {
				t.Fatalf("the network was not flaky enough to prove anything: %+v", st)
			}
			t.Logf("network: %+v", st)
		})
	}
}
