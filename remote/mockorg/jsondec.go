package mockorg

import "strconv"

// Hand-written decoders for the request bodies a sync engine sends most: the Composite
// envelope and flat record bodies. They take only the plain form (exact key names, strings
// without escapes or non-ASCII bytes, no duplicate keys in the envelope) and report false for
// anything else, which is then decoded by encoding/json as before: what they accept, they
// decode to exactly what encoding/json would, and every error message stays encoding/json's.

// jsonReader walks a JSON document.
type jsonReader struct {
	b    []byte
	i    int
	last string // the last string read, handed out again when the same text repeats
	// lastHeader is the last header value read: every subrequest of a push carries the same.
	lastHeader string
}

// knownStrings are texts requests repeat (methods, conditional headers, field names); a
// string read with one of these texts shares it instead of being copied.
var knownStrings = func() map[string]string {
	m := map[string]string{}
	for _, s := range []string{"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD",
		"If-Unmodified-Since", "If-Modified-Since", "If-Match", "If-None-Match", "Sforce-Duplicate-Rule-Header", "allowSave=true"} {
		m[s] = s
	}
	for _, o := range theSchema.objects {
		for _, f := range o.Fields {
			m[f.Name] = f.Name
		}
	}
	return m
}()

// str turns bytes read into a string, sharing a known or just-repeated text.
func (r *jsonReader) str(b []byte) string {
	if s, ok := knownStrings[string(b)]; ok {
		return s
	}
	if r.last == string(b) {
		return r.last
	}
	r.last = string(b)
	return r.last
}

func (r *jsonReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// next skips white space and consumes c if it comes next.
func (r *jsonReader) next(c byte) bool {
	r.ws()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

func (r *jsonReader) peek() byte {
	r.ws()
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

// end says whether only white space is left.
func (r *jsonReader) end() bool {
	r.ws()
	return r.i == len(r.b)
}

// plainString reads a string holding no escape, control or non-ASCII byte.
func (r *jsonReader) plainString() (string, bool) {
	b, ok := r.plainBytes()
	if !ok {
		return "", false
	}
	return r.str(b), true
}

// plainBytes is plainString without making the string.
func (r *jsonReader) plainBytes() ([]byte, bool) {
	if !r.next('"') {
		return nil, false
	}
	start := r.i
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			return r.b[start : r.i-1], true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false
		}
		r.i++
	}
	return nil, false
}

// bool reads true or false.
func (r *jsonReader) bool() (bool, bool) {
	r.ws()
	switch {
	case r.lit("true"):
		return true, true
	case r.lit("false"):
		return false, true
	}
	return false, false
}

func (r *jsonReader) lit(s string) bool {
	if len(r.b)-r.i >= len(s) && string(r.b[r.i:r.i+len(s)]) == s {
		r.i += len(s)
		return true
	}
	return false
}

// maxSkipDepth bounds the nesting skipValue follows; deeper documents go to encoding/json.
const maxSkipDepth = 64

// skipValue checks and passes over one JSON value, returning its bytes.
func (r *jsonReader) skipValue() ([]byte, bool) {
	r.ws()
	start := r.i
	if !r.skip(0) {
		return nil, false
	}
	return r.b[start:r.i], true
}

func (r *jsonReader) skip(depth int) bool {
	if depth > maxSkipDepth {
		return false
	}
	switch r.peek() {
	case '{':
		r.i++
		if r.next('}') {
			return true
		}
		for {
			r.ws()
			if !r.skipString() || !r.next(':') || !r.skip(depth+1) {
				return false
			}
			if r.next('}') {
				return true
			}
			if !r.next(',') {
				return false
			}
		}
	case '[':
		r.i++
		if r.next(']') {
			return true
		}
		for {
			if !r.skip(depth + 1) {
				return false
			}
			if r.next(']') {
				return true
			}
			if !r.next(',') {
				return false
			}
		}
	case '"':
		return r.skipString()
	case 't':
		return r.lit("true")
	case 'f':
		return r.lit("false")
	case 'n':
		return r.lit("null")
	}
	_, ok := r.number()
	return ok
}

// skipString passes over a string with any valid escapes (the reader is at its quote).
func (r *jsonReader) skipString() bool {
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		return false
	}
	r.i++
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if r.i+1 >= len(r.b) {
				return false
			}
			switch r.b[r.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.i += 2
			case 'u':
				if r.i+6 > len(r.b) {
					return false
				}
				for _, h := range r.b[r.i+2 : r.i+6] {
					if !isHex(h) {
						return false
					}
				}
				r.i += 6
			default:
				return false
			}
			continue
		}
		r.i++
	}
	return false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// number reads a number in JSON's grammar and returns its text.
