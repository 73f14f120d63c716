package tui

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// syncStopped says for a person why a sync run stopped; the request, its code and the raw
// error stay in the activity log (L).
func syncStopped(err error) string {
	return "Sync stopped: " + syncCause(err) + " Details: L (activity log)."
}

// syncCause is the reason in syncStopped: what happened and what the app does next.
func syncCause(err error) string {
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
	if pending.Classify(err) == pending.ClassTransient {
		return "the connection dropped; will retry."
	}
	return CleanLine(err.Error())
}
