package pending

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// A sync cancelled part-way (Ctrl-C) claims, in its summary and in the activity log, only the
// changes whose outcome it recorded: what it did not record stays queued and unclaimed.
func TestACancelledSyncClaimsOnlyWhatItRecorded(t *testing.T) {
	for _, cancelAt := range []int32{2, 9, 10, 17} {
		t.Run(fmt.Sprint(cancelAt), func(t *testing.T) {
			h := newHarness(t, harnessOpts{objects: []string{"Account"}})
			h.sync(t)
			h.eng.SetOnline(false)
			const n = 600
			for k := 0; k < n; k++ {
				if _, err := h.eng.Create(bg, "Account", remote.Fields{"Name": fmt.Sprintf("Cancelled %d", k)}); err != nil {
					t.Fatal(err)
				}
			}
			h.eng.SetOnline(true)
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
