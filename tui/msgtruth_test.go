package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/signin"
)

// The question before a discard never promises "it will never be sent" of a change whose last
// send got no reply: the org may have it already.
func TestDiscardQuestionOfAChangeInDoubtSaysTheOrgMayHaveIt(t *testing.T) {
	for _, tc := range []struct {
		op      pending.Op
		inDoubt bool
		want    string
	}{
		{pending.OpCreate, true, "may already be on the org"},
		{pending.OpUpdate, true, "the org may already have it"},
		{pending.OpDelete, true, "the org may already have deleted it"},
		{pending.OpCreate, false, "It will never be sent."},
		{pending.OpUpdate, false, "It will never be sent."},
		{pending.OpDelete, false, "It will never be sent."},
	} {
		got := discardBody(tc.op, "Acme", tc.inDoubt)
		if !strings.Contains(got, tc.want) || tc.inDoubt && strings.Contains(got, "never be sent") {
			t.Errorf("%s in doubt %v: %q", tc.op, tc.inDoubt, got)
		}
	}
}

// A session that is a bare access token cannot sign in again: when the org refuses it, the
// app says to start with a new token rather than "o twice signs in again".
func TestARefusedAccessTokenIsNotOfferedASignIn(t *testing.T) {
	d := newDriverWith(t, Options{Backend: seededFake(1), TokenOnly: true}, 80, 24)
	d.send(eventMsg{pending.Event{Kind: pending.EventAuthRequired}})
	d.requireView("refused the session", "cannot renew it", "sign-in needed")
	d.refuseView("o twice signs in again")
}

// r while sync is paused for a sign-in says so, not "Retrying now.", and the status bar says
// sync is paused for as long as it is.
func TestRetryWhileSyncIsPausedForASignInSaysSo(t *testing.T) {
	f := seededFake(3)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusPending, Attempts: 1})
	d := newDriver(t, f, 120, 30)
	d.send(eventMsg{pending.Event{Kind: pending.EventAuthRequired}})
	d.keys("p")
	d.requireView("Pending Changes", "Acme 000000", "sync paused: sign-in needed")
	d.keys("r")
	d.requireView("Sync is paused: o twice signs in again")
	d.refuseView("Retrying now.")
	// A run that starts (signed in again) ends the pause.
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncStarted}})
	d.refuseView("sign-in needed")
}

// r on a change while a run is under way (perhaps held by an org that does not answer) does
// not say "Retrying now.": the retry waits for that run.
func TestRetryWhileASyncRunsSaysItWaitsForIt(t *testing.T) {
	f := seededFake(3)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusPending, Attempts: 1})
	d := newDriver(t, f, 120, 30)
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncStarted}})
	d.keys("p")
	d.requireView("Pending Changes", "Acme 000000")
	d.keys("r")
	d.requireView("as soon as the sync under way ends")
	d.refuseView("Retrying now.")
}

// Sync stopped because the org's address answers for another org: the bar and r say only a
// restart helps (a sign-in would not), and a change saved meanwhile is not said to be syncing.
func TestAPauseASignInCannotCureSaysToRestart(t *testing.T) {
	f := seededFake(3)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusPending, Attempts: 1})
	d := newDriver(t, f, 120, 30)
	d.send(eventMsg{pending.Event{Kind: pending.EventAuthRequired}})
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Err: fmt.Errorf("refresh: %w", signin.ErrOtherOrg)}}})
	d.keys("p")
	d.requireView("sync stopped: restart needed")
	d.refuseView("sign-in needed")
	d.keys("r")
	d.requireView("Sync is paused: quit and start the app again")
	d.refuseView("o twice signs in again")
}

// A change saved while sync is paused for a sign-in is not said to be syncing.
func TestASaveWhileSyncIsPausedSaysSo(t *testing.T) {
	d := newDriver(t, seededFake(3), 120, 30)
	d.send(eventMsg{pending.Event{Kind: pending.EventAuthRequired}})
	d.keys("enter", "enter", "e")
	d.requireView("▸ Account Name")
	d.keys(" Paused", "ctrl+s")
	d.requireView("Account saved. Sync is paused: o twice signs in again (a wrong password needs")
	d.refuseView("Syncing…")
}

// While sync is paused, a change's own line does not promise a retry that will not come by
// itself (nor a time for it): it says what starts sync again, as the bar and r do.
func TestAChangesLineWhileSyncIsPausedSaysWhatStartsItAgain(t *testing.T) {
	for _, tc := range []struct {
		name    string
		restart bool
		want    string
	}{
		{"sign-in", false, "sync is paused: o twice signs in again"},
		{"another org at the address", true, "sync is paused: quit and start the app again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := seededFake(3)
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
				Op: pending.OpUpdate, Status: pending.StatusPending, Attempts: 1,
				Message: "Not synced yet (the network failed); will retry automatically", NextAttempt: f.dataNow().Add(10 * time.Minute)})
			d := newDriver(t, f, 200, 30)
			d.keys("p")
			d.requireView("Acme 000000", "the network failed); next try")
			d.send(eventMsg{pending.Event{Kind: pending.EventAuthRequired}})
			if tc.restart {
				d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Err: fmt.Errorf("refresh: %w", signin.ErrOtherOrg)}}})
			}
			d.requireView("Not synced yet (the network failed); " + tc.want)
			d.refuseView("will retry automatically", "next try")
		})
	}
}

// A sync stopped by a sign-in that failed (a wrong password) says so, not that the org asked
// to sign in again (no request reached it).
func TestASyncStoppedByAFailedSignInSaysSo(t *testing.T) {
	c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: "https://acme.invalid", APIVersion: "62.0",
		Refresh: func(context.Context) (string, error) {
			return "", errors.New("sign-in refused (HTTP 400): invalid_grant: authentication failure")
		}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Describe(context.Background(), "Account")
	got := syncStopped(err)
	if !strings.Contains(got, "signing in again failed (sign-in refused (HTTP 400): invalid_grant: authentication failure)") || strings.Contains(got, "asked to sign in again") {
		t.Fatalf("syncStopped = %q", got)
	}
}
