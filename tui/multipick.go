package tui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
)

// multiPickField chooses any number of a multi-select picklist's values from a checklist:
// ↑/↓ move, space (or x) ticks and unticks, a letter jumps to the next value starting with it.
// ↑ on the first value and ↓ on the last are the form's, so the cursor never stays trapped in
// the list. Its value is the chosen values in the picklist's order joined by ";" ("A;B"), as the
// org stores them, or nil when none is chosen.
type multiPickField struct {
	styles Styles
	opts   []pickOption    // the active values in describe order, then values held but not offered
	on     map[string]bool // raw value → chosen
	start  string          // the value the field opened with, in its own form ("" when none)
	sel    int             // the cursor among opts
	top    int             // the first shown row
	rows   int             // how many values the list shows at most (0: defaultChooserRows)
}

// Bindings of a focused multi-select checklist, for the help bar.
var (
	multiTickKey = key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "tick/untick"))
	multiMoveKey = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "move"))
)

// newMultiPickField makes the checklist of a multi-select picklist field holding v ("A;B").
func newMultiPickField(f remote.Field, v any) *multiPickField {
	m := &multiPickField{on: map[string]bool{}}
	m.start, _ = v.(string)
	held := map[string]bool{}
	var heldOrder []string
	for _, s := range strings.Split(m.start, ";") {
		if s != "" && !held[s] {
			held[s] = true
			heldOrder = append(heldOrder, s)
		}
	}
	listed := map[string]bool{}
	for _, pv := range f.PicklistValues {
		listed[pv.Value] = true
		if !pv.Active && !held[pv.Value] {
			continue
		}
		text := pv.Label
		if text == "" {
			text = pv.Value
		}
		m.opts = append(m.opts, pickOption{value: pv.Value, text: capText(CleanLine(text)), active: pv.Active})
	}
	for _, s := range heldOrder {
		if !listed[s] {
			// A value the org has that describe does not list: shown and chosen, never offered.
			m.opts = append(m.opts, pickOption{value: s, text: capText(CleanLine(s))})
		}
		m.on[s] = true
	}
	return m
}

// setRows gives the list room for n values.
func (m *multiPickField) setRows(n int) {
	m.rows = max(1, n)
	m.top = windowTop(m.top, m.sel, len(m.opts), m.listRows())
}

func (m *multiPickField) listRows() int {
	if m.rows <= 0 {
		return defaultChooserRows
	}
	return m.rows
}

func (m *multiPickField) move(d int) {
	m.sel = clampIndex(m.sel+d, len(m.opts))
	m.top = windowTop(m.top, m.sel, len(m.opts), m.listRows())
}

func (m *multiPickField) toggle() {
	if m.sel < 0 || m.sel >= len(m.opts) {
		return
	}
	v := m.opts[m.sel].value
	m.on[v] = !m.on[v]
}

// jump moves the cursor to the next value whose label starts with r.
func (m *multiPickField) jump(r string) {
	r = strings.ToLower(r)
	n := len(m.opts)
	for j := 1; j <= n; j++ {
		i := (m.sel + j) % n
		if strings.HasPrefix(strings.ToLower(m.opts[i].text), r) {
			m.move(i - m.sel)
			return
		}
	}
}

func (m *multiPickField) Update(msg tea.Msg) (fieldInput, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || len(m.opts) == 0 {
		return m, nil
	}
	if key.Matches(k, clearFieldKey) {
		m.on = map[string]bool{} // ctrl+u, as in a text field: nothing ticked
		return m, nil
	}
	switch k.Type {
	case tea.KeyUp:
		m.move(-1)
	case tea.KeyDown:
		m.move(1)
	case tea.KeyHome:
		m.move(-len(m.opts))
	case tea.KeyEnd:
		m.move(len(m.opts))
	case tea.KeySpace:
		m.toggle()
	case tea.KeyRunes:
		if k.Alt || len(k.Runes) != 1 {
			return m, nil // a pasted burst of letters is not a value to jump to
		}
		// Only space ticks: every letter, x included, jumps to the value it starts.
		if r := string(k.Runes); r == " " {
			m.toggle()
		} else {
			m.jump(r)
		}
	}
	return m, nil
}

