package pending

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// Class is the one category an outcome of a send falls into.
type Class int

const (
	ClassOK        Class = iota
	ClassOffline         // no request left the device; not an attempt
	ClassTransient       // network, 5xx, UNABLE_TO_LOCK_ROW, REQUEST_LIMIT_EXCEEDED, 429/503: retry with backoff
	ClassAuth            // 401: pause sync until the user signs in again
	ClassConflict        // 412: the record changed since the base
	ClassInvalid         // the org refused the values (rules, required, bad value, duplicate)
	ClassFailed          // unresolvable: the record is gone or out of reach
	ClassHeld            // a subrequest this one depended on failed (PROCESSING_HALTED)
	ClassCanceled        // the caller gave up; not an attempt
)

func (c Class) String() string {
	return [...]string{"ok", "offline", "transient", "auth", "conflict", "invalid", "failed", "held", "canceled"}[c]
}

var transientCodes = map[string]bool{
	"UNABLE_TO_LOCK_ROW":          true,
	"REQUEST_LIMIT_EXCEEDED":      true,
	"SERVER_UNAVAILABLE":          true,
	"UNKNOWN_EXCEPTION":           true,
	"QUERY_TIMEOUT":               true,
	"TXN_SECURITY_METERING_ERROR": true,
}

var failedCodes = map[string]bool{
	"NOT_FOUND":                                     true,
	"ENTITY_IS_DELETED":                             true,
	"INSUFFICIENT_ACCESS_OR_READONLY":               true,
	"INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY": true,
	"INSUFFICIENT_ACCESS":                           true,
	"ENTITY_IS_LOCKED":                              true,
}

// Classify sorts the outcome of one request (or one composite subresponse) into exactly one class.
func Classify(err error) Class {
	if err == nil {
		return ClassOK
	}
	if errors.Is(err, remote.ErrOffline) {
		return ClassOffline
	}
	if errors.Is(err, context.Canceled) {
		return ClassCanceled
	}
	if _, ok := errors.AsType[*AnotherUserError](err); ok {
		return ClassAuth
	}
	if u, ok := errors.AsType[*UnknownTokenOwnerError](err); ok && Classify(u.Err) != ClassTransient {
		return ClassAuth // the org will not say: signing in another way is the cure
	}
	e, ok := remote.AsError(err)
	if !ok {
		// Transport failures (dropped, reply lost, timeouts, malformed replies): the outcome is
		// unknown and a retry is the answer.
		return ClassTransient
	}
	return classifyAPI(e)
}

func classifyAPI(e *remote.Error) Class {
	code := e.Code()
	switch {
	case e.Status == http.StatusUnauthorized:
		return ClassAuth
	case e.Status == http.StatusPreconditionFailed:
		return ClassConflict
	case transientCodes[code]:
		return ClassTransient
	case e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable || e.Status >= 500:
		return ClassTransient
	case code == "PROCESSING_HALTED":
		return ClassHeld
	case code == remote.CodeMultipleChoices || e.Status == http.StatusMultipleChoices:
		// An upsert whose key several records on the org carry: sending it again changes
		// nothing, and only a person can say which record is the one.
		return ClassFailed
	case failedCodes[code]:
		return ClassFailed
	case code == "INVALID_CROSS_REFERENCE_KEY":
		// On a lookup field it is a bad value the user can fix; on the record itself the record
		// is out of reach.
		if len(e.Items[0].Fields) > 0 {
			return ClassInvalid
		}
		return ClassFailed
	case e.Status == http.StatusNotFound || e.Status == http.StatusGone:
		return ClassFailed
	case e.Status == http.StatusForbidden:
		return ClassFailed
	case e.Status >= 400 && e.Status < 500:
		return ClassInvalid
	}
	return ClassTransient
}

// Backoff is exponential backoff with full jitter: a random delay in [0, min(Cap, Base·2^(n-1))],
// never less than the server's Retry-After.
type Backoff struct {
	Base time.Duration
	Cap  time.Duration
}

// DefaultBackoff starts at one second and never waits more than five minutes.
var DefaultBackoff = Backoff{Base: time.Second, Cap: 5 * time.Minute}

// Delay is the wait before attempt number attempts+1, given attempts failures so far.
func (b Backoff) Delay(attempts int, retryAfter time.Duration, rng *rand.Rand) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	ceiling := b.Cap
	if attempts < 40 {
		if c := b.Base << (attempts - 1); c > 0 && c < b.Cap {
			ceiling = c
		}
	}
	d := time.Duration(0)
	if ceiling > 0 {
		d = time.Duration(rng.Int64N(int64(ceiling) + 1))
	}
	if retryAfter > d {
		d = retryAfter
	}
	if d > b.Cap && retryAfter <= b.Cap {
		d = b.Cap
	}
	return d
}
