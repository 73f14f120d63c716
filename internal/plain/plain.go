// Package plain makes text that came from an org, a file or a user safe to draw on a terminal
// or to join with the app's own words: escape sequences and controls go (see Text).
package plain

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Text makes text from an org or a file safe to draw: escape sequences are stripped, then
// every control and format rune is dropped (bidi overrides and isolates among them), but for
// the zero width joiners that writing needs: the non-joiner (Persian, Indic scripts) and the
// joiner where it joins (an emoji family, an Indic conjunct; see joinersThatJoin). Newlines
// survive (for multi-line fields); tabs become spaces.
func Text(s string) string {
	return clean(s, true)
}

// Line is Text for single-line places (list rows, titles, status words, a message the app
// puts its own words around): newlines become spaces too.
func Line(s string) string {
	return clean(s, false)
}

func clean(s string, keepNewlines bool) string {
	if ASCII(s) {
		return s
	}
	s = ansi.Strip(EscForms(s))
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' && keepNewlines:
			return r
		case r == '\n' || r == '\t':
			return ' '
		case unicode.In(r, unicode.Zl, unicode.Zp): // line and paragraph separators break lines too
			if keepNewlines {
				return '\n'
			}
			return ' '
		case hangulFiller(r):
			return -1
		case r == unicode.ReplacementChar, r == ZWNJ, r == ZWJ:
			return r
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
	if strings.ContainsRune(s, ZWJ) {
		s = joinersThatJoin(s)
	}
	return s
}

// The zero width joiners writing needs, kept by Text.
const (
	ZWNJ = '\u200c' // keeps two letters from joining (Persian, Indic scripts)
	ZWJ  = '\u200d' // joins what it stands between: 👩‍👩‍👧‍👦 is one family, not four people
)

// joinersThatJoin keeps a zero width joiner only inside a grapheme cluster, followed there by
// what it joins (as lipgloss clusters text). One that joins nothing (at a cluster's end, or
// before another joiner) goes: a terminal such as tmux 3.3a still draws the character after
// a joiner into the joiner's cell, so a stray one would hide that character and make the
// line narrower than it is measured.
func joinersThatJoin(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for s != "" {
		c, _ := ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
		if c == "" {
			c = s[:1]
		}
		s = s[len(c):]
		for i, r := range c {
			if r == ZWJ {
				next, _ := utf8.DecodeRuneInString(c[i+utf8.RuneLen(r):])
				if i+utf8.RuneLen(r) == len(c) || next == ZWJ {
					continue
				}
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// hangulFiller reports the Hangul fillers: letters by their category, yet drawn as nothing
// (or a blank as wide as a letter), so a name of them looks empty or padded.
func hangulFiller(r rune) bool {
	return r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0
}

// EscForms spells the C1 forms of the sequence introducers (U+009B CSI, U+009D OSC, …) as
// their ESC forms, so that ansi.Strip takes away the whole sequence, parameters included, and
// not only its first character. Each form is two bytes, so offsets into s hold.
func EscForms(s string) string { return c1Introducers.Replace(s) }

var c1Introducers = strings.NewReplacer(
	"\u009b", "\x1b[", "\u009d", "\x1b]", "\u0090", "\x1bP", "\u0098", "\x1bX", "\u009e", "\x1b^", "\u009f", "\x1b_",
)

// ASCII reports whether s is printable ASCII only, the common case, which needs no work.
func ASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
