package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// statusBarLine is the status bar of the current frame (the line above the help bar).
func statusBarLine(d *driver) string {
	lines := strings.Split(d.view(), "\n")
	return lines[len(lines)-2]
}

// syncEnded feeds the app the end of a sync run that stopped on err (nil: it reached the org).
func syncEnded(d *driver, err error) {
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Err: err}}})
}

// refusedDial is the error a sync run ends with when nothing listens at the org's address.
func refusedDial() error {
	return fmt.Errorf("sync: describe Account: %w", fmt.Errorf("remote: GET /services/data/v62.0/sobjects/Account/describe: %w", refused{}))
}

func TestStatusBarSaysTheOrgIsOutOfReachUntilASyncReachesIt(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"connection refused", refusedDial(), "ONLINE · org unreachable, retrying"},
		{"network failed during the push", fmt.Errorf("sync: the network failed; changes left pending will be retried: %w", refused{}), "ONLINE · org unreachable, retrying"},
		{"no answer in time", fmt.Errorf("sync: %w", context.DeadlineExceeded), "ONLINE · org not answering, retrying"},
		{"reply lost", fmt.Errorf("sync: %w", lostReply{}), "ONLINE · org not answering, retrying"},
		{"server down", &remote.Error{Status: 503, Items: []remote.ErrorItem{{Code: "SERVER_UNAVAILABLE"}}}, "ONLINE · org unavailable, retrying"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, seededFake(1), 120, 30)
			if bar := statusBarLine(d); !strings.Contains(bar, " ONLINE ") || strings.Contains(bar, "retrying") {
				t.Fatalf("before any failure the bar is %q", bar)
			}
			syncEnded(d, tc.err)
			if bar := statusBarLine(d); !strings.Contains(bar, tc.want) {
				t.Fatalf("after the run stopped the bar is %q, want %q", bar, tc.want)
			}
			// A key clears the message line; the bar still tells.
			d.keys("down")
			if bar := statusBarLine(d); !strings.Contains(bar, tc.want) {
				t.Fatalf("after a key the bar is %q, want %q", bar, tc.want)
			}
			// A sync that stopped before any request left the device says nothing of the org.
			syncEnded(d, fmt.Errorf("sync: %w", remote.ErrOffline))
			if bar := statusBarLine(d); !strings.Contains(bar, tc.want) {
				t.Fatalf("after a run that sent nothing the bar is %q, want %q", bar, tc.want)
			}
			syncEnded(d, nil)
			if bar := statusBarLine(d); strings.Contains(bar, "retrying") || !strings.Contains(bar, " ONLINE ") {
				t.Fatalf("after a sync reached the org the bar is %q", bar)
			}
		})
	}
}

func TestAnOrgThatAnswersIsNotOutOfReach(t *testing.T) {
	for _, err := range []error{
		fmt.Errorf("%w: %w", pending.ErrAuth, &remote.Error{Status: 401}),
		&remote.Error{Status: 403, Items: []remote.ErrorItem{{Code: "REQUEST_LIMIT_EXCEEDED"}}},
	} {
		d := newDriver(t, seededFake(1), 120, 30)
		syncEnded(d, refusedDial())
		syncEnded(d, err)
		if bar := statusBarLine(d); strings.Contains(bar, "org ") {
			t.Errorf("%v: the org answered, yet the bar is %q", err, bar)
		}
	}
}

func TestOfflineBarDoesNotSayTheOrgIsUnreachableAndOnlineSaysItAgain(t *testing.T) {
	d := newDriver(t, seededFake(1), 120, 30)
	syncEnded(d, refusedDial())
	d.keys("o")
	if bar := statusBarLine(d); !strings.Contains(bar, " OFFLINE ") || strings.Contains(bar, "unreachable") {
		t.Fatalf("offline, the bar is %q", bar)
	}
	// Back online, nothing has reached the org since: the bar says so until a sync does.
	d.keys("o")
	if bar := statusBarLine(d); !strings.Contains(bar, "ONLINE · org unreachable, retrying") {
		t.Fatalf("back online, the bar is %q", bar)
	}
}

