package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// helpBarOf is the last line of a view: the help bar.
func helpBarOf(v string) string {
	lines := strings.Split(v, "\n")
	return lines[len(lines)-1]
}

func TestConflictHelpBarOffersOnlyTheInputsKeysWhileAValueIsTyped(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		f := seededFake(2)
		f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
			Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "1"},
			Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "2", Mine: "1"}}})
		d := newDriver(t, f, size[0], size[1])
		d.keys("enter", "enter", "r")
		if bar := helpBarOf(d.view()); !strings.Contains(bar, "m mine") || !strings.Contains(bar, "t theirs") {
			t.Fatalf("%dx%d: the help bar before typing is %q", size[0], size[1], bar)
		}
		d.keys("v")
		bar := helpBarOf(d.view())
		for _, want := range []string{"tab/enter set the value", "esc cancel", "←/→ move in the value"} {
			if !strings.Contains(bar, want) {
				t.Errorf("%dx%d: while typing the help bar lacks %q: %q", size[0], size[1], want, bar)
			}
		}
		for _, dead := range []string{"mine", "theirs", "type a value", "ctrl+s", "backstage"} {
			if strings.Contains(bar, dead) {
				t.Errorf("%dx%d: while typing the help bar offers %q, which types instead: %q", size[0], size[1], dead, bar)
			}
		}
		d.refuseView("m keep mine · t take theirs")
		d.requireView("typing a new value for Account Phone · tab/enter set the value · esc cancel")
		d.keys("555-0142", "enter")
		d.requireView("new     555-0142", "m keep mine · t take theirs")
		if bar := helpBarOf(d.view()); !strings.Contains(bar, "m mine") {
			t.Fatalf("%dx%d: after enter the help bar is %q", size[0], size[1], bar)
		}
	}
}

func TestResolvedNoteSaysWhetherAnythingIsLeftToSync(t *testing.T) {
	theirs, mine := pending.Choice{Take: pending.TakeTheirs}, pending.Choice{Take: pending.TakeMine}
	typed := pending.Choice{Take: pending.TakeValue, Value: "x"}
	cases := []struct {
		name    string
		changes remote.Fields
		choices map[string]pending.Choice
		left    bool
	}{
		{"theirs for the only field", remote.Fields{"Phone": "1"}, map[string]pending.Choice{"Phone": theirs}, false},
		{"theirs for both fields", remote.Fields{"Phone": "1", "Fax": "2"}, map[string]pending.Choice{"Phone": theirs, "Fax": theirs}, false},
		{"mine", remote.Fields{"Phone": "1"}, map[string]pending.Choice{"Phone": mine}, true},
		{"a typed value", remote.Fields{"Phone": "1"}, map[string]pending.Choice{"Phone": typed}, true},
		{"theirs, but another field changed without conflict", remote.Fields{"Phone": "1", "Fax": "2"}, map[string]pending.Choice{"Phone": theirs}, true},
	}
	for _, c := range cases {
		got := resolvedNote(c.changes, c.choices)
		if left := strings.Contains(got, "queued again"); left != c.left || !strings.HasPrefix(got, "Resolved") {
			t.Errorf("%s: %q", c.name, got)
		}
	}
}

func TestEscWhileAResolutionSavesDoesNotGoBackTwice(t *testing.T) {
	m := conflictModel{saving: true}
	if !m.capturing() {
		t.Fatal("a conflict screen that is saving lets esc through to leave it before the save goes back")
	}
	m.saving = false
	if m.capturing() {
		t.Fatal("a conflict screen at rest keeps the global keys from working")
	}
}

// conflictOn opens the conflict screen on a one-field conflict of a seeded record.
func conflictOn(t *testing.T, object, id, field string, base, theirs, mine any) (*driver, *fakeBackend) {
	t.Helper()
	f := seededFake(3)
	f.setEntry(pending.Entry{ID: "e1", Object: object, RecordID: id, Name: "the record",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{field: mine},
		Conflicts: []pending.Conflict{{Field: field, Base: base, Theirs: theirs, Mine: mine}}})
	d := newDriver(t, f, 100, 30)
	d.send(openConflictMsg{entryID: "e1"})
	d.requireView("Resolve conflict")
	return d, f
}

