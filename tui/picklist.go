package tui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
)

// noneLabel stands for an empty picklist value.
const noneLabel = "--None--"

// maxPickText caps the shown text of one picklist value (the screen truncates it further).
const maxPickText = 200

// maxPickFilter caps what the chooser's filter holds.
const maxPickFilter = 64

// defaultChooserRows is how many values the chooser shows when its owner gave no room.
const defaultChooserRows = 8

// maxChooserRows is the most values a chooser or a checklist shows at once, however much room
// the screen has.
const maxChooserRows = 10

// pickOption is one value of a picklist as the form offers it.
type pickOption struct {
	value    string // raw, as the org has it; "" is --None--
	text     string // sanitised label for the screen
	validFor string // the dependent picklist bitmap
	active   bool   // false for a value the record holds that describe no longer lists as active
}

// picklistField chooses one of a picklist's values: ←/→ cycle, enter or space open a chooser
// list with a filter. A dependent picklist offers only the values its controller's current
// value allows.
type picklistField struct {
	styles   Styles
	opts     []pickOption
	nillable bool
	cur      string // raw current value; "" when empty

	// Dependent picklists: ctl is the controlling field (nil when the field is not dependent).
	ctl      *remote.Field
	ctlLabel string          // sanitised label of the controller
	ctlSet   bool            // the controller holds a value
	ctlText  string          // the controller's value as shown
	allowed  map[string]bool // values valid for the controller's value; nil offers every value

	// typed is what was typed on the closed field to jump to a value ("closed w" finds Closed
	// Won); another key starts it again.
	typed string
	// missed is what was typed on the closed field when no value begins with it: the field
	// says so until the next key.
	missed string

	// The chooser.
	open      bool
	filtering bool   // the filter takes every letter (after the first typed one, or "/")
	filter    string // raw typed text
	sel, top  int    // cursor and first shown row among the matching choices
	rows      int    // how many values the chooser shows at most
}

func newPicklistField(f remote.Field, v any) *picklistField {
	p := &picklistField{nillable: f.Nillable}
	p.cur, _ = v.(string)
	found := p.cur == ""
	for _, pv := range f.PicklistValues {
		if !pv.Active && pv.Value != p.cur {
			continue
		}
		text := pv.Label
		if text == "" {
			text = pv.Value
		}
		p.opts = append(p.opts, pickOption{value: pv.Value, text: capText(CleanLine(text)), validFor: pv.ValidFor, active: pv.Active})
		found = found || pv.Value == p.cur
	}
	if !found {
		// A value the org has that describe does not list: shown as current, never offered again.
		p.opts = append(p.opts, pickOption{value: p.cur, text: capText(CleanLine(p.cur))})
	}
	return p
}

func capText(s string) string {
	if utf8.RuneCountInString(s) <= maxPickText {
		return s
	}
	r := []rune(s)
	return string(r[:maxPickText]) + "…"
}

// dependOn makes the field a dependent picklist of the controller ctl, which now holds v.
func (p *picklistField) dependOn(ctl remote.Field, v any) {
	p.ctl = &ctl
	p.ctlLabel = CleanLine(ctl.Label)
	if p.ctlLabel == "" {
		p.ctlLabel = CleanLine(ctl.Name)
	}
	p.setController(v)
}

// setController recomputes which values the controller's value v allows.
func (p *picklistField) setController(v any) {
	if p.ctl == nil {
		return
	}
	p.allowed, p.ctlSet = allowedFor(*p.ctl, v, p.opts)
	p.ctlText = display(v)
	p.clampCursor()
}

// allowedFor is the set of opts a dependent field may take while its controller ctl holds v:
// none when v is no value (set false), nil (all) when the describe does not list v, so that
// the org decides.
func allowedFor(ctl remote.Field, v any, opts []pickOption) (allowed map[string]bool, set bool) {
	i, set := remote.ControllerIndex(ctl, v)
	switch {
	case !set:
		return map[string]bool{}, false // no controller value: no dependent values
	case i < 0:
		return nil, true // a controller value describe does not list: the org decides
	}
	allowed = map[string]bool{}
	for _, o := range opts {
		if remote.ValidForAllows(o.validFor, i) {
			allowed[o.value] = true
		}
	}
	return allowed, true
}

