package tui

import (
	"context"
	"fmt"
	"io"
	"maps"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// press feeds one key to m without running the commands it returns: what the key did by the
// time Update returned.
func press(t *testing.T, m tea.Model, k string) tea.Model {
	t.Helper()
	for _, msg := range keyMsgs(k) {
		m, _ = m.Update(msg)
	}
	return m
}

func barOf(m tea.Model) string {
	lines := strings.Split(m.View(), "\n")
	return lines[len(lines)-2]
}

func TestOnlineKeySwitchesTheEngineBeforeTheBarSaysSo(t *testing.T) {
	f := seededFake(2)
	d := newDriver(t, f, 100, 30)
	m := d.m
	for i, want := range []bool{false, true, false} {
		m = press(t, m, "o")
		if got := f.Online(); got != want {
			t.Fatalf("press %d: the engine is online=%v when the key's Update returned, want %v", i+1, got, want)
		}
		if bar := barOf(m); strings.Contains(bar, " OFFLINE ") == want {
			t.Fatalf("press %d: the bar %q disagrees with the engine (online=%v)", i+1, bar, want)
		}
	}
}

func TestOnlineEventOfAnEarlierSwitchDoesNotShowItsStateAgain(t *testing.T) {
	f := seededFake(2)
	f.quiet = true // the test hands the app the engine's events itself
	d := newDriver(t, f, 100, 30)
	m := press(t, press(t, d.m, "o"), "o") // off, then on again before the first event came
	// The event of the first switch arrives after the second.
	m, _ = m.Update(eventMsg{pending.Event{Kind: pending.EventOnlineChanged, Online: false}})
	if bar := barOf(m); strings.Contains(bar, " OFFLINE ") {
		t.Fatalf("the bar says OFFLINE while the engine is online: %q", bar)
	}
}

func TestStoryOnlineKeyPressedQuicklyLeavesEngineAndScreenAsTheLastPress(t *testing.T) {
	w := newWorld(t)
	s := newStory(t, w)
	s.wait(" ONLINE ", "0 pending")
	on := true
	for round, presses := range []int{2, 3, 2, 3, 4, 3} {
		for range presses {
			s.press("o")
			on = !on
		}
		deadline := time.Now().Add(5 * time.Second)
		for w.eng.Online() != on || strings.Contains(s.view(), " OFFLINE ") == on {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: after %d quick presses the engine is online=%v, want %v:\n%s", round, presses, w.eng.Online(), on, s.view())
			}
			time.Sleep(5 * time.Millisecond)
		}
		// The events of the switches in between come later; they do not change either.
		time.Sleep(60 * time.Millisecond)
		if v := s.view(); w.eng.Online() != on || strings.Contains(v, " OFFLINE ") == on {
			t.Fatalf("round %d: engine online=%v, screen:\n%s\nwant online=%v for both", round, w.eng.Online(), v, on)
		}
	}
}

// alongside runs cmd, and every command of the batches it returns, on another goroutine
// while during runs on this one: under -race, what both touch without a lock is reported.
func alongside(t *testing.T, cmd tea.Cmd, during func()) {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command to run")
	}
	done := make(chan struct{})
	var runAll func(tea.Cmd)
	runAll = func(c tea.Cmd) {
		if c == nil {
			return
		}
		if batch, ok := c().(tea.BatchMsg); ok {
			for _, c := range batch {
				runAll(c)
			}
		}
	}
	go func() { defer close(done); runAll(cmd) }()
	during()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the command did not end")
	}
}

// describesArrive hands the app the describes loaded at start, as Init's command does.
func describesArrive(m tea.Model, f *fakeBackend) {
	m.Update(describesMsg{ds: map[string]*remote.Describe{"Account": f.desc["Account"], "Contact": f.desc["Contact"]}})
}

func TestConflictScreenLoadsWhileTheDescribesArrive(t *testing.T) {
	f := seededFake(2)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "1"},
		Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "2", Mine: "1"}}})
	d := newDriver(t, f, 100, 30)
	_, cmd := d.m.Update(openConflictMsg{entryID: "e1"})
	alongside(t, cmd, func() { describesArrive(d.m, f) })
}

func TestBackstageEditFormLoadsWhileTheDescribesArrive(t *testing.T) {
	f := seededFake(2)
	d := newDriverWith(t, Options{Backend: f, Backstage: stageRefusing{}}, 100, 30)
	d.keys("enter", "enter", "B")
	d.requireView("SIMULATION", "Edit fields of this record as sam")
	_, cmd := d.m.Update(keyMsgs("enter")[0])
	alongside(t, cmd, func() { describesArrive(d.m, f) })
}

// requeueingFake resolves as the engine does: the change goes back to the queue, pending, until
// a sync sends it.
type requeueingFake struct{ *fakeBackend }

