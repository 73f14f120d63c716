package soql

import (
	"strconv"
	"strings"
	"time"
)

// Path is a field reference: ["Name"] or, for a parent field, ["Account", "Name"].
type Path []string

func (p Path) String() string { return strings.Join(p, ".") }

// Query is a parsed SELECT statement.
type Query struct {
	Count   bool   // SELECT COUNT()
	Fields  []Path // the selected fields, in order (empty when Count)
	Object  string
	Where   Expr // nil when there is no WHERE
	OrderBy []OrderItem
	Limit   int // -1 when absent
	Offset  int // 0 when absent
}

// OrderItem is one ORDER BY key.
type OrderItem struct {
	Field      Path
	Desc       bool
	NullsFirst bool // resolved default: true for ASC, false for DESC
}

// Expr is a WHERE condition: *And, *Or, *Not or *Cmp.
type Expr interface{ isExpr() }

// And is a conjunction.
type And struct{ Left, Right Expr }

// Or is a disjunction.
type Or struct{ Left, Right Expr }

// Not negates its operand.
type Not struct{ X Expr }

// Cmp compares a field with a literal, or with a list of literals for IN / NOT IN and, on a
// multi-select picklist, INCLUDES / EXCLUDES (each literal one value or several joined by ';').
type Cmp struct {
	Field Path
	Op    string // = != < <= > >= LIKE IN NOTIN INCLUDES EXCLUDES
	Value Literal
	List  []Literal
	Pos   int
}

func (*And) isExpr() {}
func (*Or) isExpr()  {}
func (*Not) isExpr() {}
func (*Cmp) isExpr() {}

// LitKind is the kind of a literal.
type LitKind int

const (
	LitNull LitKind = iota
	LitString
	LitNumber
	LitBool
	LitDate     // Time holds midnight UTC of the date
	LitDateTime // Time holds the instant
	LitDateRange
)

// Literal is a constant in a condition.
type Literal struct {
	Kind LitKind
	Str  string // LitString: the value
	// Pattern is a LitString in LIKE form: _ and % are wildcards, and \_ \% \\ stand for
	// the characters themselves.
	Pattern string
	// LikeOnly marks a LitString with an escaped _ or %: SOQL accepts those in LIKE only.
	LikeOnly bool
	Num      float64 // LitNumber
	Bool     bool    // LitBool
	Time     time.Time
	// LitDateRange (TODAY, LAST_N_DAYS:n...): the half-open range [Time, End) computed at evaluation
	Range string // the keyword, e.g. "TODAY" or "LAST_N_DAYS"
	N     int
	Text  string // the literal as written, for messages
}

