package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/remote"
)

// An emoji family drawn from org data keeps its zero width joiners (one family, not four
// people), a Persian name its non-joiner, and the object home's columns still line up on
// terminals of both measures, the names cut to fit or not.
func TestAnEmojiFamilyKeepsItsJoinersAndTheColumnsLineUp(t *testing.T) {
	const family = "👩\u200d👩\u200d👧\u200d👦"
	names := []string{
		"Fam " + family + " x",
		"می\u200cخواهم Trading",
		"Plain Account",
		"A rather long account name that is cut " + family + " tail",
		"Another long account name cut right at " + family + family + family,
	}
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		f := newFakeBackend()
		f.quiet = true
		for i, n := range names {
			f.add("Account", remote.Fields{"Id": sprintf("001%015d", i), "Name": n, "Industry": "Energy", "Phone": sprintf("555-01%02d", i)})
		}
		f.sortAll()
		d := newDriver(t, f, size[0], size[1])
		d.keys("enter")
		v := d.view()
		if !strings.Contains(v, "Fam "+family+" x") {
			t.Fatalf("%dx%d: the family lost its joiners:\n%s", size[0], size[1], v)
		}
		if !strings.Contains(v, "می\u200cخواهم") {
			t.Fatalf("%dx%d: the Persian name lost its non-joiner:\n%s", size[0], size[1], v)
		}
		at := -1
		rows := 0
		for _, l := range strings.Split(v, "\n") {
			i := strings.Index(l, "555-01")
			if i < 0 {
				continue
			}
			rows++
			before := l[:strings.LastIndex(l[:i], "Energy")]
			lg, cp := lipgloss.Width(before), codePointWidth(before)
			if lg != cp {
				t.Fatalf("%dx%d: the terminals' measures part (%d, %d) on %q", size[0], size[1], lg, cp, l)
			}
			if at < 0 {
				at = lg
			} else if lg != at {
				t.Fatalf("%dx%d: the Industry column starts at %d, not %d, on %q", size[0], size[1], lg, at, l)
			}
			if strings.Contains(l, "\u200d") && strings.Count(l, "\u200d")%3 != 0 {
				t.Fatalf("%dx%d: a family was cut apart on %q", size[0], size[1], l)
			}
		}
		if rows != len(names) {
			t.Fatalf("%dx%d: %d rows, want %d:\n%s", size[0], size[1], rows, len(names), v)
		}
		d.requireFits(size[0])
	}
}
