package pending

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/netsim"
)

func TestLastSyncMovesOnEveryCompletedRunIncludingTheOneThatPushesAnEdit(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	h.eng.Start(ctx)
	waitFinished := func() *Summary {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			select {
			case ev := <-h.eng.Events():
				if ev.Kind == EventSyncFinished {
					return ev.Summary
				}
			case <-deadline:
				t.Fatal("no EventSyncFinished")
			}
		}
	}
	waitFinished()
	first := h.eng.LastSync()
	if first.IsZero() {
		t.Fatal("no LastSync after the prime")
	}
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "123"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(90 * time.Second))
	drain(h.eng)
	before := h.clock.Now()
	h.eng.SetOnline(true)
	for {
		s := waitFinished()
		if s != nil && s.Synced == 1 {
			break
		}
	}
	got := h.eng.LastSync()
	if !got.After(before) {
		t.Fatalf("LastSync %v did not move past %v (the prime's was %v) after the run that pushed the edit", got, before, first)
	}
	if got.After(h.clock.Now()) {
		t.Fatalf("LastSync %v is in the future", got)
	}
}

func TestLastSyncMovesWhenARunCompletesWithAChangeLeftForRetry(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	first := h.eng.LastSync()
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "123"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(90 * time.Second))
	h.faults.set(func(req *http.Request) string {
		if strings.HasSuffix(req.URL.Path, "/composite") {
			return "503"
		}
		return ""
	})
	h.eng.SetOnline(true)
	before := h.clock.Now()
	s, err := h.eng.Sync(bg)
	if err == nil || s.Retrying != 1 {
		t.Fatalf("want a run that leaves the change for retry: %+v %v", s, err)
	}
	if got := h.eng.LastSync(); !got.After(before) {
		t.Fatalf("LastSync %v (was %v) did not move after a run that refreshed the cache", got, first)
	}
	// A run stopped before it could refresh does not count.
	h.faults.set(func(*http.Request) string { return "drop" })
	mark := h.eng.LastSync()
	if _, err := h.eng.Sync(bg); err == nil {
		t.Fatal("a run without a network succeeded")
	}
	if h.eng.LastSync() != mark {
		t.Fatal("LastSync moved after a run that reached nothing")
	}
}

func TestASyncThatStopsIsInTheActivityLogWithWhy(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	if _, err := h.eng.Sync(bg); err != nil {
		t.Fatal(err)
	}
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "123"}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.net.SetConditions(netsim.Conditions{DropRate: 1}) // every request is lost on the way
	if _, err := h.eng.Sync(bg); err == nil {
		t.Fatal("a sync with every request lost succeeded")
	}
	acts, err := h.eng.Activity(bg, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, a := range acts {
		if a.Method == "" {
			notes = append(notes, a.Note)
		}
	}
	// Stopping again the same way adds no note: retries must not push the requests out of the log.
	// (The first run stopped in the push; the next ones, the change waiting for its retry, stop
	// in the refresh: from the second on, each stops as the one before.)
	if _, err := h.eng.Sync(bg); err == nil {
		t.Fatal("a sync with every request lost succeeded")
	}
	countStops := func() int {
		acts, err := h.eng.Activity(bg, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range acts {
			if a.Method == "" && strings.HasPrefix(a.Note, "sync stopped: ") {
				n++
			}
		}
		return n
	}
	before := countStops()
	for i := 0; i < 3; i++ {
		if _, err := h.eng.Sync(bg); err == nil {
			t.Fatal("a sync with every request lost succeeded")
		}
	}
	if acts, err = h.eng.Activity(bg, "", 0); err != nil {
		t.Fatal(err)
	}
	if stops := countStops(); stops != before {
		t.Fatalf("%d 'sync stopped' notes after three more syncs that stopped the same way, want %d", stops, before)
	}
	// Newest first: the last thing the engine noted is why this sync stopped.
	if len(notes) == 0 || !strings.HasPrefix(notes[0], "sync stopped: ") || !strings.Contains(notes[0], "dropped") {
		t.Fatalf("the log's notes are %q, want the newest to say the sync stopped and why", notes)
	}
}

// The log keeps its last rows only: a device whose runs kept stopping part-way still knows
// when its last complete sync ended.
func TestTheLastCompleteSyncOutlivesTheLogsTrim(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	want := h.eng.LastSync()
	if want.IsZero() {
		t.Fatal("no last sync after a complete one")
	}
	if _, err := h.db.SQL().Exec(`DELETE FROM activity`); err != nil {
		t.Fatal(err)
	}
	if got := ReadLastSync(context.Background(), h.db); !got.Equal(want.Truncate(time.Millisecond)) {
		t.Fatalf("last sync read %v, want %v", got, want)
	}
}
