package tui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

var (
	typeField = remote.Field{Name: "Type", Label: "Case Type", Type: "picklist", Nillable: true,
		PicklistValues: []remote.PicklistValue{
			{Value: "Mechanical", Active: true}, {Value: "Electrical", Active: true}, {Value: "Electronic", Active: true},
			{Value: "Structural", Active: true}, {Value: "Other", Active: true}, {Value: "Retired", Active: false},
			{Value: "V6", Active: true}, {Value: "V7", Active: true}, {Value: "V8", Active: true},
		}}
	flagField = remote.Field{Name: "Urgent__c", Label: "Urgent", Type: "boolean"}
)

func TestValidForDecodesTheControllersBit(t *testing.T) {
	tests := []struct {
		name   string
		ctl    remote.Field
		value  any
		bitmap string
		want   bool
	}{
		{"picklist index 0 is the top bit of byte 0", typeField, "Mechanical", "gAAA", true},
		{"picklist index 1 is not set in 0x80", typeField, "Electrical", "gAAA", false},
		{"picklist index 1 set in 0x40", typeField, "Electrical", "QAAA", true},
		{"picklist index 4 set in 0x08", typeField, "Other", "CAAA", true},
		{"inactive values keep their index (5)", typeField, "Retired", "BAAA", true},
		{"picklist index 8 is the top bit of byte 1", typeField, "V8", "AIAA", true},
		{"picklist index 8 not set by byte 0", typeField, "V8", "/wAA", false},
		{"mock org bitmap: Breakdown for Electronic", typeField, "Electronic", "4AAA", true},
		{"mock org bitmap: Breakdown not for Structural", typeField, "Structural", "4AAA", false},
		{"index beyond the bitmap is not valid", typeField, "V8", "/w==", false},
		{"unpadded base64 is read", typeField, "Mechanical", "gA", true},
		{"checkbox false is index 0", flagField, false, "gA==", true},
		{"checkbox false not set", flagField, false, "QA==", false},
		{"checkbox true is index 1", flagField, true, "QA==", true},
		{"checkbox true not set", flagField, true, "gA==", false},
		{"checkbox null counts as false", flagField, nil, "gA==", true},
		{"bad base64 offers the value", typeField, "Electrical", "!!not base64!!", true},
		{"bad base64 offers the value for a checkbox", flagField, true, "%%%", true},
		{"absent bitmap offers the value", typeField, "Electrical", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i, set := remote.ControllerIndex(tc.ctl, tc.value)
			if !set {
				t.Fatalf("controller value %v counted as empty", tc.value)
			}
			if got := remote.ValidForAllows(tc.bitmap, i); got != tc.want {
				t.Fatalf("remote.ValidForAllows(%q, %d) = %v, want %v", tc.bitmap, i, got, tc.want)
			}
		})
	}
}

func TestControllerIndexOfEmptyAndUnknownValues(t *testing.T) {
	tests := []struct {
		value   any
		wantI   int
		wantSet bool
	}{
		{nil, -1, false},
		{"", -1, false},
		{"Mechanical", 0, true},
		{"Retired", 5, true},
		{"Not In Describe", -1, true},
	}
	for _, tc := range tests {
		if i, set := remote.ControllerIndex(typeField, tc.value); i != tc.wantI || set != tc.wantSet {
			t.Errorf("remote.ControllerIndex(%v) = %d, %v; want %d, %v", tc.value, i, set, tc.wantI, tc.wantSet)
		}
	}
	if remote.ValidForAllows("////", -1) {
		t.Error("an index of -1 was allowed")
	}
}

