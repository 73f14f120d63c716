package tui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
)

// industryField is the fake org's Account Industry: Banking is its index 0, Energy 1, Retail 2.
var industryField = remote.Field{Name: "Industry", Label: "Industry", Type: "picklist", Nillable: true,
	PicklistValues: []remote.PicklistValue{{Value: "Banking", Active: true}, {Value: "Energy", Active: true}, {Value: "Retail", Active: true}}}

// channelsField is a multi-select picklist controlled by Industry.
func channelsField() remote.Field {
	return remote.Field{Name: "Channels__c", Label: "Channels", Type: "multipicklist", Createable: true, Updateable: true,
		Nillable: true, Length: 4099, RestrictedPicklist: true, DependentPicklist: true, ControllerName: "Industry",
		PicklistValues: []remote.PicklistValue{
			{Value: "Branch", Active: true, ValidFor: "gAAA"},  // Banking
			{Value: "Online", Active: true, ValidFor: "4AAA"},  // Banking, Energy, Retail
			{Value: "Grid", Active: true, ValidFor: "QAAA"},    // Energy
			{Value: "Stores", Active: true, ValidFor: "IAAA"},  // Retail
			{Value: "Kiosk", Active: true, ValidFor: "not*64"}, // unreadable bitmap: offered
		}}
}

// checklisted are the values a checklist lists, by their text.
func checklisted(m *multiPickField) string {
	var out []string
	for _, o := range m.list() {
		out = append(out, o.text)
	}
	return strings.Join(out, ",")
}

func TestDependentChecklistListsOnlyTheValuesTheControllerAllows(t *testing.T) {
	for _, tc := range []struct {
		ctl  any
		want string
	}{
		{"Banking", "Branch,Online,Kiosk"},
		{"Energy", "Online,Grid,Kiosk"},
		{"Retail", "Online,Stores,Kiosk"},
		{nil, ""},
		{"Not In Describe", "Branch,Online,Grid,Stores,Kiosk"},
	} {
		m := newMultiPickField(channelsField(), nil)
		m.dependOn(industryField, tc.ctl)
		if got := checklisted(m); got != tc.want {
			t.Errorf("Industry %v: lists %s, want %s", tc.ctl, got, tc.want)
		}
	}
	m := newMultiPickField(channelsField(), nil)
	m.dependOn(industryField, nil)
	if v := m.View(true, 60); !strings.Contains(v, "choose Industry first") {
		t.Errorf("with no Industry the checklist says %q", v)
	}
	if pressKeys(m, "space", "down", "space"); m.Value() != nil {
		t.Errorf("ticked %v with no Industry", m.Value())
	}
}

func TestDependentChecklistKeepsATickTheControllerNoLongerAllowsUntilUnticked(t *testing.T) {
	m := newMultiPickField(channelsField(), "Branch;Online")
	m.dependOn(industryField, "Banking")
	if p := m.problem(); p != "" {
		t.Fatalf("valid ticks flagged: %s", p)
	}
	m.setController("Energy")
	if got := checklisted(m); got != "Branch,Online,Grid,Kiosk" {
		t.Fatalf("as Energy it lists %s", got)
	}
	if m.Value() != "Branch;Online" {
		t.Fatalf("the controller's change unticked: %v", m.Value())
	}
	v := m.View(true, 80)
	if !strings.Contains(v, `[x] Branch (not valid for Industry "Energy")`) || strings.Contains(v, `Online (not valid`) {
		t.Fatalf("the tick Energy does not allow is not marked:\n%s", v)
	}
	if p := m.problem(); p != `"Branch" is not valid for Industry "Energy": untick it` {
		t.Fatalf("problem %q", p)
	}
	if err := m.Check(); err == nil || err.Error() != m.problem() {
		t.Fatalf("Check() = %v with Branch ticked under Energy", err)
	}
	// The cursor is on Branch: unticking it leaves it listed, so space ticks it back.
	pressKeys(m, "space")
	if m.Value() != "Online" || checklisted(m) != "Branch,Online,Grid,Kiosk" || m.problem() != "" || m.Check() != nil {
		t.Fatalf("after unticking Branch: %v, lists %s, problem %q, check %v", m.Value(), checklisted(m), m.problem(), m.Check())
	}
	pressKeys(m, "space")
	if m.Value() != "Branch;Online" || m.Check() == nil {
		t.Fatalf("ticked back: %v, check %v", m.Value(), m.Check())
	}
	// ctrl+u clears every tick; the next controller change lists what it allows only.
	m.Update(tea.KeyMsg{Type: tea.KeyCtrlU})
	m.setController("Retail")
	if m.Value() != nil || checklisted(m) != "Online,Stores,Kiosk" {
		t.Fatalf("cleared then Retail: %v, lists %s", m.Value(), checklisted(m))
	}
	// Two ticks an emptied controller does not allow.
	m = newMultiPickField(channelsField(), "Branch;Online")
	m.dependOn(industryField, "Banking")
	m.setController(nil)
	if p := m.problem(); p != `"Branch", "Online" are not valid while Industry is empty: untick them` {
		t.Fatalf("problem %q", p)
	}
}

