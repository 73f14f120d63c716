package tui

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

var closeDate = remote.Field{Name: "CloseDate", Label: "Close Date", Type: "date"}

func TestADateOnlyValueShowsAsADayInEveryZone(t *testing.T) {
	now := time.Date(2026, 11, 28, 1, 7, 0, 0, time.UTC)
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"this year: month and day", "2026-11-04", "Nov 4"},
		{"the first day of the year", "2026-01-01", "Jan 1"},
		{"the last day of the year", "2026-12-31", "Dec 31"},
		{"another year: with the year", "2025-11-04", "Nov 4 2025"},
		{"next year: with the year", "2027-01-15", "Jan 15 2027"},
		{"a leap day", "2028-02-29", "Feb 29 2028"},
		{"a day that does not exist: as it is", "2026-02-31", "2026-02-31"},
		{"text that is not a date: as it is", "next week", "next week"},
		{"a moment in a date field: as it is", "2026-11-04T10:00:00.000+0000", "2026-11-04T10:00:00.000+0000"},
		{"empty", nil, ""},
	}
	for _, zone := range []string{"UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York", "Asia/Kolkata"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			t.Run(zone+"/"+c.name, func(t *testing.T) {
				if got := displayFieldIn(closeDate, c.v, loc, now); got != c.want {
					t.Fatalf("%v in %s shows %q, want %q", c.v, zone, got, c.want)
				}
			})
		}
	}
}

func TestADateOnlyValueGivesItsYearByTheYearWhereTheUserIs(t *testing.T) {
	// Dec 31 2026 at noon in London is already Jan 1 2027 on Kiritimati (UTC+14).
	now := time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC)
	kiritimati, err := time.LoadLocation("Pacific/Kiritimati")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		loc      *time.Location
		v, want  string
		whereNow string
	}{
		{time.UTC, "2026-12-31", "Dec 31", "2026"},
		{time.UTC, "2027-01-01", "Jan 1 2027", "2026"},
		{kiritimati, "2026-12-31", "Dec 31 2026", "2027"},
		{kiritimati, "2027-01-01", "Jan 1", "2027"},
	} {
		if got := displayFieldIn(closeDate, c.v, c.loc, now); got != c.want {
			t.Errorf("%s where it is %s: %q, want %q", c.v, c.whereNow, got, c.want)
		}
	}
}

// fakeWithDueDates is the fake org whose Tasks have a date-only Due Date (a list column) and
// whose contact has a birthdate; the fake's clock is in March 2024.
func fakeWithDueDates(t *testing.T) *fakeBackend {
	t.Helper()
	f := seededFake(3)
	d := *f.desc["Task"]
	d.Fields = append(append([]remote.Field(nil), d.Fields...),
		remote.Field{Name: "ActivityDate", Label: "Due Date Only", Type: "date", Createable: true, Updateable: true, Nillable: true})
	f.desc["Task"] = &d
	f.add("Task", remote.Fields{"Id": "00T000000000000001", "Subject": "Call Jo", "ActivityDate": "2024-03-05"})
	f.add("Task", remote.Fields{"Id": "00T000000000000002", "Subject": "Renew", "ActivityDate": "2025-01-15"})
	f.add("Task", remote.Fields{"Id": "00T000000000000003", "Subject": "Typo", "ActivityDate": "2024-02-30"})
	for _, r := range f.records["Contact"] {
		r["Birthdate"] = "1990-07-14"
	}
	f.sortAll()
	return f
}

func TestTheListShowsADateOnlyColumnAsADay(t *testing.T) {
	d := newDriver(t, fakeWithDueDates(t), 100, 30)
	d.keys("down", "down", "enter")
	d.requireView("Call Jo", "Mar 5", "Jan 15 2025", "2024-02-30")
	d.refuseView("2024-03-05", "2025-01-15")
}

func TestTheListShowsDaysOnceTheDescribesComeWithTheFirstSync(t *testing.T) {
	f := fakeWithDueDates(t)
	task := f.desc["Task"]
	delete(f.desc, "Task") // the first run: the describe is not on the device yet
	d := newDriver(t, f, 100, 30)
	d.keys("down", "down", "enter")
	d.requireView("Call Jo", "2024-03-05")
	f.desc["Task"] = task
	d.send(syncFinishedMsg{})
	d.requireView("Call Jo", "Mar 5", "Jan 15 2025")
	d.refuseView("2024-03-05")
}

func TestTheRecordPageShowsADateOnlyFieldAsADayAndItsEditorTheTypedForm(t *testing.T) {
	d := newDriver(t, fakeWithDueDates(t), 100, 30)
	d.keys("down", "enter", "enter")
	d.requireView("Jo Smith", "Birthdate", "Jul 14 1990")
	d.refuseView("1990-07-14")
	d.keys("e")
	d.requireView("Edit Contact", "1990-07-14")
}

func TestTheConflictScreenShowsBaseTheirsMineAndTheRestAsDays(t *testing.T) {
	f := fakeWithDueDates(t)
	f.setEntry(pending.Entry{ID: "e1", Object: "Contact", RecordID: "003000000000000001", Name: "Jo Smith",
		Op: pending.OpUpdate, Status: pending.StatusConflict,
		Changes:   remote.Fields{"Email": "jo@example.com", "Birthdate": "1991-02-03"},
		Conflicts: []pending.Conflict{{Field: "Birthdate", Base: "1990-07-14", Theirs: "2024-06-30", Mine: "1991-02-03"}}})
	d := newDriver(t, f, 100, 30)
	d.send(openConflictMsg{entryID: "e1"})
	d.requireView("Resolve conflict", "base    Jul 14 1990", "theirs  Jun 30", "mine    Feb 3 1991")
	d.refuseView("1990-07-14", "2024-06-30", "1991-02-03")

	// Not in conflict: shown as the record page shows it too.
	f2 := fakeWithDueDates(t)
	f2.setEntry(pending.Entry{ID: "e1", Object: "Contact", RecordID: "003000000000000001", Name: "Jo Smith",
		Op: pending.OpUpdate, Status: pending.StatusConflict,
		Changes:   remote.Fields{"Email": "jo@example.com", "Birthdate": "1991-02-03"},
		Conflicts: []pending.Conflict{{Field: "Email", Base: "a@example.com", Theirs: "b@example.com", Mine: "jo@example.com"}}})
	d2 := newDriver(t, f2, 100, 30)
	d2.send(openConflictMsg{entryID: "e1"})
	d2.requireView("Also to be sent, no conflict: Birthdate Feb 3 1991")
}

