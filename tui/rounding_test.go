package tui

import (
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

func TestANumberTypedRoundsHalfAwayFromZeroOnTheDigitsTyped(t *testing.T) {
	cases := []struct {
		in    float64
		scale int
		want  float64
	}{
		{1234.567, 2, 1234.57},
		{1234.564, 2, 1234.56},
		{1.005, 2, 1.01}, // 100.49999… as a double times 100
		{-1.005, 2, -1.01},
		{0.125, 2, 0.13},
		{9.995, 2, 10},
		{-9.995, 2, -10},
		{2.5, 0, 3},
		{-2.5, 0, -3},
		{1234.5, 2, 1234.5},
		{-0.001, 2, 0},
		{1e-7, 2, 0},
		{123456789012.345, 2, 123456789012.35},
	}
	for _, c := range cases {
		n := newNumberField(remote.Field{Name: "Amount", Type: "currency", Precision: 18, Scale: c.scale, Nillable: true}, nil)
		typed := strconv.FormatFloat(c.in, 'f', -1, 64)
		n.in.SetValue(typed)
		if got := n.Value(); got != c.want {
			t.Errorf("%s typed with %d decimals is %v, want %v", typed, c.scale, got, c.want)
		}
	}
}

func TestANumberFieldLeavesTheOrgsValueAsItCameAndRoundsWhatIsTyped(t *testing.T) {
	amount := remote.Field{Name: "Amount", Type: "currency", Precision: 18, Scale: 2, Nillable: true}
	n := newNumberField(amount, 99.999)
	if v := n.Value(); v != 99.999 {
		t.Fatalf("the org's value untouched became %v", v)
	}
	n.in.SetValue("1234.567")
	if v := n.Value(); v != 1234.57 {
		t.Fatalf("typed 1234.567 gives %v", v)
	}
	n.in.SetValue("NaN")
	if n.Check() == nil {
		t.Fatal("NaN taken as a number")
	}
	// Without a precision the describe gives no scale: nothing is rounded.
	n = newNumberField(remote.Field{Name: "X", Type: "double"}, nil)
	n.in.SetValue("1.23456")
	if v := n.Value(); v != 1.23456 {
		t.Fatalf("a field without a scale rounded to %v", v)
	}
}

// scaledFake has an account whose Annual Revenue keeps two decimals.
func scaledFake() *fakeBackend {
	f := seededFake(1)
	for i, fd := range f.desc["Account"].Fields {
		if fd.Name == "AnnualRevenue" {
			f.desc["Account"].Fields[i].Precision, f.desc["Account"].Fields[i].Scale = 18, 2
		}
	}
	return f
}

func TestTheFormSavesATypedNumberRoundedToTheFieldsScaleAndShowsIt(t *testing.T) {
	f := scaledFake()
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account")
	focusField(t, d, "Annual Revenue")
	d.keys("1234.567")
	// A phone too long keeps the form open: the amount shows as it will be saved.
	focusField(t, d, "Account Phone")
	d.keys(strings.Repeat("9", 40), "ctrl+s")
	d.requireView("1 field needs a fix")
	if !strings.Contains(d.view(), "1234.57") || strings.Contains(d.view(), "1234.567") {
		t.Fatalf("after ctrl+s the amount is not shown rounded:\n%s", d.view())
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlU})
	d.keys("555-0100", "ctrl+s")
	if got := f.records["Account"][0]["AnnualRevenue"]; got != 1234.57 {
		t.Fatalf("saved %v, want 1234.57", got)
	}
}

func TestAConflictsTypedNumberIsRoundedToTheFieldsScale(t *testing.T) {
	f := scaledFake()
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"AnnualRevenue": 5.0},
		Conflicts: []pending.Conflict{{Field: "AnnualRevenue", Base: 1.0, Theirs: 2.0, Mine: 5.0}}})
	d := newDriver(t, f, 100, 30)
	d.send(openConflictMsg{entryID: "e1"})
	d.keys("v", "1234.567", "enter")
	if got := d.model().conflict.choices[0]; got.Take != pending.TakeValue || got.Value != 1234.57 {
		t.Fatalf("the typed value is taken as %+v", got)
	}
}

// Spaces around a value are no edit: the org's value is kept as it came. A number is rounded on
// the digits typed, and only what a person types is a number.
func TestANumberFieldRoundsTheTypedDigitsAndTakesOnlyPlainNumbers(t *testing.T) {
	amount := remote.Field{Name: "Amount", Type: "currency", Precision: 18, Scale: 2, Nillable: true}
	n := newNumberField(amount, 99.999)
	n.in.SetValue(n.in.Value() + " ")
	if v := n.Value(); v != 99.999 {
		t.Errorf("a space after the org's value made it %v", v)
	}
	for typed, want := range map[string]any{
		"1.00499999999999999": 1.0,
		"+2.345":              2.35,
		"1,234.565":           1234.57,
		".005":                0.01,
		"-0.004":              0.0,
		"1e3":                 1000.0,
	} {
		n.in.SetValue(typed)
		if got := n.Value(); got != want {
			t.Errorf("typed %q gives %v, want %v", typed, got, want)
		}
	}
	for _, typed := range []string{"0x1p-2", "1_000.5", "Inf", "1.2.3", "12abc"} {
		n.in.SetValue(typed)
		if n.Check() == nil {
			t.Errorf("%q taken as a number (%v)", typed, n.Value())
		}
	}
}

func TestTheBackstageEditFormSaysWhenItRoundsATypedNumber(t *testing.T) {
	fb := &fakeBackstage{}
	d := newDriverWith(t, Options{Backend: scaledFake(), Backstage: fb}, 120, 30)
	d.keys("enter", "enter", "B")
	d.requireView("SIMULATION")
	d.keys("enter") // Edit fields of this record as sam
	d.requireView("Edit ", "Annual Revenue")
	bs := func() *bsForm { return d.model().bstage.form }
	for i := 0; i < 20 && bs().rows[bs().focus].name != "AnnualRevenue"; i++ {
		d.keys("tab")
	}
	d.keys("1234.567", "ctrl+s")
	if len(fb.steps) != 1 || fb.steps[0].Fields["AnnualRevenue"] != 1234.57 {
		t.Fatalf("sent %+v, want Annual Revenue 1234.57", fb.steps)
	}
	if v := flat(d.view()); !strings.Contains(v, "Annual Revenue rounded to 1,234.57: the field keeps 2 decimals.") {
		t.Fatalf("the backstage does not say it rounded the typed number:\n%s", d.view())
	}
}
