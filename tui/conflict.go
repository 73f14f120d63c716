package tui

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

type conflictDataMsg struct {
	gen    int
	entry  pending.Entry
	desc   *remote.Describe
	names  map[string]string // display names the record view knows (users among them)
	me     string            // the signed-in user's id
	server remote.Fields     // the org's copy as the device has it now: a sync since the conflict may have brought newer values
	since  map[string]bool   // fields of the change another user changed since, as the engine judges
	err    error
}

// conflictMovedMsg stops a save: the org's copy the device holds now has values for
// conflicting fields other than those the screen shows (another user changed them again and
// a sync brought them). The screen shows them and the user decides again.
type conflictMovedMsg struct {
	gen    int
	server remote.Fields
	names  map[string]string
	moved  []string // the fields whose theirs changed, in the screen's order
}

// conflictModel resolves a conflict: per field base, theirs and mine; or, for a delete,
// delete anyway or keep the record.
type conflictModel struct {
	c       *common
	entryID string
	gen     int
	loaded  bool
	entry   pending.Entry
	desc    *remote.Describe
	names   map[string]string
	me      string            // the signed-in user's id: their own save is "you" (author)
	picked  map[string]string // names of the records typed new values of lookups point at
	server  remote.Fields     // the org's copy as the device has it now; nil when unknown
	since   map[string]bool   // fields of the change another user changed since, as the engine judges
	moved   string            // why the last ctrl+s did not save: theirs changed again
	choices []pending.Choice
	cursor  int
	editing bool
	fresh   bool // the editor still holds the value it opened with: typing replaces it
	valueIn fieldInput
	valueOf remote.Field // the field valueIn edits
	valueAt any          // what valueIn held when it opened
	bad     string       // why the typed value was refused
	keep    bool         // delete conflicts: keep the record instead of deleting anyway
	saving  bool
	w, h    int
}

func newConflict(c *common) conflictModel { return conflictModel{c: c} }

// conflictLiveMsg is what a sync changed under an open conflict screen: newer values of
// theirs (moved), or the conflict settled meanwhile (settled says how).
type conflictLiveMsg struct {
	gen     int
	server  remote.Fields
	names   map[string]string
	moved   []string
	settled string
}

// refresh looks again, after a sync, at the record and the change the screen shows, keeping
// the choices made: theirs shows the newest value, and a conflict settled meanwhile (the
// record deleted, say) closes the screen saying so.
func (m conflictModel) refresh() (conflictModel, tea.Cmd) {
	if !m.loaded || m.saving || m.entryID == "" {
		return m, nil
	}
	b, ctx, gen, d := m.c.backend, m.c.ctx, m.gen, m.desc
	entryID, object, recordID := m.entryID, m.entry.Object, m.entry.RecordID
	shown := theirsNow(m.entry.Conflicts, m.server)
	names := m.names
	return m, func() tea.Msg {
		e, err := b.Entry(ctx, entryID)
		if err != nil || e.Status != pending.StatusConflict {
			why := "This conflict was settled meanwhile"
			if err == nil && e.Message != "" {
				why += ": " + e.Message
			}
			return conflictLiveMsg{gen: gen, settled: why + "."}
		}
		v, err := b.Record(ctx, object, recordID)
		if err != nil || v.Server == nil {
			return nil
		}
		moved := movedFields(shown, v.Server)
		if len(moved) == 0 {
			return nil
		}
		all := maps.Clone(names)
		if all == nil {
			all = map[string]string{}
		}
		maps.Copy(all, v.Names)
		return conflictLiveMsg{gen: gen, server: v.Server, moved: moved, names: lookupNames(ctx, b, d, theirsNow(shown, v.Server), all)}
	}
}

func (m conflictModel) open(entryID string) (conflictModel, tea.Cmd) {
	m = conflictModel{c: m.c, entryID: entryID, gen: m.gen + 1, w: m.w, h: m.h}
	gen := m.gen
	b, ctx := m.c.backend, m.c.ctx
	known := m.c.describes
	return m, func() tea.Msg {
		e, err := b.Entry(ctx, entryID)
		if err != nil {
			return conflictDataMsg{gen: gen, err: err}
		}
		d := known[e.Object]
		if d == nil {
			d, err = b.Describe(ctx, e.Object)
		}
		// Names are a nicety: without them the author of the other edit shows as an id.
		var names map[string]string
		var server remote.Fields
		var me string
		if v, verr := b.Record(ctx, e.Object, e.RecordID); verr == nil {
			names, server, me = v.Names, v.Server, v.Me
		}
		names = lookupNames(ctx, b, d, theirsNow(e.Conflicts, server), names)
		since := map[string]bool{} // a nicety too: without it, nothing is said to have changed since
		if fs, serr := b.ChangedSince(ctx, entryID); serr == nil {
			for _, f := range fs {
				since[f] = true
			}
		}
		return conflictDataMsg{gen: gen, entry: e, desc: d, names: names, me: me, server: server, since: since, err: err}
	}
}

// theirsNow are the conflicts with theirs as the org's copy on the device has it now (the
// value another user set after the sync that found the conflict, when a later sync brought
// it): what taking theirs keeps. Base, mine and the rest are the conflict's own.
func theirsNow(cs []pending.Conflict, server remote.Fields) []pending.Conflict {
	out := append([]pending.Conflict(nil), cs...)
	for i, c := range out {
		if v, ok := server[c.Field]; ok && !bsSame(v, c.Theirs) {
			out[i].Theirs = v
		}
	}
	return out
}

// movedFields are the conflicting fields whose value in server is not the theirs shown.
func movedFields(shown []pending.Conflict, server remote.Fields) []string {
	var out []string
	for i, c := range theirsNow(shown, server) {
		if !bsSame(c.Theirs, shown[i].Theirs) {
			out = append(out, c.Field)
		}
	}
	return out
}

// theirs is the conflict's theirs as the screen shows it: the org's newest value the device
// knows.
func (m conflictModel) theirs(i int) any {
	return theirsNow(m.entry.Conflicts[i:i+1], m.server)[0].Theirs
}

// changedAgain reports whether the org's copy on the device holds, for the conflict's field,
// another value than the sync that found the conflict saw.
func (m conflictModel) changedAgain(i int) bool {
	return !bsSame(m.theirs(i), m.entry.Conflicts[i].Theirs)
}