// chosen lists the chosen values in the order of the list: the picklist's, then the values
// held that it does not list.
func (m *multiPickField) chosen() []pickOption {
	var out []pickOption
	for _, o := range m.opts {
		if m.on[o.value] {
			out = append(out, o)
		}
	}
	return out
}

// summary is the chosen values as shown: their labels joined "A; B".
func (m *multiPickField) summary() string {
	c := m.chosen()
	texts := make([]string, len(c))
	for i, o := range c {
		texts[i] = o.text
	}
	return strings.Join(texts, "; ")
}

func (m *multiPickField) View(focused bool, w int) string {
	sum := m.summary()
	if !focused {
		return trunc(sum, w)
	}
	if len(m.opts) == 0 {
		return trunc("(this picklist has no values)", w)
	}
	if sum == "" {
		sum = "none chosen"
	}
	lines := []string{besides(sum, sprintf("%d of %d · space ticks", len(m.chosen()), len(m.opts)), w)}
	rows := m.listRows()
	top := windowTop(m.top, m.sel, len(m.opts), rows)
	for i := top; i < len(m.opts) && i < top+rows; i++ {
		o := m.opts[i]
		box := "[ ]"
		if m.on[o.value] {
			box = "[x]"
		}
		text := box + " " + o.text
		if !o.active {
			text += " (not in the list)"
		}
		if i == m.sel {
			lines = append(lines, m.styles.Selected.Render(trunc("▸ "+text, w)))
			continue
		}
		mark := "  "
		if i == top && top > 0 {
			mark = "↑ "
		}
		if i == top+rows-1 && i < len(m.opts)-1 {
			mark = "↓ "
		}
		lines = append(lines, trunc(mark+text, w))
	}
	return strings.Join(lines, "\n")
}

func (m *multiPickField) Value() any {
	c := m.chosen()
	if len(c) == 0 {
		return nil
	}
	vals := make([]string, len(c))
	for i, o := range c {
		vals[i] = o.value
	}
	return strings.Join(vals, ";")
}

// Check refuses a changed choice that keeps a value the picklist no longer offers: the org
// would refuse it. Left as it came, the field is not sent and passes.
func (m *multiPickField) Check() error {
	if m.unchanged() {
		return nil
	}
	for _, o := range m.chosen() {
		if !o.active {
			return errors.New(sprintf("%q is not a value of this picklist any more: untick it", o.text))
		}
	}
	return nil
}

// unchanged reports whether the same values are chosen as when the field opened.
func (m *multiPickField) unchanged() bool {
	v, _ := m.Value().(string)
	if v == m.start {
		return true
	}
	before := map[string]bool{}
	for _, s := range strings.Split(m.start, ";") {
		if s != "" {
			before[s] = true
		}
	}
	c := m.chosen()
	if len(c) != len(before) {
		return false
	}
	for _, o := range c {
		if !before[o.value] {
			return false
		}
	}
	return true
}

func (m *multiPickField) Focus() tea.Cmd { return nil }
func (m *multiPickField) Blur()          {}

// Wants takes space and letters, ↑ but on the first value and ↓ but on the last: at either end
// the key is the form's, which moves to the field before or after.
func (m *multiPickField) Wants(k tea.KeyMsg) bool {
	if len(m.opts) == 0 {
		return false
	}
	switch k.Type {
	case tea.KeyUp:
		return m.sel > 0
	case tea.KeyDown:
		return m.sel < len(m.opts)-1
	case tea.KeySpace, tea.KeyHome, tea.KeyEnd:
		return true
	case tea.KeyRunes:
		return !k.Alt
	}
	return false
}
