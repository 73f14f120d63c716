package pending

import (
	"testing"
	"time"
)

func TestNextDueLeavesOutChangesWaitingOnACreateThatNeedsTheUser(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	later, latest := t0.Add(time.Minute), t0.Add(time.Hour)
	create := func(id string, st Status, at time.Time) Entry {
		return Entry{ID: "e-" + id, RecordID: id, Op: OpCreate, Status: st, NextAttempt: at}
	}
	waiting := func(id, on string) Entry {
		return Entry{ID: "e-" + id, RecordID: id, Op: OpCreate, Status: StatusWaiting, WaitingOn: on}
	}
	cases := []struct {
		name    string
		entries []Entry
		next    time.Time
		n       int
	}{
		{"empty queue", nil, time.Time{}, 0},
		{"a change due now", []Entry{{Status: StatusPending}}, time.Time{}, 1},
		{"the earliest of two retries", []Entry{{Status: StatusPending, NextAttempt: latest}, {Status: StatusPending, NextAttempt: later}}, later, 2},
		{"orange and red need the user", []Entry{{Status: StatusConflict}, {Status: StatusInvalid}, {Status: StatusFailed}}, time.Time{}, 0},
		{"a child of a refused parent needs the user",
			[]Entry{create("local-p", StatusInvalid, time.Time{}), waiting("local-c", "local-p")}, time.Time{}, 0},
		{"a grandchild of a refused parent too",
			[]Entry{create("local-p", StatusInvalid, time.Time{}), waiting("local-c", "local-p"), waiting("local-g", "local-c")}, time.Time{}, 0},
		{"a child is due when its parent's retry is",
			[]Entry{create("local-p", StatusPending, latest), waiting("local-c", "local-p")}, latest, 2},
		{"a child whose parent has synced is due now",
			[]Entry{waiting("local-c", "local-gone")}, time.Time{}, 1},
		{"waiting in a cycle does not loop",
			[]Entry{waiting("local-a", "local-b"), waiting("local-b", "local-a")}, time.Time{}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			next, n := NextDue(c.entries)
			if !next.Equal(c.next) || n != c.n {
				t.Fatalf("NextDue = %v, %d; want %v, %d", next, n, c.next, c.n)
			}
		})
	}
}