func (f requeueingFake) ResolveAgainst(_ context.Context, id string, choices map[string]pending.Choice, _ remote.Fields) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resolved = choices
	for i := range f.entries {
		if f.entries[i].ID == id {
			f.entries[i].Status, f.entries[i].Conflicts = pending.StatusPending, nil
			return nil
		}
	}
	return pending.ErrNotFound
}

// setStatus puts the entry in status, with conflicts (nil for none).
func (f requeueingFake) setStatus(id string, status pending.Status, conflicts []pending.Conflict) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.entries {
		if f.entries[i].ID == id {
			f.entries[i].Status, f.entries[i].Conflicts = status, conflicts
		}
	}
}

var phoneConflict = []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "2", Mine: "1"}}

// savingResolution opens the conflict on the first account, keeps mine and presses ctrl+s: it
// returns the command that saves the resolution, not run yet.
func savingResolution(t *testing.T) (*driver, requeueingFake, tea.Cmd) {
	t.Helper()
	f := requeueingFake{seededFake(2)}
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "1"}, Conflicts: phoneConflict})
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "r")
	d.requireView("Resolve conflict")
	d.keys("m")
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(keyMsgs("ctrl+s")[0])
	if cmd == nil {
		t.Fatal("ctrl+s started nothing")
	}
	return d, f, cmd
}

// syncFinished feeds the app the end of a sync run that left n changes needing the user.
func syncFinished(d *driver, n int) {
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: n}}})
}

const changedAgain = "Changed again while you resolved it"

// toldChangedAgain reports whether the app shows, or has queued, the pop-up saying another
// user changed the record again.
func toldChangedAgain(d *driver) bool {
	m := d.model()
	for _, p := range append([]modal{m.modal}, m.later...) {
		if p.title == changedAgain {
			return true
		}
	}
	return false
}

func requireToldChangedAgain(t *testing.T, d *driver, want bool) {
	t.Helper()
	if got := toldChangedAgain(d); got != want {
		t.Fatalf("told the record changed again: %v, want %v:\n%s", got, want, d.view())
	}
}

func TestSyncEndingWhileAResolutionIsSavedDoesNotSayTheRecordChangedAgain(t *testing.T) {
	d, f, save := savingResolution(t)
	// A run ends before the resolution is saved: the change is still in conflict, as it was.
	syncFinished(d, 1)
	requireToldChangedAgain(t, d, false)
	d.run(save)
	requireToldChangedAgain(t, d, false)
	if e, _ := f.Entry(context.Background(), "e1"); e.Status != pending.StatusPending {
		t.Fatalf("the resolution was not saved: %s", e.Status)
	}
	// The watch starts with the saved resolution: a later run that finds the record changed
	// again says so.
	f.setStatus("e1", pending.StatusConflict, phoneConflict)
	syncFinished(d, 1)
	requireToldChangedAgain(t, d, true)
}

func TestRunThatEndsAfterTheResolutionIsSavedAndBeforeItIsReportedStillTellsOfAChangeAgain(t *testing.T) {
	d, f, save := savingResolution(t)
	done := make(chan tea.Msg, 1)
	go func() { done <- save() }()
	msg := <-done // saved: the change is pending again
	// A run sends it, finds the record changed again, and ends before the app hears the
	// resolution was saved.
	f.setStatus("e1", pending.StatusConflict, phoneConflict)
	syncFinished(d, 1)
	requireToldChangedAgain(t, d, false)
	d.send(msg)
	requireToldChangedAgain(t, d, true)
}

func TestFailedResolutionIsNotWatched(t *testing.T) {
	d, _, _ := savingResolution(t)
	d.send(opDoneMsg{err: pending.ErrNotAllowed, back: true, resolved: &resolvedWatch{entryID: "e1", name: "Acme 000000"}})
	if w := d.model().c.resolved; w.entryID != "" {
		t.Fatalf("a resolution that failed is watched: %+v", w)
	}
}

func TestEventWaitEndsWithTheProgram(t *testing.T) {
	f := seededFake(2)
	f.quiet = false
	events := make(chan pending.Event) // unbuffered: a send goes through only to a waiting reader
	f.events = events
	in, keys := io.Pipe()
	defer in.Close()
	ended := make(chan error, 1)
	go func() {
		ended <- run(context.Background(), Options{Backend: f}, tea.WithInput(in), tea.WithOutput(io.Discard))
	}()
	// The program listens to the engine: an event goes through.
	select {
	case events <- pending.Event{Kind: pending.EventEntryChanged}:
	case <-time.After(5 * time.Second):
		t.Fatal("the program never waited for the engine's events")
	}
	time.Sleep(200 * time.Millisecond) // the wait re-armed after the event sits on the channel
	if _, err := keys.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("the program ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("q did not end the program")
	}
	// The engine's channel stays open; nothing of the program is left reading it.
	select {
	case events <- pending.Event{Kind: pending.EventEntryChanged}:
		t.Fatal("the program ended and something of it still waits for the engine's events")
	case <-time.After(300 * time.Millisecond):
	}
}

