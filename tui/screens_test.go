package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

func seededFake(n int) *fakeBackend {
	f := newFakeBackend()
	f.quiet = true
	for i := 0; i < n; i++ {
		f.add("Account", remote.Fields{"Id": sprintf("001%015d", i), "Name": sprintf("Acme %06d", i), "Industry": "Banking", "Phone": "555-0100"})
	}
	f.add("Contact", remote.Fields{"Id": "003000000000000001", "LastName": "Smith", "Name": "Jo Smith", "AccountId": "001000000000000000"})
	f.sortAll()
	return f
}

func TestNewRecordActionsOnRecordPageRefuseOffline(t *testing.T) {
	for _, k := range []string{"t", "c", "n"} {
		t.Run(k, func(t *testing.T) {
			d := newDriver(t, seededFake(3), 100, 30)
			d.keys("o", "enter", "enter")
			d.requireView("Acme 000000", "(online only)")
			d.keys(k)
			d.requireView("isn't available offline", "go online")
			if d.model().active() != ScreenRecord {
				t.Fatalf("a form opened while offline")
			}
		})
	}
}

func TestNewTaskFromRecordPageOnlinePrefillsTheParent(t *testing.T) {
	d := newDriver(t, seededFake(3), 100, 30)
	d.keys("enter", "enter", "t")
	d.requireView("New Task", "Related To", "Acme 000000")
}

func TestLockedRecordRefusesEditAndDeleteWithWhyAndHow(t *testing.T) {
	tests := []struct {
		status pending.Status
		code   string
		want   string
	}{
		{pending.StatusConflict, "", "Press r"},
		{pending.StatusInvalid, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Press r"},
		{pending.StatusFailed, "ENTITY_IS_DELETED", "Press x"},
	}
	for _, tc := range tests {
		for _, k := range []string{"e", "d"} {
			t.Run(string(tc.status)+"/"+k, func(t *testing.T) {
				f := seededFake(2)
				f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
					Op: pending.OpUpdate, Status: tc.status, Code: tc.code, Changes: remote.Fields{"Phone": "1"}})
				d := newDriver(t, f, 100, 30)
				d.keys("enter", "enter", k)
				d.requireView("Locked", tc.want)
				if d.model().active() != ScreenRecord || d.model().modal.open() {
					t.Fatalf("locked record opened a form or a confirmation")
				}
			})
		}
	}
}

func TestFormChecksRequiredLengthAndTypeBeforeSaving(t *testing.T) {
	f := seededFake(1)
	d := newDriver(t, f, 100, 30)
	d.keys("down", "enter", "n")
	d.requireView("New Contact", "Last Name *")
	d.keys("ctrl+s")
	d.requireView("required", "1 field needs a fix before saving")
	d.keys(strings.Repeat("x", 81), "tab", "not-an-email", "ctrl+s")
	d.requireView("at most 80 characters (now 81)", "enter an email address")
	if n, _, _ := f.Counts(t.Context()); n != 0 {
		t.Fatalf("a form with errors was saved")
	}
	for i := 0; i < 81; i++ {
		d.keys("backspace")
	}
	d.keys("Lee", "tab")
	for i := 0; i < 12; i++ {
		d.keys("backspace")
	}
	d.keys("lee@example.com", "tab", "tab", "tab", "2024-13-40", "ctrl+s")
	d.requireView("there is no month 13")
	for i := 0; i < 10; i++ {
		d.keys("backspace")
	}
	d.keys("1990-05-17", "ctrl+s")
	d.requireView("Contact saved")
	es, _ := f.Entries(t.Context())
	if len(es) != 1 || es[0].Changes["LastName"] != "Lee" || es[0].Changes["Email"] != "lee@example.com" || es[0].Changes["Birthdate"] != "1990-05-17" {
		t.Fatalf("saved %+v", es)
	}
}

// Spaces alone are no name: the org would refuse the change (REQUIRED_FIELD_MISSING) and lock
// the record orange, with a blank name nobody can find it by.
func TestFormRefusesARequiredFieldOfSpacesAlone(t *testing.T) {
	for _, tc := range []struct {
		keys  []string
		clear bool
	}{
		{[]string{"down", "enter", "n"}, false}, // a new Contact: Last Name
		{[]string{"enter", "enter", "e"}, true}, // an Account's name emptied
	} {
		f := seededFake(1)
		d := newDriver(t, f, 100, 30)
		d.keys(tc.keys...)
		if tc.clear {
			d.send(ctrlU)
		}
		d.keys("   ", "ctrl+s")
		d.requireView("required", "1 field needs a fix before saving")
		if n, _, _ := f.Counts(t.Context()); n != 0 {
			t.Fatalf("%v: a required field of spaces alone was saved", tc.keys)
		}
	}
}

func TestEscOnFormWithUnsavedChangesAsksFirst(t *testing.T) {
	d := newDriver(t, seededFake(1), 100, 30)
	d.keys("enter", "enter", "e", "X", "esc")
	d.requireView("Discard unsaved changes?")
	d.keys("n")
	d.requireView("Acme 000000X")
	d.keys("esc", "y")
	if d.model().active() != ScreenRecord {
		t.Fatalf("esc + y did not leave the form")
	}
}