// followController applies a new controller value and clears the field's value when that
// value is no longer valid. It returns the value it cleared ("" when none).
func (p *picklistField) followController(v any) string {
	p.setController(v)
	if p.cur == "" || p.offered(p.cur) {
		return ""
	}
	old := p.cur
	p.cur = ""
	return old
}

// offered reports whether a value may be chosen now.
func (p *picklistField) offered(value string) bool {
	for _, o := range p.opts {
		if o.value == value {
			return o.active && (p.allowed == nil || p.allowed[value])
		}
	}
	return false
}

// clearedNote says why followController cleared the value old.
func (p *picklistField) clearedNote(old string) string {
	v := capText(CleanLine(old))
	if !p.ctlSet {
		return sprintf("%q was cleared: %s is empty", v, p.ctlLabel)
	}
	return sprintf("%q was cleared: not valid for %s %q", v, p.ctlLabel, p.ctlText)
}

// waitsForController reports a dependent field whose controller holds no value.
func (p *picklistField) waitsForController() bool { return p.ctl != nil && !p.ctlSet }

// problem says why the current value is not one the field would offer (a change on the org's
// side), or "" when it is fine.
func (p *picklistField) problem() string {
	if p.cur == "" || p.offered(p.cur) {
		return ""
	}
	v := capText(CleanLine(p.cur))
	for _, o := range p.opts {
		if o.value == p.cur && !o.active {
			return sprintf("%q is not an active value of this picklist", v)
		}
	}
	if !p.ctlSet {
		return sprintf("%q needs a %s; choose %s first", v, p.ctlLabel, p.ctlLabel)
	}
	return sprintf("%q is not valid for %s %q", v, p.ctlLabel, p.ctlText)
}

// choices are the values ←/→ cycle through and the chooser lists: --None-- when the field may
// be empty, the offered values, and the current value even when it is not offered.
func (p *picklistField) choices() []pickOption {
	var out []pickOption
	if p.nillable {
		out = append(out, pickOption{text: noneLabel, active: true})
	}
	for _, o := range p.opts {
		if o.value == p.cur || p.offered(o.value) {
			out = append(out, o)
		}
	}
	return out
}

// matches are the choices the chooser's filter keeps: a case-insensitive substring of the
// label or the value.
func (p *picklistField) matches() []pickOption {
	all := p.choices()
	if p.filter == "" {
		return all
	}
	q := strings.ToLower(p.filter)
	var out []pickOption
	for _, o := range all {
		if strings.Contains(strings.ToLower(o.text), q) || strings.Contains(strings.ToLower(o.value), q) {
			out = append(out, o)
		}
	}
	return out
}

func indexOf(opts []pickOption, value string) int {
	for i, o := range opts {
		if o.value == value {
			return i
		}
	}
	return -1
}

// cycle moves the value by d (+1 or -1) through the choices.
func (p *picklistField) cycle(d int) {
	c := p.choices()
	if len(c) == 0 {
		return
	}
	i := indexOf(c, p.cur)
	switch {
	case i < 0 && d > 0:
		i = 0
	case i < 0:
		i = len(c) - 1
	default:
		i = (i + d + len(c)) % len(c)
	}
	p.cur = c[i].value
}

// jump adds text to what was typed on the closed field and moves to the first value, from the
// current one on, whose label starts with all of it. When none does, text starts again on its
// own from the next value (typing a letter again steps through the values it begins). It
// reports whether a value matched.
func (p *picklistField) jump(text string) bool {
	if p.jumpTo(p.typed+text, 0) {
		p.typed += text
		return true
	}
	if p.typed != "" && strings.TrimSpace(text) != "" && p.jumpTo(text, 1) {
		p.typed = text
		return true
	}
	return false
}

// tryJump is jump, noting what was typed when no value begins with it.
func (p *picklistField) tryJump(text string) {
	if !p.jump(text) {
		p.missed = p.typed + text
	}
}

// jumpTo moves to the first value, from the current one on (from the next one when skip is
// 1), whose label starts with prefix, case aside. It reports whether one did.
func (p *picklistField) jumpTo(prefix string, skip int) bool {
	c := p.choices()
	i := max(0, indexOf(c, p.cur))
	prefix = strings.ToLower(prefix)
	for j := skip; j < len(c)+skip; j++ {
		n := (i + j) % len(c)
		if c[n].value != "" && strings.HasPrefix(strings.ToLower(c[n].text), prefix) {
			p.cur = c[n].value
			return true
		}
	}
	return false
}

