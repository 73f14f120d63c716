package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
)

// statusBarOf is the line above the help bar: the status bar.
func statusBarOf(v string) string {
	lines := strings.Split(v, "\n")
	return lines[len(lines)-2]
}

func TestStatusBarDropsWholePartsBeforeItCutsTheSashCounts(t *testing.T) {
	both := []pending.Status{pending.StatusConflict, pending.StatusFailed}
	tests := []struct {
		name      string
		width     int
		online    bool
		statuses  []pending.Status
		want, not []string
	}{
		{"60 offline, one red", 60, false, []pending.Status{pending.StatusFailed}, []string{"1 pending", "✖ 1 can't be saved"}, []string{"API", "flaky"}},
		{"60 offline", 60, false, both, []string{" OFFLINE ", "▲ 1 need attention", "✖ 1 can't be saved"}, []string{"API", "flaky"}},
		{"60 online", 60, true, both, []string{" ONLINE ", "▲ 1 need attention", "✖ 1 can't be saved"}, []string{"API", "flaky"}},
		{"80 offline", 80, false, both, []string{"2 pending", "▲ 1 need attention", "✖ 1 can't be saved"}, nil},
		{"200 online", 200, true, both, []string{"2 pending", "▲ 1 need attention", "✖ 1 can't be saved", "last sync Mar 4 10:30", "flaky", "API 18/15000"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := seededFake(3)
			f.online = tc.online
			for i, st := range tc.statuses {
				f.setEntry(pending.Entry{ID: fmt.Sprint("e", i), Object: "Account", RecordID: fmt.Sprintf("001%015d", i),
					Op: pending.OpUpdate, Status: st, Code: "ENTITY_IS_DELETED"})
			}
			d := newDriverWith(t, Options{Backend: f,
				NetStatus: func() string { return "flaky (20% dropped)" },
				LimitInfo: func() string { return "api-usage=18/15000" }}, tc.width, 24)
			bar := statusBarOf(d.view())
			if strings.Contains(bar, "…") || lipgloss.Width(bar) > tc.width {
				t.Errorf("the status bar is cut: %q", bar)
			}
			for _, w := range tc.want {
				if !strings.Contains(bar, w) {
					t.Errorf("the status bar %q lacks %q", bar, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(bar, w) {
					t.Errorf("the status bar %q keeps %q, which should have given way", bar, w)
				}
			}
		})
	}
}
