package remote

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ParseFields decodes a JSON object into Fields with the same result as encoding/json would
// give for a map[string]any (numbers as float64, nested objects as map[string]any, arrays as
// []any, invalid UTF-8 replaced by U+FFFD, the last of duplicate keys kept), without
// reflection: records are decoded by the thousand on every sync. "null" gives nil.
func ParseFields(data []byte) (Fields, error) { return ParseFieldsString(string(data)) }

// ParseFieldsString is ParseFields of a string; unescaped strings in the result share its memory.
func ParseFieldsString(data string) (Fields, error) {
	d := fieldDecoder{data: data}
	d.space()
	if d.literal("null") {
		return nil, d.end()
	}
	m, err := d.object(min(len(data)/24, 64))
	if err != nil {
		return nil, err
	}
	return m, d.end()
}

// ParseFieldsList decodes a JSON array whose items are objects or null (a Collections
// retrieve answers null for an id it cannot return).
func ParseFieldsList(data []byte) ([]Fields, error) {
	d := fieldDecoder{data: string(data)} // only read: results never point into it
	d.space()
	if d.literal("null") {
		return nil, d.end()
	}
	out := []Fields{}
	hint := 16 // then the size of the record before: records of one reply look alike
	err := d.elements(func() error {
		if d.literal("null") {
			out = append(out, nil)
			return nil
		}
		if d.pos >= len(d.data) || d.data[d.pos] != '{' {
			return d.fail("expected an object")
		}
		start := d.pos
		if err := d.skip(); err != nil {
			return err
		}
		// Each record is decoded from its own copy: a value kept afterwards (an id in a map,
		// say) holds on to its record, not to the whole reply.
		e := fieldDecoder{data: string(data[start:d.pos]), depth: d.depth}
		m, err := e.object(hint)
		out = append(out, m)
		hint = len(m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, d.end()
}

// maxDepth bounds nesting, as encoding/json does (10000), so hostile input cannot exhaust the stack.
const maxDepth = 10000

type fieldDecoder struct {
	data  string // unescaped strings in the result are slices of it
	pos   int
	depth int
	buf   []byte // scratch for strings with escapes
}

var errSyntax = errors.New("invalid JSON")

func (d *fieldDecoder) fail(what string) error {
	return fmt.Errorf("%w at offset %d: %s", errSyntax, d.pos, what)
}

func (d *fieldDecoder) end() error {
	d.space()
	if d.pos != len(d.data) {
		return d.fail("data after the top-level value")
	}
	return nil
}

func (d *fieldDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *fieldDecoder) consume(c byte) bool {
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

func (d *fieldDecoder) literal(s string) bool {
	if len(d.data)-d.pos >= len(s) && d.data[d.pos:d.pos+len(s)] == s {
		d.pos += len(s)
		return true
	}
	return false
}

// object reads an object into a map made for hint keys.
func (d *fieldDecoder) object(hint int) (map[string]any, error) {
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		return nil, d.fail("expected an object")
	}
	m := make(map[string]any, hint)
	err := d.members(func(k string) error {
		v, err := d.value()
		m[k] = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (d *fieldDecoder) array() ([]any, error) {
	out := []any{}
	err := d.elements(func() error {
		v, err := d.value()
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (d *fieldDecoder) value() (any, error) {
	if d.pos >= len(d.data) {
		return nil, d.fail("unexpected end of input")
	}
	switch c := d.data[d.pos]; {
	case c == '"':
		return d.str()
	case c == '{':
		return d.object(0)
	case c == '[':
		return d.array()
	case c == 't':
		if d.literal("true") {
			return true, nil
		}
	case c == 'f':
		if d.literal("false") {
			return false, nil
		}
	case c == 'n':
		if d.literal("null") {
			return nil, nil
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return nil, d.fail("unexpected character")
}

// number reads a number in JSON's grammar and converts it as encoding/json does for any.
func (d *fieldDecoder) number() (any, error) {
	start := d.pos
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	d.consume('-')
	if d.consume('0') {
		// no more integer digits after a leading zero
	} else if digits() == 0 {
		return nil, d.fail("invalid number")
	}
	if d.consume('.') && digits() == 0 {
		return nil, d.fail("invalid number")
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if !d.consume('+') {
			d.consume('-')
		}
		if digits() == 0 {
			return nil, d.fail("invalid number")
		}
	}
	s := d.data[start:d.pos]
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: number %s out of range", errSyntax, s)
	}
	return f, nil
}

// str reads a string, unescaping it and replacing invalid UTF-8 with U+FFFD.
func (d *fieldDecoder) str() (string, error) {
	if !d.consume('"') {
		return "", d.fail("expected a string")
	}
	start := d.pos
	// Fast path: no escapes, plain ASCII or valid UTF-8.
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			s := d.data[start:d.pos]
			d.pos++
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		if c < utf8.RuneSelf {
			d.pos++
			continue
		}
		r, size := utf8.DecodeRuneInString(d.data[d.pos:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		d.pos += size
	}
	buf := append(d.buf[:0], d.data[start:d.pos]...)
	for {
		if d.pos >= len(d.data) {
			return "", d.fail("unterminated string")
		}
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			d.buf = buf
			return string(buf), nil
		case c < 0x20:
			return "", d.fail("control character in string")
		case c == '\\':
			if d.pos+1 >= len(d.data) {
				return "", d.fail("unterminated string")
			}
			e := d.data[d.pos+1]
			d.pos += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return "", d.fail("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					// A high surrogate followed by an escaped low one makes one rune;
					// anything else is U+FFFD, as encoding/json decodes it.
					save := d.pos
					if d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
						d.pos += 2
						if r2, ok := d.hex4(); ok {
							if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
								buf = utf8.AppendRune(buf, dec)
								continue
							}
						}
					}
					d.pos = save
					r = utf8.RuneError
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", d.fail("invalid escape in string")
			}
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			d.pos++
		default:
			r, size := utf8.DecodeRuneInString(d.data[d.pos:])
			d.pos += size
			buf = utf8.AppendRune(buf, r) // RuneError for an invalid byte
		}
	}
}

func (d *fieldDecoder) hex4() (rune, bool) {
	if len(d.data)-d.pos < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(d.data[d.pos : d.pos+4]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	d.pos += 4
	return r, true
}

// skip reads past one value of any kind, checking it is valid JSON, without building it.
func (d *fieldDecoder) skip() error {
	if d.pos >= len(d.data) {
		return d.fail("unexpected end of input")
	}
	switch d.data[d.pos] {
	case '"':
		_, err := d.str()
		return err
	case '{':
		return d.members(func(string) error { return d.skip() })
	case '[':
		return d.elements(d.skip)
	}
	_, err := d.value()
	return err
}

// members calls fn for each member of an object, at the start of its value (fn must read the
// value); null is no members. Nesting counts towards maxDepth.
func (d *fieldDecoder) members(fn func(key string) error) error {
	if d.literal("null") {
		return nil
	}
	if !d.consume('{') {
		return d.fail("expected an object")
	}
	if d.depth++; d.depth > maxDepth {
		return d.fail("nested too deeply")
	}
	defer func() { d.depth-- }()
	d.space()
	if d.consume('}') {
		return nil
	}
	for {
		d.space()
		k, err := d.str()
		if err != nil {
			return err
		}
		d.space()
		if !d.consume(':') {
			return d.fail("expected : after object key")
		}
		d.space()
		if err := fn(k); err != nil {
			return err
		}
		d.space()
		if d.consume(',') {
			continue
		}
		if d.consume('}') {
			return nil
		}
		return d.fail("expected , or } in object")
	}
}

// elements calls fn for each element of an array, at its start (fn must read it). Nesting
// counts towards maxDepth.
func (d *fieldDecoder) elements(fn func() error) error {
	if !d.consume('[') {
		return d.fail("expected an array")
	}
	if d.depth++; d.depth > maxDepth {
		return d.fail("nested too deeply")
	}
	defer func() { d.depth-- }()
	d.space()
	if d.consume(']') {
		return nil
	}
	for {
		d.space()
		if err := fn(); err != nil {
			return err
		}
		d.space()
		if d.consume(',') {
			continue
		}
		if d.consume(']') {
			return nil
		}
		return d.fail("expected , or ] in array")
	}
}

// decodeComposite reads a Composite reply in one pass; bodies are slices of data. Keys match
// without regard to case, as encoding/json matches struct fields.
func decodeComposite(data []byte) ([]Subresponse, error) {
	d := fieldDecoder{data: string(data)}
	var out []Subresponse
	found := false
	d.space()
	err := d.members(func(key string) error {
		if !strings.EqualFold(key, "compositeResponse") {
			return d.skip()
		}
		if d.literal("null") {
			out, found = nil, false
			return nil
		}
		if d.pos >= len(d.data) || d.data[d.pos] != '[' {
			return d.fail("compositeResponse is not an array")
		}
		// A repeated key decodes into the elements already there, as encoding/json does.
		prev := out
		found, out = true, []Subresponse{}
		return d.elements(func() error {
			var s Subresponse
			if i := len(out); i < len(prev) {
				s = prev[i]
			}
			err := d.members(func(key string) error {
				switch {
				case strings.EqualFold(key, "body"):
					start := d.pos
					if err := d.skip(); err != nil {
						return err
					}
					s.Body = data[start:d.pos:d.pos]
				case strings.EqualFold(key, "httpHeaders"):
					if d.literal("null") {
						s.Headers = nil
						return nil
					}
					if s.Headers == nil {
						s.Headers = map[string]string{}
					}
					return d.members(func(name string) error {
						if d.literal("null") {
							s.Headers[name] = ""
							return nil
						}
						v, err := d.str()
						s.Headers[name] = v
						return err
					})
				case strings.EqualFold(key, "httpStatusCode"):
					if d.literal("null") {
						return nil
					}
					start := d.pos
					if _, err := d.number(); err != nil {
						return err
					}
					n, err := strconv.Atoi(d.data[start:d.pos])
					if err != nil {
						return fmt.Errorf("%w: httpStatusCode %s is not an integer", errSyntax, d.data[start:d.pos])
					}
					s.StatusCode = n
				case strings.EqualFold(key, "referenceId"):
					if d.literal("null") {
						return nil
					}
					v, err := d.str()
					s.ReferenceID = v
					return err
				default:
					return d.skip()
				}
				return nil
			})
			out = append(out, s)
			return err
		})
	})
	if err == nil {
		err = d.end()
	}
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errNoComposite
	}
	return out, nil
}

var errNoComposite = errors.New("composite reply has no compositeResponse")