// lastChange is when the org's copy on the device last changed.
func (m conflictModel) lastChange() string {
	// Only when: the record's last author may have changed another field, not this one.
	if s, ok := m.server["LastModifiedDate"].(string); ok {
		if t, err := remote.ParseTime(s); err == nil {
			return m.c.when(t)
		}
	}
	return ""
}

// namesBackend is a Backend that knows the names the device keeps by id: of cached records,
// of users (which are not cached as records) and of records dropped since (*pending.Engine is
// one).
type namesBackend interface {
	Names(ctx context.Context, ids []string) (map[string]string, error)
}

// lookupNames adds to names the names of the records a conflicting lookup's base, theirs and
// mine point at, as far as the device knows them: the rows show names, not ids. A user (an
// owner) is named by the names the device keeps of users.
func lookupNames(ctx context.Context, b Backend, d *remote.Describe, cs []pending.Conflict, names map[string]string) map[string]string {
	if d == nil {
		return names
	}
	out := map[string]string{}
	for k, v := range names {
		out[k] = v
	}
	var unnamed []string
	for _, c := range cs {
		f, ok := d.Field(c.Field)
		if !ok || f.Type != "reference" {
			continue
		}
		for _, v := range []any{c.Base, c.Theirs, c.Mine} {
			id, _ := v.(string)
			if id == "" || out[id] != "" {
				continue
			}
			for _, o := range f.ReferenceTo {
				if r, err := b.Record(ctx, o, id); err == nil && r.Name != "" {
					out[id] = r.Name
					break
				}
			}
			if out[id] == "" {
				unnamed = append(unnamed, id)
			}
		}
	}
	if n, ok := b.(namesBackend); ok && len(unnamed) > 0 {
		// Names are a nicety: an id the device knows no name for stays an id.
		if kept, err := n.Names(ctx, unnamed); err == nil {
			for id, name := range kept {
				if name != "" {
					out[id] = name
				}
			}
		}
	}
	return out
}

func (m *conflictModel) SetSize(w, h int) {
	m.w, m.h = w, h
	if in, ok := m.valueIn.(sizedInput); ok {
		in.SetWidth(m.valueWidth())
	}
	// A list of values open fits the room now (a message may have taken a row of it).
	fitList(m.valueIn, m.chooserRows())
}

// chooserRows is how many values a list of them shows on the conflict screen.
func (m conflictModel) chooserRows() int { return max(3, min(defaultChooserRows, m.h/3)) }

// valuePrompt starts the line of the value being typed.
const valuePrompt = "    new value: "

// valueWidth is the cells the value being typed is drawn in.
func (m conflictModel) valueWidth() int { return max(10, m.w-lipgloss.Width(valuePrompt)) }

// dirty reports choices made on the screen and not saved: leaving would drop them. Keeping
// mine for a field is what the screen starts with, so it loses nothing.
func (m conflictModel) dirty() bool {
	if !m.loaded || m.saving {
		return false
	}
	if m.isDelete() {
		return m.keep
	}
	if m.typed() {
		return true
	}
	for _, ch := range m.choices {
		if ch != (pending.Choice{}) {
			return true
		}
	}
	return false
}

// typed reports a new value being typed that differs from what its editor opened with.
func (m conflictModel) typed() bool {
	return m.editing && m.valueIn != nil && !sameValue(m.valueIn.Value(), m.valueAt)
}

// chosen says the choices dirty reports, in words: "theirs for Account Phone, a new value for
// Industry".
func (m conflictModel) chosen() string {
	if m.isDelete() {
		if m.keep {
			return "to keep the record"
		}
		return ""
	}
	var parts []string
	for i, ch := range m.choices {
		if i >= len(m.entry.Conflicts) {
			break
		}
		switch ch.Take {
		case pending.TakeTheirs:
			parts = append(parts, "theirs for "+m.label(m.entry.Conflicts[i].Field))
		case pending.TakeValue:
			parts = append(parts, "a new value for "+m.label(m.entry.Conflicts[i].Field))
		}
	}
	if m.typed() {
		parts = append(parts, "a value being typed for "+m.label(m.valueOf.Name))
	}
	return strings.Join(parts, ", ")
}

// escKey is what esc does on the screen, in the help bar's words: with choices made it asks
// before dropping them, as the edit form does for unsaved edits.
func (m conflictModel) escKey() key.Binding {
	if m.dirty() {
		return key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back (asks)"))
	}
	return key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back"))
}

// escHint is what esc does, in the screen's own hint line, which has the room to say it whole.
func (m conflictModel) escHint() string {
	if m.dirty() {
		return "esc back: asks before dropping your choices"
	}
	return "esc back, still unresolved"
}

// capturing: a typed value takes every key, and while a resolution is being saved the screen
// takes them too (and ignores them), so that esc can't leave it before the save's own go-back.
func (m conflictModel) capturing() bool { return m.editing || m.saving }

func (m conflictModel) isDelete() bool { return m.entry.Op == pending.OpDelete }

func (m conflictModel) label(field string) string {
	if m.desc != nil {
		if f, ok := m.desc.Field(field); ok {
			return CleanLine(fieldLabel(f))
		}
	}
	return field
}

// field is the describe of a conflicting field; one the describe lacks is edited as text.
func (m conflictModel) field(name string) remote.Field {
	if m.desc != nil {
		if f, ok := m.desc.Field(name); ok {
			return f
		}
	}
	return remote.Field{Name: name, Label: name, Type: "string", Nillable: true}
}

// show is a conflict's value as the screen shows it: a lookup by the name of the record it
// points at (when the device knows it), an empty value as "(empty)".
func (m conflictModel) show(name string, v any) string {
	f := m.field(name)
	if id, ok := v.(string); ok && f.Type == "reference" && m.recordName(id) != "" {
		return CleanLine(m.recordName(id))
	}
	if v == nil || v == "" {
		if f.Type == "boolean" {
			return "No"
		}
		return "(empty)"
	}
	return m.c.displayField(f, v)
}

