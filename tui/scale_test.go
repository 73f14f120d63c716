package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

func TestNumbersShowWithTheFieldsScale(t *testing.T) {
	cases := []struct {
		name string
		f    remote.Field
		v    float64
		want string
	}{
		{"currency of scale 0", remote.Field{Type: "currency", Precision: 18, Scale: 0}, 100, "100"},
		{"currency of scale 0, thousands grouped", remote.Field{Type: "currency", Precision: 18, Scale: 0}, 18800000, "18,800,000"},
		{"currency of scale 0 holding decimals sent through the API", remote.Field{Type: "currency", Precision: 18, Scale: 0}, 4500.5, "4,501"},
		{"currency of scale 2", remote.Field{Type: "currency", Precision: 18, Scale: 2}, 1234.5, "1,234.50"},
		{"currency of scale 2, half away from zero", remote.Field{Type: "currency", Precision: 18, Scale: 2}, -1.005, "-1.01"},
		{"a negative that rounds to zero has no sign", remote.Field{Type: "currency", Precision: 18, Scale: 2}, -0.001, "0.00"},
		{"currency without precision: two decimals, as before", remote.Field{Type: "currency"}, 100, "100.00"},
		{"double of scale 1", remote.Field{Type: "double", Precision: 3, Scale: 1}, 4, "4.0"},
		{"double of scale 1 rounds", remote.Field{Type: "double", Precision: 3, Scale: 1}, 4.25, "4.3"},
		{"percent of scale 0", remote.Field{Type: "percent", Precision: 3, Scale: 0}, 12.5, "13"},
		{"double without precision: as it is", remote.Field{Type: "double"}, 1.23456, "1.23456"},
		{"int", remote.Field{Type: "int", Precision: 8}, 892, "892"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := displayFieldIn(c.f, c.v, time.UTC, time.Now()); got != c.want {
				t.Fatalf("shown %q, want %q", got, c.want)
			}
		})
	}
}

// The record page shows a currency of scale 0 without decimals.
func TestTheRecordPageShowsACurrencyOfScaleZeroWithoutDecimals(t *testing.T) {
	f := seededFake(1)
	for i, fd := range f.desc["Account"].Fields {
		if fd.Name == "AnnualRevenue" {
			f.desc["Account"].Fields[i].Precision, f.desc["Account"].Fields[i].Scale = 18, 0
		}
	}
	f.records["Account"][0]["AnnualRevenue"] = 18800000.0
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter")
	d.requireView("18,800,000")
	d.refuseView("18,800,000.00")
}

// Saving a typed number the field's scale rounds says so in the note, with the value saved.
func TestSavingSaysWhichTypedNumberWasRounded(t *testing.T) {
	cases := []struct {
		scale       int
		typed, want string
	}{
		{0, "100.4", "Annual Revenue rounded to 100: the field keeps no decimals"},
		{2, "1234.567", "Annual Revenue rounded to 1,234.57: the field keeps 2 decimals"},
		{1, "0.25", "Annual Revenue rounded to 0.3: the field keeps 1 decimal"},
	}
	for _, c := range cases {
		t.Run(c.typed, func(t *testing.T) {
			saveAnnualRevenue(t, 18, c.scale, c.typed).requireView("Account saved. " + c.want + ".")
		})
	}
	// A number typed with no more decimals than the field keeps is saved without a word, also
	// with a trailing zero or a thousands comma (written another way, not rounded).
	for _, typed := range []string{"1234.5", "90000.50", "1,000", "1,234.50"} {
		f := scaledFake()
		d := newDriver(t, f, 200, 30)
		d.keys("enter", "enter", "e")
		focusField(t, d, "Annual Revenue")
		d.keys(typed, "ctrl+s")
		d.requireView("Account saved.")
		if strings.Contains(d.view(), "rounded") {
			t.Fatalf("%s, kept as typed, is said to be rounded:\n%s", typed, d.view())
		}
	}
}

// A number longer than the device keeps exactly is refused in the form with what it would be
// saved as, not saved as its neighbour; a long one the field's scale rounds to a short one is
// saved rounded.
func TestTheFormRefusesANumberTheDeviceWouldNotKeepExactly(t *testing.T) {
	cases := []struct {
		scale       int
		typed, says string
	}{
		{0, "123456789012345678", "has more significant digits than the device keeps (15 to 17): it would be saved as 123456789012345680"},
		{2, "1234567890123456.78", "has more significant digits than the device keeps"},
		{-1, "9007199254740993", "it would be saved as 9007199254740992"},
		{2, "1.00499999999999999", "Account saved. Annual Revenue rounded to 1.00"},
	}
	for _, c := range cases {
		t.Run(c.typed, func(t *testing.T) {
			precision := 18
			if c.scale < 0 {
				precision, c.scale = 0, 0 // a describe that gives no precision
			}
			saveAnnualRevenue(t, precision, c.scale, c.typed).requireView(c.says)
		})
	}
}

// saveAnnualRevenue types a value in Annual Revenue, of the precision and scale given, on the
// first account's edit form, and saves.
func saveAnnualRevenue(t *testing.T, precision, scale int, typed string) *driver {
	t.Helper()
	f := seededFake(1)
	for i, fd := range f.desc["Account"].Fields {
		if fd.Name == "AnnualRevenue" {
			f.desc["Account"].Fields[i].Precision, f.desc["Account"].Fields[i].Scale = precision, scale
		}
	}
	d := newDriver(t, f, 200, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account")
	focusField(t, d, "Annual Revenue")
	d.keys(typed, "ctrl+s")
	return d
}

// A number with more digits before the point than the field keeps is refused in the form, as the
// commands refuse it (the org would lock the record orange); a whole number too big for 64 bits
// is not called "not whole".
func TestTheFormRefusesANumberWiderThanTheField(t *testing.T) {
	for _, typed := range []string{"1e20", "10000000000000000000", "123456789"} {
		f := seededFake(1)
		for i, fd := range f.desc["Account"].Fields {
			if fd.Name == "AnnualRevenue" { // as an employee count: a whole number of 8 digits
				f.desc["Account"].Fields[i].Type, f.desc["Account"].Fields[i].Precision, f.desc["Account"].Fields[i].Scale = "int", 8, 0
			}
		}
		d := newDriver(t, f, 200, 30)
		d.keys("enter", "enter", "e")
		d.requireView("Edit Account")
		focusField(t, d, "Annual Revenue")
		d.keys(typed, "ctrl+s")
		d.requireView("at most 8 digits before the decimal point")
		d.refuseView("enter a whole number")
	}
}