// reasonField is Case.Reason as the mock org describes it, plus a value with a broken bitmap
// and one no longer active.
func reasonField() remote.Field {
	return remote.Field{Name: "Reason", Label: "Case Reason", Type: "picklist", Nillable: true, DependentPicklist: true, ControllerName: "Type",
		PicklistValues: []remote.PicklistValue{
			{Value: "Installation", Active: true, ValidFor: "0AAA"},                 // Mechanical, Electrical, Structural
			{Value: "Performance", Active: true, ValidFor: "YAAA"},                  // Electrical, Electronic
			{Value: "Breakdown", Active: true, ValidFor: "4AAA"},                    // Mechanical, Electrical, Electronic
			{Value: "Feedback", Active: true, ValidFor: "CAAA"},                     // Other
			{Value: "Mystery", Active: true, ValidFor: "not*base64"},                // unreadable: offered
			{Value: "Old Reason", Active: false, ValidFor: "////"},                  // inactive: never offered
			{Value: "Other", Label: "Other reason", Active: true, ValidFor: "+AAA"}, // all five types
		}}
}

func choiceValues(p *picklistField) []string {
	var out []string
	for _, o := range p.choices() {
		out = append(out, o.text)
	}
	return out
}

func TestDependentPicklistOffersOnlyValuesValidForTheController(t *testing.T) {
	tests := []struct {
		ctl  any
		want string
	}{
		{"Mechanical", "--None--,Installation,Breakdown,Mystery,Other reason"},
		{"Electronic", "--None--,Performance,Breakdown,Mystery,Other reason"},
		{"Other", "--None--,Feedback,Mystery,Other reason"},
		{nil, "--None--"},
		{"Not In Describe", "--None--,Installation,Performance,Breakdown,Feedback,Mystery,Other reason"},
	}
	for _, tc := range tests {
		p := newPicklistField(reasonField(), nil)
		p.dependOn(typeField, tc.ctl)
		if got := strings.Join(choiceValues(p), ","); got != tc.want {
			t.Errorf("controller %v: choices %s, want %s", tc.ctl, got, tc.want)
		}
	}
}

func TestDependentPicklistWithoutControllerValueSaysChooseItFirst(t *testing.T) {
	p := newPicklistField(reasonField(), nil)
	p.dependOn(typeField, nil)
	for _, focused := range []bool{false, true} {
		if v := p.View(focused, 60); !strings.Contains(v, "choose Case Type first") {
			t.Errorf("focused=%v: %q", focused, v)
		}
	}
	p.Update(tea.KeyMsg{Type: tea.KeyRight})
	if p.Value() != nil {
		t.Fatalf("cycling chose %v with no controller value", p.Value())
	}
	p.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if v := p.View(true, 60); !strings.Contains(v, "choose Case Type first") || strings.Contains(v, "Breakdown") {
		t.Fatalf("chooser without a controller value:\n%s", v)
	}
}

func TestCyclingObeysTheController(t *testing.T) {
	p := newPicklistField(reasonField(), nil)
	p.dependOn(typeField, "Other")
	var seen []string
	for i := 0; i < 4; i++ {
		p.Update(tea.KeyMsg{Type: tea.KeyRight})
		seen = append(seen, display(p.Value()))
	}
	if got := strings.Join(seen, ","); got != "Feedback,Mystery,Other,"+"" {
		t.Fatalf("→ went through %s", got)
	}
	p.Update(tea.KeyMsg{Type: tea.KeyLeft})
	if p.Value() != "Other" {
		t.Fatalf("← from --None-- gave %v", p.Value())
	}
	p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("b")}) // Breakdown is not valid for Other
	if p.Value() != "Other" {
		t.Fatalf("typing b jumped to %v", p.Value())
	}
}

func TestControllerChangeClearsAValueNoLongerValid(t *testing.T) {
	p := newPicklistField(reasonField(), "Breakdown")
	p.dependOn(typeField, "Mechanical")
	if old := p.followController("Electronic"); old != "" || p.Value() != "Breakdown" {
		t.Fatalf("a still-valid value was cleared (%q → %v)", old, p.Value())
	}
	if old := p.followController("Other"); old != "Breakdown" || p.Value() != nil {
		t.Fatalf("Breakdown under Other: cleared %q, value %v", old, p.Value())
	}
	if got := p.clearedNote("Breakdown"); got != `"Breakdown" was cleared: not valid for Case Type "Other"` {
		t.Fatalf("note %q", got)
	}
	p.cur = "Mystery"
	if old := p.followController(nil); old != "Mystery" {
		t.Fatalf("emptying the controller kept %v", p.Value())
	}
	if got := p.clearedNote("Mystery"); got != `"Mystery" was cleared: Case Type is empty` {
		t.Fatalf("note %q", got)
	}
}

