package tui

import (
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

func TestADateThatDoesNotExistSaysWhichDayOrMonthIsMissing(t *testing.T) {
	cases := []struct{ in, want string }{
		{"2027-02-31", "February 2027 has no day 31: it has 28 days"},
		{"2028-02-30", "February 2028 has no day 30: it has 29 days"},
		{"2027-04-31", "April 2027 has no day 31: it has 30 days"},
		{"2027-01-00", "January 2027 has no day 0: it has 31 days"},
		{"2027-13-01", "there is no month 13: months go from 01 to 12"},
		{"2027-00-10", "there is no month 00: months go from 01 to 12"},
		{"next week", "enter a date as YYYY-MM-DD"},
		{"2027-2-3", "enter a date as YYYY-MM-DD"},
	}
	birth := remote.Field{Name: "Birthdate", Type: "date", Nillable: true}
	for _, c := range cases {
		in := newFieldInput(newFakeCommon(t), birth, c.in, "")
		err := in.Check()
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: %v, want %q", c.in, err, c.want)
		}
	}
	if err := newFieldInput(newFakeCommon(t), birth, "2028-02-29", "").Check(); err != nil {
		t.Errorf("a leap day refused: %v", err)
	}
}

func TestAConflictsTypedDateSaysADayDoesNotExist(t *testing.T) {
	d, _ := conflictOn(t, "Contact", "003000000000000001", "Birthdate", "1990-01-01", "1990-01-01", "1990-01-01")
	d.keys("v", "2027-02-31", "enter")
	d.requireView("February 2027 has no day 31")
}
