package tui

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// formMode is what saving a form does.
type formMode int

const (
	formNew  formMode = iota // Create
	formEdit                 // Edit
	formFix                  // Fix an entry the org refused
)

type formField struct {
	def     remote.Field
	input   fieldInput
	initial any
	// seen is the value the record held when an Edit form opened (the device's, before any
	// typing): saving checks the field still holds it, so that a value a sync brought
	// meanwhile is not overwritten unseen.
	seen   any
	err    string // the check before saving
	orgErr string // the org's message for this field
	note   string // what the form did to the field (a dependent value cleared)
	ctl    int    // index of the field's controller on the form, -1 when none
}

type formDataMsg struct {
	gen   int
	desc  *remote.Describe
	view  *pending.RecordView
	entry *pending.Entry
	err   error
}

// formModel is the edit, new and fix form, built from the object's describe.
type formModel struct {
	c          *common
	mode       formMode
	object, id string
	entryID    string
	defaults   remote.Fields
	names      map[string]string // display names of the records defaults point at
	inEntry    map[string]bool   // fields of the refused change (fix)
	gen        int
	loaded     bool
	saving     bool
	fields     []formField
	focus      int
	recordErrs []string
	name       string
	w, h       int

	// A New form of an object with several record types asks for one first: rtChoose is that
	// chooser (nil when none is open) and rtData the loaded describe waiting for the choice.
	rtChoose   *picklistField
	rtChoices  []recordTypeChoice
	rtData     formDataMsg
	recordType recordTypeChoice // the chosen record type; its name is "" when none was chosen

	// kept is which labels keep their end when cut (endKept), worked out once per label
	// width: the labels of a form do not change once it is built (shared by its copies).
	kept *keptLabels

	find fieldFind // ctrl+f: find a field by part of its label or API name
}

// keptLabels is endKept of a form's labels at width w.
type keptLabels struct {
	w    int
	kept map[string]bool
}

func newForm(c *common) formModel { return formModel{c: c} }

func (m formModel) open(msg openFormMsg) (formModel, tea.Cmd) {
	m = formModel{c: m.c, mode: msg.mode, object: msg.object, id: msg.id, entryID: msg.entryID,
		defaults: msg.defaults, names: msg.names, gen: m.gen + 1, w: m.w, h: m.h}
	gen, object, id, entryID, mode, given := m.gen, m.object, m.id, m.entryID, m.mode, msg.view
	b, ctx := m.c.backend, m.c.ctx
	known := m.c.describes[object]
	return m, func() tea.Msg {
		out := formDataMsg{gen: gen, desc: known, view: given}
		if out.desc == nil {
			if out.desc, out.err = b.Describe(ctx, object); out.err != nil {
				return out
			}
		}
		if mode == formFix {
			e, err := b.Entry(ctx, entryID)
			if err != nil {
				out.err = err
				return out
			}
			out.entry = &e
		}
		if mode != formNew && out.view == nil {
			v, err := b.Record(ctx, object, id)
			if err != nil {
				out.err = err
				return out
			}
			out.view = &v
		}
		return out
	}
}

// editable says whether a field belongs on the form.
func (m formModel) editable(f remote.Field, cached map[string]bool) bool {
	if hiddenFields[f.Name] || f.Calculated || f.Type == "id" || f.Type == "address" {
		return false
	}
	if m.mode == formNew && !f.Createable || m.mode != formNew && !f.Updateable {
		return false
	}
	if f.Type == "reference" {
		for _, o := range f.ReferenceTo {
			if cached[o] {
				return true
			}
		}
		return false // e.g. OwnerId: users are not cached records
	}
	return true
}

// userLookup reports a lookup at users whose records the device does not cache (an owner).
func userLookup(f remote.Field, cached map[string]bool) bool {
	if f.Type != "reference" || !slices.Contains(f.ReferenceTo, "User") {
		return false
	}
	for _, o := range f.ReferenceTo {
		if cached[o] {
			return false
		}
	}
	return true
}

// codeDuplicates is the org's answer when a duplicate rule matched the record.
const codeDuplicates = "DUPLICATES_DETECTED"

// duplicateHint tells how to save a record a duplicate rule flagged.
const duplicateHint = "Possible duplicate. Change the record, or save it unchanged (ctrl+s) to save anyway where the org's duplicate rule allows it."