// showApart is each of a conflict's values (base, theirs, mine, …) as the rows show them: as
// show writes them, except where two values that differ would show the same text ("500.00" for
// 500 and 500.001, "Demo" for "Demo" and "Demo ", the same minute for two moments a few
// seconds apart). Those are shown precisely, or keep mine and take theirs would save a value
// the user could not see: a number with all its digits, text quoted, a moment with its seconds
// (and milliseconds when the seconds are the same), a lookup's name with its id.
func (m conflictModel) showApart(name string, vs []any) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = m.show(name, v)
	}
	f := m.field(name)
	for level := 1; level <= 2; level++ {
		clash := make([]bool, len(vs))
		for i := range vs {
			for j := i + 1; j < len(vs); j++ {
				if sameOnScreen(out[i], out[j]) && valuesDiffer(f, vs[i], vs[j]) {
					clash[i], clash[j] = true, true
				}
			}
		}
		for i, v := range vs {
			if clash[i] {
				out[i] = m.showPrecisely(f, v, level)
			}
		}
	}
	return out
}

// sameOnScreen reports whether two texts look the same on screen: spaces at their ends do not
// show.
func sameOnScreen(a, b string) bool { return strings.TrimSpace(a) == strings.TrimSpace(b) }

// valuesDiffer reports whether a and b are different values of f: an empty text is no value,
// and a moment is the same moment however it is written.
func valuesDiffer(f remote.Field, a, b any) bool {
	if a == "" {
		a = nil
	}
	if b == "" {
		b = nil
	}
	if a == nil || b == nil {
		return a != b
	}
	if f.Type == "datetime" {
		sa, _ := a.(string)
		sb, _ := b.(string)
		ta, ea := remote.ParseTime(sa)
		tb, eb := remote.ParseTime(sb)
		if ea == nil && eb == nil {
			return !ta.Equal(tb)
		}
	}
	if x, ok := a.(float64); ok {
		if y, ok := b.(float64); ok {
			return x != y
		}
	}
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return x != y
		}
	}
	return display(a) != display(b)
}

// showPrecisely is a value as showApart writes one that would look like another: level 1 with
// seconds, level 2 with milliseconds too.
func (m conflictModel) showPrecisely(f remote.Field, v any, level int) string {
	if v == nil || v == "" {
		return "(empty)"
	}
	switch x := v.(type) {
	case float64:
		if isNumberType(f.Type) {
			// Every digit the value has, grouped as the field's numbers are.
			digits := strconv.FormatFloat(x, 'f', -1, 64)
			_, frac, _ := strings.Cut(digits, ".")
			scale := f.Scale
			if f.Precision == 0 && f.Type == "currency" {
				scale = 2 // as formatNumber shows a currency its describe gives no precision
			}
			return formatDecimal(x, max(scale, len(frac)), f.Type == "currency")
		}
	case string:
		switch f.Type {
		case "datetime":
			if t, err := remote.ParseTime(x); err == nil {
				layout := "15:04:05"
				if level > 1 {
					layout = "15:04:05.000"
				}
				t = t.In(m.c.loc)
				day := "Jan 2 "
				if t.Year() != m.c.clock().In(m.c.loc).Year() {
					day = "Jan 2 2006 "
				}
				return t.Format(day+layout) + " " + zoneName(t, m.c.loc)
			}
		case "reference":
			if n := m.recordName(x); n != "" {
				return CleanLine(n) + " (" + CleanLine(x) + ")"
			}
		}
		// Text quoted: its ends, and any character the screens would not draw, show.
		return strconv.Quote(x)
	}
	return m.show(f.Name, v)
}

// recordName is the name of the record id points at, as far as the screen knows it: from the
// record view, or from the lookup a new value was chosen with.
func (m conflictModel) recordName(id string) string {
	if n := m.names[id]; n != "" {
		return n
	}
	return m.picked[id]
}

// textLike reports editors whose value is typed text: the first key typed replaces it.
func textLike(in fieldInput) bool {
	switch in.(type) {
	case *textField, *textareaField, *numberField, *dateField, *emailField, *lookupField, *dateTimeField, *userField:
		return true
	}
	return false
}

// userOnly reports a lookup at users (an owner) that the device caches no records to search
// for: its new value is typed, as a user's name the screen knows or as a user id.
func (m conflictModel) userOnly(f remote.Field) bool {
	cached := map[string]bool{}
	for _, o := range m.c.backend.Objects() {
		cached[o] = true
	}
	return userLookup(f, cached)
}

// newUserField is the editor of a new user for a userOnly lookup, holding v by its name when
// the screen knows it.
func (m conflictModel) newUserField(v any) *userField {
	return newUserInput(m.valueOf, v, m.names, m.picked)
}

// newUserInput is the editor of a user for a lookup at users the device caches no records of
// (an owner): typed as the name of a user the maps know (id → name), or as a user's id. It
// holds v by its name when that name picks one user.
func newUserInput(f remote.Field, v any, nameMaps ...map[string]string) *userField {
	u := &userField{textField: newTextField(f, nil, "a user's name or id (005…)"),
		known: map[string]string{}, names: map[string]string{}, shared: map[string][]string{}}
	add := func(id, name string) {
		n := strings.TrimSpace(CleanLine(name))
		if !isUserID(id) || n == "" {
			return
		}
		key := strings.ToLower(n)
		if was, ok := u.known[key]; ok && was != id {
			// Two users of one name: the name picks neither, their ids do.
			if !slices.Contains(u.shared[key], was) {
				u.shared[key] = append(u.shared[key], was)
			}
			if !slices.Contains(u.shared[key], id) {
				u.shared[key] = append(u.shared[key], id)
			}
			sort.Strings(u.shared[key])
		}
		u.known[key], u.names[key] = id, n
	}
	for _, names := range nameMaps {
		for id, name := range names {
			add(id, name)
		}
	}
	if id, _ := v.(string); id != "" {
		text := id
		for _, names := range nameMaps {
			if n := strings.TrimSpace(CleanLine(names[id])); n != "" && len(u.shared[strings.ToLower(n)]) == 0 {
				text = n
				break
			}
		}
		u.in.SetValue(text)
		u.in.CursorEnd()
	}
	return u
}