func TestConflictNewValueEditorFitsTheFieldTypeAndRefusesBadInput(t *testing.T) {
	const acct, contact = "001000000000000000", "003000000000000001"
	cases := []struct {
		name              string
		object, id, field string
		mine              any
		bad               []string // keys that make a value the field can't take
		refusal           string   // what the screen says then
		good              []string // keys that make a good value
		want              any      // the value the resolution sends
	}{
		{"number", "Account", acct, "AnnualRevenue", 10.0, []string{"abc"}, "enter a number",
			[]string{"backspace", "backspace", "backspace", "1,200.5"}, 1200.5},
		{"date", "Contact", contact, "Birthdate", "1990-01-01", []string{"next week"}, "enter a date as YYYY-MM-DD",
			[]string{"2026-12-01"}, "2026-12-01"},
		{"email", "Contact", contact, "Email", "a@b.example", []string{"not an address"}, "enter an email address",
			[]string{"jo@example.com"}, "jo@example.com"},
		{"text too long", "Account", acct, "Name", "Acme", []string{strings.Repeat("x", 256)}, "at most 255 characters (now 256)",
			[]string{"Acme Two"}, "Acme Two"},
		{"required text emptied", "Account", acct, "Name", "Acme", []string{"x", "backspace"}, "Account Name can't be empty",
			[]string{"Acme Three"}, "Acme Three"},
		{"lookup typed but not chosen", "Contact", contact, "AccountId", acct, []string{"Nobody"}, "choose a record from the matches",
			[]string{"Acme 000001", "enter"}, "001000000000000001"},
		{"long text: typing replaces mine, enter adds a line, tab sets it", "Account", acct, "Description", "mine", nil, "",
			[]string{"agreed", "enter", "on the phone", "tab"}, "agreed\non the phone"},
		{"picklist steps through its values, tab sets", "Account", acct, "Industry", "Banking", nil, "", []string{"right", "tab"}, "Energy"},
		{"picklist lists its values on enter, enter in the list sets", "Account", acct, "Industry", "Banking", nil, "", []string{"enter", "ret", "enter"}, "Retail"},
		{"checkbox toggles", "Contact", contact, "DoNotCall", false, nil, "", []string{"space"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, f := conflictOn(t, c.object, c.id, c.field, c.mine, c.mine, c.mine)
			d.keys("v")
			if c.bad != nil {
				d.keys(c.bad...)
				d.keys("enter")
				d.requireView("✖ "+c.refusal, "new value:")
				if !d.model().conflict.editing {
					t.Fatalf("a value the field can't take was set:\n%s", d.view())
				}
				// Start again from an empty value.
				for range 300 {
					d.keys("backspace")
				}
			}
			d.keys(c.good...)
			if d.model().conflict.editing {
				d.keys("enter")
			}
			if d.model().conflict.editing {
				t.Fatalf("a good value was refused:\n%s", d.view())
			}
			d.refuseView("✖ ")
			d.keys("ctrl+s")
			got, ok := f.resolved[c.field]
			if !ok || got.Take != pending.TakeValue || !sameValue(got.Value, c.want) {
				t.Fatalf("the resolution sent %#v for %s, want the value %#v", got, c.field, c.want)
			}
		})
	}
}

func TestConflictScreenInStrictModeSaysTheirsIsUnchangedAndShowsTheWholeMessage(t *testing.T) {
	msg := "Another user changed Account Fax, Website, Annual Revenue (strict mode: every remote change needs your decision)"
	for _, size := range [][2]int{{80, 24}, {60, 20}, {200, 60}} {
		f := seededFake(2)
		at := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
		f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
			Op: pending.OpUpdate, Status: pending.StatusConflict, Code: "CONFLICT", Message: msg,
			Changes:   remote.Fields{"Phone": "555-0111"},
			Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "555-0100", Mine: "555-0111", TheirsBy: "005A", TheirsAt: at}}})
		d := newDriver(t, f, size[0], size[1])
		d.send(openConflictMsg{entryID: "e1"})
		v := flat(d.view())
		if !strings.Contains(v, flat(msg)) {
			t.Errorf("%dx%d: the message is cut:\n%s", size[0], size[1], d.view())
		}
		if !strings.Contains(v, "unchanged: 005A changed other fields") {
			t.Errorf("%dx%d: theirs reads as if they had set the value:\n%s", size[0], size[1], d.view())
		}
	}
}