func (m formModel) build(d formDataMsg) formModel {
	m.kept = &keptLabels{w: -1}
	cached := map[string]bool{}
	for _, o := range m.c.backend.Objects() {
		cached[o] = true
	}
	m.fields = nil
	m.recordErrs = nil
	var vals remote.Fields
	var names map[string]string
	if d.view != nil {
		vals, names, m.name = d.view.Fields, d.view.Names, CleanLine(d.view.Name)
		if d.view.ID != "" {
			m.id = d.view.ID
		}
	}
	orgErrs := map[string][]string{}
	m.inEntry = map[string]bool{}
	if d.entry != nil {
		for f := range d.entry.Changes {
			m.inEntry[f] = true
		}
		for _, fe := range d.entry.Errors {
			if fe.Field == "" {
				m.recordErrs = append(m.recordErrs, CleanLine(fe.Message))
			} else {
				orgErrs[fe.Field] = append(orgErrs[fe.Field], CleanLine(fe.Message))
			}
		}
		if len(d.entry.Errors) == 0 && d.entry.Message != "" {
			m.recordErrs = append(m.recordErrs, CleanLine(d.entry.Message))
		}
		if d.entry.Code == codeDuplicates {
			m.recordErrs = append(m.recordErrs, duplicateHint)
		}
	}
	initial := func(f remote.Field) any {
		switch {
		case m.mode != formNew:
			return vals[f.Name]
		case m.defaults[f.Name] != nil:
			return m.defaults[f.Name]
		case f.DefaultValue != nil:
			return f.DefaultValue
		}
		var v any
		for _, p := range f.PicklistValues {
			if p.DefaultValue {
				v = p.Value
			}
		}
		return v
	}
	if rt, ok := m.givenRecordType(d.desc, vals); ok {
		m.recordType = rt
	}
	for _, f := range d.desc.Fields {
		// A lookup at users (an owner) is on the form when the org refused its value: it is
		// typed as a user's name or id (the device caches no users to choose among).
		typedUser := m.mode == formFix && len(orgErrs[f.Name]) > 0 && userLookup(f, cached) && f.Updateable
		if !typedUser && !m.editable(f, cached) {
			continue
		}
		v := initial(f)
		name := ""
		if id, ok := v.(string); ok && f.Type == "reference" {
			name = names[f.Name]
			if name == "" {
				name = names[id]
			}
			if name == "" && m.mode == formNew {
				name = m.names[id]
			}
		}
		in := newFieldInput(m.c, f, v, name)
		if typedUser {
			in = newUserInput(f, v, names)
		}
		ff := formField{def: f, input: in, initial: in.Value(), seen: vals[f.Name], orgErr: strings.Join(orgErrs[f.Name], "; "), ctl: -1}
		m.fields = append(m.fields, ff)
	}
	m.linkDependents(d.desc.Fields, initial)
	m.sizeInputs()
	// Fields the org flagged that the form cannot show become record-level messages.
	for field, msgs := range orgErrs {
		shown := false
		for _, ff := range m.fields {
			shown = shown || ff.def.Name == field
		}
		if !shown {
			label := field
			if fd, ok := d.desc.Field(field); ok {
				label = CleanLine(fieldLabel(fd))
			}
			m.recordErrs = append(m.recordErrs, label+": "+strings.Join(msgs, "; "))
		}
	}
	m.focus = 0
	for i, ff := range m.fields {
		if ff.orgErr != "" {
			m.focus = i
			break
		}
	}
	m.loaded = true
	return m
}

func (m *formModel) SetSize(w, h int) {
	m.w, m.h = w, h
	m.sizeInputs()
	if m.rtChoose != nil {
		m.rtChoose.setRows(recordTypeRows(h))
	}
	// An open list fits the room now, not at its next key: a message that took a row from the
	// screen must not cut the row under the list's cursor off.
	if m.loaded && m.focus < len(m.fields) {
		fitList(m.fields[m.focus].input, m.chooserRows())
	}
}

// fitList gives a field that lists values (a picklist's, a multi-select's checklist) the rows
// it may show; other fields have none.
func fitList(in fieldInput, rows int) {
	if l, ok := in.(interface{ setRows(int) }); ok {
		l.setRows(rows)
	}
}

func (m formModel) capturing() bool { return true }

// dirty reports unsaved changes.
func (m formModel) dirty() bool {
	if !m.loaded {
		return false
	}
	for _, f := range m.fields {
		if !sameValue(f.input.Value(), f.initial) {
			return true
		}
	}
	return false
}

func sameValue(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return reflect.DeepEqual(a, b)
}

func (m formModel) title() string {
	label := m.c.singleLabel(m.object)
	switch m.mode {
	case formEdit:
		return "Edit " + label + " · " + m.name
	case formFix:
		return "Fix " + label + " · " + m.name
	}
	if m.rtChoose != nil {
		return "New " + label + ": record type"
	}
	return "New " + label
}