// isUserID reports an id of a user: 15 or 18 letters and digits starting 005.
func isUserID(s string) bool {
	if (len(s) != 15 && len(s) != 18) || !strings.HasPrefix(s, "005") {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// userField types a new user for a lookup at users the device caches no records of: the name
// of a user the screen knows (one of the conflict's, or the other user's), or a user's id.
type userField struct {
	*textField
	known  map[string]string   // lower-case name → id
	names  map[string]string   // lower-case name → the name as shown
	shared map[string][]string // lower-case name → the ids of the users it names, when several
}

func (u *userField) Update(msg tea.Msg) (fieldInput, tea.Cmd) {
	_, cmd := u.textField.Update(msg)
	return u, cmd
}

// pick is the id the typed text names; ok is false for text that names no user the field knows.
func (u *userField) pick() (id string, ok bool) {
	t := strings.TrimSpace(u.in.Value())
	switch {
	case t == "":
		return "", true
	case pending.LooksLikeRecordID(t) && !pending.IsLocalID(t):
		// A user's id, or another owner's (a queue, 00G…, owns cases and leads on a real
		// org): the org decides.
		return t, true
	}
	if len(u.shared[strings.ToLower(t)]) > 0 {
		return "", false
	}
	id, ok = u.known[strings.ToLower(t)]
	return id, ok
}

func (u *userField) Value() any {
	if id, _ := u.pick(); id != "" {
		return id
	}
	return nil
}

func (u *userField) Check() error {
	if ids := u.shared[strings.ToLower(strings.TrimSpace(u.in.Value()))]; len(ids) > 0 {
		return errors.New("several users are named " + strconv.Quote(strings.TrimSpace(u.in.Value())) + ": type the id of the one you mean (" + strings.Join(ids, ", ") + ")")
	}
	if _, ok := u.pick(); !ok {
		names := make([]string, 0, len(u.known))
		for _, n := range u.names {
			names = append(names, n)
		}
		sort.Strings(names)
		msg := "type a user id (005…)"
		if len(names) > 0 {
			msg = "type one of the users this screen knows (" + strings.Join(names, ", ") + ") or a user id (005…)"
		}
		return errors.New(msg)
	}
	return nil
}

// startValue opens the editor of the field under the cursor, holding the typed value already
// chosen or else mine.
func (m conflictModel) startValue() (conflictModel, tea.Cmd) {
	c := m.entry.Conflicts[m.cursor]
	v := c.Mine
	if m.choices[m.cursor].Take == pending.TakeValue {
		v = m.choices[m.cursor].Value
	}
	m.valueOf = m.field(c.Field)
	m.valueIn = m.newValueInput(v)
	m.valueAt = m.valueIn.Value()
	m.editing, m.bad = true, ""
	m.fresh = textLike(m.valueIn)
	return m, m.valueIn.Focus()
}

func (m conflictModel) newValueInput(v any) fieldInput {
	name := ""
	if id, ok := v.(string); ok {
		name = m.recordName(id)
	}
	var in fieldInput
	if m.userOnly(m.valueOf) {
		in = m.newUserField(v)
	} else {
		in = newFieldInput(m.c, m.valueOf, v, name)
	}
	ctl, ctlValue, dependent := m.controllerOf(m.valueOf)
	if p, ok := in.(*picklistField); ok {
		p.setRows(m.chooserRows())
		if dependent {
			p.dependOn(ctl, ctlValue)
		}
	}
	if mp, ok := in.(*multiPickField); ok {
		mp.setRows(m.chooserRows())
		if dependent {
			mp.dependOn(ctl, ctlValue)
		}
	}
	if s, ok := in.(sizedInput); ok {
		s.SetWidth(m.valueWidth())
	}
	return in
}

// controllerOf is the controlling field of a dependent picklist f and the value it will hold
// with the choices made so far: its row's choice when it is in conflict too, else mine when the
// change sets it, else the org's. ok is false for a field no other field controls.
func (m conflictModel) controllerOf(f remote.Field) (ctl remote.Field, v any, ok bool) {
	if f.ControllerName == "" || m.desc == nil {
		return remote.Field{}, nil, false
	}
	if ctl, ok = m.desc.Field(f.ControllerName); !ok {
		return remote.Field{}, nil, false
	}
	for i, c := range m.entry.Conflicts {
		if !strings.EqualFold(c.Field, ctl.Name) {
			continue
		}
		switch ch := m.choices[i]; ch.Take {
		case pending.TakeTheirs:
			return ctl, c.Theirs, true
		case pending.TakeValue:
			return ctl, ch.Value, true
		}
		return ctl, c.Mine, true
	}
	if mine, changed := m.entry.Changes[ctl.Name]; changed {
		return ctl, mine, true
	}
	return ctl, m.server[ctl.Name], true
}

// checkValue is why the editor's value can't be the field's, or "": the checks the edit form
// makes before saving (type, required, length).
func (m conflictModel) checkValue() string {
	f, v := m.valueOf, m.valueIn.Value()
	if err := m.valueIn.Check(); err != nil {
		return err.Error()
	}
	if (v == nil || v == "") && !f.Nillable && f.Type != "boolean" {
		return m.label(f.Name) + " can't be empty"
	}
	if f.Length > 0 && f.Type != "reference" && textLen(v) > f.Length {
		return sprintf("at most %d characters (now %d)", f.Length, textLen(v))
	}
	return ""
}

// setValue takes the editor's value as the field's new value, unless it can't be one.
func (m conflictModel) setValue() (conflictModel, tea.Cmd) {
	if bad := m.checkValue(); bad != "" {
		m.bad = bad
		return m, nil
	}
	m.choices[m.cursor] = pending.Choice{Take: pending.TakeValue, Value: m.valueIn.Value()}
	if l, ok := m.valueIn.(*lookupField); ok && l.id != "" && l.name != "" && l.name != l.id {
		if m.picked == nil {
			m.picked = map[string]string{}
		}
		m.picked[l.id] = l.name // the row shows the chosen record by its name
	}
	m.valueIn.Blur()
	m.editing, m.bad, m.valueIn = false, "", nil
	return m, nil
}

// updateValue is a key while a value is typed: enter (tab in a multi-line text) sets it, esc
// cancels; a picklist's list or a lookup's matches take enter, esc and the arrows while open.
func (m conflictModel) updateValue(msg tea.KeyMsg) (conflictModel, tea.Cmd) {
	in := m.valueIn
	listOpen := false
	switch x := in.(type) {
	case *picklistField:
		listOpen = x.capturing()
	case *lookupField:
		listOpen = x.open && len(x.matches) > 0 && x.Wants(msg)
	}
	_, multiLine := in.(*textareaField)
	pick, isPick := in.(*picklistField)
	switch {
	case isPick && listOpen && msg.Type == tea.KeyEnter:
		// enter in a picklist's list takes the value and sets it: one step.
		m.valueIn, _ = in.Update(msg)
		if !pick.capturing() {
			return m.setValue()
		}
		return m, nil
	case listOpen:
	case msg.Type == tea.KeyEsc:
		in.Blur()
		m.editing, m.bad, m.valueIn = false, "", nil
		return m, nil
	case msg.Type == tea.KeyTab, msg.Type == tea.KeyEnter && !multiLine && !isPick:
		// On a picklist enter lists the values, as in the form.
		return m.setValue()
	}
	if _, ticks := in.(*multiPickField); m.fresh && !ticks && (msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace) && !msg.Alt {
		// The first letter typed replaces the value the editor opened with.
		m.valueIn = m.newValueInput(nil)
		_ = m.valueIn.Focus()
	}
	m.fresh = false
	if p, ok := in.(*picklistField); ok && key.Matches(msg, clearFieldKey) && !p.nillable {
		m.bad = mustHaveValue
		return m, nil
	}
	var cmd tea.Cmd
	m.valueIn, cmd = m.valueIn.Update(msg)
	m.bad = ""
	return m, cmd
}

// setKey is the key that sets the value being typed, as both the hint over the rows and the
// help bar name it: tab in every editor, enter too where enter has no other use (a picklist
// lists its values with it, a long text starts a new line).
func (m conflictModel) setKey() key.Binding {
	switch m.valueIn.(type) {
	case *picklistField, *textareaField:
		return key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "set the value"))
	}
	return key.NewBinding(key.WithKeys("tab", "enter"), key.WithHelp("tab/enter", "set the value"))
}

