package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

func TestConflictValueIsSetWithTabWhateverTheFieldsTypeAndTheHintSaysWhatTheHelpBarSays(t *testing.T) {
	cases := []struct{ field, base, theirs, mine, typed, want, set string }{
		{"Phone", "555-0100", "2", "1", "555-0142", "new     555-0142", "tab/enter"},
		{"Industry", "Banking", "Energy", "Retail", "right", "new     ", "tab"},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			f := seededFake(1)
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
				Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{c.field: c.mine},
				Conflicts: []pending.Conflict{{Field: c.field, Base: c.base, Theirs: c.theirs, Mine: c.mine}}})
			d := newDriver(t, f, 100, 30)
			d.keys("enter", "enter", "r", "v")
			if !strings.Contains(d.view(), " a new value for ") || !strings.Contains(d.view(), " · "+c.set+" set the value · esc cancel") {
				t.Fatalf("the hint does not name %s:\n%s", c.set, d.view())
			}
			if bar := helpBarOf(d.view()); !strings.HasPrefix(bar, c.set+" set the value · esc cancel") {
				t.Fatalf("the help bar does not say what the hint says (%s set the value): %q", c.set, bar)
			}
			d.keys(c.typed, "tab")
			d.requireView(c.want, "m keep mine · t take theirs")
			if got := d.model().conflict.choices[0].Take; got != pending.TakeValue {
				t.Fatalf("tab took %v, not the value", got)
			}
		})
	}
}