func (m formModel) setFocus(i int) (formModel, tea.Cmd) {
	if len(m.fields) == 0 {
		return m, nil
	}
	i = (i + len(m.fields)) % len(m.fields)
	m.fields[m.focus].input.Blur()
	m.focus = i
	// A list gets its room from the first frame it is focused in, not from its first key.
	fitList(m.fields[i].input, m.chooserRows())
	return m, m.fields[i].input.Focus()
}

// blankValue: no value, or text of spaces alone.
func blankValue(v any) bool {
	s, isText := v.(string)
	return v == nil || isText && strings.TrimSpace(s) == ""
}

// check runs the checks before saving: type, required, length. It returns how many fields fail.
// Editing a record, a value the user did not change on the form is never refused: the org
// holds it (a phone "1-800-FLOWERS", a long name from before a length was cut), and only the
// edited fields are checked.
func (m *formModel) check() int {
	bad := 0
	for i := range m.fields {
		f := &m.fields[i]
		f.err = ""
		v := f.input.Value()
		if m.mode != formNew && sameValue(v, f.initial) {
			// Left as it was, a checklist whose controller changed still has to suit it.
			if mp, ok := f.input.(*multiPickField); ok && mp.controllerMoved() {
				if err := mp.Check(); err != nil {
					f.err = err.Error()
					bad++
				}
			}
			continue
		}
		required := f.def.Required()
		if m.mode != formNew {
			required = !f.def.Nillable && f.def.Type != "boolean"
		}
		switch {
		case f.input.Check() != nil:
			f.err = f.input.Check().Error()
		case required && blankValue(v):
			// Spaces alone are no value: the org refuses them as none (REQUIRED_FIELD_MISSING).
			f.err = "required"
		case f.def.Length > 0 && f.def.Type != "reference" && textLen(v) > f.def.Length:
			f.err = sprintf("at most %d characters (now %d)", f.def.Length, textLen(v))
		}
		if f.err != "" {
			bad++
		}
	}
	return bad
}

// changes is what saving sends: every set field for a new record, else the changed fields
// (and, when fixing, the fields of the refused change).
func (m formModel) changes(entry map[string]bool) remote.Fields {
	out := remote.Fields{}
	for _, f := range m.fields {
		v := f.input.Value()
		switch m.mode {
		case formNew:
			if v != nil && v != false {
				out[f.def.Name] = v
			}
			if rt := m.recordType.fieldValue(); rt != nil && out["RecordTypeId"] == nil {
				out["RecordTypeId"] = rt
			}
		default:
			if !sameValue(v, f.initial) || entry[f.def.Name] || f.orgErr != "" {
				out[f.def.Name] = v
			}
		}
	}
	return out
}

func (m formModel) save() (formModel, tea.Cmd) {
	for _, f := range m.fields {
		if n, ok := f.input.(*numberField); ok {
			n.settle() // the field shows the value rounded to its scale, as it is saved
		}
	}
	if bad := m.check(); bad > 0 {
		for i, f := range m.fields {
			if f.err != "" {
				m, cmd := m.setFocus(i)
				return m, tea.Batch(cmd, errCmd(fmt.Errorf("%d %s before saving", bad, plural(bad, "field needs a fix", "fields need a fix"))))
			}
		}
	}
	b, ctx := m.c.backend, m.c.ctx
	object, id, entryID, label := m.object, m.id, m.entryID, m.c.singleLabel(m.object)
	rounded := m.roundedNote()
	online := m.c.online
	later := " It will sync when you go online."
	if online {
		later = " Syncing…"
		if m.c.reach.out() || m.c.paused {
			later = m.c.syncLater()
		}
	}
	switch m.mode {
	case formNew:
		ch := m.changes(nil)
		m.saving = true
		return m, func() tea.Msg {
			id, err := b.Create(ctx, object, ch)
			return opDoneMsg{note: label + " saved." + rounded + later, err: err, back: true, createdObject: object, created: id}
		}
	case formEdit:
		ch := m.changes(nil)
		if len(ch) == 0 {
			return m, tea.Batch(toastCmd("No changes to save."+rounded), cmdOf(backMsg{}))
		}
		seen := remote.Fields{}
		for _, f := range m.fields {
			if _, ok := ch[f.def.Name]; ok {
				seen[f.def.Name] = f.seen
			}
		}
		describe := m.fieldDefs()
		c := m.c
		m.saving = true
		return m, func() tea.Msg {
			err := b.Edit(ctx, object, id, ch, pending.Seen(seen))
			var changed *pending.ChangedError
			switch {
			case errors.As(err, &changed):
				return opDoneMsg{err: errors.New(changedMeanwhile(c, describe, changed.Now)), changed: changed.Now}
			case errors.Is(err, pending.ErrNotFound):
				return opDoneMsg{err: fmt.Errorf("This %s is no longer on this device: the org deleted it, or it is no longer shared with you (a sync said so while you edited). Nothing was saved; esc leaves the form.", strings.ToLower(label))}
			}
			if isLocked(err) {
				return opDoneMsg{err: lockedError(ctx, b, label, object, id, true)}
			}
			switch {
			case errors.Is(err, pending.ErrSending) && !online:
				// Offline the send was ended; what it carried is still being recorded.
				err = errors.New("Your earlier change to this record is still being recorded after going offline ended its send. Save again in a moment; what you typed stays here.")
			case errors.Is(err, pending.ErrSending):
				// o is text here: the way to end a send the org holds, keeping what was typed.
				err = errors.New("Your earlier change to this record is being sent right now. Save again once the send ends, or press ctrl+o: going offline ends the send at once, and what you typed stays here for ctrl+s.")
			}
			return opDoneMsg{note: label + " saved." + rounded + later, err: err, back: true}
		}
	default:
		ch := m.changes(m.inEntry)
		m.saving = true
		return m, func() tea.Msg {
			err := b.Fix(ctx, entryID, ch)
			return opDoneMsg{note: "Fix saved; the change will be tried again." + rounded, err: err, back: true}
		}
	}
}

