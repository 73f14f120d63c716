package pending

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// synthesized answers a request without the org: "503", "429" or "lock" (UNABLE_TO_LOCK_ROW).
func synthesized(req *http.Request, action string) *http.Response {
	status, body := http.StatusServiceUnavailable, `[{"errorCode":"SERVER_UNAVAILABLE","message":"try later"}]`
	h := http.Header{"Content-Type": {"application/json;charset=UTF-8"}}
	switch action {
	case "429":
		status, body = http.StatusTooManyRequests, `[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"slow down"}]`
		h.Set("Retry-After", "2")
	case "badquery":
		status, body = http.StatusBadRequest, `[{"errorCode":"MALFORMED_QUERY","message":"refused for the test"}]`
	case "replication":
		status, body = http.StatusBadRequest, `[{"errorCode":"INVALID_REPLICATION_DATE","message":"startDate is before the earliest date available"}]`
	case "lock":
		status, body = http.StatusBadRequest, `[{"errorCode":"UNABLE_TO_LOCK_ROW","message":"unable to obtain exclusive access to this record"}]`
	default:
		if n, err := strconv.Atoi(action); err == nil {
			status = n
		}
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: req,
		ContentLength: int64(len(body)), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
}