// A value an earlier send carried, with no reply, shows between base and theirs: the org may
// have taken it before theirs.
func TestConflictScreenShowsAValueSentBeforeWithNoReply(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		f := seededFake(2)
		at := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
		f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
			Op: pending.OpUpdate, Status: pending.StatusConflict, Code: "CONFLICT", Message: "Another user changed Account Phone",
			Changes: remote.Fields{"Phone": "555-0105"},
			Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0103", Theirs: "555-0199", Mine: "555-0105", TheirsBy: "005A", TheirsAt: at,
				Sent: []any{"555-0104"}}}})
		d := newDriver(t, f, size[0], size[1])
		d.send(openConflictMsg{entryID: "e1"})
		v := flat(d.view())
		for _, want := range []string{"sent 555-0104", "no reply came: the org may have taken it"} {
			if !strings.Contains(v, want) {
				t.Errorf("%dx%d: no %q:\n%s", size[0], size[1], want, d.view())
			}
		}
		if strings.Index(v, "base 555-0103") > strings.Index(v, "sent 555-0104") || strings.Index(v, "sent 555-0104") > strings.Index(v, "theirs 555-0199") {
			t.Errorf("%dx%d: want base, sent, theirs in that order:\n%s", size[0], size[1], d.view())
		}
	}
}

func TestConflictPicklistValueEditorGoldenAt80x24(t *testing.T) {
	f := seededFake(2)
	at := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Code: "CONFLICT", Message: "Another user changed Industry, Account Phone",
		Changes: remote.Fields{"Phone": "555-0111", "Industry": "Retail"},
		Conflicts: []pending.Conflict{
			{Field: "Industry", Base: "Banking", Theirs: nil, Mine: "Retail", TheirsBy: "005A", TheirsAt: at},
			{Field: "Phone", Base: "555-0100", Theirs: "555-0122", Mine: "555-0111", TheirsBy: "005A", TheirsAt: at},
		}})
	d := newDriver(t, f, 80, 24)
	d.send(openConflictMsg{entryID: "e1"})
	d.keys("v", "left")
	d.requireView("choosing a new value for Industry", "◂ Energy ▸", "(empty)")
	teatest.RequireEqualOutput(t, []byte(d.view()))
}

func TestMenuCountsOrangeAndRedApartAsTheStatusBarDoes(t *testing.T) {
	for _, w := range []int{60, 80, 200} {
		f := seededFake(3)
		f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
			Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "1"}})
		f.setEntry(pending.Entry{ID: "e2", Object: "Account", RecordID: "001000000000000001", Name: "Acme 000001",
			Op: pending.OpUpdate, Status: pending.StatusFailed, Code: "ENTITY_IS_DELETED", Changes: remote.Fields{"Phone": "2"}})
		f.setEntry(pending.Entry{ID: "e3", Object: "Account", RecordID: "001000000000000002", Name: "Acme 000002",
			Op: pending.OpUpdate, Status: pending.StatusPending, Changes: remote.Fields{"Phone": "3"}})
		d := newDriver(t, f, w, 24)
		want := "Pending Changes (3) · ▲ 1 needs attention · ✖ 1 can't be saved"
		if w < 80 {
			want = "Pending Changes (3)\n    ▲ 1 needs attention · ✖ 1 can't be saved"
		}
		trimmed := func() string {
			var out []string
			for _, l := range strings.Split(d.view(), "\n") {
				out = append(out, strings.TrimRight(l, " "))
			}
			return strings.Join(out, "\n")
		}
		if !strings.Contains(trimmed(), "  "+want) {
			t.Fatalf("%d columns: the menu lacks %q:\n%s", w, want, d.view())
		}
		if v := aboveHelpBar(d.view()); strings.Contains(v, "2 need attention") || strings.Contains(v, "…") {
			t.Fatalf("%d columns: the menu miscounts or is cut:\n%s", w, v)
		}
		// Selected, the line is not cut.
		for range 10 {
			d.keys("down")
		}
		if !strings.Contains(trimmed(), "▸ "+want) {
			t.Fatalf("%d columns: selected, the menu lacks %q:\n%s", w, want, d.view())
		}
	}
}

func TestResolveOnARedChangeSaysWhyOnce(t *testing.T) {
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusFailed, Code: "ENTITY_IS_DELETED", Changes: remote.Fields{"Phone": "1"}})
	d := newDriver(t, f, 100, 24)
	d.keys("p", "r")
	d.requireView("This change can't be saved: record was deleted. Press x to dismiss it.")
}

