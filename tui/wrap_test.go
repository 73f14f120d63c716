package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

func TestWrapBreaksWordsLongerThanTheLineByDisplayWidthInsteadOfCuttingThem(t *testing.T) {
	tests := []struct {
		name, text string
		w          int
	}{
		{"Japanese with no spaces", strings.Repeat("日本語の文章です", 6), 20},
		{"Japanese at an odd width", strings.Repeat("長い値", 9), 7},
		{"a long URL", "see https://example.com/" + strings.Repeat("path/", 30) + " for more", 30},
		{"a long number", strings.Repeat("5", 600), 57},
		{"mixed", "Account Phone: data value too large: " + strings.Repeat("5", 90) + " (max length=40)", 40},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(tc.text, tc.w)
			if strings.Contains(got, "…") {
				t.Fatalf("wrap cut the text:\n%s", got)
			}
			for _, l := range strings.Split(got, "\n") {
				if lw := lipgloss.Width(l); lw > tc.w {
					t.Fatalf("a line takes %d cells of %d: %q", lw, tc.w, l)
				}
			}
			// Nothing is lost: the text reads the same without the breaks.
			if a, b := strings.Join(strings.Fields(got), ""), strings.Join(strings.Fields(tc.text), ""); strings.ReplaceAll(a, "\n", "") != b {
				t.Fatalf("wrap lost text:\n got %q\nwant %q", a, b)
			}
		})
	}
}
