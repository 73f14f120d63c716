package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// helpText is the whole full help at w×h, scrolled through.
func helpText(t *testing.T, w, h int) string {
	t.Helper()
	d := newDriver(t, seededFake(2), w, h)
	d.keys("enter", "enter", "?")
	return flat(strings.Join(d.model().helpLines(w), "\n"))
}

func TestTheHelpNamesNewOnARecordPageSpacePicklistStepsAndToDelete(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		v := helpText(t, size[0], size[1])
		for _, want := range []string{
			"n on a record page: New <related> of the action bar (tab picks which)",
			"pgdn/space page down",
			"←/→ h/l on a picklist: previous/next value",
			"● To delete To delete: waiting to sync",
			"● Waits for parent",
		} {
			if !strings.Contains(v, want) {
				t.Errorf("%dx%d: the help lacks %q:\n%s", size[0], size[1], want, v)
			}
		}
	}
}

// Every line of the help fits the width it is drawn at, down to the smallest terminal the app
// takes: a long description wraps rather than being cut.
func TestTheHelpLinesFitTheWidth(t *testing.T) {
	for _, w := range []int{60, 80, 120} {
		d := newDriver(t, seededFake(2), w, 24)
		for _, l := range d.model().helpLines(w) {
			if lw := lipgloss.Width(l); lw > w {
				t.Errorf("%d columns: a help line is %d wide: %q", w, lw, l)
			}
		}
		v := flat(strings.Join(d.model().helpLines(w), "\n"))
		if !strings.Contains(v, "tab picks which") || !strings.Contains(v, "Waiting to sync") {
			t.Errorf("%d columns: the help lost words:\n%s", w, v)
		}
	}
}

// f in the log opened from the Menu has no record to narrow to: the help bar says so before,
// the status line why after.
func TestLogScopeWithoutARecordSaysWhy(t *testing.T) {
	d := newDriver(t, seededFake(2), 80, 24)
	d.keys("L")
	d.requireView("Activity log", "f (no record open)")
	d.keys("f")
	d.requireView("No record to narrow the log to")
	if d.model().logv.onlyRecord {
		t.Fatal("the log narrowed to no record")
	}
}