// setRows gives the chooser room for n values.
func (p *picklistField) setRows(n int) {
	p.rows = max(1, n)
	p.clampCursor()
}

func (p *picklistField) chooserRows() int {
	if p.rows <= 0 {
		return defaultChooserRows
	}
	return p.rows
}

// clampCursor keeps the chooser's cursor on a match and in the shown window.
func (p *picklistField) clampCursor() {
	n := len(p.matches())
	p.sel = clampIndex(p.sel, n)
	p.top = windowTop(p.top, p.sel, n, p.chooserRows())
}

// windowTop is the first shown row of a window of rows rows over n that keeps sel in view,
// moving as little as possible from top.
func windowTop(top, sel, n, rows int) int {
	if sel < top {
		top = sel
	}
	if sel >= top+rows {
		top = sel - rows + 1
	}
	return max(0, min(top, n-rows))
}

func (p *picklistField) openChooser() {
	p.open, p.filtering, p.filter = true, false, ""
	p.sel = max(0, indexOf(p.matches(), p.cur))
	p.top = 0
	p.clampCursor()
}

func (p *picklistField) closeChooser() { p.open, p.filtering, p.filter = false, false, "" }

// capturing reports whether the field takes every key (its chooser is open).
func (p *picklistField) capturing() bool { return p.open }

// scroll moves the chooser's cursor by d rows (mouse wheel, page keys).
func (p *picklistField) scroll(d int) {
	if !p.open {
		return
	}
	p.sel += d
	p.clampCursor()
}

func (p *picklistField) Update(msg tea.Msg) (fieldInput, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return p, nil
	}
	if p.open {
		p.updateChooser(k)
		return p, nil
	}
	p.missed = ""
	if key.Matches(k, clearFieldKey) {
		p.clear()
		return p, nil
	}
	typing := p.typed != "" && !k.Alt && (k.Type == tea.KeyRunes || k.Type == tea.KeySpace)
	switch {
	case typing && k.Type == tea.KeySpace || typing && k.String() == " ":
		// A space in what is typed ("closed w"); one that matches nothing opens the list.
		if !p.jump(" ") {
			p.typed = ""
			p.openChooser()
		}
		return p, nil
	case typing:
		// After a letter, h and l are letters too.
		p.tryJump(string(k.Runes))
		return p, nil
	}
	p.typed = ""
	switch k.String() {
	case "enter", " ":
		p.openChooser()
	case "right", "l":
		p.cycle(1)
	case "left", "h":
		p.cycle(-1)
	default:
		// Typing letters jumps to the first value starting with them.
		if k.Type == tea.KeyRunes && !k.Alt {
			p.tryJump(string(k.Runes))
		}
	}
	return p, nil
}

// clear empties the field (ctrl+u, as in a text field): --None-- when the field may be empty.
// It reports whether it may: a picklist that must have a value keeps it.
func (p *picklistField) clear() bool {
	p.typed = ""
	if !p.nillable {
		return false
	}
	p.cur = ""
	return true
}

// mustHaveValue is what ctrl+u on a picklist that may not be empty says.
const mustHaveValue = "this picklist must have a value: it has no " + noneLabel

func (p *picklistField) updateChooser(k tea.KeyMsg) {
	if key.Matches(k, clearFieldKey) {
		// In the list ctrl+u clears what the filter holds, as in any text being typed.
		p.filter, p.filtering = "", false
		p.sel, p.top = 0, 0
		p.clampCursor()
		return
	}
	switch k.Type {
	case tea.KeyEsc:
		p.closeChooser()
		return
	case tea.KeyEnter:
		if m := p.matches(); p.sel < len(m) {
			p.cur = m[p.sel].value
			p.closeChooser()
		}
		return
	case tea.KeyUp, tea.KeyCtrlP:
		p.scroll(-1)
		return
	case tea.KeyDown, tea.KeyCtrlN:
		p.scroll(1)
		return
	case tea.KeyPgUp:
		p.scroll(-p.chooserRows())
		return
	case tea.KeyPgDown:
		p.scroll(p.chooserRows())
		return
	case tea.KeyHome:
		p.scroll(-len(p.opts) - 1)
		return
	case tea.KeyEnd:
		p.scroll(len(p.opts) + 1)
		return
	case tea.KeyBackspace:
		if r := []rune(p.filter); len(r) > 0 {
			p.filter = string(r[:len(r)-1])
			p.sel, p.top = 0, 0
			p.clampCursor()
		}
		return
	case tea.KeyRunes, tea.KeySpace:
	default:
		return
	}
	text := string(k.Runes)
	if k.Type == tea.KeySpace {
		text = " "
	}
	if !p.filtering {
		switch text {
		case "k":
			p.scroll(-1)
			return
		case "j":
			p.scroll(1)
			return
		case "/":
			p.filtering = true
			return
		case " ":
			return
		}
		p.filtering = true
	}
	if utf8.RuneCountInString(p.filter)+utf8.RuneCountInString(text) > maxPickFilter {
		return
	}
	p.filter += text
	p.sel, p.top = 0, 0
	p.clampCursor()
}

