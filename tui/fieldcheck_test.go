package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
)

func TestAPhoneTakesAnyTextUpToItsLength(t *testing.T) {
	phone := remote.Field{Name: "Phone", Label: "Phone", Type: "phone", Length: 40, Nillable: true}
	for _, v := range []string{"555-MINE", "1-800-FLOWERS", "+44 20 7946 0958 ext. 12", "ask the front desk"} {
		in := newFieldInput(newFakeCommon(t), phone, v, "")
		if err := in.Check(); err != nil {
			t.Errorf("%q refused: %v", v, err)
		}
		if in.Value() != v {
			t.Errorf("%q given back as %v", v, in.Value())
		}
	}
}

// newFakeCommon is the shared state of an app on a fake backend.
func newFakeCommon(t *testing.T) *common {
	t.Helper()
	return New(Options{Backend: newFakeBackend()}).c
}

// untouchedFake has an account whose values the form would refuse if they were typed.
func untouchedFake() *fakeBackend {
	f := newFakeBackend()
	f.quiet = true
	f.add("Account", remote.Fields{"Id": "001000000000000001", "Name": "Flowers " + strings.Repeat("x", 300), "Phone": "1-800-FLOWERS"})
	f.sortAll()
	return f
}

func TestAFormSavesAroundValuesTheUserDidNotChange(t *testing.T) {
	f := untouchedFake()
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account")
	focusField(t, d, "Industry")
	d.keys("right", "ctrl+s")
	if got := f.records["Account"][0]["Industry"]; got != "Banking" {
		t.Fatalf("Industry saved as %v; the form says:\n%s", got, d.view())
	}
	if got := f.records["Account"][0]["Phone"]; got != "1-800-FLOWERS" {
		t.Fatalf("Phone became %v", got)
	}
}

func TestAFormStillChecksTheFieldsTheUserEdited(t *testing.T) {
	f := untouchedFake()
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account")
	focusField(t, d, "Phone")
	d.keys("end", strings.Repeat("9", 30), "ctrl+s")
	d.requireView("1 field needs a fix", "at most 40 characters")
	if got := f.records["Account"][0]["Phone"]; got != "1-800-FLOWERS" {
		t.Fatalf("an overlong phone was saved: %v", got)
	}
}

func TestBackstageRunsAnEditAroundValuesItDidNotChange(t *testing.T) {
	f := seededFake(1)
	bs := newBackstage(New(Options{Backend: f}).c, nil)
	bs.SetSize(100, 30)
	email := remote.Field{Name: "Email", Label: "Email", Type: "email", Nillable: true}
	name := remote.Field{Name: "Name", Label: "Name", Type: "string"}
	rows := []bsRow{
		{label: "Name", name: "Name", def: name, input: newFieldInput(bs.c, name, "Acme", "")},
		{label: "Email", name: "Email", def: email, input: newFieldInput(bs.c, email, "front desk", "")},
	}
	for i := range rows {
		rows[i].initial = rows[i].input.Value()
	}
	bs.form = &bsForm{kind: bsFormEdit, rows: rows}
	bs.form.rows[0].input, _ = bs.form.rows[0].input.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("X")})
	st, err := bs.formStep()
	if err != nil {
		t.Fatalf("the edit is refused for a value it did not change: %v", err)
	}
	if len(st.Fields) != 1 || st.Fields["Name"] != "AcmeX" {
		t.Fatalf("the edit sends %v", st.Fields)
	}
}