func TestSyncNoteSaysWhenChangesWereMergedWithAnotherUsersEdits(t *testing.T) {
	cases := []struct {
		name string
		sum  pending.Summary
		want string
	}{
		{"nothing merged", pending.Summary{Synced: 2}, "Synced 2 changes."},
		{"one merged", pending.Summary{Synced: 1, Merged: 1}, "Synced 1 change (1 merged with another user's edits of other fields)."},
		{"some merged", pending.Summary{Synced: 3, Merged: 2}, "Synced 3 changes (2 merged with another user's edits of other fields)."},
		{"objects not refreshed", pending.Summary{Synced: 1, Unrefreshed: []string{"Task: No such column", "Case: denied"}},
			"Synced 1 change. Could not refresh Task, Case: the org refused (L shows why); what the device shows of them may be out of date."},
	}
	for _, c := range cases {
		if got := syncOutcome(&c.sum, 0); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestDeleteConflictHelpSaysEnterConfirmsAndOffersNoFieldChoices(t *testing.T) {
	f := seededFake(2)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpDelete, Status: pending.StatusConflict, Message: "Another user changed Account Phone after you deleted it",
		Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "555-0199"}}})
	d := newDriver(t, f, 100, 24)
	d.send(openConflictMsg{entryID: "e1"})
	d.requireView("Delete anyway", "Keep the record")
	bar := helpBarOf(d.view())
	if !strings.Contains(bar, "enter/ctrl+s confirm") || strings.Contains(bar, "enter open") {
		t.Fatalf("the help bar of a delete conflict is %q", bar)
	}
	d.keys("?")
	for _, dead := range []string{"keep mine", "take theirs", "type a value"} {
		d.refuseView(dead)
	}
}

func TestFixFormShowsTheOrgsWholeRecordMessageAt80Columns(t *testing.T) {
	msg := "Cannot deserialize instance of int from VALUE_STRING value abc or request may be missing a required field"
	f := seededFake(2)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusInvalid, Code: "JSON_PARSER_ERROR", Message: msg,
		Changes: remote.Fields{"Phone": "abc"}, Errors: []pending.FieldError{{Code: "JSON_PARSER_ERROR", Message: msg}}})
	d := newDriver(t, f, 80, 24)
	d.keys("enter", "enter", "r")
	d.requireView("Fix Account")
	if !strings.Contains(flat(d.view()), flat("▲ "+msg)) {
		t.Fatalf("the org's message is cut:\n%s", d.view())
	}
}

func TestRecordPageSaysTheOrgsRecordMessageOnce(t *testing.T) {
	msg := "Cannot deserialize instance of int from VALUE_STRING value abc"
	f := seededFake(2)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusInvalid, Code: "JSON_PARSER_ERROR", Message: msg,
		Changes: remote.Fields{"Phone": "abc"}, Errors: []pending.FieldError{{Code: "JSON_PARSER_ERROR", Message: msg},
			{Code: "OTHER", Message: "A second problem"}}})
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter")
	d.requireView(msg, "• A second problem")
	if n := strings.Count(d.view(), msg); n != 1 {
		t.Fatalf("the message shows %d times:\n%s", n, d.view())
	}

	// The engine's summary of a duplicate refusal is the org's message and how to go on.
	dup := "You're creating a duplicate record: another Account has the same Phone."
	f = seededFake(2)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusInvalid, Code: "DUPLICATES_DETECTED", Message: dup + " (save again unchanged to keep it anyway)",
		Changes: remote.Fields{"Phone": "1"}, Errors: []pending.FieldError{{Code: "DUPLICATES_DETECTED", Message: dup}}})
	d = newDriver(t, f, 100, 30)
	d.keys("enter", "enter")
	d.requireView("save again unchanged")
	if n := strings.Count(flat(d.view()), "You're creating a duplicate record"); n != 1 {
		t.Fatalf("the duplicate message shows %d times:\n%s", n, d.view())
	}
}

func TestActivityLogShowsTheSelectedNoteWholeAt80Columns(t *testing.T) {
	note := "auto-merged: another user changed Account Fax; your change to Account Phone is resent on top"
	f := seededFake(1)
	f.acts = []pending.Activity{{At: f.now, Note: note, RecordID: "001000000000000000", EntryID: "e1"}}
	d := newDriver(t, f, 80, 24)
	d.keys("L")
	d.requireView("Activity log")
	if !strings.Contains(flat(d.view()), flat(note)) {
		t.Fatalf("the note is cut:\n%s", d.view())
	}
}

func TestResolveKeyActsOnTheChangeAsQueuedNotAsTheScreenLastLoadedIt(t *testing.T) {
	f := seededFake(2)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusPending, Changes: remote.Fields{"Phone": "1"}})
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter")
	d.requireView("● Waiting to sync")
	// A sync turns the change orange; the page has not reloaded yet.
	f.mu.Lock()
	f.entries[0].Status = pending.StatusConflict
	f.entries[0].Conflicts = []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "2", Mine: "1"}}
	f.mu.Unlock()
	d.keys("r")
	if d.model().active() != ScreenConflict {
		t.Fatalf("r on a change that is now a conflict did not open the conflict screen:\n%s", d.view())
	}
	d.requireView("Resolve conflict", "theirs  2")
}

