package tui

import (
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
)

// masterRecordTypePrefix starts the id of the master record type on every org
// ("012000000000000AAA").
const masterRecordTypePrefix = "012000000000000"

// recordTypeChoice is one record type a New form offers.
type recordTypeChoice struct {
	id        string // as the org has it
	name      string // sanitised, for the screen
	master    bool   // the master record type: the new record leaves RecordTypeId unset
	isDefault bool   // the user's default record type for the object
}

// fieldValue is what the new record's RecordTypeId gets: nil for the master record type.
func (c recordTypeChoice) fieldValue() any {
	if c.master || c.id == "" {
		return nil
	}
	return c.id
}

// offeredRecordTypes are the record types a New form of the object may choose from: the
// available, active ones, the default one first. The master record type counts only when it is
// the only one. An object that has none, or one, needs no choice.
func offeredRecordTypes(d *remote.Describe) []recordTypeChoice {
	if d == nil {
		return nil
	}
	var named, masters []recordTypeChoice
	seen := map[string]bool{}
	for _, rt := range d.RecordTypeInfos {
		if !rt.Available || !rt.Active || rt.ID == "" || seen[rt.ID] {
			continue
		}
		seen[rt.ID] = true
		c := recordTypeChoice{id: rt.ID, name: recordTypeName(rt), isDefault: rt.DefaultRecordTypeMapping,
			master: rt.Master || strings.HasPrefix(rt.ID, masterRecordTypePrefix)}
		if c.master {
			masters = append(masters, c)
		} else {
			named = append(named, c)
		}
	}
	out := named
	if len(out) == 0 {
		out = masters
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].isDefault && !out[j].isDefault })
	return out
}

// recordTypeName is a record type's name as shown: its label, else its developer name, else
// its id.
func recordTypeName(rt remote.RecordTypeInfo) string {
	for _, s := range []string{rt.Name, rt.DeveloperName, rt.ID} {
		if t := capText(strings.TrimSpace(CleanLine(s))); t != "" {
			return t
		}
	}
	return ""
}

// recordTypeOf is the record type of the describe whose id is id (the master one when id is
// empty or the master's), and whether the describe lists it.
func recordTypeOf(d *remote.Describe, id string) (recordTypeChoice, bool) {
	if d == nil {
		return recordTypeChoice{}, false
	}
	for _, rt := range d.RecordTypeInfos {
		if rt.ID == "" {
			continue
		}
		master := rt.Master || strings.HasPrefix(rt.ID, masterRecordTypePrefix)
		if sameRecordID(rt.ID, id) || id == "" && master {
			return recordTypeChoice{id: rt.ID, name: recordTypeName(rt), master: master, isDefault: rt.DefaultRecordTypeMapping}, true
		}
	}
	return recordTypeChoice{}, false
}

// sameRecordID compares Salesforce ids, 15- or 18-character, the way the org does.
func sameRecordID(a, b string) bool {
	if len(a) < 15 || len(b) < 15 {
		return a == b
	}
	return a[:15] == b[:15]
}

// defaultMark follows the name of the user's default record type in the chooser.
const defaultMark = " (default)"

// newRecordTypeChooser is an open picklist chooser over the choices; its values are the
// record type ids.
func newRecordTypeChooser(s Styles, choices []recordTypeChoice, rows int) *picklistField {
	p := &picklistField{styles: s}
	for _, c := range choices {
		text := c.name
		if c.isDefault {
			text += defaultMark
		}
		p.opts = append(p.opts, pickOption{value: c.id, text: text, active: true})
	}
	p.setRows(rows)
	p.openChooser()
	return p
}

// recordTypeCancelKey is esc on the record type chooser: it cancels the New.
var recordTypeCancelKey = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))

// recordTypeRows is how many record types the chooser shows in a body of h lines (title, hint,
// blank and filter lines above them).
func recordTypeRows(h int) int { return min(10, max(1, h-4)) }

// chooseView draws the record type chooser of a New form.
func (m formModel) chooseView() string {
	s := m.c.styles
	lines := []string{
		s.Title.Render(trunc(m.title(), m.w)),
		s.Subtle.Render(trunc("Choose the record type of the new "+m.c.singleLabel(m.object)+" · enter choose · esc cancel", m.w)),
		"",
	}
	chooser := strings.Split(m.rtChoose.View(true, m.w), "\n")
	lines = append(lines, chooser[1:]...) // the first line is the field's own, which this has not
	return clampLines(strings.Join(lines, "\n"), m.w, m.h)
}

// recordTypeLine is the record's record type, read-only, at the top of the form.
func (m formModel) recordTypeLine() string {
	s := m.c.styles
	labelW, inputW := m.columns()
	return "  " + s.Label.Render(fit("Record Type", labelW)) + " " + trunc(m.recordType.name, inputW)
}

// recordTypeChoices are the record types a New form asks to choose from first; none when the
// object needs no choice or the form was opened with a record type already given.
func (m formModel) recordTypeChoices(d *remote.Describe) []recordTypeChoice {
	if id, _ := m.defaults["RecordTypeId"].(string); id != "" {
		return nil
	}
	return offeredRecordTypes(d)
}

// givenRecordType is the record type the form shows, when the describe lists it: the one the
// defaults of a New form give it, or the one an edited record has (the master one when it has
// none) on an object with several record types. The form never changes it.
func (m formModel) givenRecordType(d *remote.Describe, vals remote.Fields) (recordTypeChoice, bool) {
	if m.mode == formNew {
		id, _ := m.defaults["RecordTypeId"].(string)
		if id == "" {
			return recordTypeChoice{}, false
		}
		return recordTypeOf(d, id)
	}
	if d == nil || len(d.RecordTypeInfos) < 2 {
		return recordTypeChoice{}, false
	}
	id, _ := vals["RecordTypeId"].(string)
	return recordTypeOf(d, id)
}

// updateRecordTypeChooser gives a key to the record type chooser: esc cancels the New, enter
// picks a record type and opens the form.
func (m formModel) updateRecordTypeChooser(msg tea.KeyMsg) (formModel, tea.Cmd) {
	if msg.Type == tea.KeyEsc {
		return m, cmdOf(backMsg{})
	}
	p := m.rtChoose
	p.setRows(recordTypeRows(m.h))
	p.updateChooser(msg)
	if p.open {
		return m, nil
	}
	for _, c := range m.rtChoices {
		if c.id == p.cur {
			m.recordType = c
		}
	}
	data := m.rtData
	m.rtChoose, m.rtChoices, m.rtData = nil, nil, formDataMsg{}
	m = m.build(data)
	return m.setFocus(m.focus)
}
