package tui

import (
	"strings"
	"testing"
)

// A cut by the wider of the two measures keeps as much as fits: emoji with a skin tone and
// Devanagari are cut to the most that fits, never to the tail alone, and a wider room never
// shows less.
func TestTruncCellsKeepsAsMuchAsFits(t *testing.T) {
	for _, s := range []string{strings.Repeat("👍🏽", 18) + " Corp", strings.Repeat("हिन्दी नमस्ते ", 6)} {
		prev := 0
		for w := 4; w <= 40; w++ {
			out := truncCells(s, w, "…")
			if cellWidth(out) > w {
				t.Fatalf("%q at %d: %q is %d cells", s, w, out, cellWidth(out))
			}
			if got := cellWidth(out); got < prev || got < w-4 {
				t.Errorf("%q at %d: %q keeps %d cells (%d at %d)", s, w, out, got, prev, w-1)
			}
			prev = cellWidth(out)
		}
	}
}

func TestFitLabelKeepsTheEndOfLabelsThatStartAlike(t *testing.T) {
	page := []string{"Regional Compliance Detail 410", "Regional Compliance Detail 4", "Account Name",
		"Billing Zip/Postal Code", "Billing State/Province", "Supercalifragilisticexpialidocious", "Supercalifragilisticexpialidociously"}
	for _, c := range []struct {
		label string
		w     int
		want  string
	}{
		{"Regional Compliance Detail 410", 26, "Regional Compli…Detail 410"},
		{"Regional Compliance Detail 4", 26, "Regional Complian…Detail 4"},
		{"Account Name", 26, "Account Name              "},
		{"Billing Zip/Postal Code", 20, "Billing Zip/Postal …"}, // alone in its start: cut at the end
		{"Billing State/Province", 20, "Billing State/Provi…"},
		{"Supercalifragilisticexpialidocious", 12, "Supercalifr…"}, // one word: cut at the end
		{"Regional Compliance Detail 410", 6, "Regio…"},            // too narrow to keep an end
	} {
		kept := endKept(page, c.w)
		got := fitLabel(c.label, c.w, kept[c.label])
		if got != c.want || cellWidth(got) != c.w {
			t.Errorf("fitLabel(%q, %d) = %q (%d cells), want %q", c.label, c.w, got, cellWidth(got), c.want)
		}
	}
}
