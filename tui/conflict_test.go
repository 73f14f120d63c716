package tui

import (
	"strings"
	"testing"

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
		if bar := helpBarOf(d.view()); !strings.Contains(bar, "m keep mine") || !strings.Contains(bar, "t take theirs") {
			t.Fatalf("%dx%d: the help bar before typing is %q", size[0], size[1], bar)
		}
		d.keys("v")
		bar := helpBarOf(d.view())
		for _, want := range []string{"enter set the value", "esc cancel", "←/→ move in the value"} {
			if !strings.Contains(bar, want) {
				t.Errorf("%dx%d: while typing the help bar lacks %q: %q", size[0], size[1], want, bar)
			}
		}
		for _, dead := range []string{"keep mine", "take theirs", "type a value", "ctrl+s", "backstage"} {
			if strings.Contains(bar, dead) {
				t.Errorf("%dx%d: while typing the help bar offers %q, which types instead: %q", size[0], size[1], dead, bar)
			}
		}
		d.refuseView("m keep mine · t take theirs")
		d.requireView("typing a new value for Account Phone · enter set it · esc cancel")
		d.keys("42", "enter")
		d.requireView("new     42", "m keep mine · t take theirs")
		if bar := helpBarOf(d.view()); !strings.Contains(bar, "m keep mine") {
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