func TestValueFromTheRecordThatIsNotValidIsShownAndFlagged(t *testing.T) {
	tests := []struct {
		value, ctl, want string
	}{
		{"Feedback", "Mechanical", `"Feedback" is not valid for Case Type "Mechanical"`},
		{"Old Reason", "Mechanical", `"Old Reason" is not an active value`},
		{"Gone From Describe", "Other", `"Gone From Describe" is not an active value`},
	}
	for _, tc := range tests {
		p := newPicklistField(reasonField(), tc.value)
		p.dependOn(typeField, tc.ctl)
		if p.Value() != tc.value || !strings.Contains(p.View(false, 60), tc.value) {
			t.Errorf("%s: value %v, view %q", tc.value, p.Value(), p.View(false, 60))
		}
		if got := p.problem(); !strings.Contains(got, tc.want) {
			t.Errorf("%s: problem %q, want %q", tc.value, got, tc.want)
		}
		p.Update(tea.KeyMsg{Type: tea.KeyEnter})
		if v := p.View(true, 60); !strings.Contains(v, tc.value+" (current)") {
			t.Errorf("%s: chooser does not mark the current value:\n%s", tc.value, v)
		}
	}
	fine := newPicklistField(reasonField(), "Breakdown")
	fine.dependOn(typeField, "Mechanical")
	if got := fine.problem(); got != "" {
		t.Errorf("a valid value was flagged: %q", got)
	}
}

func chooserKeys(p *picklistField, keys ...string) {
	for _, k := range keys {
		for _, msg := range keyMsgs(k) {
			p.Update(msg)
		}
	}
}

// listed is the chooser's rows: its view without the field line and the filter line.
func listed(p *picklistField) string {
	lines := strings.Split(p.View(true, 60), "\n")
	if len(lines) < 2 {
		return ""
	}
	return strings.Join(lines[2:], "\n")
}

func TestChooserListsActiveValuesFiltersAndChooses(t *testing.T) {
	f := remote.Field{Name: "Industry", Label: "Industry", Type: "picklist", Nillable: true, PicklistValues: []remote.PicklistValue{
		{Value: "Banking", Active: true}, {Value: "Energy", Active: true}, {Value: "Retired Sector", Active: false},
		{Value: "RET", Label: "Retail", Active: true}, {Value: "UTL", Label: "Water and power", Active: true},
	}}
	p := newPicklistField(f, "Energy")
	if !p.Wants(tea.KeyMsg{Type: tea.KeyEnter}) || !p.Wants(tea.KeyMsg{Type: tea.KeySpace}) {
		t.Fatal("enter/space on a picklist do not reach it")
	}
	chooserKeys(p, "space")
	if !strings.Contains(p.View(true, 60), "filter:") {
		t.Fatalf("no filter line:\n%s", p.View(true, 60))
	}
	rows := strings.Split(listed(p), "\n")
	want := []string{"  --None--", "  Banking", "▸ Energy (current)", "  Retail", "  Water and power"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Fatalf("chooser rows %q, want %q", rows, want)
	}
	if !p.capturing() || !p.Wants(tea.KeyMsg{Type: tea.KeyEsc}) {
		t.Fatal("the open chooser does not take every key")
	}
	chooserKeys(p, "j", "j", "k") // k/j move while nothing is typed
	if v := listed(p); !strings.Contains(v, "▸ Retail") {
		t.Fatalf("j j k did not land on Retail:\n%s", v)
	}
	chooserKeys(p, "esc")
	if p.open || p.Value() != "Energy" {
		t.Fatalf("esc changed the value to %v (open %v)", p.Value(), p.open)
	}

	// Typing filters by label or value, case-insensitively.
	chooserKeys(p, "enter", "ER")
	if v := p.View(true, 60); !strings.Contains(v, "filter: ER") {
		t.Fatalf("filter line:\n%s", v)
	}
	if v := listed(p); v != "▸ Energy (current)\n  Water and power" {
		t.Fatalf("filter ER:\n%s", v)
	}
	chooserKeys(p, "backspace", "backspace", "utl") // the value UTL, not its label
	if v := listed(p); v != "▸ Water and power" {
		t.Fatalf("filter utl:\n%s", v)
	}
	chooserKeys(p, "enter")
	if p.open || p.Value() != "UTL" {
		t.Fatalf("enter chose %v (open %v)", p.Value(), p.open)
	}

	// j and k are filter text once typing has begun, or after /.
	chooserKeys(p, "enter", "/", "j")
	if v := p.View(true, 60); !strings.Contains(v, "filter: j") || !strings.Contains(v, "no value matches") {
		t.Fatalf("/j did not filter:\n%s", v)
	}
	chooserKeys(p, "enter") // nothing to choose: stays open
	if !p.open || p.Value() != "UTL" {
		t.Fatalf("enter on no match: value %v, open %v", p.Value(), p.open)
	}
	chooserKeys(p, "backspace", "down", "down", "down", "enter")
	if p.Value() != "RET" {
		t.Fatalf("3 downs and enter after clearing the filter chose %v", p.Value())
	}
}

