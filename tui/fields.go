package tui

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/offline-edit/offline-edit/internal/plain"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// fieldInput is one editor for one describe field type. Value is what goes to the engine
// (string, float64, bool or nil); Check reports a value that cannot be of the field's type.
type fieldInput interface {
	Update(msg tea.Msg) (fieldInput, tea.Cmd)
	View(focused bool, width int) string
	Value() any
	Check() error
	Focus() tea.Cmd
	Blur()
	// Wants reports whether the editor uses this key itself rather than the form.
	Wants(msg tea.KeyMsg) bool
}

// newFieldInput picks the editor for a field's type.
func newFieldInput(c *common, f remote.Field, v any, name string) fieldInput {
	if s, ok := v.(string); ok && len(s) > maxOneLineValue {
		switch f.Type {
		case "textarea", "picklist", "multipicklist", "reference", "boolean":
		default:
			return &tooLongField{c: c, f: f, v: s}
		}
	}
	switch f.Type {
	case "textarea":
		return newTextareaField(f, v)
	case "picklist":
		p := newPicklistField(f, v)
		p.styles = c.styles
		return p
	case "multipicklist":
		mp := newMultiPickField(f, v)
		mp.styles = c.styles
		return mp
	case "datetime":
		return newDateTimeField(f, v, c.loc)
	case "boolean":
		b, _ := v.(bool)
		return &checkboxField{on: b}
	case "date":
		return &dateField{textField: newTextField(f, v, "YYYY-MM-DD")}
	case "int", "double", "currency", "percent":
		return newNumberField(f, v)
	case "email":
		return &emailField{textField: newTextField(f, v, "name@example.com")}
	case "phone":
		// The org takes any text in a phone field ("1-800-FLOWERS", "+44 20 7946 0958 ext.
		// 12"): only its length is checked, as for any text.
		return newTextField(f, v, "")
	case "reference":
		return newLookupField(c, f, v, name)
	case "combobox":
		t := newTextField(f, v, "")
		var sug []string
		for _, p := range f.PicklistValues {
			if p.Active {
				sug = append(sug, p.Value)
			}
		}
		t.in.SetSuggestions(sug)
		return t
	}
	return newTextField(f, v, "")
}

func newInput(placeholder string) lineInput { return newLineInput(placeholder) }

// sizedInput is an editor that keeps state for the width it is drawn in: the screens give it
// its width when they make it and when the terminal is resized, so that the cursor is in
// sight from the first key on (not only after the next frame).
type sizedInput interface{ SetWidth(w int) }

// textField edits text, url and anything without a better editor. The length of a field is
// checked before saving, with a message, never by silently cutting what is typed.
type textField struct {
	in lineInput
}

func newTextField(f remote.Field, v any, placeholder string) *textField {
	ti := newInput(placeholder)
	ti.SetValue(editText(v))
	return &textField{in: ti}
}

// editText is a value as text to edit: a string exactly as it is (joiners and all; the input
// cleans only what it draws), other values as the screens write them.
func editText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return display(v)
}

func (t *textField) Update(msg tea.Msg) (fieldInput, tea.Cmd) {
	var cmd tea.Cmd
	t.in, cmd = t.in.Update(msg)
	return t, cmd
}
func (t *textField) View(focused bool, w int) string {
	if !focused {
		return trunc(CleanLine(t.in.Value()), w)
	}
	return t.in.View(w)
}
func (t *textField) SetWidth(w int) { t.in.SetWidth(w) }
func (t *textField) Value() any {
	if s := t.in.Value(); s != "" {
		return s
	}
	return nil
}
func (t *textField) text() string          { return strings.TrimSpace(t.in.Value()) }
func (t *textField) Check() error          { return nil }
func (t *textField) Focus() tea.Cmd        { return t.in.Focus() }
func (t *textField) Blur()                 { t.in.Blur() }
func (t *textField) Wants(tea.KeyMsg) bool { return false }

// emailField is a text field that must hold an address. Spaces around it are dropped: an
// address has none, and the headless commands drop them too.
type emailField struct{ *textField }

// emailAddress is an address as the org takes it in an email field: letters and digits of any
// script (josé@empresa.es, a@bücher.de), one @, a dotted domain. It is the rule of the headless
// commands (emailAddress in the main package's commands.go): keep the two the same, so the
// app and a script refuse the same text.
var emailAddress = regexp.MustCompile(`^[\p{L}\p{N}.!#$%&'*+/=?^_{|}~-]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+$`)

