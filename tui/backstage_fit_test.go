package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/teatest"
)

// newQAStoryAt is newQAStory on a terminal of w×h cells.
func newQAStoryAt(t *testing.T, opts Options, w, h int) *story {
	tm := teatest.NewTestModel(t, harness{endsWithTest(t, New(opts))}, teatest.WithInitialTermSize(w, h))
	s := &story{t: t, b: opts.Backend, tm: tm}
	t.Cleanup(func() { _ = tm.Quit() })
	s.wait("Pending Changes (")
	return s
}

// On the backstage's edit form at 80×24 a checklist shows every value with the form's hint
// still under it, and the cursor stays in view down to the last value; at 200×60 too.
func TestBackstageChecklistFitsTheRoomAndKeepsTheCursorInView(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		env := qaEnv(t, nil)
		s := newQAStoryAt(t, Options{Backend: env.Engine(), NetStatus: env.Network().String, Backstage: env}, size[0], size[1])
		s.openFirstAccount()
		s.press("B")
		s.wait("SIMULATION — backstage")
		s.press("u")
		s.backstageItem("Edit fields of this record as admin")
		s.press("enter")
		s.wait("values on the org now")
		for i := 0; i < 60 && !strings.Contains(s.view(), "▸ Product Interest"); i++ {
			s.press("down")
		}
		const hint = "tab/↓ next · ←/→ choose · ctrl+s run · esc cancel"
		v := s.wait("▸ Product Interest", hint)
		for _, value := range []string{"Hardware", "Software", "Cloud Services", "Training", "Support Plans"} {
			if !strings.Contains(v, "[ ] "+value) && !strings.Contains(v, "[x] "+value) {
				t.Fatalf("%dx%d: %q is not shown:\n%s", size[0], size[1], value, v)
			}
		}
		if bar := helpBarOf(v); !strings.Contains(bar, "space tick/untick · ↑/↓ move") {
			t.Fatalf("%dx%d: the help bar on the checklist is %q", size[0], size[1], bar)
		}
		for range 4 {
			s.press("down")
		}
		v = s.wait("▸ [", "Support Plans", hint)
		if cur := linesWith(v, "▸ ["); len(cur) != 1 || !strings.Contains(cur[0], "Support Plans") {
			t.Fatalf("%dx%d: the cursor is not on the fifth value:\n%s", size[0], size[1], v)
		}
		// A picklist's open list too, at its last value.
		for i := 0; i < 60 && !strings.Contains(s.view(), "▸ Industry"); i++ {
			s.press("shift+tab")
		}
		s.press("enter")
		s.wait("filter: ")
		s.press("end")
		v = s.wait("filter: ", hint)
		count := linesWith(v, "filter: ")[0]
		var n int
		if _, err := fmt.Sscanf(count[strings.LastIndex(count, "  ")+2:], "%d of", &n); err != nil || !strings.HasSuffix(count, sprintf("%d of %d", n, n)) {
			t.Fatalf("%dx%d: the list's cursor is not on its last value (%q):\n%s", size[0], size[1], count, v)
		}
		if len(linesWith(v, "▸ ")) != 2 {
			t.Fatalf("%dx%d: the list's cursor is out of view:\n%s", size[0], size[1], v)
		}
	}
}
