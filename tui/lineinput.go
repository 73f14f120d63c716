package tui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/offline-edit/offline-edit/internal/plain"
)

// lineInput edits one line of text. The value is kept exactly as given or typed (joiners,
// format characters and all): only what is drawn is cleaned, a grapheme cluster at a time, so
// no escape or control character reaches the terminal and an edit round-trips. The cursor
// moves and deletes by grapheme cluster, never leaving half a flag or a family.
type lineInput struct {
	value   string
	pos     int // byte offset of the cursor, always at the start of a unit or at the end
	offset  int // byte offset of the first unit drawn
	width   int // cells the input is drawn in, set when it is made and when the screen is resized
	focused bool

	placeholder string
	limit       int      // most characters the value may hold; 0 for no limit
	suggestions []string // offered as a faint completion at the end; → takes it
}

// lineUnit is a stretch of the value the cursor steps over at once: a grapheme cluster, with
// any cluster that draws as nothing (a lone format or control character) joined to the one
// before it (or, at the very start, to the one after), so that the cursor is never on
// something invisible.
type lineUnit struct {
	start, end int
	draw       string // what is drawn: the cluster cleaned
	w          int    // cells drawn
}

// lineKeys are the keys a lineInput takes.
var lineKeys = struct {
	Left, Right, WordLeft, WordRight, Start, End key.Binding
	Back, Del, BackWord, DelWord, Clear, ToEnd   key.Binding
}{
	Left:      key.NewBinding(key.WithKeys("left", "ctrl+b")),
	Right:     key.NewBinding(key.WithKeys("right", "ctrl+f")),
	WordLeft:  key.NewBinding(key.WithKeys("alt+left", "ctrl+left", "alt+b")),
	WordRight: key.NewBinding(key.WithKeys("alt+right", "ctrl+right", "alt+f")),
	Start:     key.NewBinding(key.WithKeys("home", "ctrl+a")),
	End:       key.NewBinding(key.WithKeys("end", "ctrl+e")),
	Back:      key.NewBinding(key.WithKeys("backspace", "ctrl+h")),
	Del:       key.NewBinding(key.WithKeys("delete", "ctrl+d")),
	BackWord:  key.NewBinding(key.WithKeys("alt+backspace", "ctrl+w")),
	DelWord:   key.NewBinding(key.WithKeys("alt+delete", "alt+d")),
	Clear:     key.NewBinding(key.WithKeys("ctrl+u")), // the field, as the forms' help says

	ToEnd: key.NewBinding(key.WithKeys("ctrl+k")),
}

// cursorStyle draws the cell under the cursor.
var cursorStyle = lipgloss.NewStyle().Reverse(true)

// ghostStyle draws a suggested completion.
var ghostStyle = lipgloss.NewStyle().Faint(true)

func newLineInput(placeholder string) lineInput {
	return lineInput{placeholder: placeholder}
}

// Value is the text as typed, uncleaned.
func (l lineInput) Value() string { return l.value }

// SetValue replaces the text, kept as given, and puts the cursor at its end.
func (l *lineInput) SetValue(s string) {
	l.value, l.offset = s, 0
	l.pos = len(s)
	l.fix()
}

// SetWidth sets the cells the input is drawn in; the cursor stays in sight.
func (l *lineInput) SetWidth(w int) {
	l.width = max(1, w)
	l.fix()
}

func (l *lineInput) Focus() tea.Cmd { l.focused = true; return nil }
func (l *lineInput) Blur()          { l.focused = false }
func (l lineInput) Focused() bool   { return l.focused }
func (l *lineInput) CursorEnd()     { l.pos = len(l.value); l.fix() }
func (l *lineInput) CursorStart()   { l.pos = 0; l.fix() }

// cursor is the index of the unit under the cursor (len(units) at the end).
func cursorUnit(units []lineUnit, pos int) int {
	for i, u := range units {
		if pos < u.end {
			return i
		}
	}
	return len(units)
}