func TestQuitIsHeldWhileFormHasUnsavedChanges(t *testing.T) {
	d := newDriver(t, seededFake(1), 100, 30)
	d.keys("enter", "enter", "e", "X")
	if _, ok := quitFilter(d.m, tea.QuitMsg{}).(quitHeldMsg); !ok {
		t.Fatal("quit was not held with a dirty form")
	}
	d.send(quitHeldMsg{})
	d.requireView("Unsaved changes", "discard and quit")
	d.keys("y")
	if !d.quit {
		t.Fatal("confirming did not quit")
	}
	if _, ok := quitFilter(d.m, tea.QuitMsg{}).(tea.QuitMsg); !ok {
		t.Fatal("confirmed quit still held")
	}
}

func TestFilterTakesEveryKeyWhileFocused(t *testing.T) {
	d := newDriver(t, seededFake(30), 100, 30)
	d.keys("enter", "/", "q0001")
	if d.quit {
		t.Fatal("typing q in the filter quit the app")
	}
	d.keys("backspace", "backspace", "backspace", "backspace", "backspace", "00012", "enter")
	d.requireView("1 record", "Acme 000012")
	d.refuseView("1 records")
	d.refuseView("Acme 000011")
	d.keys("esc") // leaves the home (filter kept until cleared)
	if d.model().active() != ScreenNav {
		t.Fatalf("esc did not go back")
	}
}

func TestStatusBarShowsModePendingCountAndLastSync(t *testing.T) {
	d := newDriver(t, seededFake(3), 100, 30)
	d.requireView(" ONLINE ", "0 pending", "last sync Mar 4 10:30")
	d.keys("o")
	d.requireView(" OFFLINE ")
	d.keys("enter", "enter", "e", "Z", "ctrl+s")
	d.requireView("1 pending", "● Waiting to sync")
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncProgress, Done: 1, Total: 3}})
	d.requireView("⟳ syncing 1/3")
}

// Once every change of the run is sent, the run still brings the org's changes down: the bar
// says so instead of a count that looks finished.
func TestStatusBarSaysRefreshingOnceThePushIsDone(t *testing.T) {
	d := newDriver(t, seededFake(3), 100, 30)
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncStarted}})
	d.requireView("⟳ syncing")
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncProgress, Done: 67, Total: 68}})
	d.requireView("⟳ syncing 67/68")
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncProgress, Done: 68, Total: 68}})
	d.requireView("⟳ refreshing")
	d.refuseView("68/68")
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{}}})
	d.refuseView("⟳")
}

func TestStatusBarShowsTheOrgsAPIUsage(t *testing.T) {
	cases := []struct{ header, want, absent string }{
		{"api-usage=18/15000", "API used 18/15000", ""},
		{"api-usage=25/5000; per-app-api-usage=17/250(appName=x)", "API used 25/5000", "per-app"},
		{"", "", "API "},
		{"garbage", "", "API "},
	}
	for _, c := range cases {
		t.Run(c.header, func(t *testing.T) {
			header := c.header
			d := newDriverWith(t, Options{Backend: seededFake(3), LimitInfo: func() string { return header }}, 100, 30)
			if c.want != "" {
				d.requireView(c.want)
			}
			if c.absent != "" && strings.Contains(d.view(), c.absent) {
				t.Fatalf("status bar shows %q:\n%s", c.absent, d.view())
			}
		})
	}
}

func TestAlertAfterSyncThatNeedsAttentionOpensPendingChanges(t *testing.T) {
	d := newDriver(t, seededFake(3), 100, 30)
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Synced: 1, Attention: 2}}})
	d.requireView("Sync needs your attention", "2 changes could not be synced")
	d.keys("enter")
	if d.model().active() != ScreenPending {
		t.Fatalf("alert did not open Pending Changes")
	}
}

func TestQOverTheSyncAlertQuitsButNotOverAQuestion(t *testing.T) {
	d := newDriver(t, seededFake(3), 100, 30)
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: 1}}})
	d.requireView("Sync needs your attention")
	d.keys("q")
	if !d.quit {
		t.Fatal("q over the sync alert left the app running (and the device held)")
	}
	// Over a form q is a letter typed for it: it answers nothing (the alert stays, unread so
	// far), and goes nowhere: not into a field, not to quit.
	d = newDriver(t, seededFake(3), 100, 30)
	d.keys("enter", "enter", "e")
	focused := func() string { // the field under the cursor, as drawn
		for _, l := range strings.Split(d.model().View(), "\n") {
			if strings.Contains(l, "▸") {
				return strings.TrimSpace(l)
			}
		}
		return ""
	}
	before := focused()
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: 1}}})
	d.requireView("Sync needs your attention")
	d.keys("q")
	if d.quit || !d.model().modal.open() {
		t.Fatalf("q over the alert above a form: quit %v, alert open %v", d.quit, d.model().modal.open())
	}
	d.keys("esc")
	if focused() != before {
		t.Fatalf("q over the alert above a form reached the field: %q (was %q)", focused(), before)
	}
	d = newDriver(t, seededFake(3), 100, 30)
	d.keys("enter", "enter", "d")
	d.requireView("Delete")
	d.keys("q")
	if d.quit {
		t.Fatal("q answered a question by quitting")
	}
	d.requireView("Delete")
}