func TestChooserOfANonNillableFieldHasNoNone(t *testing.T) {
	f := remote.Field{Name: "StageName", Label: "Stage", Type: "picklist", PicklistValues: []remote.PicklistValue{
		{Value: "Prospecting", Active: true}, {Value: "Closed Won", Active: true}}}
	p := newPicklistField(f, nil)
	chooserKeys(p, "enter")
	if v := listed(p); v != "▸ Prospecting\n  Closed Won" {
		t.Fatalf("chooser of a required picklist:\n%s", v)
	}
	chooserKeys(p, "enter")
	if p.Value() != "Prospecting" {
		t.Fatalf("enter chose %v", p.Value())
	}
}

func TestChooserScrollsALongListInItsRows(t *testing.T) {
	f := remote.Field{Name: "Code", Label: "Code", Type: "picklist"}
	for i := 0; i < 200; i++ {
		f.PicklistValues = append(f.PicklistValues, remote.PicklistValue{Value: sprintf("Value %03d", i), Active: true})
	}
	p := newPicklistField(f, "Value 150")
	p.setRows(6)
	chooserKeys(p, "enter")
	lines := strings.Split(p.View(true, 60), "\n")
	if len(lines) != 2+6 || !strings.Contains(p.View(true, 60), "▸ Value 150 (current)") || !strings.Contains(lines[1], "151 of 200") {
		t.Fatalf("chooser on a long list:\n%s", strings.Join(lines, "\n"))
	}
	for i := 0; i < 10; i++ {
		chooserKeys(p, "down")
	}
	if v := listed(p); !strings.Contains(v, "▸ Value 160") || strings.Contains(v, "Value 150") {
		t.Fatalf("after 10 downs:\n%s", v)
	}
	p.scroll(-3) // the mouse wheel's way
	chooserKeys(p, "pgup")
	if v := p.View(true, 60); !strings.Contains(v, "▸ Value 151") {
		t.Fatalf("after wheel up 3 and pgup:\n%s", v)
	}
	chooserKeys(p, "enter")
	if p.Value() != "Value 151" {
		t.Fatalf("chose %v", p.Value())
	}
}

