package pending

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// While the org cannot be reached, the background loop waits longer after each failed run
// (about 1, 2, 4 … up to 30 seconds) whatever the changes' own backoff timers say: hundreds of
// changes with jittered timers must not make it try again at once, run after run (a busy CPU,
// and an activity log flooded until the story of what happened before is gone).
func TestTheLoopBacksOffWhileTheOrgCannotBeReached(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	for _, c := range h.owned(t, "Contact", "Account") {
		if err := h.eng.Edit(bg, c.object, c.id, remote.Fields{"Phone": "555-0199"}); err != nil {
			t.Fatal(err)
		}
	}
	var runs atomic.Int64
	h.faults.set(func(req *http.Request) string {
		if strings.HasSuffix(req.URL.Path, "/composite") {
			runs.Add(1)
		}
		return "refuse"
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	drain(h.eng)
	var started, synced atomic.Int64
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case ev := <-h.eng.Events():
				if ev.Kind == EventSyncStarted {
					started.Add(1)
				}
				if ev.Kind == EventSyncFinished && ev.Summary != nil {
					synced.Add(int64(ev.Summary.Synced))
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	h.eng.Start(ctx)
	h.eng.SetOnline(true)
	// The first run fails at once; in six seconds a loop that backs off makes three more at
	// most (after 0.5–1, 1–2 and 2–4 seconds); one that follows the changes' timers makes a
	// run as soon as the last ends.
	time.Sleep(6 * time.Second)
	n := started.Load()
	// The org is back: a run within the backoff (2–4 seconds by now) sends the changes.
	h.faults.set(nil)
	deadline := time.Now().Add(20 * time.Second)
	for synced.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-watched
	if synced.Load() == 0 {
		t.Fatal("the org came back and the loop sent nothing")
	}
	if n > 4 {
		t.Fatalf("%d sync runs in 6 seconds against an org that cannot be reached (%d composite requests)", n, runs.Load())
	}
	if n < 2 {
		t.Fatalf("only %d sync run in 6 seconds: the loop stopped trying", n)
	}
}

// Every run that says it started says it finished, also one that stopped at its first write (the
// device's disk full; here, its context ended): a screen showing "syncing" otherwise shows it
// for ever.
func TestEverySyncThatStartsSaysItFinished(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	drain(h.eng)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.eng.Sync(ctx); err == nil {
		t.Fatal("a sync with its context ended succeeded")
	}
	started, finished := 0, 0
	for {
		select {
		case ev := <-h.eng.Events():
			switch ev.Kind {
			case EventSyncStarted:
				started++
			case EventSyncFinished:
				finished++
			}
			continue
		default:
		}
		break
	}
	if started != 1 || finished != 1 {
		t.Fatalf("%d runs started, %d finished", started, finished)
	}
}

// Going offline while the org holds a send (a hung server) ends the send at once, its outcome
// unknown: the record can be edited again at once, offline, rather than "being sent right now"
// until the request times out minutes later; the next sync settles the earlier send.
func TestGoingOfflineWhileTheOrgHoldsASendFreesTheRecord(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "555-6006"}); err != nil {
		t.Fatal(err)
	}
	held := holdSends(h)
	h.eng.SetOnline(true)
	ctx, cancel := context.WithCancel(bg)
	defer cancel() // a regression must fail the test, not hang it
	done := make(chan error, 1)
	go func() { _, err := h.eng.Sync(ctx); done <- err }()
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("the send never reached the org")
	}
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "555-7007"}); err == nil {
		t.Fatal("the test's premise: a change being sent cannot be edited")
	}
	h.eng.SetOnline(false)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the sync went on after the device went offline")
	}
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "555-7007"}); err != nil {
		t.Fatalf("offline again, the record cannot be edited: %v", err)
	}
	ents, _ := h.eng.Entries(bg)
	if len(ents) != 1 || ents[0].Status != StatusPending {
		t.Fatalf("entries %+v", ents)
	}
	// It says what happened: the user went offline, not that the network failed.
	if m := ents[0].Message; !strings.Contains(m, "you went offline while it was being sent") || strings.Contains(m, "network failed") {
		t.Fatalf("the change cut off says %q", m)
	}
	h.faults.set(nil)
	h.eng.SetOnline(true)
	h.sync(t)
	if got := h.serverRecord(t, "Contact", c.ID).Fields["Phone"]; got != "555-7007" {
		t.Fatalf("the org has %v, want the later edit", got)
	}
	if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
		t.Fatalf("left %+v", ents)
	}
}

