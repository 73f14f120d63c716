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