func (e *emailField) Update(msg tea.Msg) (fieldInput, tea.Cmd) {
	_, cmd := e.textField.Update(msg)
	return e, cmd
}
func (e *emailField) Value() any {
	if s := e.text(); s != "" {
		return s
	}
	return nil
}
func (e *emailField) Check() error {
	if s := e.text(); s != "" && !emailAddress.MatchString(s) {
		return errors.New("enter an email address like name@example.com")
	}
	return nil
}

// numberField edits int, double, currency and percent fields. A typed value with more
// decimal places than the field's scale is rounded to the scale, half away from zero, as the
// org's own edit page does (the API keeps whatever it is sent; the page rounds what a user
// types): what is saved is what the record page shows. A value the field opened with is given
// back as it came, however many decimals it has.
type numberField struct {
	*textField
	integer bool
	scale   int    // the decimal places the field keeps, -1 when its describe does not say
	whole   int    // the digits it keeps before the point, 0 when its describe does not say
	start   string // the text the field opened with
	rounded string // the text typed before settle rounded it, until the next edit ("" when not)
}

func newNumberField(f remote.Field, v any) *numberField {
	n := &numberField{textField: newTextField(f, v, ""), integer: f.Type == "int", scale: -1}
	if f.Precision > 0 {
		n.scale = f.Scale
		n.whole = f.Precision - f.Scale
	}
	n.start = n.in.Value()
	return n
}

func (n *numberField) Update(msg tea.Msg) (fieldInput, tea.Cmd) {
	before := n.in.Value()
	_, cmd := n.textField.Update(msg)
	if n.in.Value() != before {
		n.rounded = ""
	}
	return n, cmd
}
func (n *numberField) parse() (float64, error) {
	s := strings.ReplaceAll(n.text(), ",", "")
	if !plainNumber.MatchString(s) {
		return 0, errors.New("enter a number") // not Go's 0x1p-2, 1_000 or Inf
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, errors.New("enter a number")
	}
	if n.integer && x != math.Trunc(x) {
		return 0, errors.New("enter a whole number")
	}
	return x, nil
}

// plainNumber is a number as a person types it: digits, a point, an exponent.
var plainNumber = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// edited reports whether the text is no longer the one the field opened with (spaces around it
// are no edit: the org's value is not rounded for them).
func (n *numberField) edited() bool {
	return strings.TrimSpace(n.in.Value()) != strings.TrimSpace(n.start)
}

// number is the field's value: as typed, rounded to the field's scale once edited.
func (n *numberField) number() (float64, error) {
	x, err := n.parse()
	if err != nil || !n.edited() {
		return x, err
	}
	typed := strings.TrimPrefix(strings.ReplaceAll(n.text(), ",", ""), "+")
	if plain, ok := remote.PlainDecimal(typed); n.scale >= 0 && ok {
		// On the digits typed: 1.00499999999999999 is 1.00, though its double prints 1.005;
		// 1.2345e2 with two decimals is 123.45.
		typed = remote.RoundDecimal(plain, n.scale)
	}
	// A number with more digits than a float64 keeps would be saved as a neighbour.
	r, exact := remote.ExactNumber(typed)
	if !exact {
		return 0, errors.New(remote.NotKeptExactly(typed, r))
	}
	if n.whole > 0 && math.Abs(r) >= math.Pow10(n.whole) {
		// The org would refuse it (NUMBER_OUTSIDE_VALID_RANGE) and lock the record orange.
		return 0, errors.New(sprintf("at most %d %s before the decimal point", n.whole, plural(n.whole, "digit", "digits")))
	}
	if r == 0 {
		return 0, nil // -0.001 rounds to 0, not to -0
	}
	return r, nil
}

func (n *numberField) Value() any {
	if n.text() == "" {
		return nil
	}
	x, err := n.number()
	if err != nil {
		return n.text()
	}
	return x
}
func (n *numberField) Check() error {
	if n.text() == "" {
		return nil
	}
	_, err := n.number()
	return err
}

