package tui

import (
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// A datetime shown alone says its zone, as the form's editor does beside the typed time: on
// the record page and on the conflict's rows, in winter and in summer time.
func TestADatetimeShownAloneSaysItsZone(t *testing.T) {
	f := withMeeting(1)
	f.records["Account"][0]["Next_Meeting__c"] = "2026-01-05T14:30:00.000+0000"
	d := newDriverWith(t, Options{Backend: f, Location: newYork(t)}, 100, 30)
	d.keys("enter", "enter")
	d.requireView("Next Meeting", "Jan 5 2026 09:30 EST")

	f = withMeeting(1)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Next_Meeting__c": "2026-07-01T13:30:00.000+0000"},
		Conflicts: []pending.Conflict{{Field: "Next_Meeting__c", Base: "2026-01-05T14:30:00.000+0000",
			Theirs: "2026-01-06T15:00:00.000+0000", Mine: "2026-07-01T13:30:00.000+0000"}}})
	d = newDriverWith(t, Options{Backend: f, Location: newYork(t)}, 100, 30)
	d.send(openConflictMsg{entryID: "e1"})
	d.requireView("Jan 5 2026 09:30 EST", "Jan 6 2026 10:00 EST", "Jul 1 2026 09:30 EDT")
	// The record page's flag on the field says what they set the same way.
	d = newDriverWith(t, Options{Backend: f, Location: newYork(t)}, 120, 40)
	d.keys("enter", "enter")
	d.requireView(`conflict: they set "Jan 6 2026 10:00 EST"`)
}

// The pending page's When and a datetime field on the record page read alike: the date and
// minutes, with the year when it is not this year's, and the field's value with its zone.
func TestMomentsShowOneWayOnEveryScreen(t *testing.T) {
	utc := time.UTC
	now := time.Date(2024, 11, 27, 23, 0, 0, 0, utc)
	tests := []struct {
		at        time.Time
		when, fld string
	}{
		{time.Date(2024, 11, 27, 22, 36, 0, 0, utc), "Nov 27 22:36", "Nov 27 22:36 UTC"},
		{time.Date(2024, 1, 2, 3, 4, 0, 0, utc), "Jan 2 03:04", "Jan 2 03:04 UTC"},
		{time.Date(2023, 10, 18, 20, 14, 0, 0, utc), "Oct 18 2023 20:14", "Oct 18 2023 20:14 UTC"},
		{time.Date(2026, 10, 18, 20, 14, 0, 0, utc), "Oct 18 2026 20:14", "Oct 18 2026 20:14 UTC"},
	}
	fd := remote.Field{Name: "CreatedDate", Type: "datetime"}
	for _, tc := range tests {
		if got := whenIn(tc.at, now, utc); got != tc.when {
			t.Errorf("whenIn(%v) = %q, want %q", tc.at, got, tc.when)
		}
		if got := displayFieldIn(fd, tc.at.Format("2006-01-02T15:04:05.000-0700"), utc, now); got != tc.fld {
			t.Errorf("a datetime field at %v shows %q, want %q", tc.at, got, tc.fld)
		}
	}

	// On screen: Pending Changes' When and the record page's datetime, both this year's.
	f := withMeeting(1)
	f.records["Account"][0]["Next_Meeting__c"] = "2024-03-04T09:15:00.000+0000"
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusPending, Changes: remote.Fields{"Phone": "1"}, UpdatedAt: f.now.Add(-time.Hour)})
	d := newDriver(t, f, 100, 30)
	d.keys("p")
	d.requireView("Mar 4 09:30")
	d.keys("esc", "enter", "enter")
	d.requireView("Next Meeting", "Mar 4 09:15 UTC")
	d.refuseView("2024")
}
