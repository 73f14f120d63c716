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
