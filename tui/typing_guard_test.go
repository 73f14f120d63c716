package tui

import (
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/scenario"
)

// A sync alert that comes up while the user types in a form answers only the keys it shows
// (enter, esc): p opened Pending Changes over the form and y answered it, from letters meant for
// the field.
func TestAnAlertOverAFormIsNotAnsweredByLettersTypedForTheForm(t *testing.T) {
	d := newDriver(t, attentionFake(), 100, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account")
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: 1}}})
	d.requireView("Sync needs your attention")
	for _, k := range []string{"p", "y", "n", "q"} {
		d.keys(k)
		d.requireView("Sync needs your attention")
		if d.model().active() != ScreenForm || d.quit {
			t.Fatalf("%q over the alert left the form:\n%s", k, d.view())
		}
	}
	d.keys("esc")
	d.refuseView("Sync needs your attention")
	if d.model().active() != ScreenForm {
		t.Fatalf("esc over the alert left the form:\n%s", d.view())
	}
	// Away from a form, p still answers it (it opens Pending Changes, as the alert's yes does).
	d.keys("esc")
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: 3}}})
	d.requireView("Sync needs your attention")
	d.keys("p")
	if d.model().active() != ScreenPending {
		t.Fatalf("p over the alert did not open Pending Changes:\n%s", d.view())
	}
}

// p is Pending Changes: on an alert whose yes opens something else (the record, the conflict)
// it answers nothing.
func TestPAnswersOnlyTheAlertThatOpensPendingChanges(t *testing.T) {
	k := defaultKeys()
	ran := func() tea.Msg { return openPendingMsg{} }
	key := func(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }
	other := modal{kind: modalAlert, title: "Theirs changed again", yes: "open the record", onYes: ran}
	if m, cmd := other.update(key("p"), k, false); !m.open() || cmd != nil {
		t.Fatal("p answered an alert that opens the record")
	}
	if m, cmd := other.update(key("y"), k, false); m.open() || cmd == nil {
		t.Fatal("y did not answer the alert")
	}
	sync := modal{kind: modalAlert, title: syncAlertTitle, yes: "open Pending Changes", onYes: ran}
	if m, cmd := sync.update(key("p"), k, false); m.open() || cmd == nil {
		t.Fatal("p did not answer the sync alert")
	}
}

// A new value being typed on the conflict screen is held by a quit as a choice is (ctrl+c quit
// at once and lost it).
func TestAValueBeingTypedOnTheConflictScreenHoldsAQuit(t *testing.T) {
	d, _ := twoFieldConflict(t, 100, 30)
	d.keys("v")
	if d.model().holdsQuit() {
		t.Fatal("an editor opened and nothing typed holds the quit")
	}
	d.keys("typed value")
	if got := quitFilter(d.model(), tea.QuitMsg{}); got != (quitHeldMsg{}) {
		t.Fatalf("a quit with a value being typed went through: %#v", got)
	}
	d.send(quitHeldMsg{})
	if v := boxText(d.view()); !strings.Contains(v, "a value being typed for Industry") {
		t.Fatalf("the question does not say what a quit loses:\n%s", d.view())
	}
}

// The backstage's forms ask before esc drops what was typed in them, and hold a quit, as the
// record's Edit form does (esc closed them at once, ctrl+c quit at once).
func TestTheBackstageFormAsksBeforeDroppingTypedValues(t *testing.T) {
	env := qaEnv(t, nil)
	s := newQAStory(t, Options{Backend: env.Engine(), NetStatus: env.Network().String, Backstage: env})
	s.press("enter")
	s.wait("records")
	s.press("enter")
	s.wait("[d] Delete")
	s.press("B")
	s.wait("SIMULATION — backstage")
	s.press("u")
	s.wait("As admin")
	s.backstageItem("Edit fields of this record as admin")
	s.press("enter")
	s.wait("values on the org now, as admin reads them")
	// Nothing typed: esc closes the form at once.
	s.press("esc")
	s.wait("▸ Edit fields of this record as admin")
	s.press("enter")
	s.wait("values on the org now, as admin reads them")
	s.press("Z")
	s.press("esc")
	s.wait("Discard typed values?", "The backstage form has values that are not sent.")
	s.press("n")
	s.wait("values on the org now, as admin reads them")
	s.press("esc")
	s.wait("Discard typed values?")
	s.press("y")
	s.wait("▸ Edit fields of this record as admin")
}

