package remote

import (
	"bytes"
	"encoding/json"
)

const maxRaw = 512

// ParseErrorBody turns an error reply body of any known shape into an *Error: an array of
// {message,errorCode,fields}, an array of collection results using statusCode, a single object,
// an OAuth {error,error_description}, or an empty/unknown body (kept, truncated, in Raw).
func ParseErrorBody(status int, body []byte) *Error {
	e := &Error{Status: status}
	trimmed := bytes.TrimSpace(body)
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
		e.Items = append(e.Items, ErrorItem{Code: code, Message: msg, Fields: it.Fields})
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
	out := &DuplicateResult{AllowSave: d.AllowSave, DuplicateRule: d.DuplicateRule, ErrorMessage: d.ErrorMessage}
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
		return string(b[:maxRaw]) + "…"
	}
	return string(b)
}
