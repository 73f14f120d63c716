package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// A long text field shows whole on the record page, wrapped under its label (the page
// scrolls), not cut after its first line; lines break only on spaces and none overflows.
func TestRecordPageShowsALongDescriptionWhole(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 5000; i++ {
		b.WriteString(sprintf("Lorem ipsum dolor sit amet %04d. ", i))
	}
	text := strings.TrimSpace(b.String()) + "\nSecond paragraph ends here."
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := seededFake(2)
			f.records["Account"][0]["Description"] = text
			d := newDriver(t, f, size[0], size[1])
			d.keys("enter", "enter")
			d.requireView("Description", "Lorem ipsum dolor sit amet 0000.")
			var seen strings.Builder
			for range 200 {
				for _, l := range strings.Split(d.view(), "\n") {
					if w := lipgloss.Width(l); w > size[0] {
						t.Fatalf("a line is %d cells wide at %d:\n%s", w, size[0], l)
					}
					seen.WriteString(strings.TrimSpace(l) + " ")
				}
				d.keys("pgdown")
			}
			all := flat(seen.String())
			for _, w := range []string{"amet 0150.", "Second paragraph ends here."} {
				if !strings.Contains(all, w) {
					t.Errorf("the record page never shows %q of the description", w)
				}
			}
		})
	}
}
