package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/remote"
)

// The code point widths below are what tmux 3.3a moved its cursor by for each string.
func TestCellWidthIsTheWiderOfTheGraphemeAndCodePointMeasures(t *testing.T) {
	tests := []struct {
		s               string
		codePoint, cell int
	}{
		{"Acme Corp", 9, 9},
		{"हिन्दी नमस्ते दुनिया ", 17, 17},
		{"👍🏽", 4, 4},
		{"日本語", 6, 6},
		{"e\u0301", 1, 1},
		{"❤️", 1, 2},
		{"Fam 👩\u200d👩\u200d👧\u200d👦 x", 8, 8},
		{"क्\u200dष", 1, 1},
		{"\x1b[1mbold\x1b[0m", 4, 4},
	}
	for _, tc := range tests {
		if got := codePointWidth(tc.s); got != tc.codePoint {
			t.Errorf("codePointWidth(%q) = %d, want %d", tc.s, got, tc.codePoint)
		}
		if got := cellWidth(tc.s); got != tc.cell {
			t.Errorf("cellWidth(%q) = %d, want %d", tc.s, got, tc.cell)
		}
	}
}

func TestTruncatedTextFitsTerminalsOfBothMeasures(t *testing.T) {
	for _, s := range []string{strings.Repeat("हिन्दी नमस्ते दुनिया ", 6), strings.Repeat("👍🏽 ok ", 20), strings.Repeat("日本語 ", 30), strings.Repeat("Fam 👩\u200d👩\u200d👧\u200d👦 ", 12)} {
		for _, w := range []int{1, 7, 20, 80} {
			for _, out := range []string{trunc(s, w), fit(s, w)} {
				if lipgloss.Width(out) > w || codePointWidth(out) > w {
					t.Fatalf("%q cut to %d is %d/%d cells wide", s, w, lipgloss.Width(out), codePointWidth(out))
				}
			}
		}
	}
	if got := fit("日本語", 10); got != "日本語    " {
		t.Fatalf("CJK is padded to %q", got)
	}
}

func TestADevanagariRecordNeverDrawsWiderThanTheTerminalMeasuringByCodePoint(t *testing.T) {
	name := strings.Repeat("हिन्दी नमस्ते दुनिया ", 6)
	f := newFakeBackend()
	f.quiet = true
	f.add("Account", remote.Fields{"Id": "001000000000000001", "Name": name, "Phone": "8"})
	f.sortAll()
	d := newDriver(t, f, 80, 24)
	check := func(where string) {
		t.Helper()
		lines := strings.Split(d.view(), "\n")
		if len(lines) != 24 {
			t.Fatalf("%s: %d lines, want 24", where, len(lines))
		}
		for _, l := range lines {
			if codePointWidth(l) > 80 {
				t.Fatalf("%s: a line takes %d cells where a terminal counts code points: %q", where, codePointWidth(l), l)
			}
		}
	}
	d.keys("enter")
	check("object home")
	d.keys("enter")
	check("record page")
	d.keys("e")
	check("edit form")
}
