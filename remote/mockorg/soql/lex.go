// Package soql parses the subset of the Salesforce Object Query Language the mock org serves:
// SELECT fields or COUNT(), FROM one object, WHERE with comparisons, IN, LIKE, AND/OR/NOT and
// parentheses, ORDER BY several keys, LIMIT and OFFSET, and parent fields one level deep.
// It only builds the syntax tree; checking names against a schema and evaluating is the caller's.
package soql

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token.
type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokString
	tokNumber
	tokDateTime // a date or datetime literal (not quoted)
	tokComma
	tokDot
	tokLParen
	tokRParen
	tokOp    // = != <> < <= > >=
	tokColon // in date literals such as LAST_N_DAYS:3
)

type token struct {
	kind tokKind
	text string // identifier / operator text, or the decoded string literal
	pos  int
}

// Error is a parse error; Code is MALFORMED_QUERY.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("at position %d: %s", e.Pos, e.Msg) }

func errAt(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// lex splits a query into tokens.
func lex(src string) ([]token, error) {
	if !utf8.ValidString(src) {
		return nil, errAt(0, "query is not valid UTF-8")
	}
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == ',':
			toks = append(toks, token{tokComma, ",", i})
			i++
		case c == '.':
			toks = append(toks, token{tokDot, ".", i})
			i++
		case c == '(':
			toks = append(toks, token{tokLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tokRParen, ")", i})
			i++
		case c == ':':
			toks = append(toks, token{tokColon, ":", i})
			i++
		case c == '=':
			toks = append(toks, token{tokOp, "=", i})
			i++
		case c == '!':
			if i+1 < len(src) && src[i+1] == '=' {
				toks = append(toks, token{tokOp, "!=", i})
				i += 2
			} else {
				return nil, errAt(i, "unexpected '!'")
			}
		case c == '<':
			switch {
			case i+1 < len(src) && src[i+1] == '=':
				toks = append(toks, token{tokOp, "<=", i})
				i += 2
			case i+1 < len(src) && src[i+1] == '>':
				toks = append(toks, token{tokOp, "!=", i})
				i += 2
			default:
				toks = append(toks, token{tokOp, "<", i})
				i++
			}
		case c == '>':
			if i+1 < len(src) && src[i+1] == '=' {
				toks = append(toks, token{tokOp, ">=", i})
				i += 2
			} else {
				toks = append(toks, token{tokOp, ">", i})
				i++
			}
		case c == '\'':
			s, n, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tokString, s, i})
			i = n
		case isDigit(c) || ((c == '-' || c == '+') && i+1 < len(src) && (isDigit(src[i+1]) || src[i+1] == '.')) || (c == '.' && i+1 < len(src) && isDigit(src[i+1])):
			t, n := lexNumberOrDate(src, i)
			toks = append(toks, t)
			i = n
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, token{tokIdent, src[i:j], i})
			i = j
		default:
			r, _ := utf8.DecodeRuneInString(src[i:])
			return nil, errAt(i, "unexpected character %q", r)
		}
	}
	toks = append(toks, token{tokEOF, "", len(src)})
	return toks, nil
}

// lexString reads a quoted string literal and returns it in LIKE-pattern form: every character
// as written, except that an escaped backslash stays "\\" and an escaped _ or % stays "\_" or
// "\%" (so LIKE can tell a literal wildcard from a pattern one); the other escapes are decoded.
// The escapes are those of SOQL's "Quoted String Escape Sequences": \n \r \t \b \f (either
// case), \" \' \\, \uXXXX, and \_ \% (valid in LIKE only, checked by the parser). Any other
// backslash is an error, as on a real org.
func lexString(src string, start int) (string, int, error) {
	var b strings.Builder
	i := start + 1
	for i < len(src) {
		c := src[i]
		switch c {
		case '\'':
			return b.String(), i + 1, nil
		case '\\':
			if i+1 >= len(src) {
				return "", 0, errAt(i, "unterminated escape in string literal")
			}
			e := src[i+1]
			switch e {
			case '\'', '"':
				b.WriteByte(e)
			case 'n', 'N':
				b.WriteByte('\n')
			case 'r', 'R':
				b.WriteByte('\r')
			case 't', 'T':
				b.WriteByte('\t')
			case 'b', 'B':
				b.WriteByte('\b')
			case 'f', 'F':
				b.WriteByte('\f')
			case '\\', '_', '%':
				// kept escaped: the parser decodes them, or keeps them for LIKE
				b.WriteByte('\\')
				b.WriteByte(e)
			case 'u':
				if i+6 > len(src) {
					return "", 0, errAt(i, "invalid escape sequence \\u: four hexadecimal digits expected")
				}
				n, err := strconv.ParseUint(src[i+2:i+6], 16, 32)
				if err != nil {
					return "", 0, errAt(i, "invalid escape sequence \\u%s", src[i+2:i+6])
				}
				r := rune(n)
				if !utf8.ValidRune(r) {
					r = utf8.RuneError
				}
				if r == '\\' {
					b.WriteByte('\\') // kept in the escaped form of a backslash
				}
				b.WriteRune(r)
				i += 6
				continue
			default:
				return "", 0, errAt(i, "invalid escape sequence \\%c", e)
			}
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, errAt(start, "unterminated string literal")
}

// unescapePattern turns a string literal's LIKE-pattern form into its value; likeOnly reports
// an escaped _ or %, which SOQL accepts only in a LIKE pattern.
func unescapePattern(p string) (value string, likeOnly bool) {
	if !strings.Contains(p, `\`) {
		return p, false
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			i++
			likeOnly = likeOnly || p[i] == '_' || p[i] == '%'
		}
		b.WriteByte(p[i])
	}
	return b.String(), likeOnly
}

// lexNumberOrDate reads a number, or a date (2024-01-02) / datetime (2024-01-02T03:04:05Z) literal.
func lexNumberOrDate(src string, i int) (token, int) {
	start := i
	// a date starts with exactly four digits and a dash
	if i+10 <= len(src) && isDigits(src[i:i+4]) && src[i+4] == '-' && isDigits(src[i+5:i+7]) && src[i+7] == '-' && isDigits(src[i+8:i+10]) {
		j := i + 10
		if j < len(src) && src[j] == 'T' {
			j++
			for j < len(src) && (isDigit(src[j]) || src[j] == ':' || src[j] == '.' || src[j] == 'Z' || src[j] == '+' || src[j] == '-') {
				j++
			}
		}
		return token{tokDateTime, src[start:j], start}, j
	}
	j := i
	if src[j] == '-' || src[j] == '+' {
		j++
	}
	for j < len(src) && (isDigit(src[j]) || src[j] == '.') {
		j++
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '-' || src[k] == '+') {
			k++
		}
		if k < len(src) && isDigit(src[k]) {
			for k < len(src) && isDigit(src[k]) {
				k++
			}
			j = k
		}
	}
	return token{tokNumber, src[start:j], start}, j
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
func isIdentStart(c byte) bool { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) }
