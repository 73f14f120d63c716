package tui

import (
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
)

// The rule form's Field takes the label the screens show or the API name, in any case; a name
// the object does not have, or a field a rule of the kind cannot check, is refused before
// anything is sent, with the fields it takes; a rule without a message gets one naming fields
// by label. The app's describes are left empty, as on a first run before the cache is primed.
func TestARuleFieldIsNamedByLabelOrAPINameAndAnUnknownOneIsRefusedBeforeSending(t *testing.T) {
	tests := []struct {
		name         string
		kind         int // how many → from the first kind
		field, value string
		other        string
		wantField    string
		wantOther    string
		wantMessage  string
		wantRefusal  []string
	}{
		{name: "label in another case", kind: 1, field: "account phone", wantField: "Phone", wantMessage: "Account Phone is required."},
		{name: "API name in another case", kind: 0, field: "ANNUALREVENUE", value: "10", wantField: "AnnualRevenue", wantMessage: "Annual Revenue must be at least 10."},
		{name: "require_if names both fields by label", kind: 2, field: "description", other: "Industry", value: "Energy", wantField: "Description",
			wantOther: "Industry", wantMessage: "Description is required when Industry is Energy."},
		{name: "unknown name", kind: 1, field: "Nope", wantRefusal: []string{`Field: Account has no field "Nope"; it takes Account Name, Industry, Account Phone, Annual Revenue, Description`}},
		{name: "not a number for min", kind: 0, field: "Account Phone", value: "1", wantRefusal: []string{"Field: Account Phone is not a number; a min rule takes Annual Revenue"}},
		{name: "a field the org keeps", kind: 1, field: "Account ID", wantRefusal: []string{"Field: Account ID is kept by the org"}},
		{name: "the app's own field", kind: 1, field: "offline_key__c", wantRefusal: []string{"Field: Offline Key is the app's own field"}},
		{name: "unknown other field", kind: 2, field: "Description", other: "Stage", value: "x", wantRefusal: []string{`Other field: Account has no field "Stage"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := seededFake(1)
			d := *fake.desc["Account"]
			d.Fields = append(slices.Clone(d.Fields), remote.Field{Name: "Offline_Key__c", Label: "Offline Key", Type: "string", Length: 36, Createable: true, Updateable: true, ExternalID: true, Unique: true})
			fake.desc["Account"] = &d
			app := New(Options{Backend: fake})
			fb := &fakeBackstage{kinds: []string{"min", "required", "require_if"}}
			bs := newBackstage(app.c, fb)
			bs.SetSize(200, 40)
			bs, _ = bs.open("Account", "001000000000000000", "Acme 000000")
			bs, cmd := bs.loadRuleForm()
			for _, m := range collect(cmd) {
				bs, _ = bs.Update(m)
			}
			if bs.form == nil {
				t.Fatal("no rule form")
			}
			key := func(k tea.KeyMsg) {
				var cmd tea.Cmd
				bs, cmd = bs.Update(k)
				for _, m := range collect(cmd) {
					bs, _ = bs.Update(m)
				}
			}
			text := func(s string) {
				if s != "" {
					key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)})
				}
			}
			key(tea.KeyMsg{Type: tea.KeyTab}) // Kind
			for range tc.kind {
				key(tea.KeyMsg{Type: tea.KeyRight})
			}
			key(tea.KeyMsg{Type: tea.KeyTab})
			text(tc.field)
			key(tea.KeyMsg{Type: tea.KeyTab})
			text(tc.value)
			key(tea.KeyMsg{Type: tea.KeyTab})
			text(tc.other)
			key(tea.KeyMsg{Type: tea.KeyCtrlS})
			if tc.wantRefusal != nil {
				if len(fb.steps) != 0 {
					t.Fatalf("sent %+v; want nothing sent", fb.steps)
				}
				v := strings.Join(strings.Fields(bs.View()), " ")
				for _, want := range tc.wantRefusal {
					if !strings.Contains(v, want) {
						t.Fatalf("the form does not say %q:\n%s", want, bs.View())
					}
				}
				return
			}
			if len(fb.steps) != 1 || fb.steps[0].Rule == nil {
				t.Fatalf("steps %+v; want one rule (form says %q)", fb.steps, bs.View())
			}
			r := fb.steps[0].Rule
			if r.Field != tc.wantField || r.OtherField != tc.wantOther || r.Message != tc.wantMessage {
				t.Fatalf("rule %+v; want field %q, other %q, message %q", r, tc.wantField, tc.wantOther, tc.wantMessage)
			}
		})
	}
}
