package tui

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has

	tea "github.com/charmbracelet/bubbletea"
	"pgregory.net/rapid"

	"github.com/offline-edit/offline-edit/remote"
)

var meetingField = remote.Field{Name: "Next_Meeting__c", Label: "Next Meeting", Type: "datetime", Nillable: true, Updateable: true, Createable: true}

func newYork(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDateTimeShowsTheOrgsInstantInTheAppsZone(t *testing.T) {
	ny := newYork(t)
	tests := []struct {
		raw  any
		loc  *time.Location
		want string
	}{
		{"2026-01-05T14:00:00.000+0000", ny, "2026-01-05 09:00"},
		{"2026-07-01T13:30:00.000+0000", ny, "2026-07-01 09:30"}, // summer time
		{"2026-01-05T14:00:00Z", ny, "2026-01-05 09:00"},
		{"2026-01-05T14:00:00.000+0000", time.UTC, "2026-01-05 14:00"},
		{"2026-01-05T14:00:00.000+0000", nil, "2026-01-05 14:00"}, // the local zone (UTC in the tests)
		{nil, ny, ""},
		{"not a time", ny, "not a time"},
	}
	for _, tc := range tests {
		d := newDateTimeField(meetingField, tc.raw, tc.loc)
		if got := d.in.Value(); got != tc.want {
			t.Errorf("%v in %v shows %q, want %q", tc.raw, tc.loc, got, tc.want)
		}
		if got := d.Value(); got != tc.raw {
			t.Errorf("%v unchanged gives %#v, want it as it came", tc.raw, got)
		}
		if err := d.Check(); err != nil {
			t.Errorf("%v unchanged: Check() = %v", tc.raw, err)
		}
	}
}

func TestDateTimeLeftAsItCameKeepsItsSeconds(t *testing.T) {
	d := newDateTimeField(meetingField, "2026-01-05T14:00:30.250+0000", newYork(t))
	pressKeys(d, "left", "right") // moved about, not changed
	if got := d.Value(); got != "2026-01-05T14:00:30.250+0000" {
		t.Fatalf("Value() = %v", got)
	}
	pressKeys(d, "backspace", "0") // the same text typed again
	if got := d.Value(); got != "2026-01-05T14:00:30.250+0000" {
		t.Fatalf("retyped, Value() = %v", got)
	}
}

func TestDateTimeTypedInTheAppsZoneIsTheUTCWireForm(t *testing.T) {
	ny := newYork(t)
	tests := []struct {
		name, typed string
		want        any
	}{
		{"winter", "2026-01-05 09:00", "2026-01-05T14:00:00.000+0000"},
		{"summer", "2026-07-01 09:30", "2026-07-01T13:30:00.000+0000"},
		{"with seconds", "2026-01-05 09:00:15", "2026-01-05T14:00:15.000+0000"},
		{"with a T", "2026-01-05T09:00", "2026-01-05T14:00:00.000+0000"},
		{"with a T and seconds", "2026-01-05T09:00:15", "2026-01-05T14:00:15.000+0000"},
		{"spaces around", "  2026-01-05 09:00 ", "2026-01-05T14:00:00.000+0000"},
		{"pasted with its zone", "2026-01-05T09:00:00Z", "2026-01-05T09:00:00.000+0000"},
		{"pasted in the wire form", "2026-01-05T09:00:00.000+0100", "2026-01-05T08:00:00.000+0000"},
		{"the hour the clocks go back, first time", "2026-11-01 01:30", "2026-11-01T05:30:00.000+0000"},
		{"empty clears", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDateTimeField(meetingField, "2025-12-24T17:00:00.000+0000", ny)
			d.Update(tea.KeyMsg{Type: tea.KeyCtrlU})
			if tc.typed != "" {
				pressKeys(d, tc.typed)
			}
			if err := d.Check(); err != nil {
				t.Fatalf("Check() = %v", err)
			}
			if got := d.Value(); got != tc.want {
				t.Fatalf("Value() = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestDateTimeCheckSaysWhatIsWrong(t *testing.T) {
	ny := newYork(t)
	tests := []struct{ typed, want string }{
		{"2026-02-30 10:00", "2026-02-30 is not a day of the calendar"},
		{"2026-13-01 10:00", "2026-13-01 has no month 13"},
		{"2026-01-05 24:00", "24:00 is not a time of day: hours go from 00 to 23"},
		{"2026-01-05 10:60", "10:60 is not a time of day: minutes go from 00 to 59"},
		{"2026-01-05", "add the time: YYYY-MM-DD HH:MM, such as 2026-01-05 09:30"},
		{"next tuesday", "enter a date and time as YYYY-MM-DD HH:MM, such as 2026-01-05 09:30"},
		{"05/01/2026 09:00", "enter a date and time as YYYY-MM-DD HH:MM, such as 2026-01-05 09:30"},
		{"2026-1-5 9:00", "enter a date and time as YYYY-MM-DD HH:MM, such as 2026-01-05 09:30"},
		{"2026-03-08 02:30", "02:30 does not exist on 2026-03-08: the clocks go forward from EST to EDT then; enter a later time"},
	}
	for _, tc := range tests {
		t.Run(tc.typed, func(t *testing.T) {
			d := newDateTimeField(meetingField, nil, ny)
			pressKeys(d, tc.typed)
			err := d.Check()
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Check() = %v, want %q", err, tc.want)
			}
			if got := d.Value(); got != tc.typed {
				t.Fatalf("Value() = %#v: a bad text is given as typed, for the form to refuse", got)
			}
		})
	}
}

func TestDateTimeArrowsUpAndDownAreTheForms(t *testing.T) {
	d := newDateTimeField(meetingField, nil, time.UTC)
	for _, k := range []string{"up", "down", "enter", "tab"} {
		if d.Wants(keyMsgs(k)[0]) {
			t.Errorf("%s is taken: the form could not move on", k)
		}
	}
}

func TestDateTimeViewNamesTheZoneWhileFocused(t *testing.T) {
	ny := newYork(t)
	d := newDateTimeField(meetingField, "2026-01-05T14:00:00.000+0000", ny)
	d.SetWidth(30)
	_ = d.Focus()
	if got := d.View(true, 30); !strings.Contains(got, "2026-01-05 09:00") || !strings.HasSuffix(got, "  EST") {
		t.Errorf("focused view %q", got)
	}
	if got := d.View(false, 30); got != "2026-01-05 09:00" {
		t.Errorf("unfocused view %q", got)
	}
	d.Update(tea.KeyMsg{Type: tea.KeyCtrlU})
	pressKeys(d, "2026-07-01 09:30")
	if got := d.View(true, 30); !strings.HasSuffix(got, "  EDT") {
		t.Errorf("a summer time is typed in EDT: %q", got)
	}
	if got := newDateTimeField(meetingField, nil, time.FixedZone("", 5*3600+1800)).zoneName(); got != "UTC+05:30" {
		t.Errorf("a zone without a name is %q", got)
	}
	if got := newDateTimeField(meetingField, nil, time.UTC).zoneName(); got != "UTC" {
		t.Errorf("UTC is %q", got)
	}
	for _, w := range []int{8, 12, 30} {
		if got := d.View(true, w); cellWidth(got) > w {
			t.Errorf("view at %d cells is %d wide: %q", w, cellWidth(got), got)
		}
	}
}

func TestDateTimeShownThenTypedBackIsTheSameInstant(t *testing.T) {
	zones := []*time.Location{time.UTC, newYork(t)}
	for _, name := range []string{"Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		zones = append(zones, loc)
	}
	rapid.Check(t, func(t *rapid.T) {
		loc := rapid.SampledFrom(zones).Draw(t, "zone")
		minutes := rapid.Int64Range(0, 130*365*24*60).Draw(t, "minutes") // 1970 to 2100
		at := time.Unix(minutes*60, 0).UTC()
		shown := newDateTimeField(meetingField, remote.FormatTime(at), loc).in.Value()
		d := newDateTimeField(meetingField, nil, loc)
		pressKeys(d, shown)
		if err := d.Check(); err != nil {
			t.Fatalf("%s shown in %v does not check: %v", shown, loc, err)
		}
		got, err := remote.ParseTime(d.Value().(string))
		if err != nil {
			t.Fatal(err)
		}
		// Where the clocks go back, a wall time happens twice and reads as the first one.
		if !got.Equal(at) && !(got.Before(at) && at.Sub(got) <= time.Hour && got.In(loc).Format(dateTimeLayout) == shown) {
			t.Fatalf("%s shown in %v as %s typed back is %s", at, loc, shown, got)
		}
	})
}

// Spaces around a datetime are no edit (its seconds and milliseconds are kept), and a year the
// org does not take is refused as a typo.
func TestADatetimeKeepsItsValueForSpacesAndRefusesYearsTheOrgDoesNotTake(t *testing.T) {
	f := remote.Field{Name: "Next_Meeting__c", Type: "datetime", Nillable: true}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	d := newDateTimeField(f, "2026-01-05T14:00:30.250+0000", ny)
	d.in.SetValue(d.in.Value() + " ")
	if v := d.Value(); v != "2026-01-05T14:00:30.250+0000" {
		t.Errorf("a space made the value %v", v)
	}
	for _, typed := range []string{"9999-12-31 23:00", "0226-01-05 09:30", "1699-12-31 12:00"} {
		d.in.SetValue(typed)
		if err := d.Check(); err == nil || !strings.Contains(err.Error(), "year") {
			t.Errorf("%q: Check() = %v, want the year refused", typed, err)
		}
	}
	d.in.SetValue("2026-01-05 09:30")
	if err := d.Check(); err != nil {
		t.Errorf("a good datetime refused: %v", err)
	}
}