func TestPicklistHostileLabelsAndValuesAreSanitised(t *testing.T) {
	payloads := []string{
		"\x1b]52;c;aGVsbG8=\x07Clip", "\x1b[2JWipe", "\x1b[6nAsk", "\x1b]0;unterminated", "Car\rriage", "Back\bspace",
		"Nul\x00l", "Bell\x07", "C1\u009bx", "Bidi\u202eevil", strings.Repeat("Huge", 50000),
	}
	f := remote.Field{Name: "Evil", Label: "Evil\x1b[31m", Type: "picklist", Nillable: true}
	for _, s := range payloads {
		f.PicklistValues = append(f.PicklistValues, remote.PicklistValue{Value: s, Label: s, Active: true, ValidFor: s})
	}
	p := newPicklistField(f, "\x1b[2JStale value from the org")
	p.dependOn(remote.Field{Name: "Ctl", Label: "Ctl\x1b[2J", Type: "picklist",
		PicklistValues: []remote.PicklistValue{{Value: "A\x1b[6n", Active: true}}}, "A\x1b[6n")
	p.setRows(20)
	views := []string{p.View(false, 80), p.View(true, 80), p.problem()}
	chooserKeys(p, "enter")
	views = append(views, p.View(true, 80))
	chooserKeys(p, "\x1b[2J")
	views = append(views, p.View(true, 80))
	for _, v := range views {
		for _, bad := range []string{"\x1b", "\r", "\b", "\x00", "\x07", "\u009b", "\u202e"} {
			if strings.Contains(v, bad) {
				t.Fatalf("view holds %q:\n%q", bad, v)
			}
		}
		for _, l := range strings.Split(v, "\n") {
			if lipgloss.Width(l) > 80 {
				t.Fatalf("line of %d cells", lipgloss.Width(l))
			}
		}
	}
}

// caseFormOffline opens the New Case form offline on the real engine and mock org.
func caseFormOffline(s *story) {
	s.t.Helper()
	s.goOffline()
	for i := 0; i < caseMenuDowns; i++ {
		s.press("down")
	}
	s.press("enter")
	s.wait("Cases", "records")
	s.press("n")
	s.wait("New Case: record type", "▸ Support")
	s.press("enter")
	s.wait("New Case", "Record Type", "Support", "▸ Subject")
}

func (s *story) refuse(unwanted ...string) {
	s.t.Helper()
	v := s.view()
	for _, u := range unwanted {
		if strings.Contains(v, u) {
			s.t.Fatalf("screen shows %q:\n%s", u, v)
		}
	}
}

func TestPicklistChooserGoldenAt80x24(t *testing.T) {
	w := newWorld(t)
	s := newStorySized(t, w, 80, 24)
	caseFormOffline(s)
	s.focusField("▸ Case Type")
	s.press("enter")
	s.golden("chooser_open", "filter:", "▸ --None-- (current)", "Structural", "enter choose")
	s.press("el")
	s.golden("chooser_filtered", "filter: el", "▸ Electrical", "Electronic")
	s.refuse("Mechanical", "Structural")
	s.press("enter")
	s.wait("◂ Electrical ▸")
	s.focusField("▸ Case Reason")
	s.press("space")
	s.golden("dependent_chooser", "▸ --None-- (current)", "Performance", "Breakdown")
	s.refuse("Feedback", "Equipment Complexity", "Equipment Design")
	s.press("perf", "enter")
	s.wait("◂ Performance ▸")
	s.press("shift+tab", "left") // Mechanical does not allow Performance
	s.golden("reason_cleared", "◂ Mechanical ▸", "▲ Case Reason", `"Performance" was cleared`, `"Mechanical"`)
}