// A change going out is news to a screen: while the org holds its send, a listener has heard
// it is syncing (a record's header otherwise says "waiting to sync" for as long as the org
// holds the request).
func TestAChangeBeingSentIsAnnounced(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "555-6006"}); err != nil {
		t.Fatal(err)
	}
	drain(h.eng)
	holdSends(h)
	h.eng.SetOnline(true)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); _, _ = h.eng.Sync(ctx) }()
	deadline := time.After(10 * time.Second)
	for heard := false; !heard; {
		select {
		case ev := <-h.eng.Events():
			heard = ev.Kind == EventEntryChanged && ev.RecordID == c.ID && ev.Status == StatusSyncing
		case <-deadline:
			t.Fatal("no listener heard that the change is being sent")
		}
	}
	h.eng.SetOnline(false)
	<-done
}

// Going offline ends a send the org holds; an edit made straight after (ctrl+o, ctrl+s, as the
// form's hint says) waits the moment the run takes to record the cut-off rather than meet
// "being sent right now" again, with the device offline.
func TestAnEditRightAfterGoingOfflineDuringAHeldSendIsTaken(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "555-6006"}); err != nil {
		t.Fatal(err)
	}
	held := holdSends(h)
	replied, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h.eng.crashAt = func(step string) bool {
		if step == "replied" {
			once.Do(func() { close(replied); <-release }) // the run is slow to record the cut-off
		}
		return false
	}
	h.eng.SetOnline(true)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := h.eng.Sync(ctx); done <- err }()
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("the send never reached the org")
	}
	h.eng.SetOnline(false)
	<-replied
	edited := make(chan error, 1)
	go func() { edited <- h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "555-7007"}) }()
	time.Sleep(100 * time.Millisecond)
	close(release)
	if err := <-edited; err != nil {
		t.Fatalf("offline, just after going offline, the edit was refused: %v", err)
	}
	<-done
	h.eng.crashAt = nil
	h.faults.set(nil)
	h.eng.SetOnline(true)
	h.sync(t)
	if got := h.serverRecord(t, "Contact", c.ID).Fields["Phone"]; got != "555-7007" {
		t.Fatalf("the org has %v", got)
	}
}

// holdSends makes the org hold every Composite request (a hung server) until the caller's
// context or the device going offline ends it; the channel tells when the first one arrived.
func holdSends(h *harness) <-chan struct{} {
	held := make(chan struct{}, 1)
	h.faults.set(func(req *http.Request) string {
		if strings.HasSuffix(req.URL.Path, "/composite") {
			select {
			case held <- struct{}{}:
			default:
			}
			return "hang"
		}
		return ""
	})
	return held
}