func TestUnreachableStaysInTheStatusBarAtEveryWidthAndCutsNothing(t *testing.T) {
	for _, w := range []int{minWidth, minWidth + 1, minWidth + 2, 70, 79, 80, 81, 99, 100, 120, 160, 200} {
		f := seededFake(1)
		f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Op: pending.OpUpdate, Status: pending.StatusConflict})
		f.setEntry(pending.Entry{ID: "e2", Object: "Account", RecordID: "001000000000000001", Op: pending.OpUpdate, Status: pending.StatusFailed, Code: "NOT_FOUND"})
		d := newDriverWith(t, Options{Backend: f, LimitInfo: func() string { return "api-usage=18/15000" }}, w, 24)
		syncEnded(d, refusedDial())
		bar := statusBarLine(d)
		if !strings.Contains(bar, "ONLINE · org unreachable") && !strings.Contains(bar, "ORG UNREACHABLE") {
			t.Fatalf("%d wide: the bar does not say the org is unreachable: %q", w, bar)
		}
		if strings.Contains(bar, "…") {
			t.Fatalf("%d wide: a part is cut: %q", w, bar)
		}
		if !strings.Contains(bar, "▲ 1 needs attention") || !strings.Contains(bar, "✖ 1 can't be saved") {
			t.Fatalf("%d wide: the sash counts went: %q", w, bar)
		}
		if w >= 100 && !strings.Contains(bar, "org unreachable, retrying") {
			t.Fatalf("%d wide: the bar has room to say it retries: %q", w, bar)
		}
	}
}

func TestChangesMadeWhileTheOrgIsUnreachableDoNotPromiseASync(t *testing.T) {
	tests := []struct {
		name      string
		reach     error // how the last sync ended
		want, not string
	}{
		{"org answers", nil, "Task saved. Syncing…", "once the org can be reached"},
		{"org unreachable", refusedDial(), "Task saved. It will sync once the org can be reached", "Syncing…"},
	}
	for _, tc := range tests {
		t.Run("new task/"+tc.name, func(t *testing.T) {
			d := newDriver(t, seededFake(3), 120, 30)
			syncEnded(d, tc.reach)
			d.keys("enter", "enter", "t")
			d.requireView("New Task", "Related To")
			d.keys("Call back", "ctrl+s")
			d.requireView(tc.want)
			d.refuseView(tc.not)
		})
	}
	t.Run("delete", func(t *testing.T) {
		d := newDriver(t, seededFake(3), 120, 30)
		syncEnded(d, refusedDial())
		d.keys("enter", "enter", "d")
		d.requireView("Delete Account?")
		d.keys("y")
		d.requireView("Account deleted. It will sync once the org can be reached")
	})
	t.Run("retry", func(t *testing.T) {
		f := seededFake(3)
		f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
			Op: pending.OpUpdate, Status: pending.StatusPending, Attempts: 1})
		d := newDriver(t, f, 120, 30)
		syncEnded(d, refusedDial())
		d.keys("p")
		d.requireView("Pending Changes", "Acme 000000")
		d.keys("r")
		d.requireView("Will retry once the org can be reached")
		d.refuseView("Retrying now.")
	})
}

