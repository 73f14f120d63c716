package tui

import (
	"testing"

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
	d.requireView("Next Meeting", "2026-01-05 09:30 EST")

	f = withMeeting(1)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Next_Meeting__c": "2026-07-01T13:30:00.000+0000"},
		Conflicts: []pending.Conflict{{Field: "Next_Meeting__c", Base: "2026-01-05T14:30:00.000+0000",
			Theirs: "2026-01-06T15:00:00.000+0000", Mine: "2026-07-01T13:30:00.000+0000"}}})
	d = newDriverWith(t, Options{Backend: f, Location: newYork(t)}, 100, 30)
	d.send(openConflictMsg{entryID: "e1"})
	d.requireView("2026-01-05 09:30 EST", "2026-01-06 10:00 EST", "2026-07-01 09:30 EDT")
	// The record page's flag on the field says what they set the same way.
	d = newDriverWith(t, Options{Backend: f, Location: newYork(t)}, 120, 40)
	d.keys("enter", "enter")
	d.requireView(`conflict: they set "2026-01-06 10:00 EST"`)
}