func TestDependentChecklistLeftAsItWasPassesUntilItsControllerChanges(t *testing.T) {
	// The org holds a tick its industry does not allow (the describe changed since).
	m := newMultiPickField(channelsField(), "Grid")
	m.dependOn(industryField, "Banking")
	if m.problem() == "" {
		t.Fatal("a held tick Banking does not allow is not flagged")
	}
	if err := m.Check(); err != nil {
		t.Fatalf("left as it was, with Industry as it was: %v", err)
	}
	m.setController("Retail")
	if err := m.Check(); err == nil {
		t.Fatal("Industry changed to Retail, Grid still ticked, and the check passed")
	}
	m.setController("Energy")
	if err := m.Check(); err != nil {
		t.Fatalf("Grid under Energy: %v", err)
	}
}

// fakeWithDependentChecklist is the fake org whose Accounts have a Channels multi-select
// controlled by Industry; the first account (Banking) has Branch and Online.
func fakeWithDependentChecklist(t *testing.T) *fakeBackend {
	t.Helper()
	f := seededFake(3)
	d := *f.desc["Account"]
	d.Fields = append(append([]remote.Field(nil), d.Fields...), channelsField())
	f.desc["Account"] = &d
	for _, r := range f.records["Account"] {
		if r["Id"] == "001000000000000000" {
			r["Channels__c"] = "Branch;Online"
		}
	}
	return f
}

func TestEditFormChecklistFollowsTheIndustryAsEditedAndSavesOnceTheRefusedTickIsCleared(t *testing.T) {
	f := fakeWithDependentChecklist(t)
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account", "Channels", "Branch; Online")
	d.refuseView("not valid")
	d.keys("tab") // Industry
	d.requireView("▸ Industry", "◂ Banking ▸")
	d.keys("right") // Energy: Branch is not valid for it, and stays ticked
	d.requireView("◂ Energy ▸", "▲ Channels", "Branch; Online", `"Branch" is not valid for Industry "Energy": untick it`)
	d.keys("ctrl+s")
	d.requireView("Edit Account", `"Branch" is not valid for Industry "Energy": untick it`)
	if es, _ := f.Entries(context.Background()); len(es) != 0 {
		t.Fatalf("saved %+v with Branch ticked under Energy", es)
	}
	if n := strings.Count(d.view(), `"Branch" is not valid`); n != 1 {
		t.Fatalf("the refusal is said %d times:\n%s", n, d.view())
	}
	// The refusal took the focus to Channels.
	d.requireView("▸ ▲ Channels", `[x] Branch (not valid for Industry "Energy")`, "[x] Online", "[ ] Grid", "[ ] Kiosk")
	d.refuseView("Stores")
	d.keys("space") // the cursor is on Branch: untick it
	d.requireView("[ ] Branch", "▸ Channels")
	d.refuseView(`is not valid`)
	d.keys("down", "down", "space") // Grid
	d.keys("ctrl+s")
	d.requireView("Account saved")
	es, _ := f.Entries(context.Background())
	if len(es) != 1 || es[0].Changes["Industry"] != "Energy" || es[0].Changes["Channels__c"] != "Online;Grid" {
		t.Fatalf("saved %+v", es)
	}
}

func TestBackstageEditFormNarrowsADependentChecklistToo(t *testing.T) {
	f := &bsForm{kind: bsFormEdit, rows: []bsRow{
		{name: "Industry", def: industryField, input: newPicklistField(industryField, "Banking")},
		{name: "Channels__c", def: channelsField(), input: newMultiPickField(channelsField(), "Online")},
	}}
	f.linkDependents([]remote.Field{industryField, channelsField()}, remote.Fields{"Industry": "Banking", "Channels__c": "Online"})
	ch := f.rows[1].input.(*multiPickField)
	if got := checklisted(ch); got != "Branch,Online,Kiosk" {
		t.Fatalf("as Banking, Channels lists %s", got)
	}
	f.rows[0].input = newPicklistField(industryField, "Retail")
	f.controllerChanged(0, 0)
	if got := checklisted(ch); got != "Online,Stores,Kiosk" || ch.Value() != "Online" {
		t.Fatalf("as Retail, Channels lists %s and holds %v", got, ch.Value())
	}
}
