package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
)

func TestHelpBarKeepsEscBackWheneverThereIsAScreenToGoBackTo(t *testing.T) {
	tests := []struct {
		name string
		keys []string
	}{
		{"record page", []string{"enter", "enter"}},
		{"record page opened from a related list", []string{"enter", "enter", "tab", "enter"}},
		{"Pending Changes with a change", []string{"p"}},
	}
	for _, tc := range tests {
		for _, w := range []int{60, 80, 200} {
			f := seededFake(1)
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
				Op: pending.OpUpdate, Status: pending.StatusPending})
			d := newDriver(t, f, w, 24)
			d.keys(tc.keys...)
			bar := helpBarOf(d.view())
			for _, want := range []string{"? help", "esc back"} {
				if !strings.Contains(bar, want) {
					t.Errorf("%s at %d columns: the help bar lacks %q: %q", tc.name, w, want, bar)
				}
			}
			if lipgloss.Width(bar) > w || cutItem(bar) {
				t.Errorf("%s at %d columns: the help bar is cut: %q", tc.name, w, bar)
			}
		}
	}
}

func TestHelpBarOffersOnlyTheKeysThatWorkWhereTheCursorIs(t *testing.T) {
	tests := []struct {
		name    string
		keys    []string
		want    []string
		notWant []string
	}{
		{"menu on an object", nil, []string{"n new"}, nil},
		{"menu on Pending Changes (no record to make)", []string{"end"}, nil, []string{"n new"}},
		// The full help answers only its own keys: those of the screen under it do nothing.
		{"the full help open", []string{"?"}, []string{"close help", "pgdn page down"}, []string{"n new", "o online", "p pending", "q quit"}},
		{"the full help over Pending Changes", []string{"p", "?"}, []string{"close help"}, []string{"resolve", "dismiss"}},
		// r on a red change only says to press x.
		{"Pending Changes on a red change", []string{"p"}, []string{"x dismiss"}, []string{"r resolve"}},
	}
	for _, tc := range tests {
		f := seededFake(1)
		f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
			Op: pending.OpUpdate, Status: pending.StatusFailed, Code: "ENTITY_IS_DELETED", Message: "Can't be saved: the record was deleted"})
		d := newDriver(t, f, 80, 24)
		d.keys(tc.keys...)
		bar := helpBarOf(d.view())
		for _, w := range tc.want {
			if !strings.Contains(bar, w) {
				t.Errorf("%s: the help bar lacks %q: %q", tc.name, w, bar)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(bar, w) {
				t.Errorf("%s: the help bar offers %q, which does nothing here: %q", tc.name, w, bar)
			}
		}
	}
}