// The sync alert's enter opens Pending Changes, which may lie below the conflict screen: choices
// made there are asked about first, as esc and p ask (they were dropped unasked).
func TestTheAlertsEnterAsksBeforeDroppingConflictChoices(t *testing.T) {
	d, f := twoFieldConflict(t, 100, 30)
	d.keys("t")
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: 2}}})
	d.requireView("Sync needs your attention")
	d.keys("enter")
	d.requireView("Leave without saving?", "choices that are not saved: theirs")
	d.keys("n")
	if d.model().active() != ScreenConflict || !d.model().conflict.dirty() {
		t.Fatalf("no kept the conflict screen and its choices:\n%s", d.view())
	}
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: 3}}})
	d.keys("enter")
	d.requireView("Leave without saving?")
	d.keys("y")
	if d.model().active() != ScreenPending {
		t.Fatalf("yes did not open Pending Changes:\n%s", d.view())
	}
	if f.resolved != nil {
		t.Fatalf("leaving resolved the conflict: %+v", f.resolved)
	}
	// With nothing chosen the alert opens Pending Changes at once.
	d.keys("r")
	d.requireView("Resolve conflict")
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: 4}}})
	d.keys("enter")
	if d.model().active() != ScreenPending || d.model().modal.open() {
		t.Fatalf("the alert's enter with nothing chosen:\n%s", d.view())
	}
}

// Going back to a screen on the stack drops the screens above it and opens it again: any way of
// doing so asks first when they hold unsaved work (B or L from over a conflict screen, a fix
// form opened over a dirty form, another change's conflict over choices made on one).
func TestEveryWayBackOverUnsavedWorkAsks(t *testing.T) {
	t.Run("B from a log over conflict choices", func(t *testing.T) {
		_, f := twoFieldConflict(t, 100, 30)
		d := newDriver(t, f, 100, 30)
		d.keys("B", "p")
		d.requireView("▲ Conflict")
		d.keys("r")
		d.requireView("Resolve conflict")
		d.keys("t", "L", "B")
		d.requireView("Leave without saving?", "choices that are not saved: theirs")
		d.keys("n")
		if d.model().active() != ScreenLog || !d.model().conflict.dirty() {
			t.Fatalf("no kept the choices: stack %v\n%s", d.model().stack, d.view())
		}
		d.keys("B")
		d.requireView("Leave without saving?")
		d.keys("y")
		if d.model().active() != ScreenBackstage || slices.Contains(d.model().stack, ScreenConflict) {
			t.Fatalf("yes did not go back to the backstage: stack %v", d.model().stack)
		}
	})
	t.Run("a fix form over a dirty form", func(t *testing.T) {
		d := newDriver(t, attentionFake(), 100, 30)
		d.keys("enter", "enter", "e", "ZZZ")
		d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: 1}}})
		d.keys("enter", "r")
		d.requireView("Leave without saving?", "The form has changes that are not saved.")
		d.keys("n")
		if !d.model().form.dirty() {
			t.Fatal("no dropped the form's edits")
		}
	})
	t.Run("another change's conflict over choices", func(t *testing.T) {
		d, f := twoFieldConflict(t, 100, 30)
		f.setEntry(pending.Entry{ID: "e2", Object: "Account", RecordID: "001000000000000001", Name: "Acme 000001",
			Op: pending.OpUpdate, Status: pending.StatusConflict, Code: "CONFLICT", Message: "x",
			Changes: f.entries[0].Changes, Conflicts: f.entries[0].Conflicts})
		d.keys("t")
		w := resolvedWatch{entryID: "e2", name: "Acme 000001"}
		d.model().c.resolved = w
		d.send(resolvedAgainMsg{watch: w, status: pending.StatusConflict})
		d.requireView("Changed again while you resolved it")
		d.keys("enter")
		d.requireView("Leave without saving?")
		d.keys("y")
		if d.model().conflict.entryID != "e2" || d.model().conflict.dirty() {
			t.Fatalf("yes did not open the other change's conflict: %q dirty %v", d.model().conflict.entryID, d.model().conflict.dirty())
		}
	})
	t.Run("N typed in a form over the alert", func(t *testing.T) {
		sc := &listScript{file: "s.yaml", results: []scenario.StepResult{{Index: 0, Line: 8, Text: "offline"}}}
		d := newDriverWith(t, Options{Backend: seededFake(3), Script: sc}, 100, 30)
		d.keys("enter", "enter", "e")
		d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: 1}}})
		d.requireView("Sync needs your attention")
		d.keys("N")
		if sc.ran != 0 || !d.model().modal.open() {
			t.Fatalf("N typed in the form over the alert: %d step(s) run, alert open %v", sc.ran, d.model().modal.open())
		}
	})
}