func TestConflictScreenNamesTheFieldsSentWithoutConflict(t *testing.T) {
	f := seededFake(2)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Message: "Another user changed Account Phone",
		Changes:   remote.Fields{"Phone": "555-0111", "Industry": "Retail", "AnnualRevenue": 925.0},
		Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "555-0122", Mine: "555-0111"}}})
	d := newDriver(t, f, 100, 24)
	d.send(openConflictMsg{entryID: "e1"})
	d.requireView(`Also to be sent, no conflict:`, `Industry "Retail"`, `Annual Revenue 925`) // a number as a number
	d.keys("t", "ctrl+s")
	d.requireView("Resolved; the change is queued again.")
}

// A field the other user set to the value the user gave it is theirs, kept: it is not said to
// be sent as well.
func TestConflictScreenLeavesOutAFieldBothSetAlike(t *testing.T) {
	f := seededFake(2)
	f.records["Account"][0]["Industry"] = "Retail" // the org's copy: they set it too
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Message: "Another user changed Account Phone",
		Changes:   remote.Fields{"Phone": "555-0111", "Industry": "Retail", "AnnualRevenue": 925.0},
		Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "555-0122", Mine: "555-0111"}}})
	d := newDriver(t, f, 100, 24)
	d.send(openConflictMsg{entryID: "e1"})
	d.requireView(`Also to be sent, no conflict: Annual Revenue 925`)
	d.refuseView(`Industry "Retail"`)
}

// What the command line did before the app opened (the demo reset) shows on the first screen,
// cleaned, and goes once the user moves on.
func TestAStartNoteShowsOnTheFirstScreenUntilTheUserMovesOn(t *testing.T) {
	d := newDriverWith(t, Options{Backend: seededFake(1), Note: "Demo reset\x1b[2J: afresh."}, 100, 24)
	d.requireView("Demo reset: afresh.")
	d.keys("enter")
	if strings.Contains(d.view(), "Demo reset") {
		t.Errorf("the note stayed after the user moved on:\n%s", d.view())
	}
}

// A note shown a moment before a sync ends (a save that rounded a number) stays in front of the
// sync's own note instead of vanishing with it.
func TestASaveNoteStaysBesideTheNoteOfTheSyncThatFollows(t *testing.T) {
	d := newDriver(t, seededFake(1), 120, 24)
	d.send(toastMsg{"Account saved. Annual Revenue rounded to 251: the field keeps no decimals."})
	m, _ := d.model().onSyncFinished(&pending.Summary{Synced: 1}, 0, 0)
	d.m = m
	d.requireView("Annual Revenue rounded to 251", "Synced 1 change.")
}

// The next run's note replaces a run's note, rather than join it as a save's note does.
func TestTheNoteOfASyncReplacesTheNoteOfTheRunBefore(t *testing.T) {
	d := newDriver(t, seededFake(1), 200, 24)
	d.send(toastMsg{"Account saved."})
	stopped := errors.New("sync: the network failed: connection reset by peer")
	m, _ := d.model().onSyncFinished(&pending.Summary{Synced: 1, Err: stopped}, 0, 0)
	m, _ = m.onSyncFinished(&pending.Summary{Synced: 2, Err: stopped}, 0, 0)
	d.m = m
	d.requireView("Synced 2 changes.")
	if v := d.view(); strings.Count(v, "Sync stopped") != 1 || strings.Contains(v, "Synced 1 change") {
		t.Fatalf("the run before's note stayed beside the last run's:\n%s", v)
	}
}

// A log read days later dates the requests of other days (at 80 columns: date and minute).
func TestActivityLogDatesTheRequestsOfOtherDays(t *testing.T) {
	f := seededFake(1)
	old := f.now.AddDate(0, 0, -3)
	f.acts = []pending.Activity{
		{At: f.now, Method: "GET", Path: "/services/data/v62.0/query", Status: 200},
		{At: old, Method: "POST", Path: "/services/data/v62.0/composite", Status: 200},
	}
	for _, w := range []int{80, 200} {
		d := newDriver(t, f, w, 24)
		d.keys("L")
		d.requireView("Activity log")
		v := d.view()
		if !strings.Contains(v, old.In(time.Local).Format("Jan _2 15:04")) {
			t.Fatalf("%d columns: the request of %s is not dated:\n%s", w, old.Format(time.DateOnly), v)
		}
		if strings.Contains(v, f.now.In(time.Local).Format("Jan _2 15:04")) {
			t.Fatalf("%d columns: today's request is dated:\n%s", w, v)
		}
	}
}
