package remote

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wireTime is the datetime layout of Salesforce JSON: milliseconds and an offset without a colon.
const wireTime = "2006-01-02T15:04:05.000-0700"

// timeLayouts are the datetime forms accepted on input: the wire form first, then ISO-8601 variants
// that orgs and clients also produce (without milliseconds, with "Z", with "+hh:mm").
var timeLayouts = []string{
	wireTime,
	"2006-01-02T15:04:05-0700",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999-0700",
}

// ParseTime parses a Salesforce datetime such as "2024-01-02T03:04:05.000+0000". It also accepts
// the ISO-8601 forms with "Z" or "+hh:mm". The result is in UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("remote: empty datetime")
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("remote: datetime %q is not in the form 2024-01-02T03:04:05.000+0000", truncateRaw([]byte(s)))
}

// FormatTime formats t in the Salesforce wire form, in UTC: "2024-01-02T03:04:05.000+0000".
func FormatTime(t time.Time) string { return t.UTC().Format(wireTime) }

// httpDate formats t as an RFC 1123 date in GMT, the form of If-Unmodified-Since.
func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// isoParam formats t for the start/end parameters of getUpdated and getDeleted.
func isoParam(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date. It returns 0 when the
// header is absent, malformed or in the past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		const maxSeconds = int64(24 * time.Hour / time.Second)
		if n > maxSeconds {
			n = maxSeconds
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

var datePrefix = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})`)

// CalendarProblem says what is wrong with a value that starts like a date (YYYY-MM-DD) but names
// no day of the calendar ("February 2026 has no day 30: it has 28 days", "there is no month
// 13"); "" when the date exists or the value starts otherwise.
func CalendarProblem(s string) string {
	m := datePrefix.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	year, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	day, _ := strconv.Atoi(m[3])
	if month < 1 || month > 12 {
		return fmt.Sprintf("there is no month %s: months go from 01 to 12", m[2])
	}
	days := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if day < 1 || day > days {
		return fmt.Sprintf("%s %d has no day %s: it has %d days", time.Month(month), year, m[3], days)
	}
	return ""
}
