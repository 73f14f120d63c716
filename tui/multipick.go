package tui

import (
	"errors"
	"strconv"
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
//
// A dependent checklist (one with a controlling field) lists only the values its controller's
// current value allows, as a dependent picklist offers them. A value ticked that the controller
// no longer allows stays listed and ticked, marked as not valid, until the user unticks it: the
// form will not save it.
type multiPickField struct {
	styles Styles
	opts   []pickOption    // the active values in describe order, then values held but not offered
	on     map[string]bool // raw value → chosen
	start  string          // the value the field opened with, in its own form ("" when none)
	sel    int             // the cursor among the listed values (list)
	top    int             // the first shown row
	rows   int             // how many values the list shows at most (0: defaultChooserRows)

	// Dependent checklists: ctl is the controlling field (nil when the field is not dependent).
	ctl      *remote.Field
	ctlLabel string          // sanitised label of the controller
	ctlSet   bool            // the controller holds a value
	ctlText  string          // the controller's value as shown
	allowed  map[string]bool // values valid for the controller's value; nil allows every value
	ctlStart any             // the controller's value when the field opened
	ctlNow   any             // the controller's value now
	// kept are values the controller does not allow that stay listed: those ticked when its
	// value last changed, so that unticking one does not take it from under the cursor.
	kept map[string]bool
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
		m.opts = append(m.opts, pickOption{value: pv.Value, text: capText(CleanLine(text)), validFor: pv.ValidFor, active: pv.Active})
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

// dependOn makes the field a dependent checklist of the controller ctl, which now holds v.
func (m *multiPickField) dependOn(ctl remote.Field, v any) {
	m.ctl = &ctl
	m.ctlLabel = CleanLine(ctl.Label)
	if m.ctlLabel == "" {
		m.ctlLabel = CleanLine(ctl.Name)
	}
	m.ctlStart = v
	m.setController(v)
}

// setController lists the values the controller's new value v allows, and keeps listed the
// ticked ones it does not; the cursor stays on the value it was on while that is listed.
func (m *multiPickField) setController(v any) {
	if m.ctl == nil {
		return
	}
	at := ""
	if l := m.list(); m.sel < len(l) {
		at = l[m.sel].value
	}
	m.allowed, m.ctlSet = allowedFor(*m.ctl, v, m.opts)
	m.ctlText, m.ctlNow = display(v), v
	m.kept = map[string]bool{}
	for _, o := range m.opts {
		if m.on[o.value] && !m.allows(o.value) {
			m.kept[o.value] = true
		}
	}
	l := m.list()
	if j := indexOf(l, at); j >= 0 {
		m.sel = j
	}
	m.sel = clampIndex(m.sel, len(l))
	m.top = windowTop(m.top, m.sel, len(l), m.listRows())
}

// allows reports whether the controller's value allows value (always, when not dependent).
func (m *multiPickField) allows(value string) bool {
	return m.ctl == nil || m.allowed == nil || m.allowed[value]
}

// list is what the checklist lists: every value of opts, or, when the field is dependent, the
// values the controller allows and the ticked (or kept) ones it does not.
func (m *multiPickField) list() []pickOption {
	if m.ctl == nil {
		return m.opts
	}
	var out []pickOption
	for _, o := range m.opts {
		if m.allows(o.value) || m.on[o.value] || m.kept[o.value] {
			out = append(out, o)
		}
	}
	return out
}

// waitsForController reports a dependent checklist whose controller holds no value.
func (m *multiPickField) waitsForController() bool { return m.ctl != nil && !m.ctlSet }

// controllerMoved reports whether the controller's value on the form is not the one the field
// opened with: the ticked values must then be valid for the new one, changed or not.
func (m *multiPickField) controllerMoved() bool {
	return m.ctl != nil && !sameValue(m.ctlStart, m.ctlNow)
}

// notAllowed are the ticked values the controller's value does not allow, quoted as shown.
func (m *multiPickField) notAllowed() []string {
	var out []string
	for _, o := range m.chosen() {
		if !m.allows(o.value) {
			out = append(out, strconv.Quote(o.text))
		}
	}
	return out
}

// notValidFor says what the controller holds that a value is not valid for:
// `for Industry "Retail"`, or, when it holds nothing, `while Industry is empty`.
func (m *multiPickField) notValidFor() string {
	if !m.ctlSet {
		return "while " + m.ctlLabel + " is empty"
	}
	return sprintf("for %s %q", m.ctlLabel, m.ctlText)
}

// problem says which ticked values the controller's value does not allow, and what to do
// ("" when none): `"Grid" is not valid for Industry "Retail": untick it`.
func (m *multiPickField) problem() string {
	bad := m.notAllowed()
	switch len(bad) {
	case 0:
		return ""
	case 1:
		return sprintf("%s is not valid %s: untick it", bad[0], m.notValidFor())
	}
	return sprintf("%s are not valid %s: untick them", strings.Join(bad, ", "), m.notValidFor())
}

// setRows gives the list room for n values.
func (m *multiPickField) setRows(n int) {
	m.rows = max(1, n)
	m.top = windowTop(m.top, m.sel, len(m.list()), m.listRows())
}

func (m *multiPickField) listRows() int {
	if m.rows <= 0 {
		return defaultChooserRows
	}
	return m.rows
}

func (m *multiPickField) move(d int) {
	n := len(m.list())
	m.sel = clampIndex(m.sel+d, n)
	m.top = windowTop(m.top, m.sel, n, m.listRows())
}

func (m *multiPickField) toggle() {
	l := m.list()
	if m.sel < 0 || m.sel >= len(l) {
		return
	}
	v := l[m.sel].value
	m.on[v] = !m.on[v]
}

// jump moves the cursor to the next value whose label starts with r.
func (m *multiPickField) jump(r string) {
	r = strings.ToLower(r)
	l := m.list()
	n := len(l)
	for j := 1; j <= n; j++ {
		i := (m.sel + j) % n
		if strings.HasPrefix(strings.ToLower(l[i].text), r) {
			m.move(i - m.sel)
			return
		}
	}
}

func (m *multiPickField) Update(msg tea.Msg) (fieldInput, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	n := len(m.list())
	if !ok || n == 0 {
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
		m.move(-n)
	case tea.KeyEnd:
		m.move(n)
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
	l := m.list()
	if !focused {
		if sum == "" && m.waitsForController() {
			return trunc("choose "+m.ctlLabel+" first", w)
		}
		return trunc(sum, w)
	}
	switch {
	case len(l) == 0 && m.waitsForController():
		return trunc("(choose "+m.ctlLabel+" first)", w)
	case len(l) == 0 && m.ctl != nil && len(m.opts) > 0:
		return trunc(sprintf("(no value is valid %s)", m.notValidFor()), w)
	case len(l) == 0:
		return trunc("(this picklist has no values)", w)
	}
	if sum == "" {
		sum = "none chosen"
	}
	lines := []string{besides(sum, sprintf("%d of %d · space ticks", len(m.chosen()), len(l)), w)}
	rows := m.listRows()
	top := windowTop(m.top, m.sel, len(l), rows)
	for i := top; i < len(l) && i < top+rows; i++ {
		o := l[i]
		box := "[ ]"
		if m.on[o.value] {
			box = "[x]"
		}
		text := box + " " + o.text
		switch {
		case !o.active:
			text += " (not in the list)"
		case !m.allows(o.value):
			text += " (not valid " + m.notValidFor() + ")"
		}
		if i == m.sel {
			lines = append(lines, m.styles.Selected.Render(trunc("▸ "+text, w)))
			continue
		}
		mark := "  "
		if i == top && top > 0 {
			mark = "↑ "
		}
		if i == top+rows-1 && i < len(l)-1 {
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

// Check refuses a changed choice that keeps a value the picklist no longer offers, or one its
// controller's value does not allow: the org would refuse it. Left as it came, with its
// controller as it came, the field passes.
func (m *multiPickField) Check() error {
	if m.unchanged() && !m.controllerMoved() {
		return nil
	}
	for _, o := range m.chosen() {
		if !o.active {
			return errors.New(sprintf("%q is not a value of this picklist any more: untick it", o.text))
		}
	}
	if p := m.problem(); p != "" {
		return errors.New(p)
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
	n := len(m.list())
	if n == 0 {
		return false
	}
	switch k.Type {
	case tea.KeyUp:
		return m.sel > 0
	case tea.KeyDown:
		return m.sel < n-1
	case tea.KeySpace, tea.KeyHome, tea.KeyEnd:
		return true
	case tea.KeyRunes:
		return !k.Alt
	}
	return false
}
