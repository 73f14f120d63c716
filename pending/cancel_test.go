package pending

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// A sync cancelled part-way (Ctrl-C) claims, in its summary and in the activity log, only the
// changes whose outcome it recorded: what it did not record stays queued and unclaimed.
func TestACancelledSyncClaimsOnlyWhatItRecorded(t *testing.T) {
	for _, cancelAt := range []int32{2, 9, 10, 17} {
		t.Run(fmt.Sprint(cancelAt), func(t *testing.T) {
			const n = 600
			h := accountsQueued(t, n, "Cancelled")
			ctx, cancel := context.WithCancel(bg)
			defer cancel()
			var composites atomic.Int32
			h.faults.set(func(req *http.Request) string {
				if strings.HasSuffix(req.URL.Path, "/composite") && composites.Add(1) == cancelAt {
					cancel()
				}
				return ""
			})
			sum, serr := h.eng.Sync(ctx)
			_ = serr
			h.faults.set(nil)
			ents, err := h.eng.Entries(bg)
			if err != nil {
				t.Fatal(err)
			}
			if left := n - len(ents); sum.Synced != left {
				t.Fatalf("summary says %d synced; %d left the queue", sum.Synced, left)
			}
			acts, err := h.eng.Activity(bg, "", 5000)
			if err != nil {
				t.Fatal(err)
			}
			created := 0
			for _, a := range acts {
				if strings.HasPrefix(a.Note, "created ") {
					created++
				}
			}
			if created != n-len(ents) {
				t.Fatalf("the log says %d created; %d left the queue", created, n-len(ents))
			}
			// The next sync settles the rest: each record once on the org.
			h.sync(t)
			res, err := h.client.Query(bg, "SELECT COUNT() FROM Account WHERE Name LIKE 'Cancelled %'", 0)
			if err != nil || res.TotalSize != n {
				t.Fatalf("org has %d records (%v); want %d", res.TotalSize, err, n)
			}
		})
	}
}

// Creates whose replies were lost are looked up by their keys a hundred at a time, not one
// query each: on a real network each query is a round trip before anything else syncs.
func TestCreatesInDoubtAreLookedUpByKeyAHundredAtATime(t *testing.T) {
	const n = 150
	h := accountsQueued(t, n, "Doubt")
	h.faults.set(func(req *http.Request) string {
		switch {
		case strings.HasSuffix(req.URL.Path, "/composite"):
			return "lose" // the org creates them; the replies never come
		case strings.Contains(req.URL.Query().Get("q"), "WHERE "+OfflineKeyField):
			return "503" // and this sync cannot look them up either
		}
		return ""
	})
	_, _ = h.eng.Sync(bg)
	ents0, _ := h.eng.Entries(bg)
	indoubt := 0
	for _, e := range ents0 {
		if e.InDoubt {
			indoubt++
		}
	}
	if indoubt < n/2 {
		t.Fatalf("%d creates in doubt after the lost replies; the test wants most of %d", indoubt, n)
	}
	h.clock.Set(h.clock.Now().Add(10 * time.Minute)) // the backoffs of the failed lookups are over
	var byKey atomic.Int32
	h.faults.set(func(req *http.Request) string {
		if strings.Contains(req.URL.Query().Get("q"), "WHERE "+OfflineKeyField) {
			byKey.Add(1)
		}
		return ""
	})
	h.sync(t)
	// As the creates become due (their backoffs end at different times) a pass looks up those
	// due: a few queries, never one a create.
	if got := int(byKey.Load()); got == 0 || got*10 > indoubt {
		t.Fatalf("%d queries by key for %d creates in doubt; want a few", got, indoubt)
	}
	if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
		t.Fatalf("%d left in the queue", len(ents))
	}
	res, err := h.client.Query(bg, "SELECT COUNT() FROM Account WHERE Name LIKE 'Doubt %'", 0)
	if err != nil || res.TotalSize != n {
		t.Fatalf("org has %d (%v); want %d", res.TotalSize, err, n)
	}
}

// accountsQueued is a primed device, back online, with n accounts created offline and
// queued, named "PREFIX 0" and on.
func accountsQueued(t *testing.T, n int, prefix string) *harness {
	t.Helper()
	h := newHarness(t, harnessOpts{objects: []string{"Account"}})
	h.sync(t)
	h.eng.SetOnline(false)
	for k := 0; k < n; k++ {
		if _, err := h.eng.Create(bg, "Account", remote.Fields{"Name": fmt.Sprintf("%s %d", prefix, k)}); err != nil {
			t.Fatal(err)
		}
	}
	h.eng.SetOnline(true)
	return h
}