// curText is the current value as shown.
func (p *picklistField) curText() string {
	if p.cur == "" {
		return noneLabel
	}
	if i := indexOf(p.opts, p.cur); i >= 0 {
		return p.opts[i].text
	}
	return capText(CleanLine(p.cur))
}

func (p *picklistField) waitHint() string { return "choose " + p.ctlLabel + " first" }

func (p *picklistField) View(focused bool, w int) string {
	v := p.curText()
	if !focused {
		if p.cur == "" && p.waitsForController() {
			return trunc(v+" · "+p.waitHint(), w)
		}
		return trunc(v, w)
	}
	c := p.choices()
	var line string
	switch {
	case p.open:
		line = sprintf("▾ %s   enter chooses · esc keeps this", v)
	case p.cur == "" && p.waitsForController():
		line = sprintf("◂ %s ▸  %s", v, p.waitHint())
	case p.missed != "":
		line = sprintf("◂ %s ▸  no value begins with %q (enter: list)", v, CleanLine(p.missed))
	default:
		line = sprintf("◂ %s ▸  (%d of %d, ←/→, enter: list)", v, indexOf(c, p.cur)+1, len(c))
	}
	line = trunc(line, w)
	if !p.open {
		return line
	}
	lines := []string{line}
	m := p.matches()
	filter := "filter: " + CleanLine(p.filter)
	if p.filtering {
		filter += "▏"
	} else if p.filter == "" {
		filter += p.styles.Subtle.Render("type to narrow")
	}
	count := ""
	if len(m) > 0 {
		count = sprintf("%d of %d", p.sel+1, len(m))
	}
	lines = append(lines, besides(filter, count, w))
	rows := p.chooserRows()
	switch {
	case p.waitsForController():
		lines = append(lines, p.styles.Subtle.Render(trunc("  "+p.waitHint(), w)))
		rows = max(1, rows-1)
	case len(m) == 0:
		lines = append(lines, p.styles.Subtle.Render(trunc("  no value matches", w)))
	}
	top := windowTop(p.top, p.sel, len(m), rows)
	for i := top; i < len(m) && i < top+rows; i++ {
		o := m[i]
		text := o.text
		if o.value == p.cur {
			text += " (current)"
		}
		mark := "  "
		if i == top && top > 0 {
			mark = "↑ "
		}
		if i == top+rows-1 && i < len(m)-1 {
			mark = "↓ "
		}
		if i == p.sel {
			lines = append(lines, p.styles.Selected.Render(trunc("▸ "+text, w)))
			continue
		}
		lines = append(lines, trunc(mark+text, w))
	}
	return strings.Join(lines, "\n")
}

// besides puts right two cells after left on a line of w cells, next to what it counts at
// any width; when both do not fit, left is cut so that right stays whole.
func besides(left, right string, w int) string {
	rw := cellWidth(right)
	switch {
	case right == "":
		return trunc(left, w)
	case cellWidth(left)+2+rw <= w:
		return left + "  " + right
	case w < rw+4:
		return trunc(left, w)
	}
	return fit(left, w-rw-2) + "  " + right
}

func (p *picklistField) Value() any {
	if p.cur == "" {
		return nil
	}
	return p.cur
}
func (p *picklistField) Check() error   { return nil }
func (p *picklistField) Focus() tea.Cmd { return nil }
func (p *picklistField) Blur()          { p.closeChooser(); p.typed, p.missed = "", "" }
func (p *picklistField) Wants(k tea.KeyMsg) bool {
	if p.open {
		return true
	}
	switch k.Type {
	case tea.KeyLeft, tea.KeyRight, tea.KeyEnter, tea.KeySpace:
		return true
	}
	return false
}