func TestRedRecordGivesTheOrgsMessageAsItsAnswerWithoutContradictingTheHeadline(t *testing.T) {
	notFound := []pending.FieldError{{Code: "NOT_FOUND", Message: "The requested resource does not exist"}}
	tests := []struct {
		name      string
		entry     pending.Entry
		want, not []string
	}{
		{"access lost, the org says NOT_FOUND",
			pending.Entry{Code: "NOT_FOUND", Message: "You no longer have access to this record", Errors: notFound},
			[]string{"Can't be saved: you no longer have access", "The org said NOT_FOUND (“The requested resource does not exist”)",
				"its answer for a record you can no longer see"},
			[]string{"• The requested resource does not exist", "deleted"}},
		{"access to change lost",
			pending.Entry{Code: "INSUFFICIENT_ACCESS_OR_READONLY", Message: "You no longer have access to change this record",
				Errors: []pending.FieldError{{Code: "INSUFFICIENT_ACCESS_OR_READONLY", Message: "insufficient access rights on object id"}}},
			[]string{"Can't be saved: you can no longer change it", "The org said INSUFFICIENT_ACCESS_OR_READONLY (“insufficient access rights on object id”)."},
			[]string{"can no longer see", "deleted"}},
		{"deleted, the org says ENTITY_IS_DELETED",
			pending.Entry{Code: "ENTITY_IS_DELETED", Message: "Record was deleted by another user",
				Errors: []pending.FieldError{{Code: "ENTITY_IS_DELETED", Message: "entity is deleted"}}},
			[]string{"Can't be saved: record was deleted", "The org said ENTITY_IS_DELETED (“entity is deleted”)."},
			[]string{"no longer have access", "can no longer see"}},
		{"deleted, found in the recycle bin after NOT_FOUND",
			pending.Entry{Code: "NOT_FOUND", Message: "Record was deleted by another user", Errors: notFound},
			[]string{"Can't be saved: record was deleted", "The org said NOT_FOUND (“The requested resource does not exist”)."},
			[]string{"no longer have access", "can no longer see"}},
		{"another refusal keeps the org's words as they are",
			pending.Entry{Code: "CANNOT_UPDATE_CONVERTED_LEAD", Message: "The org can't apply this change: converted",
				Errors: []pending.FieldError{{Code: "CANNOT_UPDATE_CONVERTED_LEAD", Message: "cannot reference converted lead"}}},
			[]string{"Can't be saved", "• cannot reference converted lead"},
			[]string{"The org said"}},
	}
	for _, tc := range tests {
		for _, w := range []int{80, 200} {
			t.Run(fmt.Sprintf("%s/%d", tc.name, w), func(t *testing.T) {
				f := seededFake(2)
				e := tc.entry
				e.ID, e.Object, e.RecordID, e.Name, e.Op, e.Status = "e1", "Account", "001000000000000000", "Acme 000000", pending.OpUpdate, pending.StatusFailed
				f.setEntry(e)
				d := newDriver(t, f, w, 60)
				d.keys("enter", "enter")
				d.requireView("Acme 000000")
				// The org's words may wrap: read the header as one line.
				header := strings.Join(strings.Fields(strings.Join(strings.Split(d.view(), "\n")[:8], " ")), " ")
				for _, s := range tc.want {
					if !strings.Contains(header, s) {
						t.Errorf("the record's header lacks %q:\n%s", s, d.view())
					}
				}
				for _, s := range tc.not {
					if strings.Contains(header, s) {
						t.Errorf("the record's header has %q:\n%s", s, d.view())
					}
				}
			})
		}
	}
}

// An org that does not answer, at the narrowest width, with both sash counts: the mode takes its
// shortest form rather than cut a count ("ORG NOT ANSWERING" and both counts need 61 columns).
func TestNotAnsweringAtTheNarrowestWidthCutsNoSashCount(t *testing.T) {
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Op: pending.OpUpdate, Status: pending.StatusConflict})
	f.setEntry(pending.Entry{ID: "e2", Object: "Account", RecordID: "001000000000000001", Op: pending.OpUpdate, Status: pending.StatusFailed, Code: "NOT_FOUND"})
	d := newDriverWith(t, Options{Backend: f}, minWidth, 24)
	syncEnded(d, fmt.Errorf("sync: %w", context.DeadlineExceeded))
	bar := statusBarLine(d)
	if !strings.Contains(bar, "NOT ANSWERING") || strings.Contains(bar, "…") || !strings.Contains(bar, "✖ 1 can't be saved") {
		t.Fatalf("the bar is %q", bar)
	}
}
