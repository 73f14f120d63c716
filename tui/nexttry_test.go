package tui

import (
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

func TestNextTryTextSaysTheDayWhenItIsNotToday(t *testing.T) {
	now := time.Date(2026, 11, 27, 18, 5, 0, 0, time.UTC)
	cases := []struct {
		name string
		at   time.Time
		want string
	}{
		{"later today", time.Date(2026, 11, 27, 20, 39, 0, 0, time.UTC), "at 20:39"},
		{"tomorrow", time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC), "tomorrow at 08:00"},
		{"later this year", time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), "Nov 30 08:00"},
		{"next year", time.Date(2027, 1, 2, 8, 0, 0, 0, time.UTC), "Jan 2 2027 08:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := nextTryText(c.at, now, time.UTC); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
	// The day is the day in the zone times show in: 23:30 UTC is already tomorrow in Berlin.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	if got := nextTryText(time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC), now, berlin); got != "tomorrow at 00:30" {
		t.Fatalf("in Berlin: %q", got)
	}
}

// A change the org asked to wait hours for says on Pending Changes and on its record page when
// it will be tried next; one tried again within the minute keeps the engine's words.
func TestAChangeWaitingToRetrySaysWhenItIsTriedNext(t *testing.T) {
	now := time.Date(2026, 11, 27, 18, 5, 0, 0, time.UTC)
	msg := "Not synced yet (the org said: REQUEST_LIMIT_EXCEEDED); will retry automatically"
	cases := []struct {
		name string
		next time.Time
		want string
	}{
		{"later today", now.Add(2*time.Hour + 34*time.Minute), "REQUEST_LIMIT_EXCEEDED); next try at 20:39"},
		{"tomorrow", time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC), "REQUEST_LIMIT_EXCEEDED); next try tomorrow at 08:00"},
		{"in three days", time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), "REQUEST_LIMIT_EXCEEDED); next try Nov 30 08:00"},
		{"within the minute", now.Add(20 * time.Second), "REQUEST_LIMIT_EXCEEDED); will retry automatically"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := seededFake(1)
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
				Op: pending.OpUpdate, Status: pending.StatusPending, Changes: remote.Fields{"Phone": "1"},
				Message: msg, NextAttempt: c.next})
			d := newDriverWith(t, Options{Backend: f, Location: time.UTC}, 200, 40)
			d.model().c.now = func() time.Time { return now }
			d.keys("p")
			d.requireView("Pending Changes", c.want)
			d.keys("enter")
			d.requireView("[e] Edit", c.want)
		})
	}
}
