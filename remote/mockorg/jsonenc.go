package mockorg

import (
	"encoding/json"
	"math"
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
		return strconv.AppendFloat(b, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString writes a JSON string the way encoding/json does (HTML-safe, invalid UTF-8 replaced).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
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
	b = append(b, s[start:]...)
	return append(b, '"')
}

func (m *orderedMap) appendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, k := range m.keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendValue(b, m.vals[k])
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