// valueKeys are the keys the value's editor takes, in the help bar's words.
func (m conflictModel) valueKeys() []key.Binding {
	b := func(keys, help string) key.Binding {
		return key.NewBinding(key.WithKeys(keys), key.WithHelp(keys, help))
	}
	set, cancel := m.setKey(), b("esc", "cancel")
	switch x := m.valueIn.(type) {
	case *picklistField:
		if x.capturing() {
			return []key.Binding{b("↑/↓", "choose"), b("enter", "set it"), b("esc", "close the list")}
		}
		return []key.Binding{set, cancel, b("←/→", "step through the values"), b("enter/space", "list them")}
	case *checkboxField:
		return []key.Binding{set, cancel, b("space", "toggle")}
	case *multiPickField:
		return []key.Binding{set, cancel, b("↑/↓", "move"), b("space", "tick/untick")}
	case *textareaField:
		return []key.Binding{set, cancel, b("enter", "new line")}
	case *lookupField:
		if x.open && len(x.matches) > 0 {
			return []key.Binding{b("↑/↓", "choose a match"), b("enter", "take it"), b("esc", "close the matches")}
		}
		return []key.Binding{set, cancel, b("type", "search the cached records")}
	case *userField:
		return []key.Binding{set, cancel, b("type", "a user's name shown above, or a user id (005…)")}
	}
	return []key.Binding{set, cancel, b("←/→", "move in the value")}
}

// valueHint is valueKeys as a line.
func (m conflictModel) valueHint() string {
	var parts []string
	for _, k := range m.valueKeys() {
		parts = append(parts, k.Help().Key+" "+k.Help().Desc)
	}
	return strings.Join(parts, " · ")
}

