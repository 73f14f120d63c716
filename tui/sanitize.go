package tui

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// Clean makes text from an org or a file safe to draw: escape sequences are stripped, then
// every control and format rune is dropped. Newlines survive (for multi-line fields); tabs
// become spaces.
func Clean(s string) string {
	return clean(s, true)
}

// CleanLine is Clean for single-line places (list rows, titles, status words): newlines
// become spaces too.
func CleanLine(s string) string {
	return clean(s, false)
}

func clean(s string, keepNewlines bool) string {
	if isPlain(s) {
		return s
	}
	s = ansi.Strip(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' && keepNewlines:
			return r
		case r == '\n' || r == '\t':
			return ' '
		case r == unicode.ReplacementChar:
			return r
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
}

// isPlain reports whether s is printable ASCII only, the common case, which needs no work.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
