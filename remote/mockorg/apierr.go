package mockorg

import (
	"fmt"
	"net/http"
	"strings"
)

// errItem is one entry of a Salesforce error array.
type errItem struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields"`
	Dup       any      `json:"duplicateResut,omitempty"` // the real org's spelling
}

// apiError is a failed call: a status and the error array it answers with.
type apiError struct {
	Status int
	Items  []errItem
	Empty  bool // answer with no body (412 in the real profile)
}

func (e *apiError) Error() string {
	var parts []string
	for _, it := range e.Items {
		parts = append(parts, it.ErrorCode+": "+it.Message)
	}
	return fmt.Sprintf("%d %s", e.Status, strings.Join(parts, "; "))
}

func (e *apiError) code() string {
	if len(e.Items) == 0 {
		return ""
	}
	return e.Items[0].ErrorCode
}

func newErr(status int, code, msg string, fields ...string) *apiError {
	if fields == nil {
		fields = []string{}
	}
	return &apiError{Status: status, Items: []errItem{{Message: msg, ErrorCode: code, Fields: fields}}}
}

func errNotFound() *apiError {
	return newErr(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
}

func errDeleted() *apiError {
	return newErr(http.StatusNotFound, "ENTITY_IS_DELETED", "entity is deleted")
}

func errReadOnly() *apiError {
	return newErr(http.StatusBadRequest, "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id")
}

func errMalformedQuery(msg string) *apiError {
	return newErr(http.StatusBadRequest, "MALFORMED_QUERY", msg)
}

func errInvalidField(msg string, fields ...string) *apiError {
	return newErr(http.StatusBadRequest, "INVALID_FIELD", msg, fields...)
}

func errJSON(msg string) *apiError {
	return newErr(http.StatusBadRequest, "JSON_PARSER_ERROR", msg)
}

func errMethod(method string, allowed ...string) *apiError {
	e := newErr(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are %s", method, strings.Join(allowed, ",")))
	return e
}

func errInvalidSession() *apiError {
	return newErr(http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
}
