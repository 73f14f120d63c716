package remote

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrOffline is returned (wrapped) by every call made while the device is offline.
var ErrOffline = errors.New("offline: no request left the device")

// ErrCutOff: the device went offline while a request was under way (its connection closed, as
// a phone's airplane mode does): the org may have handled it. Not ErrOffline, which says the
// request never left.
var ErrCutOff = errors.New("the device went offline while the request was under way; the org may have handled it")

// ErrorItem is one entry of a Salesforce error array. In sObject Collections results the code
// arrives as "statusCode"; it is normalised into Code.
type ErrorItem struct {
	Code    string   `json:"errorCode"`
	Message string   `json:"message"`
	Fields  []string `json:"fields,omitempty"`
}

// DuplicateResult is the duplicate-rule detail of DUPLICATES_DETECTED (sent as "duplicateResut"
// or "duplicateResult").
type DuplicateResult struct {
	AllowSave     bool     `json:"allowSave"`
	DuplicateRule string   `json:"duplicateRule"`
	ErrorMessage  string   `json:"errorMessage"`
	MatchIDs      []string `json:"-"`
}

// Error is every failure the org reported, whatever shape it arrived in.
type Error struct {
	Status     int         // HTTP status (or composite httpStatusCode)
	Items      []ErrorItem // may be empty (e.g. a 412 with no body)
	Duplicate  *DuplicateResult
	RetryAfter time.Duration // from a Retry-After header, 0 if none
	Raw        string        // the body, truncated, for diagnostics when it could not be parsed
}

// Code is the first item's errorCode, or "".
func (e *Error) Code() string {
	if len(e.Items) == 0 {
		return ""
	}
	return e.Items[0].Code
}

// HasCode reports whether any item has the code.
func (e *Error) HasCode(code string) bool {
	for _, it := range e.Items {
		if it.Code == code {
			return true
		}
	}
	return false
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("org replied ")
	b.WriteString(httpStatusText(e.Status))
	for i, it := range e.Items {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(it.Code)
		if it.Message != "" {
			b.WriteString(" ")
			b.WriteString(it.Message)
		}
		if len(it.Fields) > 0 {
			b.WriteString(" [")
			b.WriteString(strings.Join(it.Fields, ", "))
			b.WriteString("]")
		}
	}
	if len(e.Items) == 0 && e.Raw != "" {
		b.WriteString(": ")
		b.WriteString(e.Raw)
	}
	return b.String()
}

// AsError returns the *Error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }

func httpStatusText(status int) string {
	if status == 0 {
		return "(no status)"
	}
	if t := http.StatusText(status); t != "" {
		return strconv.Itoa(status) + " " + t
	}
	return strconv.Itoa(status)
}

// subresponseError turns a composite subresponse into an *Error (nil on success).
func subresponseError(s Subresponse) error {
	if (s.StatusCode >= 200 && s.StatusCode < 300) || s.StatusCode == http.StatusNotModified {
		return nil
	}
	return ParseErrorBody(s.StatusCode, s.Body)
}
