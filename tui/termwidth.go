package tui

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/text/width"

	"github.com/offline-edit/offline-edit/internal/plain"
)

// codePointWidth is s's width as a terminal measuring code point by code point counts it:
// nothing for marks that do not space, format characters and variation selectors, two cells
// for East Asian wide and full-width characters (most emoji among them, skin tones too), one
// for the rest (spacing vowel signs included), and nothing for a code point right after a
// zero width joiner, which such a terminal (tmux 3.3a) draws into the cell before.
func codePointWidth(s string) int {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == 0x1b {
			ascii = false
			break
		}
	}
	if ascii {
		return len(s)
	}
	if strings.IndexByte(s, 0x1b) >= 0 {
		s = ansi.Strip(s)
	}
	n := 0
	joined := false // the code point before was a zero width joiner
	for _, r := range s {
		after := joined
		joined = r == plain.ZWJ
		switch {
		case after:
			// tmux draws what a joiner joins into the joiner's cell: an emoji family is
			// as wide as its first member.
		case r < 0x20 || r == 0x7f:
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Variation_Selector):
		default:
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				n += 2
			default:
				n++
			}
		}
	}
	return n
}
