package mockorg

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// jsonAppender writes itself as JSON without reflection; query pages use it because
// encoding/json would otherwise dominate the cost of a 2,000-record page.
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case float64:
		return appendFloat(b, x)
	case jsonAppender:
		return x.appendJSON(b)
	case []any:
		if x == nil {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	case []errItem:
		return appendErrItems(b, x)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, data...)
}

func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		b = strconv.AppendFloat(b, f, 'e', -1, 64)
		// encoding/json writes e-7, not e-07.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
		return b
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString writes a JSON string the way encoding/json does (HTML-safe, invalid UTF-8 replaced).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendEscaped writes the inside of a JSON string.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

func (m *orderedMap) appendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, k := range m.keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendValue(b, m.vals[i])
	}
	return append(b, '}')
}

func (q *queryResult) appendJSON(b []byte) []byte {
	b = append(b, `{"totalSize":`...)
	b = strconv.AppendInt(b, int64(q.TotalSize), 10)
	b = append(b, `,"done":`...)
	b = strconv.AppendBool(b, q.Done)
	if q.NextRecordsURL != "" {
		b = append(b, `,"nextRecordsUrl":`...)
		b = appendString(b, q.NextRecordsURL)
	}
	b = append(b, `,"records":[`...)
	for i, r := range q.Records {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendValue(b, r)
	}
	return append(b, "]}"...)
}

// MarshalJSON makes a query page usable inside other JSON (composite subresponses).
func (q *queryResult) MarshalJSON() ([]byte, error) { return q.appendJSON(nil), nil }

// appendStrings writes a string list the way encoding/json does (nil is null).
func appendStrings(b []byte, list []string) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendErrItems writes an error array with the field order and omissions of errItem's tags.
func appendErrItems(b []byte, items []errItem) []byte {
	if items == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"message":`...)
		b = appendString(b, it.Message)
		b = append(b, `,"errorCode":`...)
		b = appendString(b, it.ErrorCode)
		b = append(b, `,"fields":`...)
		b = appendStrings(b, it.Fields)
		if it.Dup != nil {
			b = append(b, `,"duplicateResut":`...)
			b = appendValue(b, it.Dup)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendJSON writes a subresponse; no headers are written as {}.
func (s *subresponse) appendJSON(b []byte) []byte {
	b = append(b, `{"body":`...)
	b = appendValue(b, s.Body)
	b = append(b, `,"httpHeaders":{`...)
	if len(s.HTTPHeaders) > 0 {
		keys := make([]string, 0, len(s.HTTPHeaders))
		for k := range s.HTTPHeaders {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, s.HTTPHeaders[k])
		}
	}
	b = append(b, `},"httpStatusCode":`...)
	b = strconv.AppendInt(b, int64(s.HTTPStatusCode), 10)
	b = append(b, `,"referenceId":`...)
	b = appendString(b, s.ReferenceID)
	return append(b, '}')
}

// compositeResponse is the body of a Composite reply.
type compositeResponse []subresponse

func (c compositeResponse) appendJSON(b []byte) []byte {
	b = append(b, `{"compositeResponse":[`...)
	for i := range c {
		if i > 0 {
			b = append(b, ',')
		}
		b = c[i].appendJSON(b)
	}
	return append(b, "]}"...)
}

// MarshalJSON makes the reply usable wherever encoding/json is used.
func (c compositeResponse) MarshalJSON() ([]byte, error) { return c.appendJSON(nil), nil }