// Parse parses one SOQL statement.
func Parse(src string) (*Query, error) {
	if len(src) > 100000 {
		return nil, errAt(0, "query is longer than 100000 characters")
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	return p.query()
}

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) isKeyword(kw string) bool {
	t := p.peek()
	return t.kind == tokIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) keyword(kw string) bool {
	if p.isKeyword(kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectKeyword(kw string) error {
	if !p.keyword(kw) {
		t := p.peek()
		return errAt(t.pos, "expecting %s, found %s", kw, describe(t))
	}
	return nil
}

func describe(t token) string {
	if t.kind == tokEOF {
		return "end of query"
	}
	if t.kind == tokString {
		return "'" + t.text + "'"
	}
	return "'" + t.text + "'"
}

var reserved = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "AND": true, "OR": true, "NOT": true, "IN": true,
	"LIKE": true, "ORDER": true, "BY": true, "LIMIT": true, "OFFSET": true, "ASC": true, "DESC": true,
	"NULLS": true, "NULL": true, "TRUE": true, "FALSE": true, "GROUP": true, "HAVING": true,
	"INCLUDES": true, "EXCLUDES": true, "FOR": true, "WITH": true, "USING": true, "TYPEOF": true,
}

func (p *parser) query() (*Query, error) {
	q := &Query{Limit: -1}
	if err := p.expectKeyword("SELECT"); err != nil {
		return nil, err
	}
	if p.isKeyword("COUNT") && p.toks[p.i+1].kind == tokLParen {
		p.i += 2
		if t := p.next(); t.kind != tokRParen {
			return nil, errAt(t.pos, "only COUNT() without a field is supported")
		}
		q.Count = true
	} else {
		for {
			path, err := p.path()
			if err != nil {
				return nil, err
			}
			q.Fields = append(q.Fields, path)
			if p.peek().kind != tokComma {
				break
			}
			p.i++
		}
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	t := p.next()
	if t.kind != tokIdent || reserved[strings.ToUpper(t.text)] {
		return nil, errAt(t.pos, "expecting an object name, found %s", describe(t))
	}
	q.Object = t.text
	if p.keyword("WHERE") {
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		q.Where = e
	}
	if p.keyword("ORDER") {
		if err := p.expectKeyword("BY"); err != nil {
			return nil, err
		}
		for {
			path, err := p.path()
			if err != nil {
				return nil, err
			}
			item := OrderItem{Field: path}
			if p.keyword("DESC") {
				item.Desc = true
			} else {
				p.keyword("ASC")
			}
			item.NullsFirst = !item.Desc
			if p.keyword("NULLS") {
				switch {
				case p.keyword("FIRST"):
					item.NullsFirst = true
				case p.keyword("LAST"):
					item.NullsFirst = false
				default:
					return nil, errAt(p.peek().pos, "expecting FIRST or LAST after NULLS")
				}
			}
			q.OrderBy = append(q.OrderBy, item)
			if p.peek().kind != tokComma {
				break
			}
			p.i++
		}
	}
	if p.keyword("LIMIT") {
		n, err := p.nonNegInt("LIMIT")
		if err != nil {
			return nil, err
		}
		q.Limit = n
	}
	if p.keyword("OFFSET") {
		n, err := p.nonNegInt("OFFSET")
		if err != nil {
			return nil, err
		}
		q.Offset = n
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errAt(t.pos, "unexpected token: %s", describe(t))
	}
	return q, nil
}

func (p *parser) nonNegInt(what string) (int, error) {
	t := p.next()
	if t.kind != tokNumber {
		return 0, errAt(t.pos, "%s needs a whole number, found %s", what, describe(t))
	}
	n, err := strconv.Atoi(t.text)
	if err != nil || n < 0 {
		return 0, errAt(t.pos, "%s needs a whole number, found %s", what, describe(t))
	}
	return n, nil
}

func (p *parser) path() (Path, error) {
	t := p.next()
	if t.kind != tokIdent || reserved[strings.ToUpper(t.text)] {
		return nil, errAt(t.pos, "expecting a field name, found %s", describe(t))
	}
	path := Path{t.text}
	for p.peek().kind == tokDot {
		p.i++
		t := p.next()
		if t.kind != tokIdent {
			return nil, errAt(t.pos, "expecting a field name after '.', found %s", describe(t))
		}
		path = append(path, t.text)
	}
	if len(path) > 2 {
		return nil, errAt(t.pos, "only parent fields one level deep are supported: %s", path)
	}
	if p.peek().kind == tokLParen {
		return nil, errAt(t.pos, "functions are not supported: %s(", path)
	}
	return path, nil
}

const maxDepth = 200

func (p *parser) or() (Expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, errAt(p.peek().pos, "condition nested too deeply")
	}
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("OR") {
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = &Or{left, right}
	}
	return left, nil
}

func (p *parser) and() (Expr, error) {
	left, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.keyword("AND") {
		right, err := p.not()
		if err != nil {
			return nil, err
		}
		left = &And{left, right}
	}
	return left, nil
}

func (p *parser) not() (Expr, error) {
	if p.keyword("NOT") {
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxDepth {
			return nil, errAt(p.peek().pos, "condition nested too deeply")
		}
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &Not{x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (Expr, error) {
	if p.peek().kind == tokLParen {
		p.i++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.kind != tokRParen {
			return nil, errAt(t.pos, "expecting ')', found %s", describe(t))
		}
		return e, nil
	}
	start := p.peek().pos
	path, err := p.path()
	if err != nil {
		return nil, err
	}
	c := &Cmp{Field: path, Pos: start}
	t := p.peek()
	switch {
	case t.kind == tokOp:
		p.i++
		c.Op = t.text
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		c.Value = lit
	case p.keyword("LIKE"):
		c.Op = "LIKE"
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		c.Value = lit
	case p.isKeyword("IN") || p.isKeyword("NOT") || p.isKeyword("INCLUDES") || p.isKeyword("EXCLUDES"):
		word := "IN"
		switch {
		case p.keyword("INCLUDES"):
			c.Op, word = "INCLUDES", "INCLUDES"
		case p.keyword("EXCLUDES"):
			c.Op, word = "EXCLUDES", "EXCLUDES"
		default:
			c.Op = "IN"
			if p.keyword("NOT") {
				c.Op = "NOTIN"
			}
			if err := p.expectKeyword("IN"); err != nil {
				return nil, err
			}
		}
		list, err := p.list(word)
		if err != nil {
			return nil, err
		}
		c.List = list
	default:
		return nil, errAt(t.pos, "expecting an operator after %s, found %s", path, describe(t))
	}
	return c, nil
}

// list reads the parenthesised literals after IN, NOT IN, INCLUDES or EXCLUDES (word).
func (p *parser) list(word string) ([]Literal, error) {
	if t := p.next(); t.kind != tokLParen {
		return nil, errAt(t.pos, "expecting '(' after %s, found %s", word, describe(t))
	}
	if p.isKeyword("SELECT") {
		return nil, errAt(p.peek().pos, "semi-join subqueries are not supported")
	}
	var list []Literal
	for {
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		list = append(list, lit)
		if p.peek().kind != tokComma {
			break
		}
		p.i++
	}
	if t := p.next(); t.kind != tokRParen {
		return nil, errAt(t.pos, "expecting ')' to close %s, found %s", word, describe(t))
	}
	return list, nil
}

var dateRanges = map[string]bool{"TODAY": true, "YESTERDAY": true, "TOMORROW": true}
var dateRangesN = map[string]bool{"LAST_N_DAYS": true, "NEXT_N_DAYS": true}

func (p *parser) literal() (Literal, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		str, likeOnly := unescapePattern(t.text)
		return Literal{Kind: LitString, Str: str, Pattern: t.text, LikeOnly: likeOnly, Text: "'" + t.text + "'"}, nil
	case tokNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return Literal{}, errAt(t.pos, "invalid number %s", t.text)
		}
		return Literal{Kind: LitNumber, Num: f, Text: t.text}, nil
	case tokDateTime:
		return parseDateLiteral(t)
	case tokIdent:
		up := strings.ToUpper(t.text)
		switch {
		case up == "NULL":
			return Literal{Kind: LitNull, Text: "null"}, nil
		case up == "TRUE" || up == "FALSE":
			return Literal{Kind: LitBool, Bool: up == "TRUE", Text: strings.ToLower(up)}, nil
		case dateRanges[up]:
			return Literal{Kind: LitDateRange, Range: up, Text: up}, nil
		case dateRangesN[up]:
			if c := p.next(); c.kind != tokColon {
				return Literal{}, errAt(c.pos, "expecting ':' after %s", up)
			}
			n := p.next()
			v, err := strconv.Atoi(n.text)
			if n.kind != tokNumber || err != nil || v < 0 || v > 100000 {
				return Literal{}, errAt(n.pos, "%s needs a whole number of days", up)
			}
			return Literal{Kind: LitDateRange, Range: up, N: v, Text: up + ":" + n.text}, nil
		}
	}
	return Literal{}, errAt(t.pos, "expecting a value, found %s", describe(t))
}

func parseDateLiteral(t token) (Literal, error) {
	s := t.text
	if len(s) == 10 {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			return Literal{}, errAt(t.pos, "invalid date %s", s)
		}
		return Literal{Kind: LitDate, Time: d, Text: s}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05.999Z07:00", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.999Z0700"} {
		if d, err := time.Parse(layout, s); err == nil {
			return Literal{Kind: LitDateTime, Time: d.UTC(), Text: s}, nil
		}
	}
	return Literal{}, errAt(t.pos, "invalid datetime %s (use 2024-01-02T03:04:05Z)", s)
}

// DateRange returns the half-open range [from, to) a date keyword covers at now (UTC days).
func (l Literal) DateRange(now time.Time) (from, to time.Time) {
	today := time.Date(now.UTC().Year(), now.UTC().Month(), now.UTC().Day(), 0, 0, 0, 0, time.UTC)
	switch l.Range {
	case "YESTERDAY":
		return today.AddDate(0, 0, -1), today
	case "TOMORROW":
		return today.AddDate(0, 0, 1), today.AddDate(0, 0, 2)
	case "LAST_N_DAYS":
		return today.AddDate(0, 0, -l.N), today.AddDate(0, 0, 1)
	case "NEXT_N_DAYS":
		return today, today.AddDate(0, 0, l.N+1)
	}
	return today, today.AddDate(0, 0, 1)
}