// fieldDefs is the describe of each field on the form, by name.
func (m formModel) fieldDefs() map[string]remote.Field {
	out := make(map[string]remote.Field, len(m.fields))
	for _, f := range m.fields {
		out[f.def.Name] = f.def
	}
	return out
}

// changedMeanwhile tells the user that a sync brought other values of fields they changed,
// what the device holds now, and how to save over them or keep them.
func changedMeanwhile(c *common, defs map[string]remote.Field, now remote.Fields) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(now)) {
		f, ok := defs[name]
		if !ok {
			f = remote.Field{Name: name}
		}
		what := CleanLine(fieldLabel(f))
		switch v := now[name]; {
		case v == nil || v == "":
			parts = append(parts, what+" is now empty")
		case f.Type == "reference":
			parts = append(parts, what+" points at another record")
		default:
			parts = append(parts, fmt.Sprintf("%s is now %q", what, trunc(CleanLine(c.displayField(f, v)), 40)))
		}
	}
	// What to do comes first: the message line keeps three lines, and the values may be long.
	return fmt.Sprintf("Changed on the org while you edited (a sync brought it): ctrl+s saves what you typed over it, esc leaves without saving. %s.",
		strings.Join(parts, "; "))
}

// roundedNote says which typed numbers saving rounded to their field's scale, as a sentence
// to follow the note of the save (" Annual Revenue rounded to 100: the field keeps no
// decimals."), or "" when none was.
func (m formModel) roundedNote() string {
	var notes []string
	for _, f := range m.fields {
		if n, ok := f.input.(*numberField); ok {
			if note := n.roundedNote(f.def); note != "" {
				notes = append(notes, note)
			}
		}
	}
	if len(notes) == 0 {
		return ""
	}
	return " " + strings.Join(notes, "; ") + "."
}