// units cuts the value into the stretches the cursor steps over. An escape sequence is one
// stretch that draws as nothing (its C1 form too: each C1 introducer is two bytes in UTF-8,
// as its ESC form is, so the offsets hold).
func (l lineInput) units() []lineUnit {
	var out []lineUnit
	rest := plain.EscForms(l.value)
	at := 0
	lead := -1 // start of what draws as nothing at the very beginning, waiting for a visible cluster
	for rest != "" {
		var seq string
		if ansi.HasEscPrefix(rest) {
			var n int
			seq, _, n, _ = ansi.DecodeSequence(rest, ansi.NormalState, nil)
			seq = rest[:max(1, n)]
		} else {
			seq, _ = ansi.FirstGraphemeCluster(rest, ansi.GraphemeWidth) // as lipgloss and Clean cluster
			if seq == "" {
				seq = rest[:1]
			}
		}
		n := len(seq)
		rest = rest[n:]
		start, end := at, at+n
		at = end
		draw := ""
		if !ansi.HasEscPrefix(seq) {
			draw = CleanLine(seq)
		}
		if draw == "" || cellWidth(draw) == 0 {
			if len(out) > 0 {
				out[len(out)-1].end = end
			} else if lead < 0 {
				lead = start
			}
			continue
		}
		if lead >= 0 {
			start, lead = lead, -1
		}
		out = append(out, lineUnit{start: start, end: end, draw: draw, w: cellWidth(draw)})
	}
	if lead >= 0 {
		// Nothing visible at all: one unit the cursor can still delete, drawn as what is
		// left of it.
		draw := CleanLine(l.value[lead:])
		out = append(out, lineUnit{start: lead, end: len(l.value), draw: draw, w: cellWidth(draw)})
	}
	return out
}

// Update takes a key: typing and pasting insert at the cursor; the arrows, home/end and the
// deleting keys work by grapheme cluster.
func (l lineInput) Update(msg tea.Msg) (lineInput, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return l, nil
	}
	units := l.units()
	i := cursorUnit(units, l.pos)
	at := func(j int) int { // byte offset of unit j's start (the end for len(units); 0 before the first)
		switch {
		case j >= len(units):
			return len(l.value)
		case j < 0:
			return 0
		}
		return units[j].start
	}
	switch {
	// Typed text first: a burst of letters arrives as one key whose name is its text, so a
	// word typed or pasted such as "home" or "end" would otherwise match that key's binding.
	case (k.Type == tea.KeyRunes || k.Type == tea.KeySpace) && !k.Alt:
		s := typed(k.Runes)
		if k.Type == tea.KeySpace {
			s = " "
		}
		if l.limit > 0 {
			room := max(0, l.limit-utf8.RuneCountInString(l.value))
			if rs := []rune(s); len(rs) > room {
				s = string(rs[:room])
			}
		}
		l.value = l.value[:l.pos] + s + l.value[l.pos:]
		l.pos += len(s)
		// Typing may join the new text to the cluster before it (a combining mark, a
		// modifier): the cursor goes after the whole cluster.
		if u := l.units(); len(u) > 0 {
			if j := cursorUnit(u, l.pos); j < len(u) && u[j].start < l.pos {
				l.pos = u[j].end
			}
		}
	case key.Matches(k, lineKeys.Left):
		l.pos = at(i - 1)
	case key.Matches(k, lineKeys.Right):
		if i == len(units) {
			if s := l.suggestion(); s != "" {
				l.value += s
				l.pos = len(l.value)
			}
			break
		}
		l.pos = at(i + 1)
	case key.Matches(k, lineKeys.WordLeft):
		l.pos = at(wordLeft(units, i))
	case key.Matches(k, lineKeys.WordRight):
		l.pos = at(wordRight(units, i))
	case key.Matches(k, lineKeys.Start):
		l.pos = 0
	case key.Matches(k, lineKeys.End):
		l.pos = len(l.value)
	case key.Matches(k, lineKeys.Back):
		if i > 0 {
			from := at(i - 1)
			l.value, l.pos = l.value[:from]+l.value[l.pos:], from
		}
	case key.Matches(k, lineKeys.Del):
		if i < len(units) {
			l.value = l.value[:l.pos] + l.value[at(i+1):]
		}
	case key.Matches(k, lineKeys.BackWord):
		from := at(wordLeft(units, i))
		l.value, l.pos = l.value[:from]+l.value[l.pos:], from
	case key.Matches(k, lineKeys.DelWord):
		l.value = l.value[:l.pos] + l.value[at(wordRight(units, i)):]
	case key.Matches(k, lineKeys.Clear):
		l.value, l.pos = "", 0
	case key.Matches(k, lineKeys.ToEnd):
		l.value = l.value[:l.pos]
	default:
		return l, nil
	}
	l.fix()
	return l, nil
}

