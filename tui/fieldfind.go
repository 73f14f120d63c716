package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// findFieldKey opens "find a field" on a form (where letters are text) and on a record page,
// which takes / as well: a big org's object has hundreds of fields.
var (
	findFieldKey     = key.NewBinding(key.WithKeys("ctrl+f"), key.WithHelp("ctrl+f", "find a field"))
	findFieldPageKey = key.NewBinding(key.WithKeys("/", "ctrl+f"), key.WithHelp("/", "find a field"))
	findStepKey      = key.NewBinding(key.WithKeys("down", "up"), key.WithHelp("↓/↑", "next/previous match"))
	findKeepKey      = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "stay there"))
	findBackKey      = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to where you were"))
)

// findLabel is a field as find reads it: the label shown and the API name.
type findLabel struct{ label, name string }

// fieldFind is "find a field": every word typed must be in a field's label or API name (in
// any case), the page goes to the first such field at or after where find began, and the
// arrows step through the others (wrapping). enter stays on the field found, esc goes back to
// where find began.
type fieldFind struct {
	on      bool
	input   lineInput
	matches []int // indexes of the matching fields, in page order
	at      int   // the match shown, an index into matches
	start   int   // the field the page was on when find began
}

// findAction is what a key given to find asks of the page.
type findAction int

const (
	findStay   findAction = iota // nothing moves
	findShow                     // show the field at shown()
	findKeep                     // find closes; the page stays on the field found
	findCancel                   // find closes; the page goes back to where it began
)

// open starts find from field start (the field focused, or the first one on screen).
func (f *fieldFind) open(start int) {
	f.on, f.start, f.matches, f.at = true, start, nil, 0
	f.input = newLineInput("part of a label or an API name")
	f.input.Focus()
}

// shown is the index of the field found, or -1 when nothing matches.
func (f fieldFind) shown() int {
	if len(f.matches) == 0 {
		return -1
	}
	return f.matches[f.at]
}

// update takes a key while find is open.
func (f *fieldFind) update(msg tea.KeyMsg, fields []findLabel) findAction {
	switch msg.Type {
	case tea.KeyEsc:
		f.on = false
		return findCancel
	case tea.KeyEnter:
		f.on = false
		if len(f.matches) == 0 {
			return findCancel
		}
		return findKeep
	case tea.KeyDown, tea.KeyTab, tea.KeyCtrlN:
		return f.step(1)
	case tea.KeyUp, tea.KeyShiftTab, tea.KeyCtrlP:
		return f.step(-1)
	case tea.KeyCtrlF:
		return f.step(1)
	}
	before := f.input.Value()
	f.input, _ = f.input.Update(msg)
	if f.input.Value() == before {
		return findStay
	}
	f.matches = matchFields(fields, f.input.Value())
	f.at = 0
	for i, at := range f.matches {
		if at >= f.start {
			f.at = i
			break
		}
	}
	if len(f.matches) == 0 {
		// Nothing holds the text: the page goes back to where find began, not to the last
		// field a shorter text found.
		return findCancel
	}
	return findShow
}

func (f *fieldFind) step(d int) findAction {
	if len(f.matches) == 0 {
		return findStay
	}
	f.at = (f.at + d + len(f.matches)) % len(f.matches)
	return findShow
}

// matchFields are the indexes of the fields holding every word of text.
func matchFields(fields []findLabel, text string) []int {
	words := strings.Fields(strings.ToLower(CleanLine(text)))
	if len(words) == 0 {
		return nil
	}
	var out []int
	for i, f := range fields {
		label, name := strings.ToLower(f.label), strings.ToLower(f.name)
		all := true
		for _, w := range words {
			if !strings.Contains(label, w) && !strings.Contains(name, w) {
				all = false
				break
			}
		}
		if all {
			out = append(out, i)
		}
	}
	return out
}

// line is the find line: the text typed and what it found.
func (f fieldFind) line(s Styles, w int) string {
	const prompt = "Find a field: "
	var found string
	switch {
	case f.input.Value() == "":
		found = "type part of a label · esc back"
	case len(f.matches) == 0:
		found = "no field holds it · esc back"
	default:
		found = fmt.Sprintf("%d of %d · ↓/↑ more · enter stay · esc back", f.at+1, len(f.matches))
	}
	inputW := max(8, min(30, w-len(prompt)-len(found)-2))
	return trunc(s.Accent.Render(prompt)+f.input.View(inputW)+"  "+s.Subtle.Render(found), w)
}

// findHelp is the help bar while find is open.
func findHelp(k keyMap) []key.Binding {
	return []key.Binding{findStepKey, findKeepKey, findBackKey, withDesc(k.OnlineAnywhere, "online/offline")}
}