func (m formModel) Update(msg tea.Msg) (formModel, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case formDataMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		if msg.err != nil {
			return m, tea.Batch(errCmd(msg.err), cmdOf(backMsg{}))
		}
		if m.mode == formNew {
			if choices := m.recordTypeChoices(msg.desc); len(choices) > 1 {
				m.rtChoices, m.rtData = choices, msg
				m.rtChoose = newRecordTypeChooser(m.c.styles, choices, recordTypeRows(m.h))
				return m, nil
			}
		}
		m = m.build(msg)
		return m.setFocus(m.focus)
	case lookupResultsMsg:
		for i, f := range m.fields {
			if f.def.Name == msg.field {
				m.fields[i].input, _ = f.input.Update(msg)
			}
		}
		return m, nil
	case opDoneMsg:
		m.saving = false
		// A sync brought other values of fields the user changed: the user has now been told
		// them, and a second ctrl+s saves over them.
		for i, f := range m.fields {
			if v, ok := msg.changed[f.def.Name]; ok {
				m.fields[i].seen = v
			}
		}
		return m, nil
	case tea.MouseMsg:
		if m.rtChoose != nil {
			m.rtChoose.scroll(wheelDelta(msg))
			return m, nil
		}
		if p := m.openChooser(); p != nil {
			p.scroll(wheelDelta(msg))
		}
		return m, nil
	case tea.KeyMsg:
		if m.rtChoose != nil {
			return m.updateRecordTypeChooser(msg)
		}
		if !m.loaded || m.saving {
			return m, nil
		}
		in := m.fields
		if len(in) == 0 {
			if msg.Type == tea.KeyEsc {
				return m, cmdOf(backMsg{})
			}
			return m, nil
		}
		if m.find.on {
			return m.updateFind(msg)
		}
		cur := in[m.focus].input
		fitList(cur, m.chooserRows())
		if p, ok := cur.(*picklistField); ok && p.capturing() {
			return m.updateFocused(msg)
		}
		switch {
		case key.Matches(msg, k.Save):
			return m.save()
		case key.Matches(msg, findFieldKey):
			m.find.open(m.focus)
			return m, nil
		case cur.Wants(msg):
			return m.updateFocused(msg)
		case msg.Type == tea.KeyEsc:
			if m.dirty() {
				return m, cmdOf(confirmCancelMsg{})
			}
			return m, cmdOf(backMsg{})
		case msg.Type == tea.KeyTab, msg.Type == tea.KeyDown, msg.Type == tea.KeyEnter:
			return m.setFocus(m.focus + 1)
		case msg.Type == tea.KeyShiftTab, msg.Type == tea.KeyUp:
			return m.setFocus(m.focus - 1)
		case msg.Type == tea.KeyPgDown:
			return m.setFocus(min(m.focus+m.pageFields(), len(in)-1))
		case msg.Type == tea.KeyPgUp:
			return m.setFocus(max(m.focus-m.pageFields(), 0))
		case msg.Type == tea.KeyCtrlEnd:
			return m.setFocus(len(in) - 1)
		case msg.Type == tea.KeyCtrlHome:
			return m.setFocus(0)
		}
		m.fields[m.focus].err = ""
		if p, ok := cur.(*picklistField); ok && key.Matches(msg, clearFieldKey) && !p.nillable {
			m.fields[m.focus].err = mustHaveValue
			return m, nil
		}
		return m.updateFocused(msg)
	}
	return m, nil
}

// updateFind gives a key to the find line: the focus goes to the field found, or back to the
// one it was on when nothing is found or find is left with esc. ctrl+s saves from it.
func (m formModel) updateFind(msg tea.KeyMsg) (formModel, tea.Cmd) {
	if key.Matches(msg, m.c.keys.Save) {
		m.find.on = false
		return m.save()
	}
	labels := make([]findLabel, len(m.fields))
	for i, f := range m.fields {
		labels[i] = findLabel{label: CleanLine(fieldLabel(f.def)), name: f.def.Name}
	}
	switch m.find.update(msg, labels) {
	case findShow, findKeep:
		return m.setFocus(m.find.shown())
	case findCancel:
		return m.setFocus(m.find.start)
	}
	return m, nil
}

// updateFocused gives a key to the focused field. When the key changes the field's value, the
// field's own notes go and the fields that depend on it follow.
func (m formModel) updateFocused(msg tea.KeyMsg) (formModel, tea.Cmd) {
	f := &m.fields[m.focus]
	before := f.input.Value()
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	if !sameValue(before, f.input.Value()) {
		f.note, f.err = "", ""
		m.controllerChanged(m.focus, 0)
	}
	return m, cmd
}

// openChooser is the focused field's open picklist chooser, or nil.
func (m formModel) openChooser() *picklistField {
	if !m.loaded || m.focus >= len(m.fields) {
		return nil
	}
	if p, ok := m.fields[m.focus].input.(*picklistField); ok && p.open {
		return p
	}
	return nil
}

// sizeInputs gives the editors that keep state for their width the width of the input column.
func (m *formModel) sizeInputs() {
	_, inputW := m.columns()
	for _, f := range m.fields {
		if in, ok := f.input.(sizedInput); ok {
			in.SetWidth(inputW)
		}
	}
}

// columns are the widths of the label column and of the input column.
// The label column is as wide as the longest label (its "▲ " flag included), within a third
// of the screen, as on the backstage form.
func (m formModel) columns() (labelW, inputW int) {
	labels := make([]string, len(m.fields))
	for i, f := range m.fields {
		labels[i] = m.fieldLabel(f)
		if m.flagged(f) {
			labels[i] = "▲ " + labels[i]
		}
	}
	labelW = labelColumn(labels, min(24, max(12, m.w/4)), min(32, m.w/3))
	return labelW, max(8, m.w-labelW-3)
}

// fieldLabel is a field's label, with " *" when it must have a value.
func (m formModel) fieldLabel(f formField) string {
	label := CleanLine(fieldLabel(f.def))
	req := f.def.Required()
	// A picklist that may not be empty always has a value here (its default on a New form),
	// as on the Edit form: marked alike (a Task's Status and Priority).
	if m.mode != formNew || f.def.Type == "picklist" {
		req = req || !f.def.Nillable && f.def.Type != "boolean"
	}
	if req {
		label += " *"
	}
	return label
}

