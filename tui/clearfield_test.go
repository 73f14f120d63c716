package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
)

var ctrlU = tea.KeyMsg{Type: tea.KeyCtrlU}

// ctrl+u clears a picklist to --None-- where the field may be empty and unticks a checklist,
// as it empties a text field; a picklist that must have a value keeps it.
func TestCtrlUClearsPicklistsAndChecklistsToo(t *testing.T) {
	industry := remote.Field{Name: "Industry", Type: "picklist", Nillable: true, PicklistValues: []remote.PicklistValue{
		{Value: "Banking", Active: true}, {Value: "Energy", Active: true}}}
	p := newPicklistField(industry, "Energy")
	p.Update(ctrlU)
	if v := p.Value(); v != nil {
		t.Errorf("a picklist that may be empty holds %v after ctrl+u", v)
	}
	required := industry
	required.Nillable = false
	p = newPicklistField(required, "Energy")
	if p.Update(ctrlU); p.Value() != "Energy" || p.clear() {
		t.Errorf("a picklist that must have a value was cleared: %v", p.Value())
	}
	// In the open list ctrl+u clears the filter, and the value stays.
	p = newPicklistField(industry, "Energy")
	p.openChooser()
	for _, msg := range keyMsgs("ban") {
		p.Update(msg)
	}
	p.Update(ctrlU)
	if p.filter != "" || !p.open || p.Value() != "Energy" || len(p.matches()) != 3 {
		t.Errorf("ctrl+u in the list: filter %q, open %v, value %v, %d matches", p.filter, p.open, p.Value(), len(p.matches()))
	}
	m := newMultiPickField(interestField, "Hardware;Training")
	m.Update(ctrlU)
	if v := m.Value(); v != nil {
		t.Errorf("a checklist holds %v after ctrl+u", v)
	}
}

// On the form ctrl+u on a picklist that must have a value says why it keeps it.
func TestCtrlUOnARequiredPicklistSaysItMustHaveAValue(t *testing.T) {
	f := seededFake(1)
	for i, fd := range f.desc["Account"].Fields {
		if fd.Name == "Industry" {
			f.desc["Account"].Fields[i].Nillable = false
		}
	}
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account")
	focusField(t, d, "Industry")
	d.send(ctrlU)
	d.requireView(mustHaveValue, "Banking")
	d = newDriver(t, withInterest(1), 100, 30)
	d.keys("enter", "enter", "e")
	focusField(t, d, "Industry")
	d.send(ctrlU)
	d.requireView("◂ --None-- ▸")
	if got := d.model().form.fields[d.model().form.focus].input.Value(); got != nil {
		t.Fatalf("the form's Industry holds %v after ctrl+u", got)
	}
}