// settle writes an edited value rounded to the field's scale back in the field, so that the
// field shows what is saved.
func (n *numberField) settle() {
	if !n.edited() || n.scale < 0 || n.text() == "" {
		return
	}
	x, err := n.number()
	if err != nil {
		return
	}
	if s := strconv.FormatFloat(x, 'f', -1, 64); s != n.text() {
		// Written another way ("90000.50", "1,000") is not rounded: the value is the same.
		if typed, err := n.parse(); err != nil || typed != x {
			n.rounded = n.text()
		}
		n.in.SetValue(s)
	}
}

// roundedNote says that saving rounded what was typed, and to what ("" when it did not):
// "Annual Revenue rounded to 100: the field keeps no decimals".
func (n *numberField) roundedNote(f remote.Field) string {
	x, ok := n.Value().(float64)
	if n.rounded == "" || !ok {
		return ""
	}
	label := CleanLine(fieldLabel(f))
	return sprintf("%s rounded to %s: the field keeps %s", label, formatNumber(f, x), decimalsWord(n.scale))
}

// dateField edits a date as YYYY-MM-DD.
type dateField struct{ *textField }

func (d *dateField) Update(msg tea.Msg) (fieldInput, tea.Cmd) {
	_, cmd := d.textField.Update(msg)
	return d, cmd
}
func (d *dateField) Check() error {
	if d.text() == "" {
		return nil
	}
	t, err := time.Parse("2006-01-02", d.text())
	if err != nil {
		return dateError(d.text())
	}
	if t.Year() < minYear || t.Year() > maxYear {
		return errors.New(sprintf("the year must be between %d and %d", minYear, maxYear)) // as a date and time's
	}
	return nil
}

// dateShape is text written as YYYY-MM-DD, whether or not the day exists.
var dateShape = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)

// dateError says what is wrong with text that is not a date: the month or the day that does
// not exist when it is written as one ("February 2027 has no day 31"), else the form to use.
func dateError(s string) error {
	p := dateShape.FindStringSubmatch(s)
	if p == nil {
		return errors.New("enter a date as YYYY-MM-DD")
	}
	year, _ := strconv.Atoi(p[1])
	month, _ := strconv.Atoi(p[2])
	day, _ := strconv.Atoi(p[3])
	if month < 1 || month > 12 {
		return errors.New(sprintf("there is no month %s: months go from 01 to 12", p[2]))
	}
	last := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if day < 1 || day > last {
		return errors.New(sprintf("%s %d has no day %d: it has %d days", time.Month(month), year, day, last))
	}
	return errors.New("enter a date as YYYY-MM-DD")
}
func (d *dateField) Value() any {
	if d.text() == "" {
		return nil
	}
	return d.text()
}

// textareaField edits long text on several lines. The multi-line editor draws the text it
// holds, so it holds the value less what could act on a terminal or reorder what is drawn
// (escape sequences, control characters, direction overrides; joiners and emoji tags stay):
// a value left as it was is given back exactly as it came, with those characters.
type textareaField struct {
	ta         textarea.Model
	raw, start string // the value as it came, and as the editor took it
}

func newTextareaField(f remote.Field, v any) *textareaField {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.Prompt = ""
	ta.SetHeight(3)
	ta.CharLimit = 0
	ta.Cursor.SetMode(cursor.CursorStatic)
	s, _ := v.(string)
	start := drawableText(s)
	ta.SetValue(start)
	return &textareaField{ta: ta, raw: s, start: ta.Value()}
}

// drawableText is s less what a multi-line editor must not draw: escape sequences, control
// characters but the line break, and format characters but the joiners and the tags of emoji
// (which only join what is drawn).
func drawableText(s string) string {
	if plain.ASCII(s) {
		return s
	}
	// A carriage return is a line break to the reader (a lone CR, as old Macs write, or the
	// CR of CRLF): kept as one, not dropped with the other controls, which joined two lines.
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = ansi.Strip(plain.EscForms(s))
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case r == '\u200c', r == '\u200d', r >= 0xe0020 && r <= 0xe007f:
			return r
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
}