// flagged reports whether a field carries a message: the org's, the form's check, a note, or
// a problem with its value.
func (m formModel) flagged(f formField) bool {
	return f.orgErr != "" || f.err != "" || f.note != "" || fieldProblem(f.input) != ""
}

// flagLines is a message under a field on at most two lines of w cells (none when empty).
func flagLines(msg string, w int) []string { return flagLinesUpTo(msg, w, 2) }

// flagLinesUpTo is a message under a field on at most n lines of w cells.
func flagLinesUpTo(msg string, w, n int) []string {
	if msg == "" {
		return nil
	}
	lines := strings.Split(wrap(msg, w), "\n")
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = trunc(lines[n-1]+" …", w)
	}
	return lines
}

// maxFieldErrLines is how many lines the check's message under a field may take.
const maxFieldErrLines = 3

// fieldErrLines are the check's message under a field, wrapped to the input column as the
// org's messages are (a datetime's "…such as 2026-01-05 09:30" is read whole at 80 columns).
func fieldErrLines(msg string, w int) []string { return flagLinesUpTo(msg, w, maxFieldErrLines) }

// fieldFlagLines are the lines of a message under field i: two under the others, and under
// the focused field what the room under the head holds with the field's own line, so that
// going to a field shows the whole of what the org said about it.
func (m formModel) fieldFlagLines(i int, msg string, w int) []string {
	if i != m.focus {
		return flagLines(msg, w)
	}
	return flagLinesUpTo(msg, w, max(2, m.h-m.headLines()-2))
}

// headLines is how many lines the form's head takes (title, record messages, hint, blank, and
// the record's record type when it has one).
// recordErrLines are the org's messages about the whole record, each wrapped on up to three
// lines: the form is where the user reads them to fix the record.
func (m formModel) recordErrLines() []string {
	var out []string
	for _, e := range m.recordErrs {
		out = append(out, capLines(strings.Split(wrap("▲ "+e, max(1, m.w)), "\n"), 3, m.w)...)
	}
	return out
}

func (m formModel) headLines() int {
	n := 3 + len(m.recordErrLines())
	if m.showsRecordType() {
		n++
	}
	return n
}

// showsRecordType reports whether the form shows the record's record type at its top: the one
// a new record was given, or the one an edited record has (objects with record types only).
func (m formModel) showsRecordType() bool { return m.recordType.name != "" }

// chooserRows is how many values a chooser on the focused field can show with the field's
// line, the filter line and the field's messages still on screen.
func (m formModel) chooserRows() int {
	extra := 0
	if m.focus < len(m.fields) {
		f := m.fields[m.focus]
		_, inputW := m.columns()
		for _, s := range []string{f.orgErr, f.note, fieldProblem(f.input)} {
			extra += len(m.fieldFlagLines(m.focus, s, inputW))
		}
		extra += len(fieldErrLines(f.err, inputW))
	}
	return min(maxChooserRows, max(1, m.h-m.headLines()-2-extra))
}

// linkDependents makes each dependent picklist and checklist on the form follow its
// controller: the controller's field on the form, or else the value the record (or the
// defaults) give it.
func (m *formModel) linkDependents(all []remote.Field, initial func(remote.Field) any) {
	for i := range m.fields {
		f := &m.fields[i]
		if !dependentInput(f.input) || f.def.ControllerName == "" {
			continue
		}
		var ctl *remote.Field
		for j := range all {
			if all[j].Name == f.def.ControllerName {
				ctl = &all[j]
			}
		}
		if ctl == nil {
			continue // a controller describe does not list: every value stays offered
		}
		v := initial(*ctl)
		for j, other := range m.fields {
			if other.def.Name == ctl.Name {
				f.ctl, v = j, other.input.Value()
			}
		}
		switch in := f.input.(type) {
		case *picklistField:
			in.dependOn(*ctl, v)
		case *multiPickField:
			in.dependOn(*ctl, v)
		}
	}
}

// dependentInput reports an editor that can follow a controlling field: a picklist or a
// multi-select checklist.
func dependentInput(in fieldInput) bool {
	switch in.(type) {
	case *picklistField, *multiPickField:
		return true
	}
	return false
}