// An org out of reach ends the push: once a send got no reply at all, the waves after it are
// not sent (against an org that takes connections and never answers, each would wait out the
// request's limit, minutes apiece); the changes wait for the next run.
func TestAPushStopsSendingOnceTheOrgIsOutOfReach(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	const n = 600 // several waves
	for i := range n {
		if _, err := h.eng.Create(bg, "Account", remote.Fields{"Name": fmt.Sprintf("Out Of Reach %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var sends atomic.Int64
	h.faults.set(func(req *http.Request) string {
		if strings.HasSuffix(req.URL.Path, "/composite") {
			sends.Add(1)
			return "refuse"
		}
		return ""
	})
	h.eng.SetOnline(true)
	if _, err := h.eng.Sync(bg); err == nil {
		t.Fatal("a sync against an org out of reach succeeded")
	}
	chunks := (n + 24) / 25
	if got := sends.Load(); got >= int64(chunks) {
		t.Fatalf("%d composite requests of %d: the push went on sending to an org out of reach", got, chunks)
	}
	ents, _ := h.eng.Entries(bg)
	if len(ents) != n {
		t.Fatalf("%d changes left of %d", len(ents), n)
	}
	h.faults.set(nil)
	h.sync(t)
	if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
		t.Fatalf("%d changes left once the org is back", len(ents))
	}
}

// A run that found the org out of reach says it stopped, even when a later request of it was
// answered: the changes it did not send are not passed over as a finished sync.
func TestARunThatStoppedSendingSaysSoThoughALaterRequestWasAnswered(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	const n = 600
	for i := range n {
		if _, err := h.eng.Create(bg, "Account", remote.Fields{"Name": fmt.Sprintf("Half Reach %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var first atomic.Bool
	h.faults.set(func(req *http.Request) string {
		if strings.HasSuffix(req.URL.Path, "/composite") && first.CompareAndSwap(false, true) {
			return "refuse"
		}
		return ""
	})
	h.eng.SetOnline(true)
	if _, err := h.eng.Sync(bg); err == nil {
		if ents, _ := h.eng.Entries(bg); len(ents) > 0 {
			t.Fatalf("a run that left %d changes unsent reported no error", len(ents))
		}
	}
	h.faults.set(nil)
	h.sync(t)
	if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
		t.Fatalf("%d changes left", len(ents))
	}
}

// The lookups a run makes before sending (are the creates whose replies were lost on the org?)
// find the org out of reach as a send does: once one got no reply at all, the run looks up and
// sends nothing more (against an org that never answers each would wait out the read's limit,
// three minutes apiece, one lookup per create), and the changes wait, in doubt still, for the
// next run, which settles them without a record made twice.
func TestALookupBeforeSendingThatGetsNoReplyEndsTheRun(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	acct := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	const n = 5
	for i := range n {
		if _, err := h.eng.Create(bg, "Account", remote.Fields{"Name": fmt.Sprintf("Lost Reply %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	h.faults.set(func(req *http.Request) string {
		if strings.HasSuffix(req.URL.Path, "/composite") {
			return "lose" // the org makes them; the replies never come
		}
		return ""
	})
	h.eng.SetOnline(true)
	_, _ = h.eng.Sync(bg)
	if err := h.eng.Edit(bg, "Account", acct.ID, remote.Fields{"Phone": "555-0177"}); err != nil {
		t.Fatal(err)
	}
	var queries, sends atomic.Int64
	h.faults.set(func(req *http.Request) string {
		switch {
		case strings.HasSuffix(req.URL.Path, "/query"):
			queries.Add(1)
			return "refuse"
		case strings.HasSuffix(req.URL.Path, "/composite"):
			sends.Add(1)
			return "refuse"
		}
		return ""
	})
	_, err := h.eng.Sync(bg)
	if err == nil {
		t.Fatal("a sync against an org out of reach succeeded")
	}
	if q, s := queries.Load(), sends.Load(); q != 1 || s != 0 {
		t.Fatalf("%d lookups and %d sends after the first lookup got no reply (want 1 and 0)", q, s)
	}
	ents, _ := h.eng.Entries(bg)
	inDoubt := 0
	for _, en := range ents {
		if en.Op == OpCreate && en.InDoubt {
			inDoubt++
		}
	}
	if len(ents) != n+1 || inDoubt != n {
		t.Fatalf("%d changes left (%d creates in doubt), want %d and %d", len(ents), inDoubt, n+1, n)
	}
	h.faults.set(nil)
	h.sync(t)
	if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
		t.Fatalf("%d changes left once the org is back", len(ents))
	}
	if got := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name LIKE 'Lost Reply %'"); got != n {
		t.Fatalf("org has %d of the %d new accounts", got, n)
	}
}
