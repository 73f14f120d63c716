package remote

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/offline-edit/offline-edit/internal/plain"
)

// CodeMultipleChoices is the code given to a 300 Multiple Choices reply: an upsert (or a GET) by
// external id whose value more than one record holds. The org sends no errorCode then, only the
// list of the matching records; the message names their ids.
const CodeMultipleChoices = "MULTIPLE_CHOICES"

const maxRaw = 512

// ParseErrorBody turns an error reply body of any known shape into an *Error: an array of
// {message,errorCode,fields}, an array of collection results using statusCode, a single object,
// an OAuth {error,error_description}, the list of records of a 300 Multiple Choices (one
// MULTIPLE_CHOICES item), or an empty/unknown body (kept, truncated, in Raw).
func ParseErrorBody(status int, body []byte) *Error {
	e := &Error{Status: status}
	trimmed := bytes.TrimSpace(body)
	if status == http.StatusMultipleChoices {
		return multipleChoices(e, trimmed)
	}
	if len(trimmed) == 0 {
		return e
	}
	type item struct {
		ErrorCode        string          `json:"errorCode"`
		StatusCode       string          `json:"statusCode"`
		Message          string          `json:"message"`
		Fields           []string        `json:"fields"`
		DuplicateResut   json.RawMessage `json:"duplicateResut"`
		DuplicateResult  json.RawMessage `json:"duplicateResult"`
		Error            string          `json:"error"`
		ErrorDescription string          `json:"error_description"`
	}
	var items []item
	switch trimmed[0] {
	case '[':
		if err := json.Unmarshal(trimmed, &items); err != nil {
			e.Raw = truncateRaw(trimmed)
			return e
		}
	case '{':
		var one item
		if err := json.Unmarshal(trimmed, &one); err != nil {
			e.Raw = truncateRaw(trimmed)
			return e
		}
		items = []item{one}
	default:
		e.Raw = truncateRaw(trimmed)
		return e
	}
	for _, it := range items {
		code := it.ErrorCode
		if code == "" {
			code = it.StatusCode
		}
		msg := it.Message
		if code == "" && it.Error != "" {
			code, msg = it.Error, it.ErrorDescription
		}
		if code == "" && msg == "" {
			continue
		}
		for i, f := range it.Fields {
			it.Fields[i] = orgText(f)
		}
		e.Items = append(e.Items, ErrorItem{Code: orgText(code), Message: orgText(msg), Fields: it.Fields})
		dup := it.DuplicateResut
		if len(dup) == 0 {
			dup = it.DuplicateResult
		}
		if len(dup) > 0 && e.Duplicate == nil {
			e.Duplicate = parseDuplicate(dup)
		}
	}
	if len(e.Items) == 0 {
		e.Raw = truncateRaw(trimmed)
	}
	return e
}

// multipleChoices reads the body of a 300 reply, the records the external id matches: a JSON
// array of their URLs ("/services/data/v62.0/sobjects/Contact/003…") or of record objects
// (attributes.url, Id). Whatever the body, the reply is one MULTIPLE_CHOICES item: retrying
// cannot help until someone removes the duplicates.
func multipleChoices(e *Error, body []byte) *Error {
	var ids []string
	var list []json.RawMessage
	if len(body) > 0 && body[0] == '[' && json.Unmarshal(body, &list) == nil {
		for _, raw := range list {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				ids = append(ids, lastSegment(s))
				continue
			}
			var rec struct {
				ID         string `json:"Id"`
				Attributes struct {
					URL string `json:"url"`
				} `json:"attributes"`
			}
			if json.Unmarshal(raw, &rec) == nil {
				switch {
				case rec.ID != "":
					ids = append(ids, rec.ID)
				case rec.Attributes.URL != "":
					ids = append(ids, lastSegment(rec.Attributes.URL))
				}
			}
		}
	}
	msg := "the external id matches more than one record"
	if len(ids) > 0 {
		shown := ids[:min(len(ids), 10)]
		msg = "the external id matches " + strconv.Itoa(len(ids)) + " records: " + strings.Join(shown, ", ")
		if len(ids) > len(shown) {
			msg += ", …"
		}
	} else if len(body) > 0 {
		e.Raw = truncateRaw(body)
	}
	e.Items = []ErrorItem{{Code: CodeMultipleChoices, Message: truncateRaw([]byte(msg))}}
	return e
}

// lastSegment is the last path segment of a URL or path (a record id at the end of its URL).
func lastSegment(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

func parseDuplicate(raw json.RawMessage) *DuplicateResult {
	var d struct {
		AllowSave     bool   `json:"allowSave"`
		DuplicateRule string `json:"duplicateRule"`
		ErrorMessage  string `json:"errorMessage"`
		MatchResults  []struct {
			MatchRecords []struct {
				Record map[string]any `json:"record"`
			} `json:"matchRecords"`
		} `json:"matchResults"`
	}
	if json.Unmarshal(raw, &d) != nil {
		return nil
	}
	out := &DuplicateResult{AllowSave: d.AllowSave, DuplicateRule: orgText(d.DuplicateRule), ErrorMessage: orgText(d.ErrorMessage)}
	for _, m := range d.MatchResults {
		for _, r := range m.MatchRecords {
			if id, ok := r.Record["Id"].(string); ok {
				out.MatchIDs = append(out.MatchIDs, id)
			}
		}
	}
	return out
}

func truncateRaw(b []byte) string {
	if len(b) > maxRaw {
		return plain.Line(strings.ToValidUTF8(string(b[:maxRaw]), "")) + "…"
	}
	return plain.Line(string(b))
}

// maxOrgText bounds each text of an error reply (a real org's messages are a few hundred
// characters at most).
const maxOrgText = 4000

// orgText is a text of an error reply made inert: escape sequences and controls go (an escape
// left open at its end would otherwise swallow the words the app puts after it, and reach a
// terminal through any line that prints it), and a text of more than maxOrgText bytes is cut,
// ending in "…".
func orgText(s string) string {
	if len(s) > maxOrgText {
		s = strings.ToValidUTF8(s[:maxOrgText], "") + "…"
	}
	return plain.Line(s)
}