// controllerChanged lets the fields controlled by field i follow its new value; a value no
// longer valid is cleared, and the field says so.
func (m *formModel) controllerChanged(i, depth int) {
	if depth > len(m.fields) {
		return // a loop of controllers in a broken describe
	}
	for j := range m.fields {
		f := &m.fields[j]
		if f.ctl != i {
			continue
		}
		if mp, ok := f.input.(*multiPickField); ok {
			// A ticked value the new one does not allow stays ticked, flagged, for the user
			// to untick (a multi-select controls no other field).
			mp.setController(m.fields[i].input.Value())
			continue
		}
		p, ok := f.input.(*picklistField)
		if !ok {
			continue
		}
		if old := p.followController(m.fields[i].input.Value()); old != "" {
			f.note = p.clearedNote(old)
			m.controllerChanged(j, depth+1)
		}
	}
}

// fieldProblem is what is wrong with a field's current value ("" when nothing): a picklist
// value the org holds that the field would not offer, ticked values a checklist's controller
// does not allow.
func fieldProblem(in fieldInput) string {
	switch x := in.(type) {
	case *picklistField:
		return x.problem()
	case *multiPickField:
		return x.problem()
	}
	return ""
}

func (m formModel) View() string {
	s := m.c.styles
	if m.rtChoose != nil {
		return m.chooseView()
	}
	if !m.loaded {
		return clampLines(s.Subtle.Render("Loading…"), m.w, m.h)
	}
	var head []string
	title := m.title()
	if len(m.fields) > m.pageFields() {
		// A form longer than the screen says where in it the focus is (a big org's object
		// has hundreds of fields).
		title += fmt.Sprintf(" · field %d of %d", m.focus+1, len(m.fields))
	}
	head = append(head, s.Title.Render(trunc(title, m.w)))
	for _, l := range m.recordErrLines() {
		head = append(head, s.Flag.Render(l))
	}
	switch hint := "* required · tab/↓ next · shift+tab/↑ previous · ctrl+s save · esc cancel"; {
	case m.find.on:
		head = append(head, m.find.line(s, m.w), "")
	case len(m.fields) > m.pageFields():
		head = append(head, s.Subtle.Render(trunc("* required · tab/↓ next · ↑ previous · ctrl+f find · ctrl+s save · esc cancel", m.w)), "")
	default:
		head = append(head, s.Subtle.Render(trunc(hint, m.w)), "")
	}
	if m.showsRecordType() {
		head = append(head, m.recordTypeLine())
	}
	labelW, inputW := m.columns()
	kept := m.keptAt(labelW)
	var body []string
	focusTop, focusEnd := 0, 0
	// Only the fields that can share the screen with the focused one are drawn: each takes a
	// line at least, so none further than a screen away can (a big org's form has hundreds).
	room := max(1, m.h-len(head))
	lo, hi := max(0, m.focus-room), min(len(m.fields), m.focus+room+1)
	for i := lo; i < hi; i++ {
		f := m.fields[i]
		if i == m.focus {
			focusTop = len(body)
		}
		label := m.fieldLabel(f)
		mark := "  "
		problem := fieldProblem(f.input)
		flagged := m.flagged(f)
		switch {
		case flagged && i == m.focus:
			// The focus mark stays; the flag moves into the label.
			label = s.Flag.Render(fitLabel("▲ "+label, labelW, kept[label]))
			mark = s.Accent.Render("▸ ")
		case flagged:
			label = s.Flag.Render(fitLabel(label, labelW, kept[label]))
			mark = s.Flag.Render("▲ ")
		case i == m.focus:
			label = s.Accent.Render(fitLabel(label, labelW, kept[label]))
			mark = s.Accent.Render("▸ ")
		default:
			label = s.Label.Render(fitLabel(label, labelW, kept[label]))
		}
		lines := strings.Split(f.input.View(i == m.focus, inputW), "\n")
		body = append(body, mark+label+" "+lines[0])
		for _, l := range lines[1:] {
			body = append(body, strings.Repeat(" ", labelW+3)+l)
		}
		for _, flag := range []string{f.orgErr, f.note, problem} {
			if flag == f.err {
				continue // the check before saving says it below
			}
			for _, l := range m.fieldFlagLines(i, flag, inputW) {
				body = append(body, strings.Repeat(" ", labelW+3)+s.Flag.Render(l))
			}
		}
		for _, l := range fieldErrLines(f.err, inputW) {
			body = append(body, strings.Repeat(" ", labelW+3)+s.Error.Render(l))
		}
		if i == m.focus {
			focusEnd = len(body)
		}
	}
	top, end := focusWindow(focusTop, focusEnd, room, len(body))
	return clampLines(strings.Join(append(head, body[top:end]...), "\n"), m.w, m.h)
}