// alsoSent names the fields of the change that are not in conflict (they are sent as they are
// whatever the choices), or "" when there are none.
func (m conflictModel) alsoSent() string {
	inConflict := map[string]bool{}
	for _, c := range m.entry.Conflicts {
		inConflict[c.Field] = true
	}
	var parts []string
	for _, f := range sortedFieldNames(m.entry.Changes) {
		if now, ok := m.server[f]; ok && bsSame(now, m.entry.Changes[f]) {
			continue // the org has it already (they set it too): their change, kept, says it
		}
		if !inConflict[f] && !m.changedSince(f) {
			v := m.show(f, m.entry.Changes[f])
			switch m.field(f).Type {
			case "int", "double", "currency", "percent", "boolean", "date", "datetime":
				// A number, a checkbox or a moment as the screens show it, not as text.
			default:
				v = strconv.Quote(v) // text and choices: quoted, so their ends show
			}
			parts = append(parts, m.label(f)+" "+v)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Also to be sent, no conflict: " + strings.Join(parts, ", ")
}

// changedSince reports whether another user changed field f of the change, outside the
// conflict, since the user changed it (a sync brought it while the conflict waited): saving the
// choices makes it a conflict of its own, so it is not said to be sent.
func (m conflictModel) changedSince(f string) bool { return m.since[f] }

// changedSinceNote names the fields changedSince reports, or "" when there are none.
func (m conflictModel) changedSinceNote() string {
	inConflict := map[string]bool{}
	for _, c := range m.entry.Conflicts {
		inConflict[c.Field] = true
	}
	var parts []string
	for _, f := range sortedFieldNames(m.entry.Changes) {
		if !inConflict[f] && m.changedSince(f) {
			parts = append(parts, m.label(f))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Changed on the org since your change, too: " + strings.Join(parts, ", ") + " (saving keeps your choices here and asks about it next)"
}

// sortedFieldNames are the keys of fs in order.
func sortedFieldNames(fs remote.Fields) []string {
	out := make([]string, 0, len(fs))
	for k := range fs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// resolvedNote says what resolving a conflict with choices did to a change: taking theirs for
// every field it holds leaves nothing to send, and the change goes.
func resolvedNote(changes remote.Fields, choices map[string]pending.Choice) string {
	for f := range changes {
		if c, ok := choices[f]; !ok || c.Take != pending.TakeTheirs {
			return "Resolved; the change is queued again."
		}
	}
	return "Resolved with their values; nothing is left to sync."
}

func (m conflictModel) save() (conflictModel, tea.Cmd) {
	b, ctx, id := m.c.backend, m.c.ctx, m.entryID
	m.saving = true
	// Watched once it is saved, until a sync settles it: another user may change the record
	// again before the resolution reaches the org. (Watched from here, a sync ending before
	// the resolution is saved would find the change still in conflict and tell of another
	// user's change that nobody made.)
	watch := &resolvedWatch{entryID: id, name: CleanLine(m.entry.Name)}
	syncs := m.c.syncRuns
	if m.isDelete() {
		anyway := !m.keep
		return m, func() tea.Msg {
			err := b.ResolveDelete(ctx, id, anyway)
			note := "Kept the record; your delete was dropped."
			if anyway {
				note = "Delete will be sent again."
				if en, e2 := b.Entry(ctx, id); err == nil && e2 == nil && en.Status == pending.StatusConflict {
					// Changed again since the screen showed it: not deleted; asked again.
					return opDoneMsg{note: "Not deleted: the record changed again since the conflict showed it. " +
						strings.TrimRight(CleanLine(en.Message), ".") + ". Look at it again before deleting.", back: true, syncRuns: syncs}
				}
			}
			return opDoneMsg{note: note, err: err, back: true, resolved: watch, syncRuns: syncs}
		}
	}
	choices := map[string]pending.Choice{}
	shown := map[string]any{} // theirs as the screen showed it, for the fields taken as theirs
	for i, c := range m.entry.Conflicts {
		choices[c.Field] = m.choices[i]
		if m.choices[i].Take == pending.TakeTheirs {
			shown[c.Field] = m.theirs(i)
		}
	}
	if len(shown) > 0 {
		// Until a sync settles it, the watch also holds the values taken as theirs: a value
		// another user sets meanwhile is what the org keeps, and the app says so.
		t := &theirsTaken{object: m.entry.Object, recordID: m.entry.RecordID, values: shown, shown: map[string]string{}, labels: map[string]string{}}
		fields := map[string]remote.Field{}
		for f, v := range shown {
			t.labels[f], t.shown[f], fields[f] = m.label(f), m.show(f, v), m.field(f)
		}
		c := m.c
		t.show = func(f string, v any) string { return c.displayField(fields[f], v) }
		watch.theirs = t
	}
	note := resolvedNote(m.entry.Changes, choices)
	object, recordID, gen := m.entry.Object, m.entry.RecordID, m.gen
	screen := theirsNow(m.entry.Conflicts, m.server)
	d, names := m.desc, m.names
	return m, func() tea.Msg {
		// The choices were made on the values the screen shows: when a sync has brought
		// others since, the screen shows them before anything is resolved.
		movedSince := func() tea.Msg {
			v, err := b.Record(ctx, object, recordID)
			if err != nil || v.Server == nil {
				return nil
			}
			moved := movedFields(screen, v.Server)
			if len(moved) == 0 {
				return nil
			}
			all := map[string]string{}
			for k, n := range names {
				all[k] = n
			}
			for k, n := range v.Names {
				all[k] = n
			}
			return conflictMovedMsg{gen: gen, server: v.Server, moved: moved,
				names: lookupNames(ctx, b, d, theirsNow(screen, v.Server), all)}
		}
		if msg := movedSince(); msg != nil {
			return msg
		}
		// The engine checks the same again in the transaction that resolves: a sync between
		// the read above and the resolve is caught too.
		seen := remote.Fields{}
		for _, c := range screen {
			seen[c.Field] = c.Theirs
		}
		err := b.ResolveAgainst(ctx, id, choices, seen)
		if errors.Is(err, pending.ErrTheirsMoved) {
			if msg := movedSince(); msg != nil {
				return msg
			}
		}
		if err == nil {
			if en, err := b.Entry(ctx, id); err == nil && en.Status == pending.StatusConflict {
				// Another user changed a field of the change this conflict did not show: the
				// choices stand, and that field is a conflict of its own.
				return opDoneMsg{note: "Your choices are kept, but " + lowerFirst(CleanLine(en.Message)) +
					" since your change: a new conflict to resolve.", back: true, syncRuns: syncs}
			}
		}
		return opDoneMsg{note: note, err: err, back: true, resolved: watch, syncRuns: syncs}
	}
}

func (m conflictModel) Update(msg tea.Msg) (conflictModel, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case conflictDataMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		if msg.err != nil {
			return m, tea.Batch(errCmd(msg.err), cmdOf(backMsg{}))
		}
		m.entry, m.desc, m.names, m.me, m.server, m.since, m.loaded = msg.entry, msg.desc, msg.names, msg.me, msg.server, msg.since, true
		m.picked = map[string]string{}
		m.choices = make([]pending.Choice, len(m.entry.Conflicts))
		return m, nil
	case conflictLiveMsg:
		if msg.gen != m.gen || m.saving || !m.loaded {
			return m, nil
		}
		if msg.settled != "" {
			// Settled meanwhile (a sync found the record deleted, say): nothing here to choose.
			return m, tea.Batch(errCmd(errors.New(msg.settled)), cmdOf(backMsg{}))
		}
		if len(msg.moved) == 0 {
			return m, nil
		}
		m.server, m.names = msg.server, msg.names
		var labels []string
		for _, f := range msg.moved {
			labels = append(labels, m.label(f))
		}
		m.moved = strings.Join(labels, ", ") + " changed again on the org while this screen was open: theirs below is the newest value. Check your choices."
		return m, nil
	case conflictMovedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.saving = false
		m.server, m.names = msg.server, msg.names
		var labels []string
		for _, f := range msg.moved {
			labels = append(labels, m.label(f))
		}
		m.moved = "Not saved: " + strings.Join(labels, ", ") + " changed again on the org since this screen showed " +
			plural(len(labels), "it", "them") + " (theirs below is the newest value). Check your choices, then ctrl+s again."
		return m, nil
	case opDoneMsg:
		m.saving = false
		return m, nil
	case lookupResultsMsg:
		if m.editing && m.valueOf.Name == msg.field {
			m.valueIn, _ = m.valueIn.Update(msg)
		}
		return m, nil
	case tea.KeyMsg:
		if !m.loaded || m.saving {
			return m, nil
		}
		if m.editing {
			return m.updateValue(msg)
		}
		if !key.Matches(msg, k.Save) {
			m.moved = ""
		}
		switch next, moved := listCursor(msg, k, m.cursor, len(m.choices), conflictPage); {
		case key.Matches(msg, k.Save):
			m.moved = ""
			return m.save()
		case msg.Type == tea.KeyEsc:
			if m.dirty() {
				return m, cmdOf(confirmDropChoicesMsg{then: backMsg{}})
			}
			return m, cmdOf(backMsg{})
		case m.isDelete() && (key.Matches(msg, k.Up) || key.Matches(msg, k.Down)):
			m.keep = !m.keep
		case m.isDelete() && key.Matches(msg, k.Open):
			return m.save()
		case moved:
			m.cursor = next
		case len(m.choices) == 0:
		case key.Matches(msg, k.Mine):
			m.choices[m.cursor] = pending.Choice{Take: pending.TakeMine}
		case key.Matches(msg, k.Theirs):
			m.choices[m.cursor] = pending.Choice{Take: pending.TakeTheirs}
		case key.Matches(msg, k.AllMine), key.Matches(msg, k.AllTheirs):
			take := pending.TakeMine
			if key.Matches(msg, k.AllTheirs) {
				take = pending.TakeTheirs
			}
			for i := range m.choices {
				if m.choices[i].Take != pending.TakeValue { // a value typed stays: it was chosen one by one
					m.choices[i] = pending.Choice{Take: take}
				}
			}
		case key.Matches(msg, k.Value), key.Matches(msg, k.Open):
			return m.startValue()
		}
	}
	return m, nil
}

func (m conflictModel) View() string {
	s := m.c.styles
	if !m.loaded {
		return clampLines(s.Subtle.Render("Loading…"), m.w, m.h)
	}
	e := m.entry
	var out []string
	out = append(out, s.Title.Render(trunc("Resolve conflict · "+m.c.singleLabel(e.Object)+" · "+CleanLine(e.Name), m.w)))
	out = append(out, s.longSash(e.Status, e.Code, e.Message))
	if e.Message != "" {
		// The whole message: it names every field the other user changed.
		for _, l := range capLines(strings.Split(wrap(CleanLine(changedSaid(m.desc, momentsSaid(m.desc, e.Message, m.c.loc, m.c.clock()))), max(1, m.w)), "\n"), 3, m.w) {
			out = append(out, s.Orange.Render(l))
		}
	}
	out = append(out, "")
	valW := max(10, m.w-12)
	if m.isDelete() {
		who := "another user"
		for _, c := range e.Conflicts {
			if isMe(m.me, c.TheirsBy) {
				who = "you (on another device or through an automation)"
			}
		}
		out = append(out, strings.Split(wrap("You deleted this record here, but "+who+" changed it before your delete reached the org.", max(1, m.w)), "\n")...)
		for _, c := range e.Conflicts {
			line := sprintf("%s: now %q (%s, %s)", m.label(c.Field), m.show(c.Field, c.Theirs), authorInline(m.names, m.me, c.TheirsBy), m.c.when(c.TheirsAt))
			for _, l := range strings.Split(wrap(line, max(1, m.w-2)), "\n") {
				out = append(out, "  "+l)
			}
		}
		out = append(out, "")
		opts := []string{"Delete anyway", "Keep the record (drop my delete)"}
		for i, o := range opts {
			sel := (i == 1) == m.keep
			if sel {
				out = append(out, s.Selected.Render(fit("▸ "+o, min(m.w, 40))))
			} else {
				out = append(out, "  "+o)
			}
		}
		for _, l := range strings.Split(wrap("↑/↓ choose · enter or ctrl+s confirm · "+m.escHint(), max(1, m.w)), "\n") {
			out = append(out, s.Subtle.Render(l))
		}
		return clampLines(strings.Join(out, "\n"), m.w, m.h)
	}
	if m.moved != "" {
		for _, l := range strings.Split(wrap("✖ "+m.moved, max(1, m.w)), "\n") {
			out = append(out, s.Error.Render(l))
		}
	}
	if since := m.changedSinceNote(); since != "" {
		for _, l := range capLines(strings.Split(wrap(since, max(1, m.w)), "\n"), 2, m.w) {
			out = append(out, s.Subtle.Render(l))
		}
	}
	if also := m.alsoSent(); also != "" {
		// What saving sends besides the choices below: the screen says all of it.
		for _, l := range capLines(strings.Split(wrap(also, max(1, m.w)), "\n"), 2, m.w) {
			out = append(out, s.Subtle.Render(l))
		}
	}
	hint := "m keep mine · t take theirs · v type a new value · ctrl+s save · " + m.escHint()
	if m.severalFields() {
		hint = "↑/↓ move between fields · " + strings.Replace(hint, "t take theirs", "t take theirs (M, T: on every field not given a value)", 1)
	}
	if m.editing {
		// The letters type now: only the keys of the editor work.
		// The key that sets the value in the help bar's words, so the two say the same.
		verb := "typing"
		if !textLike(m.valueIn) {
			verb = "choosing"
		}
		set := m.setKey().Help()
		hint = verb + " a new value for " + m.label(e.Conflicts[m.cursor].Field) + " · " + set.Key + " " + set.Desc + " · esc cancel"
	}
	for _, l := range strings.Split(wrap(hint, max(1, m.w)), "\n") {
		out = append(out, s.Subtle.Render(l))
	}
	out = append(out, "")
	var body []string
	focusTop, focusEnd := 0, 0
	for i, c := range e.Conflicts {
		if i == m.cursor {
			focusTop = len(body)
		}
		ch := m.choices[i]
		title := m.label(c.Field)
		if i == m.cursor {
			body = append(body, s.Accent.Render("▸ "+title))
		} else {
			body = append(body, s.Header.Render("  "+title))
		}
		// A row wraps its value, and who and when after it, under the value: none is cut.
		row := func(which string, v string, chosen bool, note string) []string {
			mark := "    "
			if chosen {
				mark = "  ✓ "
			}
			lines := strings.Split(ansi.Wrap(v, valW, ""), "\n")
			if note != "" {
				last := len(lines) - 1
				if lipgloss.Width(lines[last])+2+lipgloss.Width(note) <= valW {
					lines[last] += s.Subtle.Render("  " + note)
				} else {
					for _, l := range strings.Split(wrap(note, valW), "\n") {
						lines = append(lines, s.Subtle.Render(l))
					}
				}
			}
			for j, l := range lines {
				if j == 0 {
					l = mark + fit(which, 8) + l
				} else {
					l = strings.Repeat(" ", 12) + l
				}
				if chosen {
					l = s.Bold.Render(l)
				}
				lines[j] = l
			}
			return lines
		}
		who := joinNonEmpty(", ", authorInline(m.names, m.me, c.TheirsBy), m.c.when(c.TheirsAt))
		theirsNote := ""
		if who != "" {
			theirsNote = "(" + who + ")"
		}
		theirs := c.Theirs
		switch {
		case m.changedAgain(i):
			// A sync since the conflict brought a newer value: taking theirs keeps that one.
			theirs = m.theirs(i)
			theirsNote = "(changed again: " + joinNonEmpty(", ", m.lastChange(), "was "+strconv.Quote(m.show(c.Field, c.Theirs))) + ")"
		case sameValue(c.Theirs, c.Base):
			// Strict mode asks about fields the other user did not touch: say so, or the row
			// reads as if they had set this value.
			by := userName(m.names, c.TheirsBy)
			switch {
			case isMe(m.me, c.TheirsBy):
				by = "you (another device or an automation)"
			case by == "":
				by = "another user"
			}
			theirsNote = "(unchanged: " + joinNonEmpty(", ", by+" changed other fields", m.c.when(c.TheirsAt)) + ")"
		}
		// The rows' values, shown precisely where two that differ would show the same.
		vals := []any{c.Base, theirs, c.Mine}
		if n := len(c.Sent); n > 0 {
			vals = append(vals, c.Sent[n-1])
		}
		if ch.Take == pending.TakeValue {
			vals = append(vals, ch.Value)
		}
		shown := m.showApart(c.Field, vals)
		body = append(body, row("base", shown[0], false, "(when you changed it)")...)
		if n := len(c.Sent); n > 0 {
			// An earlier value of the user's went out and no reply came: the org may have taken
			// it before theirs, which the base alone would hide.
			body = append(body, row("sent", shown[3], false, "(sent before, no reply came: the org may have taken it)")...)
		}
		body = append(body, row("theirs", shown[1], ch.Take == pending.TakeTheirs, theirsNote)...)
		body = append(body, row("mine", shown[2], ch.Take == pending.TakeMine, "")...)
		if i == m.cursor && m.editing {
			prompt := valuePrompt
			for j, l := range strings.Split(m.valueIn.View(true, m.valueWidth()), "\n") {
				if j == 0 {
					body = append(body, prompt+l)
				} else {
					body = append(body, strings.Repeat(" ", lipgloss.Width(prompt))+l)
				}
			}
			if m.bad != "" {
				for _, l := range strings.Split(wrap("✖ "+CleanLine(m.bad), max(1, m.w-4)), "\n") {
					body = append(body, s.Error.Render("    "+l))
				}
			}
			// The keys of the help bar, in its words.
			hint := m.valueHint()
			if m.fresh {
				hint = "typing replaces this value · " + hint
			}
			for _, l := range strings.Split(wrap(hint, max(1, m.w-4)), "\n") {
				body = append(body, s.Subtle.Render("    "+l))
			}
		} else if ch.Take == pending.TakeValue {
			body = append(body, row("new", shown[len(shown)-1], true, "")...)
		}
		if i == m.cursor {
			focusEnd = len(body)
		}
	}
	room := max(1, m.h-len(out))
	top := 0
	if focusEnd > room {
		top = focusEnd - room
	}
	if focusTop < top {
		top = focusTop
	}
	out = append(out, body[top:min(len(body), top+room)]...)
	return clampLines(strings.Join(out, "\n"), m.w, m.h)
}

func (m conflictModel) ShortHelp() []key.Binding {
	k := m.c.keys
	if m.editing {
		// While a value is typed every letter goes to it: only these keys do anything else.
		return append(m.valueKeys(), withDesc(k.OnlineAnywhere, "online/offline"))
	}
	if m.isDelete() {
		// enter confirms the choice here: it opens nothing.
		choose := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "choose"))
		confirm := key.NewBinding(key.WithKeys("enter", "ctrl+s"), key.WithHelp("enter/ctrl+s", "confirm"))
		return []key.Binding{choose, confirm, m.escKey()}
	}
	// ctrl+s before v: where the bar has no room for both, saving is the one it keeps (the
	// screen's hint line names v). m and t say the row they take in one word each (the rows
	// are named mine and theirs; the hint line says it whole), so that at 80 columns ↑/↓ keeps
	// its place once a choice lengthens esc's words.
	mine, theirs := k.Mine, k.Theirs
	mine.SetHelp(k.Mine.Help().Key, "mine")
	theirs.SetHelp(k.Theirs.Help().Key, "theirs")
	out := []key.Binding{mine, theirs, k.Save}
	if m.severalFields() {
		out = append(out, key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "fields")))
	}
	return append(out, k.Value, m.escKey())
}

// severalFields reports whether the conflict has more than one field to move between.
func (m conflictModel) severalFields() bool { return len(m.entry.Conflicts) > 1 }

func (m conflictModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	if m.isDelete() {
		return [][]key.Binding{m.ShortHelp(), k.globalKeys()}
	}
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Mine, k.Theirs, k.AllMine, k.AllTheirs, k.Value, k.Save, m.escKey()}, k.globalKeys()}
}

// conflictPage is how many fields pgup and pgdn move the conflict screen's cursor by.
const conflictPage = 5

// capLines keeps the first n of lines (at least one), the last of them ending with "…" when
// some were left out, each within w cells.
func capLines(lines []string, n, w int) []string {
	n = max(1, n)
	if len(lines) <= n {
		return lines
	}
	out := append([]string(nil), lines[:n]...)
	out[n-1] = trunc(out[n-1]+" …", w)
	return out
}

// joinNonEmpty joins the parts that are not empty.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// lowerFirst is s with its first letter in lower case, for a sentence that goes on after a
// comma ("Another user changed Phone" → "another user changed Phone").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