func TestAStrictConflictsMessageWritesTheDayTheOrgNowHolds(t *testing.T) {
	f := fakeWithDueDates(t)
	f.setEntry(pending.Entry{ID: "e1", Object: "Contact", RecordID: "003000000000000001", Name: "Jo Smith",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Email": "jo@example.com"},
		Message:   `Another user changed Email (now "b@example.com"), Birthdate (now "2024-06-30") (strict mode: every remote change needs your decision)`,
		Conflicts: []pending.Conflict{{Field: "Birthdate", Base: "1990-07-14", Theirs: "2024-06-30", Mine: "1990-07-14"}}})
	d := newDriver(t, f, 100, 30)
	d.keys("p")
	d.requireView("Pending Changes", `Birthdate (now Jun 30)`, `Email (now "b@example.com")`)
	d.refuseView("2024-06-30")
	d.send(openConflictMsg{entryID: "e1"})
	d.requireView("Resolve conflict", `Birthdate (now Jun 30)`)
	d.refuseView("2024-06-30")
}

func TestMomentsSaidLeavesWhatIsNotADayOfItsFieldAsItIs(t *testing.T) {
	desc := &remote.Describe{Fields: []remote.Field{
		{Name: "CloseDate", Label: "Close Date", Type: "date"},
		{Name: "Due", Label: "Date", Type: "date"},
		{Name: "Name", Label: "Name", Type: "string"},
		{Name: "Meeting__c", Label: "Meeting", Type: "datetime"},
	}}
	now := time.Date(2026, 11, 28, 1, 7, 0, 0, time.UTC)
	for _, c := range []struct{ in, want string }{
		{`Another user changed Close Date (now "2026-11-04")`, `Another user changed Close Date (now Nov 4)`},
		{`Another user changed Date (now "2025-01-02"), Close Date (now "2026-11-04")`, `Another user changed Date (now Jan 2 2025), Close Date (now Nov 4)`},
		{`Another user changed Meeting (now "2026-11-04T10:00:00.000+0000")`, `Another user changed Meeting (now Nov 4 10:00 UTC)`},
		{`Another user changed Close Date (now "not a date")`, `Another user changed Close Date (now "not a date")`},
		{`Another user changed Name (now "Close Date (now \"2026-11-04\")")`, `Another user changed Name (now "Close Date (now \"2026-11-04\")")`},
		{`Another user changed Close Date (now "2026-11-04`, `Another user changed Close Date (now "2026-11-04`},
		{`Another user changed Close Date`, `Another user changed Close Date`},
		{``, ``},
	} {
		if got := momentsSaid(desc, c.in, time.UTC, now); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.in, got, c.want)
		}
	}
	if got := momentsSaid(nil, `Another user changed Close Date (now "2026-11-04")`, time.UTC, now); got != `Another user changed Close Date (now "2026-11-04")` {
		t.Errorf("with no describe: %s", got)
	}
}

func TestTheirsChangedAgainWritesTheDayTheOrgNowHoldsAsTheScreensDo(t *testing.T) {
	f := fakeWithDueDates(t)
	f.setEntry(pending.Entry{ID: "e1", Object: "Contact", RecordID: "003000000000000001", Name: "Jo Smith",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Birthdate": "1991-02-03"},
		Conflicts: []pending.Conflict{{Field: "Birthdate", Base: "1990-07-14", Theirs: "2024-06-30", Mine: "1991-02-03"}}})
	d := newDriver(t, f, 100, 30)
	d.send(openConflictMsg{entryID: "e1"})
	d.keys("t", "ctrl+s")
	taken := d.model().c.resolved.theirs
	if taken == nil {
		t.Fatal("taking theirs left no watch")
	}
	// Another user sets the birthdate again before the resolution reaches the org.
	f.mu.Lock()
	f.entries = nil
	for _, r := range f.records["Contact"] {
		r["Birthdate"] = "2024-07-01"
	}
	f.mu.Unlock()
	if got := theirsMoved(t.Context(), f, taken); !strings.Contains(got, `Birthdate is "Jul 1", not "Jun 30"`) {
		t.Fatalf("the note is %q", got)
	}
}

// A date outside the years an org keeps is flagged on the field, as a date and time's is,
// rather than refused at save in the engine's words.
func TestADateOutsideTheYearsAnOrgKeepsIsFlaggedOnItsField(t *testing.T) {
	for _, c := range []struct {
		text string
		ok   bool
	}{{"1700-01-01", true}, {"4000-12-31", true}, {"4001-01-01", false}, {"1699-12-31", false}, {"0000-12-31", false}} {
		d := &dateField{textField: newTextField(remote.Field{Name: "CloseDate", Type: "date"}, c.text, "YYYY-MM-DD")}
		err := d.Check()
		if (err == nil) != c.ok || err != nil && !strings.Contains(err.Error(), "between 1700 and 4000") {
			t.Errorf("%s: Check = %v; want accepted %v", c.text, err, c.ok)
		}
	}
}