// Bindings of the picklist chooser and the focused picklist, for the help bar.
var (
	chooseMoveKey   = key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑/↓", "move"))
	chooseFilterKey = key.NewBinding(key.WithKeys("/"), key.WithHelp("a-z", "filter"))
	chooseEnterKey  = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose"))
	chooseEscKey    = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close list"))
	pickListKey     = key.NewBinding(key.WithKeys("enter", " "), key.WithHelp("enter/space", "list values"))
	pickCycleKey    = key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "previous/next value"))
	formCancelKey   = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	// clearFieldKey empties the field being edited: a text, a picklist (to --None--, where the
	// field may be empty), a checklist (nothing ticked); in a picklist's open list, its filter.
	clearFieldKey = key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "clear the field"))
)

// keptAt is endKept of the form's labels at width w.
func (m formModel) keptAt(w int) map[string]bool {
	if m.kept != nil && m.kept.w == w {
		return m.kept.kept
	}
	labels := make([]string, len(m.fields))
	for i, f := range m.fields {
		labels[i] = m.fieldLabel(f)
	}
	kept := endKept(labels, w)
	if m.kept != nil {
		m.kept.w, m.kept.kept = w, kept
	}
	return kept
}

// pageFields is how far pgup and pgdn move the focus: about a screen of fields, less one so
// that the field left is still in sight.
func (m formModel) pageFields() int { return max(1, m.h-6) }

// focusWindow is the part [top, end) of a form's total lines that room lines show: the focused
// field's lines [focusTop, focusEnd) in view, its end first when it is taller than the room.
func focusWindow(focusTop, focusEnd, room, total int) (top, end int) {
	if focusEnd > room {
		top = focusEnd - room
	}
	top = min(top, focusTop)
	return top, min(total, top+room)
}

func (m formModel) ShortHelp() []key.Binding {
	k := m.c.keys
	if m.rtChoose != nil {
		return []key.Binding{chooseEnterKey, recordTypeCancelKey, chooseMoveKey, chooseFilterKey}
	}
	if m.openChooser() != nil {
		return []key.Binding{chooseEnterKey, chooseEscKey, chooseMoveKey, chooseFilterKey}
	}
	if m.find.on {
		return findHelp(k)
	}
	if m.loaded && m.focus < len(m.fields) {
		// A lookup's open matches take ↑/↓, enter and esc (esc closes them, not the form).
		if l, ok := m.fields[m.focus].input.(*lookupField); ok && l.open && len(l.matches) > 0 {
			return []key.Binding{lookupChooseKey, lookupTakeKey, lookupCloseKey}
		}
		if _, ok := m.fields[m.focus].input.(*picklistField); ok {
			return []key.Binding{k.Save, pickListKey, pickCycleKey, k.NextPane, k.PrevPane, formCancelKey}
		}
		if _, ok := m.fields[m.focus].input.(*multiPickField); ok {
			return []key.Binding{k.Save, multiTickKey, multiMoveKey, k.NextPane, k.PrevPane, formCancelKey}
		}
	}
	// ctrl+o last: o is text here (a narrow footer drops it first).
	if m.loaded && len(m.fields) > m.pageFields() {
		return []key.Binding{k.Save, k.NextPane, k.PrevPane, formCancelKey, withDesc(findFieldKey, "find"), withDesc(formPageKey, "page"), withDesc(k.OnlineAnywhere, "online/offline")}
	}
	return []key.Binding{k.Save, k.NextPane, k.PrevPane, formCancelKey, withDesc(k.OnlineAnywhere, "online/offline")}
}

// formPageKey, formFirstKey and formLastKey move the focus a screen of fields at a time, or to either end.
var (
	formPageKey  = key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "a page of fields up/down"))
	formFirstKey = key.NewBinding(key.WithKeys("ctrl+home"), key.WithHelp("ctrl+home", "first field"))
	formLastKey  = key.NewBinding(key.WithKeys("ctrl+end"), key.WithHelp("ctrl+end", "last field"))
)

func (m formModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	if m.rtChoose != nil {
		return [][]key.Binding{{chooseEnterKey, recordTypeCancelKey, chooseMoveKey, chooseFilterKey}}
	}
	return [][]key.Binding{{k.Save, k.NextPane, k.PrevPane, formCancelKey, formPageKey, formFirstKey, formLastKey, findFieldKey},
		{pickListKey, pickCycleKey,
			key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "toggle a checkbox, tick a multi-select value")),
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("↑/↓ enter", "pick a lookup match"))},
		{key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("list: ↑/↓ k/j", "move")),
			key.NewBinding(key.WithKeys("/"), key.WithHelp("list: type or /", "filter")),
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("list: enter", "choose")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("list: esc", "close unchanged"))}}
}