func (t *textareaField) Update(msg tea.Msg) (fieldInput, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, lineKeys.Clear) {
		// ctrl+u empties the whole field, as in the one-line editors (the multi-line editor's
		// own ctrl+u deletes only what is before the cursor).
		t.ta.Reset()
		return t, nil
	}
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyRunes && !k.Alt {
		// What is typed or pasted is inserted as text, held as it will be drawn: a burst of
		// letters arrives as one key whose name is its text, and passed on, a word such as
		// "home" or "end" would match the editor's key of that name instead.
		// A pasted line break arrives as CR (most terminals) or CRLF: a new line here.
		text := strings.ReplaceAll(strings.ReplaceAll(string(k.Runes), "\r\n", "\n"), "\r", "\n")
		t.ta.InsertString(drawableText(text))
		return t, nil
	}
	var cmd tea.Cmd
	t.ta, cmd = t.ta.Update(msg)
	return t, cmd
}
func (t *textareaField) SetWidth(w int) { t.ta.SetWidth(max(4, w-1)) }
func (t *textareaField) View(focused bool, w int) string {
	if !focused {
		first := strings.SplitN(t.ta.Value(), "\n", 2)
		line := first[0]
		if len(first) > 1 {
			line += " …"
		}
		return trunc(CleanLine(line), w)
	}
	if note := t.hiddenNote(); note != "" {
		return t.ta.View() + "\n" + wrap(note, max(10, w))
	}
	return t.ta.View()
}

// hiddenNote says, while the field has focus, that its text holds what the editor cannot show
// (tabs, other control characters, invisible marks, escape sequences): kept byte for byte
// while the text is left as it came, lost once it is changed; "" when it holds none.
func (t *textareaField) hiddenNote() string {
	if strings.ReplaceAll(t.raw, "\r\n", "\n") == t.start {
		return "" // nothing hidden: CRLF line breaks are line breaks here too
	}
	if t.ta.Value() == t.start {
		return "Holds tabs or hidden characters this editor can't show: kept unless you change this text."
	}
	return "Changed: its tabs are saved as spaces and its hidden characters left out."
}
func (t *textareaField) Value() any {
	if t.ta.Value() == t.start && t.raw != "" {
		return t.raw
	}
	if s := t.ta.Value(); s != "" {
		return s
	}
	return nil
}
func (t *textareaField) Check() error   { return nil }
func (t *textareaField) Focus() tea.Cmd { return t.ta.Focus() }
func (t *textareaField) Blur()          { t.ta.Blur() }

// Wants takes enter (a new line), and ↑/↓ while they move between the lines of the text:
// ↑ on the first line and ↓ on the last go to the previous and the next field, as in the rest
// of the form.
func (t *textareaField) Wants(k tea.KeyMsg) bool {
	switch k.Type {
	case tea.KeyEnter:
		return true
	case tea.KeyUp:
		return !t.onFirstLine()
	case tea.KeyDown:
		return !t.onLastLine()
	}
	return false
}

// onFirstLine reports whether the cursor is on the first line drawn (a long line wraps on
// several).
func (t *textareaField) onFirstLine() bool {
	return t.ta.Line() == 0 && t.ta.LineInfo().RowOffset == 0
}

// onLastLine reports whether the cursor is on the last line drawn. A line that fills its rows
// exactly is wrapped with an empty row after them, which the cursor never reaches: the row
// that holds the end of the line counts as the last.
func (t *textareaField) onLastLine() bool {
	if t.ta.Line() < t.ta.LineCount()-1 {
		return false
	}
	li := t.ta.LineInfo()
	if li.RowOffset >= li.Height-1 {
		return true
	}
	lines := strings.Split(t.ta.Value(), "\n")
	return li.StartColumn+li.Width >= len([]rune(lines[len(lines)-1]))
}

// checkboxField toggles with space.
type checkboxField struct{ on bool }

func (c *checkboxField) Update(msg tea.Msg) (fieldInput, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && (k.String() == " " || k.String() == "x") {
		c.on = !c.on
	}
	return c, nil
}
func (c *checkboxField) View(focused bool, w int) string {
	box := "[ ]"
	if c.on {
		box = "[x]"
	}
	if focused {
		return trunc(box+"  (space toggles)", w)
	}
	return box
}
func (c *checkboxField) Value() any            { return c.on }
func (c *checkboxField) Check() error          { return nil }
func (c *checkboxField) Focus() tea.Cmd        { return nil }
func (c *checkboxField) Blur()                 {}
func (c *checkboxField) Wants(tea.KeyMsg) bool { return false }

// lookupResultsMsg brings the matches of a lookup search to its field.
type lookupResultsMsg struct {
	field string
	gen   int
	rows  []lookupChoice
	err   error
}

type lookupChoice struct{ id, name, object string }

const lookupMatches = 5