// typed is text typed or pasted into one line: line breaks and tabs become spaces and other
// control characters are dropped (a paste of several lines stays on one). Format characters
// (joiners, direction marks) are kept as typed; drawing cleans them.
func typed(rs []rune) string {
	var b strings.Builder
	// A pasted line break arrives as CR (most terminals) or CRLF: each is a space on one line.
	text := strings.ReplaceAll(string(rs), "\r\n", "\n")
	for _, r := range ansi.Strip(plain.EscForms(text)) {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isSpaceUnit(u lineUnit) bool { return strings.TrimSpace(u.draw) == "" }

// wordLeft is the unit a word-wise move left from unit i lands on: the start of the word
// before the cursor.
func wordLeft(units []lineUnit, i int) int {
	for i > 0 && isSpaceUnit(units[i-1]) {
		i--
	}
	for i > 0 && !isSpaceUnit(units[i-1]) {
		i--
	}
	return i
}

// wordRight is the unit a word-wise move right from unit i lands on: the end of the word
// after the cursor.
func wordRight(units []lineUnit, i int) int {
	for i < len(units) && isSpaceUnit(units[i]) {
		i++
	}
	for i < len(units) && !isSpaceUnit(units[i]) {
		i++
	}
	return i
}

// SetSuggestions sets the values offered as completions.
func (l *lineInput) SetSuggestions(s []string) { l.suggestions = s }

// suggestion is what the first suggestion starting with the value adds to it, or "".
func (l lineInput) suggestion() string {
	if l.value == "" || l.pos != len(l.value) {
		return ""
	}
	low := strings.ToLower(l.value)
	for _, s := range l.suggestions {
		if len(s) > len(l.value) && strings.HasPrefix(strings.ToLower(s), low) {
			return s[len(l.value):]
		}
	}
	return ""
}

// fix moves the first unit drawn so the cursor is in sight at the input's width.
func (l *lineInput) fix() {
	l.pos = min(max(0, l.pos), len(l.value))
	if l.width <= 0 {
		l.offset = 0
		return
	}
	units := l.units()
	l.offset = unitStart(units, window(units, cursorUnit(units, l.pos), unitAt(units, l.offset), l.width), len(l.value))
}

// unitStart is the byte offset of unit j's start (end for len(units)).
func unitStart(units []lineUnit, j, end int) int {
	if j >= len(units) {
		return end
	}
	return units[j].start
}

// unitAt is the index of the unit starting at byte offset off (0 when none does).
func unitAt(units []lineUnit, off int) int {
	for i, u := range units {
		if u.start >= off {
			return i
		}
	}
	return 0
}

// window is the first unit to draw in w cells so that unit cur (the cursor; the cell after
// the last unit when cur is len(units)) is in sight, moving as little as it can from first,
// and showing as much of the text as fits.
func window(units []lineUnit, cur, first, w int) int {
	cw := 1
	if cur < len(units) {
		cw = max(1, units[cur].w)
	}
	first = min(first, cur)
	span := func(a, b int) int {
		n := 0
		for _, u := range units[a:b] {
			n += u.w
		}
		return n
	}
	// The cells from first to the cursor, kept as first moves (a value of a megabyte from the
	// org took minutes summed again at each step).
	for s := span(first, cur); first < cur && s+cw > w; first++ {
		s -= units[first].w
	}
	// Room left at the right end: show more of the start.
	tail := span(first, len(units))
	if cur == len(units) {
		tail++
	}
	for first > 0 && tail+units[first-1].w <= w {
		first--
		tail += units[first].w
	}
	return first
}

// View draws the input in w cells: the cleaned text from the first unit in sight, the cursor
// as a reversed cell when focused, the placeholder when empty.
func (l lineInput) View(w int) string {
	w = max(1, w)
	if l.value == "" {
		if l.placeholder == "" {
			if l.focused {
				return cursorStyle.Render(" ")
			}
			return ""
		}
		p := trunc(l.placeholder, w)
		if !l.focused {
			return ghostStyle.Render(p)
		}
		first, rest := splitFirstCluster(p)
		return cursorStyle.Render(first) + ghostStyle.Render(rest)
	}
	units := l.units()
	cur := cursorUnit(units, l.pos)
	if !l.focused {
		cur = -1
	}
	first := window(units, max(0, cur), unitAt(units, l.offset), w)
	if cur < 0 {
		first = 0
	}
	var b strings.Builder
	used := 0
	for i := first; i < len(units); i++ {
		u := units[i]
		if used+u.w > w {
			break
		}
		if i == cur {
			b.WriteString(cursorStyle.Render(u.draw))
		} else {
			b.WriteString(u.draw)
		}
		used += u.w
	}
	if cur == len(units) && used < w {
		if s := l.suggestion(); s != "" {
			c, rest := splitFirstCluster(CleanLine(s))
			b.WriteString(cursorStyle.Render(c))
			b.WriteString(ghostStyle.Render(trunc(rest, max(0, w-used-cellWidth(c)))))
		} else {
			b.WriteString(cursorStyle.Render(" "))
		}
	}
	return b.String()
}

// splitFirstCluster is s's first grapheme cluster and the rest.
func splitFirstCluster(s string) (string, string) {
	c, _ := ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
	return c, s[len(c):]
}
