package pending

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// Two switches at once (the app runs each 'o' press as its own command): the last online event
// always tells the state the engine ends in.
func TestConcurrentOnlineSwitchesEndWithAnEventThatTellsTheTruth(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	drain := func() (last *bool) {
		for {
			select {
			case ev := <-h.eng.Events():
				if ev.Kind == EventOnlineChanged {
					v := ev.Online
					last = &v
				}
			default:
				return last
			}
		}
	}
	for i := range 500 {
		h.eng.SetOnline(true)
		drain()
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); h.eng.SetOnline(false) }()
		go func() { defer wg.Done(); h.eng.SetOnline(true) }()
		wg.Wait()
		told := true // no event: whoever listens still believes online
		if last := drain(); last != nil {
			told = *last
		}
		if told != h.eng.Online() {
			t.Fatalf("round %d: the last event says online=%v, the engine is online=%v", i, told, h.eng.Online())
		}
	}
}

// Start and Close at once: Close waits for the loop or the loop never starts (-race checks the
// wait group), and Close twice is harmless.
func TestStartRacingCloseNeverLeavesALoopBehind(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	for range 100 {
		h.reopen(t)
		eng := h.eng
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); eng.Start(context.Background()) }()
		if err := eng.Close(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if err := eng.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// Close stops a sync the background loop has under way, rather than waiting for the org: here
// the org never answers, so Close returns only because it cancels the request. The change
// stays queued.
func TestCloseStopsASyncUnderWayInsteadOfWaitingForTheOrg(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "1"}); err != nil {
		t.Fatal(err)
	}
	arrived := make(chan struct{})
	var once sync.Once
	h.faults.set(func(r *http.Request) string {
		once.Do(func() { close(arrived) })
		<-r.Context().Done() // an org that never answers
		return "drop"
	})
	h.eng.Start(context.Background())
	h.eng.SetOnline(true)
	<-arrived
	if err := h.eng.Close(); err != nil {
		t.Fatal(err)
	}
	h.faults.set(nil)
	h.reopen(t)
	if total, _, _ := h.eng.Counts(bg); total != 1 {
		t.Fatalf("queue holds %d after Close stopped the sync, want the one change", total)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	if got := h.serverRecord(t, "Contact", c.ID).Fields["Phone"]; got != "1" {
		t.Fatalf("org has Phone %v after the next sync", got)
	}
}

// A change whose send got no reply waits for no backoff once the org can be reached again: the
// next run sends it (a backoff grown during an outage outlived it by minutes). One the org
// answered with a 503 keeps its time.
func TestAChangeTheNetworkFailedGoesWithTheNextRunNotAfterItsBackoff(t *testing.T) {
	for _, tc := range []struct {
		action string
		synced int
	}{{"drop", 1}, {"lose", 1}, {"refuse", 1}, {"503", 0}} {
		t.Run(tc.action, func(t *testing.T) {
			h := newHarness(t, harnessOpts{})
			h.sync(t)
			c := h.firstOwned(t, "Contact")
			h.eng.SetOnline(false)
			if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "42"}); err != nil {
				t.Fatal(err)
			}
			h.faults.set(once(isComposite, tc.action))
			h.eng.SetOnline(true)
			_, _ = h.eng.Sync(bg)
			en := h.entryOf(t, c.ID)
			if !en.NextAttempt.After(h.clock.Now()) {
				t.Fatalf("no backoff after the failure: %+v", en)
			}
			s, _ := h.eng.Sync(bg) // the clock has not moved: the backoff has not expired
			if s.Synced != tc.synced {
				t.Fatalf("after %s the next run synced %d, want %d (%+v)", tc.action, s.Synced, tc.synced, s)
			}
		})
	}
}

// Events held for a transaction that did not commit: the entry changes it told of did not
// happen (one event without details says to read again), but news held meanwhile did.
func TestARolledBackTransactionKeepsTheOtherNewsItHeld(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for {
		select {
		case <-h.eng.Events():
			continue
		default:
		}
		break
	}
	h.eng.holdEvents()
	h.eng.emit(Event{Kind: EventEntryChanged, EntryID: "e1", Status: StatusPending})
	h.eng.SetOnline(!h.eng.Online())
	h.eng.releaseEvents(false)
	var got []Event
	for len(got) < 3 {
		select {
		case ev := <-h.eng.Events():
			got = append(got, ev)
			continue
		default:
		}
		break
	}
	if len(got) != 2 || got[0].Kind != EventEntryChanged || got[0].EntryID != "" || got[1].Kind != EventOnlineChanged {
		t.Fatalf("events after a rollback: %+v, want one bare entry change and the online change", got)
	}
}