// Agreeing to drop the conflict screen's choices agrees to that alone: a backstage form holding
// typed values below it is still asked about (B dropped it with the choices, unasked).
func TestDroppingChoicesStillAsksAboutABackstageFormBelow(t *testing.T) {
	env := qaEnv(t, nil)
	eng := env.Engine()
	s := newQAStory(t, Options{Backend: eng, NetStatus: env.Network().String, Backstage: env})
	s.goOffline()
	s.renameFirstAccount("Mine Backstage Co")
	s.wait("● Waiting to sync")
	s.press("B")
	s.wait("SIMULATION — backstage")
	s.backstageItem("Share it with sam")
	s.press("enter")
	s.wait("✓ share")
	s.backstageItem("Edit fields of this record as sam")
	s.press("enter")
	s.wait("as sam · field 1 of ", "(only the fields you change are sent)", "▸ Account Name")
	s.press("ctrl+u", "Sam Backstage Co", "ctrl+s")
	s.wait("✓ as sam: edit")
	s.press("esc")
	s.wait("● Waiting to sync")
	s.press("o")
	s.wait("Sync needs your attention")
	s.press("esc")
	s.press("B")
	s.wait("SIMULATION — backstage")
	s.press("u")
	s.wait("As admin")
	s.backstageItem("Edit fields of this record as admin")
	s.press("enter")
	s.wait("values on the org now, as admin reads them")
	s.press("Z")
	s.tm.Send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: 5}}})
	s.wait("Sync needs your attention")
	s.press("enter")
	s.wait("Pending Changes")
	s.press("r")
	s.wait("Resolve conflict")
	s.press("t", "B")
	s.wait("Drop your choices?")
	s.press("y")
	s.wait("Leave without saving?", "The backstage form has values that are not sent.")
	s.press("n")
	s.waitGone("Leave without saving?")
}

// Two leave questions waiting their turn each do their own move: the first yes ran the second's.
func TestEachLeaveQuestionDoesItsOwnMove(t *testing.T) {
	d, f := twoFieldConflict(t, 100, 30)
	f.setEntry(pending.Entry{ID: "e2", Object: "Account", RecordID: "001000000000000001", Name: "Acme 000001",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Code: "CONFLICT", Message: "x",
		Changes: f.entries[0].Changes, Conflicts: f.entries[0].Conflicts})
	d.keys("t")
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: 2}}})
	d.requireView("Sync needs your attention")
	w := resolvedWatch{entryID: "e2", name: "Acme 000001"}
	d.model().c.resolved = w
	d.send(resolvedAgainMsg{watch: w, status: pending.StatusConflict})
	d.keys("enter") // the alert: open Pending Changes asks, behind the other pop-up
	d.keys("enter") // "resolve it again": opening e2's conflict asks too
	d.requireView("Leave without saving?")
	d.keys("y")
	if d.model().active() != ScreenPending {
		t.Fatalf("the first question's yes did not open Pending Changes: stack %v", d.model().stack)
	}
}