func TestStoryNewCaseReasonFollowsItsTypeAndSyncsGreen(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := newStory(t, w)
	caseFormOffline(s)
	s.press("Pump seized")
	s.focusField("▸ Case Reason")
	s.wait("choose Case Type first")

	s.focusField("▸ Case Type")
	s.press("enter", "mech")
	s.wait("filter: mech", "▸ Mechanical")
	s.press("enter")
	s.wait("◂ Mechanical ▸")

	s.focusField("▸ Case Reason")
	s.press("enter")
	s.wait("▸ --None-- (current)", "Installation", "Breakdown", "Equipment Design", "Other")
	s.refuse("Performance", "Feedback", "Equipment Complexity")
	s.press("design", "enter")
	s.wait("◂ Equipment Design ▸")

	// Electrical does not allow Equipment Design: the reason is cleared and the form says so.
	s.focusField("▸ Case Type")
	s.press("enter", "electri")
	s.wait("▸ Electrical")
	s.press("enter")
	s.wait("◂ Electrical ▸", "▲ Case Reason", `"Equipment Design" was cleared: not valid for Case Type "Electrical"`)
	s.press("tab") // Case Reason, focused (▸) and flagged (▲)
	s.wait("▸ ▲ Case Reason            ◂ --None-- ▸")
	s.press("enter")
	v := s.wait("Installation", "Performance", "Breakdown", "Other")
	s.refuse("Feedback", "Equipment Complexity")
	if n := strings.Count(v, "Equipment Design"); n != 1 { // only in the note
		t.Fatalf("Equipment Design shown %d times under Electrical:\n%s", n, v)
	}
	s.press("perf", "enter")
	s.wait("◂ Performance ▸")
	s.refuse("was cleared")

	s.press("ctrl+s")
	s.wait("1 pending")
	s.press("o")
	s.wait(" ONLINE ", "0 pending")
	s.refuse("need attention", "Sync needs your attention")
	cases, err := w.eng.List(ctx, pending.ListQuery{Object: "Case", Where: map[string]string{"Subject": "Pump seized"}, Limit: 5})
	if err != nil || len(cases.Rows) != 1 || !strings.HasPrefix(cases.Rows[0].ID, "500") {
		t.Fatalf("case after sync: %+v %v", cases.Rows, err)
	}
	c, err := w.admin.Retrieve(ctx, "Case", cases.Rows[0].ID, []string{"Type", "Reason"})
	if err != nil || c.Fields["Type"] != "Electrical" || c.Fields["Reason"] != "Performance" {
		t.Fatalf("org's case %+v (%v)", c.Fields, err)
	}
	if n, attention, _ := w.eng.Counts(ctx); n != 0 || attention != 0 {
		t.Fatalf("%d entries (%d need attention) after sync", n, attention)
	}
}

