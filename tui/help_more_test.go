package tui

import (
	"strings"
	"testing"
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

func TestTheHelpLinesFitTheWidth(t *testing.T) {
	d := newDriver(t, seededFake(2), 80, 24)
	for _, l := range d.model().helpLines(80) {
		if strings.HasSuffix(l, "…") && strings.Contains(l, "Waiting to sync") {
			t.Errorf("a sash's meaning is cut: %q", l)
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