func TestAlertShowsOnceUntilMoreChangesNeedAttention(t *testing.T) {
	d := newDriver(t, seededFake(3), 100, 30)
	finished := func(attention int) {
		d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: attention}}})
	}
	finished(1)
	d.requireView("Sync needs your attention", "1 change could not be synced")
	d.keys("esc")
	d.refuseView("Sync needs your attention")
	finished(1) // another run finds the same change still waiting for the user
	d.refuseView("Sync needs your attention")
	finished(2)
	d.requireView("Sync needs your attention", "2 changes could not be synced")
	d.keys("esc")
	finished(0) // both resolved
	finished(1)
	d.requireView("Sync needs your attention", "1 change could not be synced")
}

func TestEveryScreenFitsTheTerminal(t *testing.T) {
	sizes := [][2]int{{80, 24}, {100, 30}, {160, 48}, {60, 16}, {40, 10}}
	for _, sz := range sizes {
		t.Run(sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			f := seededFake(60)
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: strings.Repeat("Very long name ", 20),
				Op: pending.OpUpdate, Status: pending.StatusConflict, Message: strings.Repeat("Another user changed Phone ", 10),
				Changes: remote.Fields{"Phone": "1"}, Conflicts: []pending.Conflict{{Field: "Phone", Base: "0", Theirs: "2", Mine: "1", TheirsBy: "sam"}}})
			d := newDriver(t, f, sz[0], sz[1])
			steps := [][]string{{}, {"enter"}, {"enter"}, {"e"}, {"esc", "?"}, {"?", "p"}, {"r"}, {"esc", "o"}}
			for i, st := range steps {
				d.keys(st...)
				v := d.view()
				lines := strings.Split(v, "\n")
				if len(lines) != sz[1] {
					t.Fatalf("step %d: %d lines, want %d:\n%s", i, len(lines), sz[1], v)
				}
				for _, l := range lines {
					if w := lipgloss.Width(l); w > sz[0] {
						t.Fatalf("step %d: line of %d cells in %d:\n%s", i, w, sz[0], l)
					}
				}
			}
		})
	}
}

func TestMouseWheelScrollsTheList(t *testing.T) {
	d := newDriver(t, seededFake(100), 100, 30)
	d.keys("enter")
	d.send(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	d.send(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	d.requireView("▸ ", "7 of 100")
}

func TestListFetchesPagesAsTheCursorMoves(t *testing.T) {
	d := newDriver(t, seededFake(1000), 100, 30)
	d.keys("enter", "G")
	d.requireView("1000 of 1000", "Acme 000999")
	d.keys("g")
	d.requireView("1 of 1000", "Acme 000000")
}

func TestPendingChangesDismissesRedAndDiscardsOthersOnlyAfterConfirm(t *testing.T) {
	f := seededFake(3)
	f.setEntry(pending.Entry{ID: "red", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000", Op: pending.OpUpdate,
		Status: pending.StatusFailed, Code: "ENTITY_IS_DELETED", Message: "Record was deleted by another user", UpdatedAt: time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)})
	f.setEntry(pending.Entry{ID: "green", Object: "Account", RecordID: "001000000000000001", Name: "Acme 000001", Op: pending.OpUpdate, Status: pending.StatusPending})
	d := newDriver(t, f, 100, 30)
	d.keys("p")
	d.requireView("✖ Can't be saved", "Record was deleted by another user · ENTITY_IS_DELETED", "● To sync")
	d.keys("x")
	d.requireView("Dismiss change?", `Dismiss your edit of "Acme 000000"? It can't be saved`, "(record was deleted)", "y dismiss")
	d.keys("y")
	d.refuseView("✖ Can't be saved")
	d.keys("x")
	d.requireView("Discard change?")
	d.keys("y")
	d.requireView("Nothing is waiting.")
	d.refuseView("synced")
}

// Opening the filter again over a kept one: the first letter typed starts a new filter (typing
// "Hooli" twice gave "HooliHooli"); a deletion first edits the kept one.
func TestFilterOpenedAgainIsReplacedByWhatIsTyped(t *testing.T) {
	d := newDriver(t, seededFake(30), 100, 30)
	d.keys("enter", "/", "000012", "enter")
	d.requireView("1 record", "Acme 000012")
	d.keys("/", "000013", "enter")
	d.requireView("1 record", "Acme 000013")
	d.keys("/", "backspace", "enter")
	d.requireView("Acme 000010", "Acme 000011", "Acme 000013")
}
