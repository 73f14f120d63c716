package tui

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/signin"
)

// syncStopped says for a person why a sync run stopped; the request, its code and the raw
// error stay in the activity log (L).
func syncStopped(err error) string {
	return "Sync stopped: " + syncCause(err) + " Details: L (activity log)."
}

// syncCause is the reason in syncStopped: what happened and what the app does next.
func syncCause(err error) string {
	if errors.Is(err, signin.ErrOtherOrg) {
		return "the org's address now answers for another org, so nothing was sent; quit and start the app again to see what to do."
	}
	if other, ok := errors.AsType[*pending.AnotherUserError](err); ok {
		return sprintf("the access token is %s's, but this device's data is %s's, so nothing was sent; quit and start again with %s's token.", CleanLine(other.Token), CleanLine(other.Device), CleanLine(other.Device))
	}
	if cause, ok := remote.SignInFailure(err); ok {
		// No session refused by the org: the sign-in itself failed (a wrong password).
		return "signing in again failed (" + trunc(CleanLine(cause), 200) + "); sync is paused."
	}
	if e, ok := remote.AsError(err); ok {
		code := e.Code()
		switch {
		case e.Status == http.StatusUnauthorized:
			return "the org asked to sign in again."
		case code == "REQUEST_LIMIT_EXCEEDED" || e.Status == http.StatusTooManyRequests:
			return "the org's API request limit was reached; will retry."
		case code == "UNABLE_TO_LOCK_ROW":
			return "the org was busy (a record was locked); will retry."
		case e.Status >= 500:
			return sprintf("the org is unavailable (%d); will retry.", e.Status)
		case code != "":
			return sprintf("the org refused a request (%s).", CleanLine(code))
		}
		return sprintf("the org refused a request (%d).", e.Status)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "the org took too long to answer; will retry."
	}
	var ne net.Error
	if errors.As(err, &ne) && !ne.Timeout() {
		return "the org could not be reached; will retry."
	}
	if cache.Locked(err) {
		return cache.LockedAdvice + "; the sync will try again."
	}
	if cache.Damaged(err) {
		return cache.DamagedAdvice + "."
	}
	if cache.DeviceError(err) {
		// Not the network: the device's own storage, which says what to do about it.
		return CleanLine(strings.TrimPrefix(err.Error(), "cache: "))
	}
	if errors.Is(err, remote.ErrMalformedReply) {
		return "the org's reply could not be read (the log, L, says what came); will retry."
	}
	if pending.Classify(err) == pending.ClassTransient {
		return "the connection dropped; will retry."
	}
	return CleanLine(err.Error())
}

// orgReach says why the last sync run did not reach the org, for the status bar: in full
// ("org unreachable, retrying") and short for a narrow terminal ("org unreachable"). The zero
// value is a run that reached the org.
type orgReach struct{ long, short string }

func (r orgReach) out() bool { return r.long != "" }

// reachOf reads from the error a sync run ended with whether it reached the org. known is
// false when the error says nothing either way: the device is offline (no request left it),
// the run was cancelled, it failed on the device itself, or a reply came cut short.
func reachOf(err error) (r orgReach, known bool) {
	if err == nil {
		return orgReach{}, true
	}
	if wentOffline(err) || errors.Is(err, context.Canceled) {
		return orgReach{}, false // the device went offline: nothing is known of the org
	}
	if e, ok := remote.AsError(err); ok {
		if e.Status >= 500 {
			return orgReach{long: "org unavailable, retrying", short: "org unavailable"}, true
		}
		return orgReach{}, true // the org answered: a sign-in, a limit or a refusal say so on the message line
	}
	var ne net.Error
	if remote.IsTimeout(err) {
		return orgReach{long: "org not answering, retrying", short: "org not answering"}, true
	}
	if errors.As(err, &ne) {
		return orgReach{long: "org unreachable, retrying", short: "org unreachable"}, true
	}
	return orgReach{}, false
}

// noteReach remembers what a finished sync run found about the org: out of reach until a run
// reaches it again. A run that says nothing either way changes nothing.
func (c *common) noteReach(err error) {
	if r, known := reachOf(err); known {
		c.reach = r
	}
}

// pauseCure says, while sync is paused for a session the org refused, what starts it again.
func (c *common) pauseCure() string {
	switch {
	case c.restart:
		return "quit and start the app again to see what to do"
	case c.tokenOnly:
		return "quit and start again signed in anew"
	}
	return "o twice signs in again (a wrong password needs the app started again with the right one)"
}

// syncLater is what a note on a change saved online says about when it syncs: nothing while
// the org answers (the sync is on its way), and that it waits while the org is out of reach
// or sync is paused.
func (c *common) syncLater() string {
	if c.paused {
		return " Sync is paused: " + c.pauseCure() + "."
	}
	if c.reach.out() {
		return " It will sync once the org can be reached; the app keeps trying."
	}
	return ""
}