// syncLandingFake is a fake whose sync brings another user's newer Phone just after the
// conflict screen checked it and before the resolution is saved: the engine refuses, as it
// checks the values shown again in its own transaction.
type syncLandingFake struct {
	*fakeBackend
	landed *atomic.Bool
}

func (f syncLandingFake) Record(ctx context.Context, object, id string) (pending.RecordView, error) {
	v, err := f.fakeBackend.Record(ctx, object, id)
	if err == nil && f.landed.Load() {
		v.Server = maps.Clone(v.Server)
		v.Server["Phone"] = "555-0999"
	}
	return v, err
}

func (f syncLandingFake) ResolveAgainst(_ context.Context, id string, _ map[string]pending.Choice, theirs remote.Fields) error {
	f.landed.Store(true)
	if theirs["Phone"] != "2" { // the conflict's theirs, as the screen shows it
		return fmt.Errorf("the screen did not send the value it showed: %v", theirs)
	}
	return &pending.TheirsMovedError{Object: "Account", RecordID: id, Fields: []pending.MovedField{{Field: "Phone", Was: "2", Now: "555-0999"}}}
}

func TestASyncLandingBetweenTheCheckAndTheSaveStillStopsTheResolution(t *testing.T) {
	f := syncLandingFake{seededFake(2), new(atomic.Bool)}
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "1"}, Conflicts: phoneConflict})
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "r")
	d.requireView("Resolve conflict")
	d.keys("m", "ctrl+s")
	d.requireView("Not saved: Account Phone changed again on the org", "555-0999")
	if e, _ := f.Entry(context.Background(), "e1"); e.Status != pending.StatusConflict {
		t.Fatalf("the entry is %s", e.Status)
	}
}

// A sync that brings a newer theirs while the conflict screen is open shows it at once, keeping
// the choices made; a sync that settles the conflict (the record deleted, so the change turned
// red) closes the screen saying so.
func TestAnOpenConflictScreenFollowsWhatASyncBrings(t *testing.T) {
	f := syncLandingFake{seededFake(2), new(atomic.Bool)}
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "1"}, Conflicts: phoneConflict})
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "r")
	d.requireView("Resolve conflict", "theirs  2")
	d.keys("m")
	f.landed.Store(true) // a sync stored 555-0999 as the org's copy
	d.send(refreshMsg{})
	d.requireView("Account Phone changed again on the org while this screen was open", "theirs  555-0999", "✓ mine    1")
	if got := d.model().active(); got != ScreenConflict {
		t.Fatalf("left the conflict screen: %v", got)
	}
	f.mu.Lock()
	f.entries[0].Status, f.entries[0].Conflicts, f.entries[0].Message = pending.StatusFailed, nil, "Record was deleted by another user"
	f.mu.Unlock()
	d.send(refreshMsg{})
	d.requireView("This conflict was settled meanwhile: Record was deleted by another user.")
	if got := d.model().active(); got == ScreenConflict {
		t.Fatal("still on the conflict screen of a settled conflict")
	}
}

// The record page of a conflict whose other side changed again says the newer value, which is
// what taking theirs keeps now, not the one the conflict found.
func TestTheRecordPageOfAConflictShowsTheirsChangedAgain(t *testing.T) {
	f := syncLandingFake{seededFake(2), new(atomic.Bool)}
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "1"}, Conflicts: phoneConflict})
	f.landed.Store(true)
	d := newDriver(t, f, 120, 30)
	d.keys("enter", "enter")
	d.requireView(`conflict: changed again on the org, now "555-0999" (was "2")`)
}

// Moving by word (alt+b) in the conflict screen's value editor keeps the value it opened with:
// only a letter typed first replaces it.
func TestAltBInTheConflictValueEditorKeepsTheValue(t *testing.T) {
	f := requeueingFake{seededFake(2)}
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "555 0101"}, Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "2", Mine: "555 0101"}}})
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "r")
	d.requireView("Resolve conflict")
	d.keys("v")
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("b"), Alt: true})
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
	d.keys("tab", "ctrl+s")
	f.mu.Lock()
	got := f.resolved["Phone"]
	f.mu.Unlock()
	if got.Take != pending.TakeValue || got.Value != "555 x0101" {
		t.Fatalf("resolved with %+v, want the value opened with, x typed before its last word", got)
	}
}