func TestFormWheelScrollsAnOpenChooser(t *testing.T) {
	w := newWorld(t)
	s := newStory(t, w)
	caseFormOffline(s)
	s.focusField("▸ Case Type")
	s.press("enter")
	s.wait("▸ --None-- (current)")
	s.tm.Send(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	s.tm.Send(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	s.wait("▸ Electrical", "3 of 6")
	s.press("enter")
	s.wait("◂ Electrical ▸")
}

// fakeWithDependent is the fake org whose Accounts have a long Industry picklist and a
// Segment picklist controlled by it; the first account holds a segment its industry forbids.
func fakeWithDependent(t *testing.T) *fakeBackend {
	t.Helper()
	f := seededFake(3)
	d := *f.desc["Account"]
	d.Fields = append([]remote.Field(nil), d.Fields...)
	for i := range d.Fields {
		if d.Fields[i].Name != "Industry" {
			continue
		}
		for n := 0; n < 57; n++ {
			d.Fields[i].PicklistValues = append(d.Fields[i].PicklistValues, remote.PicklistValue{Value: sprintf("Industry %02d", n), Active: true})
		}
	}
	// Banking is Industry's index 0, Energy 1, Retail 2.
	d.Fields = append(d.Fields, remote.Field{Name: "Segment__c", Label: "Segment", Type: "picklist", Createable: true, Updateable: true,
		Nillable: true, DependentPicklist: true, ControllerName: "Industry", PicklistValues: []remote.PicklistValue{
			{Value: "Retail Banking", Active: true, ValidFor: "gAAA"},
			{Value: "Grid", Active: true, ValidFor: "QAAA"},
			{Value: "Stores", Active: true, ValidFor: "IAAA"},
		}})
	f.desc["Account"] = &d
	for _, r := range f.records["Account"] {
		if r["Id"] == "001000000000000000" {
			r["Segment__c"] = "Grid" // valid for Energy only, the record is Banking
		}
	}
	return f
}

func TestEditFormFlagsAnInvalidRecordValueAndClearsItWhenTheControllerChanges(t *testing.T) {
	f := fakeWithDependent(t)
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account", "▲ Segment", "Grid", `"Grid" is not valid for Industry "Banking"`)
	d.keys("tab") // Industry
	d.requireView("▸ Industry", "◂ Banking ▸")
	d.keys("right") // Energy: Grid becomes valid
	d.requireView("◂ Energy ▸", "  Segment")
	d.refuseView("not valid for", "was cleared")
	d.keys("right") // Retail: Grid is cleared
	d.requireView("◂ Retail ▸", "▲ Segment", `"Grid" was cleared: not valid for Industry "Retail"`)
	d.keys("tab", "tab", "tab", "tab") // Segment
	d.requireView("◂ --None-- ▸")
	d.keys("enter")
	d.requireView("▸ --None-- (current)", "Stores")
	d.refuseView("Retail Banking")
	d.keys("down", "enter", "ctrl+s")
	d.requireView("Account saved")
	es, _ := f.Entries(t.Context())
	if len(es) != 1 || es[0].Changes["Industry"] != "Retail" || es[0].Changes["Segment__c"] != "Stores" {
		t.Fatalf("saved %+v", es)
	}
}

func TestOpenChooserFitsEveryTerminal(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {60, 16}} {
		t.Run(sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			d := newDriver(t, fakeWithDependent(t), sz[0], sz[1])
			d.keys("enter", "enter", "e", "tab", "enter")
			for step, keys := range [][]string{{}, {"pgdown"}, {"pgdown", "pgdown", "pgdown", "pgdown", "pgdown", "pgdown"}, {"esc", "tab", "tab", "tab", "tab", "enter"}} {
				d.keys(keys...)
				v := d.view()
				lines := strings.Split(v, "\n")
				if len(lines) != sz[1] {
					t.Fatalf("step %d: %d lines, want %d:\n%s", step, len(lines), sz[1], v)
				}
				for _, l := range lines {
					if w := lipgloss.Width(l); w > sz[0] {
						t.Fatalf("step %d: line of %d cells in %d:\n%s", step, w, sz[0], v)
					}
				}
				if !strings.Contains(v, "filter:") || !strings.Contains(v, "▸ ") {
					t.Fatalf("step %d: the chooser or its cursor is off screen:\n%s", step, v)
				}
			}
		})
	}
}

func TestBackstageEditFormNarrowsADependentPicklistToo(t *testing.T) {
	typ := typeField
	f := &bsForm{kind: bsFormEdit, rows: []bsRow{
		{name: typ.Name, def: typ, input: newPicklistField(typ, "Mechanical")},
		{name: "Reason", def: reasonField(), input: newPicklistField(reasonField(), "Installation")},
	}}
	f.linkDependents([]remote.Field{typ, reasonField()}, remote.Fields{"Type": "Mechanical", "Reason": "Installation"})
	reason := f.rows[1].input.(*picklistField)
	if got := strings.Join(choiceValues(reason), ","); got != "--None--,Installation,Breakdown,Mystery,Other reason" {
		t.Fatalf("as Mechanical, Reason offers %s", got)
	}
	// Type becomes Other: Installation is not valid for it and goes.
	f.rows[0].input = newPicklistField(typ, "Other")
	f.controllerChanged(0, 0)
	if reason.Value() != nil {
		t.Fatalf("Reason kept %v though Other does not allow it", reason.Value())
	}
	if got := strings.Join(choiceValues(reason), ","); got != "--None--,Feedback,Mystery,Other reason" {
		t.Fatalf("as Other, Reason offers %s", got)
	}
}