// lookupField searches the cached records (including those created offline) of the
// objects a reference field points at.
type lookupField struct {
	c       *common
	field   string
	objects []string
	in      lineInput
	id      string // the chosen record
	name    string
	matches []lookupChoice
	sel     int
	gen     int
	open    bool
	orgOnly bool // only records the org has: none created on this device and not synced
	gone    bool // id is a new record of this device's that no longer exists (discarded)
	absent  bool // id names no record the device has (deleted or unshared since, or never cached)
}

// discardedLookup is how a lookup at a new record of this device's that is gone (discarded)
// shows: there is no name to show, and its local id means nothing to the user.
const discardedLookup = "(a new record, discarded)"

// notOnDevice follows the id of a lookup's record that the device does not have.
const notOnDevice = "  (not on this device)"

func newLookupField(c *common, f remote.Field, v any, name string) *lookupField {
	l := &lookupField{c: c, field: f.Name, in: newInput("type to search")}
	cached := map[string]bool{}
	for _, o := range c.backend.Objects() {
		cached[o] = true
	}
	for _, o := range f.ReferenceTo {
		if cached[o] {
			l.objects = append(l.objects, o)
		}
	}
	l.id, _ = v.(string)
	l.name = CleanLine(name)
	if l.name == "" && pending.IsLocalID(l.id) {
		// A new record of this device's that is gone (discarded): nothing to name it by, and
		// its id means nothing to the user.
		l.name, l.gone = discardedLookup, true
	}
	if l.name == "" && l.id != "" {
		// A record the device does not have: its id stays in sight (support asks for it),
		// said for what it is, and not marked as a record chosen. The org decides at sync.
		l.name, l.absent = CleanLine(l.id)+notOnDevice, true
	}
	l.in.SetValue(l.name)
	return l
}

func (l *lookupField) search() tea.Cmd {
	l.gen++
	gen, q, field, objects, orgOnly := l.gen, l.in.Value(), l.field, l.objects, l.orgOnly
	b, ctx := l.c.backend, l.c.ctx
	limit := lookupMatches
	if orgOnly {
		limit *= 4 // room for the records left out
	}
	return func() tea.Msg {
		var out []lookupChoice
		for _, o := range objects {
			p, err := b.List(ctx, pending.ListQuery{Object: o, Filter: q, Limit: limit})
			if err != nil {
				return lookupResultsMsg{field: field, gen: gen, err: err}
			}
			for _, r := range p.Rows {
				if orgOnly && pending.IsLocalID(r.ID) {
					continue
				}
				out = append(out, lookupChoice{id: r.ID, name: CleanLine(r.Name), object: o})
			}
		}
		if len(out) > lookupMatches {
			out = out[:lookupMatches]
		}
		return lookupResultsMsg{field: field, gen: gen, rows: out}
	}
}

func (l *lookupField) Update(msg tea.Msg) (fieldInput, tea.Cmd) {
	switch msg := msg.(type) {
	case lookupResultsMsg:
		if msg.gen == l.gen && msg.err == nil {
			l.matches, l.sel, l.open = msg.rows, 0, true
		}
		return l, nil
	case tea.KeyMsg:
		switch msg.Type {
		case tea.KeyUp:
			l.sel = max(0, l.sel-1)
			return l, nil
		case tea.KeyDown:
			l.sel = clampIndex(l.sel+1, len(l.matches))
			return l, nil
		case tea.KeyEnter:
			if l.open && l.sel >= 0 && l.sel < len(l.matches) {
				ch := l.matches[l.sel]
				l.id, l.name, l.open, l.gone, l.absent = ch.id, ch.name, false, false, false
				l.in.SetValue(ch.name)
				l.in.CursorEnd()
				l.gen++ // a search still on its way would open the matches again
			}
			return l, nil
		case tea.KeyEsc:
			l.open = false
			l.gen++
			return l, nil
		}
		before := l.in.Value()
		var cmd tea.Cmd
		l.in, cmd = l.in.Update(msg)
		if l.in.Value() != before {
			if l.in.Value() == "" {
				l.id, l.name, l.open, l.gone, l.absent = "", "", false, false, false
				l.gen++
				return l, cmd
			}
			return l, tea.Batch(cmd, l.search())
		}
		return l, cmd
	}
	return l, nil
}

// SetWidth sizes the search text; room is left for the ✓ of a chosen record.
func (l *lookupField) SetWidth(w int) { l.in.SetWidth(max(1, w-3)) }