func (r *jsonReader) number() ([]byte, bool) {
	r.ws()
	start := r.i
	digits := func() int {
		n := 0
		for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	if r.i < len(r.b) && r.b[r.i] == '-' {
		r.i++
	}
	switch {
	case r.i < len(r.b) && r.b[r.i] == '0':
		r.i++
	case digits() == 0:
		return nil, false
	}
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	return r.b[start:r.i], true
}

// compositeRequest is the body of POST /composite.
type compositeRequest struct {
	AllOrNone        bool         `json:"allOrNone"`
	CollateSubs      bool         `json:"collateSubrequests"`
	CompositeRequest []subrequest `json:"compositeRequest"`
}

// decodeComposite decodes a Composite request body.
func decodeComposite(body []byte) (compositeRequest, *apiError) {
	if req, ok := decodePlainComposite(body); ok {
		return req, nil
	}
	var req compositeRequest
	aerr := decodeJSON(body, &req)
	return req, aerr
}

// decodePlainComposite decodes the plain form of a Composite request body; subrequest
// bodies are kept as sent.
func decodePlainComposite(body []byte) (compositeRequest, bool) {
	var out compositeRequest
	r := &jsonReader{b: body}
	seen := 0
	ok := r.object(func(key string) bool {
		var bit int
		switch key {
		case "allOrNone":
			bit = 1
			v, ok := r.bool()
			out.AllOrNone = v
			if !ok {
				return false
			}
		case "collateSubrequests":
			bit = 2
			v, ok := r.bool()
			out.CollateSubs = v
			if !ok {
				return false
			}
		case "compositeRequest":
			bit = 4
			subs, ok := r.subrequests()
			if !ok {
				return false
			}
			out.CompositeRequest = subs
		default:
			return false
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return true
	})
	return out, ok && r.end()
}

// object reads an object whose keys are plain strings, handing each key to field, which
// reads the value.
func (r *jsonReader) object(field func(key string) bool) bool {
	if !r.next('{') {
		return false
	}
	if r.next('}') {
		return true
	}
	for {
		k, ok := r.plainString()
		if !ok || !r.next(':') || !field(k) {
			return false
		}
		if r.next('}') {
			return true
		}
		if !r.next(',') {
			return false
		}
	}
}

func (r *jsonReader) subrequests() ([]subrequest, bool) {
	if !r.next('[') {
		return nil, false
	}
	subs := make([]subrequest, 0, MaxCompositeSubrequests)
	if r.next(']') {
		return subs, true
	}
	for {
		var s subrequest
		seen := 0
		ok := r.object(func(key string) bool {
			var bit int
			var ok bool
			switch key {
			case "method":
				bit = 1
				s.Method, ok = r.plainString()
			case "url":
				bit = 2
				s.URL, ok = r.plainString()
			case "referenceId":
				bit = 4
				s.ReferenceID, ok = r.plainString()
			case "body":
				bit = 8
				s.Body, ok = r.skipValue()
			case "httpHeaders":
				bit = 16
				ok = r.object(func(k string) bool {
					b, ok := r.plainBytes()
					if !ok {
						return false
					}
					v := r.lastHeader
					if string(b) != v {
						v = r.str(b)
						r.lastHeader = v
					}
					if _, dup := s.HTTPHeaders[k]; dup {
						return false
					}
					if s.HTTPHeaders == nil {
						s.HTTPHeaders = make(map[string]string, 1)
					}
					s.HTTPHeaders[k] = v
					return true
				})
			}
			if !ok || seen&bit != 0 {
				return false
			}
			seen |= bit
			return true
		})
		if !ok {
			return nil, false
		}
		subs = append(subs, s)
		if r.next(']') {
			return subs, true
		}
		if !r.next(',') {
			return nil, false
		}
	}
}

// decodeFlatObject decodes an object whose values are all plain strings, numbers, booleans
// or null (a record body); false for anything else.
func decodeFlatObject(body []byte) (map[string]any, bool) {
	r := &jsonReader{b: body}
	m := make(map[string]any, 4)
	ok := r.object(func(key string) bool {
		switch r.peek() {
		case '"':
			s, ok := r.plainString()
			m[key] = s
			return ok
		case 't', 'f':
			b, ok := r.bool()
			m[key] = b
			return ok
		case 'n':
			m[key] = nil
			return r.lit("null")
		}
		lit, ok := r.number()
		if !ok {
			return false
		}
		f, err := strconv.ParseFloat(string(lit), 64)
		m[key] = f
		return err == nil
	})
	if !ok || !r.end() {
		return nil, false
	}
	return m, true
}