func (l *lookupField) View(focused bool, w int) string {
	if !focused {
		if typed := l.in.Value(); typed != l.name {
			// Edited away from the record chosen: what was typed, which saving refuses until
			// a record is chosen (Check), not the record's name as if it still stood.
			return trunc(CleanLine(typed)+"  (not chosen)", w)
		}
		return trunc(l.name, w)
	}
	out := l.in.View(max(1, w-3))
	if l.id != "" && l.in.Value() == l.name && !l.gone && !l.absent {
		out += "  ✓"
	}
	if l.open {
		if len(l.matches) == 0 {
			out += "\n    no cached match"
		}
		for i, m := range l.matches {
			mark := "    "
			if i == l.sel {
				mark = "  ▸ "
			}
			out += "\n" + trunc(mark+m.name+"  ("+m.object+")", w)
		}
	}
	return out
}

func (l *lookupField) Value() any {
	if l.id == "" {
		return nil
	}
	return l.id
}

func (l *lookupField) Check() error {
	if l.gone && l.in.Value() == l.name {
		return errors.New("the new record it pointed at was discarded: choose another, or empty it (ctrl+u)")
	}
	if l.in.Value() != "" && (l.id == "" || l.in.Value() != l.name) {
		return errors.New("choose a record from the matches (↑/↓, enter)")
	}
	return nil
}
func (l *lookupField) Focus() tea.Cmd { return l.in.Focus() }
func (l *lookupField) Blur()          { l.in.Blur(); l.open = false; l.gen++ } // a search on its way stays closed
func (l *lookupField) Wants(k tea.KeyMsg) bool {
	switch k.Type {
	case tea.KeyUp, tea.KeyDown, tea.KeyEnter, tea.KeyEsc:
		return l.open
	}
	return false
}

// textLen is the length the org counts: characters, not bytes.
func textLen(v any) int {
	s, _ := v.(string)
	return utf8.RuneCountInString(s)
}

// fieldLabel is the field's name as the screens show it: its label, or its API name when the
// describe gives none. A lookup shows the name of the record it points at, not an id, so its
// label drops the describe's trailing " ID" ("Account ID" → "Account", "Owner ID" → "Owner").
func fieldLabel(f remote.Field) string {
	l := strings.TrimSpace(f.Label)
	if l == "" {
		return f.Name
	}
	if f.Type == "reference" {
		if t := strings.TrimSpace(strings.TrimSuffix(l, " ID")); t != "" {
			return t
		}
	}
	return l
}

// isNumberType reports whether a field of type t holds a number.
func isNumberType(t string) bool {
	switch t {
	case "int", "double", "currency", "percent":
		return true
	}
	return false
}

// maxOneLineValue is the longest value a one-line editor opens with: an org's one-line fields
// hold 255 characters at most, and only a broken or hostile org sends more (a megabyte took
// seconds a key to edit).
const maxOneLineValue = 4 << 10

// tooLongField stands in for the editor of a one-line field whose value is longer than any such
// field holds: the value is left as it is, unless ctrl+u empties the field, which then takes
// typing as any text field does.
type tooLongField struct {
	c       *common
	f       remote.Field
	v       string
	focused bool
}

func (t *tooLongField) Update(msg tea.Msg) (fieldInput, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, clearFieldKey) {
		in := newFieldInput(t.c, t.f, nil, "")
		if t.focused {
			return in, in.Focus()
		}
		return in, nil
	}
	return t, nil
}

func (t *tooLongField) View(focused bool, w int) string {
	note := sprintf(" … (%d characters, too long to edit here; ctrl+u empties it)", utf8.RuneCountInString(t.v))
	head := t.v
	for n, i := 0, 0; i < len(head); n++ {
		if n == 4*w { // enough to fill the line: the rest is never drawn
			head = head[:i]
			break
		}
		_, size := utf8.DecodeRuneInString(head[i:])
		i += size
	}
	return trunc(CleanLine(head), max(1, w-cellWidth(note)-1)) + note
}

func (t *tooLongField) Value() any            { return t.v }
func (t *tooLongField) Check() error          { return nil }
func (t *tooLongField) Focus() tea.Cmd        { t.focused = true; return nil }
func (t *tooLongField) Blur()                 { t.focused = false }
func (t *tooLongField) Wants(tea.KeyMsg) bool { return false }
