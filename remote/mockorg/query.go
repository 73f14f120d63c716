package mockorg

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/offline-edit/offline-edit/remote/mockorg/soql"
)

// column is a resolved field path of a query.
type column struct {
	path     []string  // canonical names: ["Name"] or ["Account", "Name"]
	rel      *fieldDef // the reference field of a parent path, nil for a direct field
	field    *fieldDef // the field read (on the parent object for a parent path)
	nameOnly bool      // polymorphic parent: read the target's name field
}

func (c *column) key() string { return strings.Join(c.path, ".") }

// compiled is a query checked against the schema.
type compiled struct {
	q       *soql.Query
	obj     *objectDef
	cols    []*column
	where   func(*rec) bool
	order   []orderKey
	profile Profile
}

type orderKey struct {
	col        *column
	desc       bool
	nullsFirst bool
}

func (o *Org) resolve(obj *objectDef, p soql.Path, profile Profile) (*column, *apiError) {
	unknown := func(name string) *apiError {
		return errInvalidField(fmt.Sprintf("No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", name, obj.Name))
	}
	if len(p) == 2 && strings.EqualFold(p[0], obj.Name) && obj.relationship(p[0]) == nil {
		p = p[1:]
	}
	if len(p) == 1 {
		f := obj.field(p[0], profile)
		if f == nil {
			return nil, unknown(p[0])
		}
		return &column{path: []string{f.Name}, field: f}, nil
	}
	rel := obj.relationship(p[0])
	if rel == nil {
		return nil, errInvalidField(fmt.Sprintf("Didn't understand relationship '%s' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.", p[0]))
	}
	if len(rel.ReferenceTo) > 1 {
		switch strings.ToLower(p[1]) {
		case "id":
			return &column{path: []string{rel.RelationshipName, "Id"}, rel: rel, field: obj.byName["id"]}, nil
		case "name":
			return &column{path: []string{rel.RelationshipName, "Name"}, rel: rel, field: &fieldDef{Name: "Name", Type: "string"}, nameOnly: true}, nil
		}
		return nil, errInvalidField(fmt.Sprintf("No such column '%s' on entity 'Name'. Polymorphic relationships only offer Id and Name.", p[1]))
	}
	target := o.schema.object(rel.ReferenceTo[0])
	f := target.field(p[1], profile)
	if f == nil {
		return nil, errInvalidField(fmt.Sprintf("No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", p[1], target.Name))
	}
	return &column{path: []string{rel.RelationshipName, f.Name}, rel: rel, field: f}, nil
}

// reader is what a query reads through: a transaction (possibly empty) over the org.
type reader = txn

// parent returns the record a parent path points at, if the user can see it.
func (o *Org) parent(v *reader, u User, r *rec, c *column) *rec {
	id, _ := r.F[c.rel.Name].(string)
	if id == "" {
		return nil
	}
	p := v.get(id)
	if p == nil || !canRead(o.accessOf(u, p)) {
		return nil
	}
	return p
}

func (o *Org) value(v *reader, u User, r *rec, c *column) any {
	if c.rel == nil {
		return r.F[c.field.Name]
	}
	p := o.parent(v, u, r, c)
	if p == nil {
		return nil
	}
	if c.nameOnly {
		return p.F[p.Object.nameField().Name]
	}
	return p.F[c.field.Name]
}

// compile checks a parsed query against the schema.
func (o *Org) compile(v *reader, u User, q *soql.Query, profile Profile, now time.Time) (*compiled, *apiError) {
	obj := o.schema.object(q.Object)
	if obj == nil {
		return nil, newErr(http.StatusBadRequest, "INVALID_TYPE", fmt.Sprintf("sObject type '%s' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", q.Object))
	}
	c := &compiled{q: q, obj: obj, profile: profile}
	seen := map[string]bool{}
	for _, p := range q.Fields {
		col, aerr := o.resolve(obj, p, profile)
		if aerr != nil {
			return nil, aerr
		}
		if seen[strings.ToLower(col.key())] {
			return nil, errMalformedQuery("duplicate field selected: " + col.key())
		}
		seen[strings.ToLower(col.key())] = true
		c.cols = append(c.cols, col)
	}
	if q.Where != nil {
		w, aerr := o.compileExpr(v, u, obj, q.Where, profile, now)
		if aerr != nil {
			return nil, aerr
		}
		c.where = w
	}
	for _, item := range q.OrderBy {
		col, aerr := o.resolve(obj, item.Field, profile)
		if aerr != nil {
			return nil, aerr
		}
		c.order = append(c.order, orderKey{col: col, desc: item.Desc, nullsFirst: item.NullsFirst})
	}
	return c, nil
}

func (o *Org) compileExpr(v *reader, u User, obj *objectDef, e soql.Expr, profile Profile, now time.Time) (func(*rec) bool, *apiError) {
	switch x := e.(type) {
	case *soql.And:
		l, err := o.compileExpr(v, u, obj, x.Left, profile, now)
		if err != nil {
			return nil, err
		}
		r, err := o.compileExpr(v, u, obj, x.Right, profile, now)
		if err != nil {
			return nil, err
		}
		return func(rc *rec) bool { return l(rc) && r(rc) }, nil
	case *soql.Or:
		l, err := o.compileExpr(v, u, obj, x.Left, profile, now)
		if err != nil {
			return nil, err
		}
		r, err := o.compileExpr(v, u, obj, x.Right, profile, now)
		if err != nil {
			return nil, err
		}
		return func(rc *rec) bool { return l(rc) || r(rc) }, nil
	case *soql.Not:
		inner, err := o.compileExpr(v, u, obj, x.X, profile, now)
		if err != nil {
			return nil, err
		}
		return func(rc *rec) bool { return !inner(rc) }, nil
	case *soql.Cmp:
		col, aerr := o.resolve(obj, x.Field, profile)
		if aerr != nil {
			return nil, aerr
		}
		get := func(rc *rec) any { return o.value(v, u, rc, col) }
		if x.Op == "IN" || x.Op == "NOTIN" {
			var preds []func(any) bool
			for _, lit := range x.List {
				p, aerr := comparison(col, "=", lit, now)
				if aerr != nil {
					return nil, aerr
				}
				preds = append(preds, p)
			}
			neg := x.Op == "NOTIN"
			return func(rc *rec) bool {
				val := get(rc)
				for _, p := range preds {
					if p(val) {
						return !neg
					}
				}
				return neg && val != nil
			}, nil
		}
		if x.Op == "INCLUDES" || x.Op == "EXCLUDES" {
			has, aerr := includes(col, x.List)
			if aerr != nil {
				return nil, aerr
			}
			if x.Op == "INCLUDES" {
				return func(rc *rec) bool { return has(get(rc)) }, nil
			}
			return func(rc *rec) bool { return !has(get(rc)) }, nil
		}
		p, aerr := comparison(col, x.Op, x.Value, now)
		if aerr != nil {
			return nil, aerr
		}
		return func(rc *rec) bool { return p(get(rc)) }, nil
	}
	return nil, errMalformedQuery("unsupported condition")
}

// includes builds INCLUDES' test of a multi-select value, as an org runs it: true when, for one
// literal of the list, the value holds every one of that literal's ';'-separated values (case
// aside). EXCLUDES is its negation: a field with no value includes nothing, so EXCLUDES finds it.
func includes(col *column, list []soql.Literal) (func(any) bool, *apiError) {
	if col.field.Type != "multipicklist" {
		return nil, errInvalidField(fmt.Sprintf("includes or excludes operator only valid on multipicklist field: %s", col.key()))
	}
	var sets []map[string]bool
	for _, lit := range list {
		if lit.Kind != soql.LitString {
			return nil, errInvalidField(fmt.Sprintf("value of filter criterion for field '%s' must be of type string and should be enclosed in quotes", col.key()))
		}
		sets = append(sets, valueSet(lit.Str))
	}
	return func(v any) bool {
		s, _ := v.(string)
		held := valueSet(s)
	sets:
		for _, set := range sets {
			if len(set) == 0 {
				continue
			}
			for want := range set {
				if !held[want] {
					continue sets
				}
			}
			return true
		}
		return false
	}, nil
}

// multiEquals builds = and != on a multi-select: 'AAA;BBB' equals a value holding exactly those
// two, in any order (case aside). An org takes no other operator on such a field.
func multiEquals(col *column, op string, lit soql.Literal) (func(any) bool, *apiError) {
	if op != "=" && op != "!=" {
		return nil, errInvalidField(fmt.Sprintf("invalid operator on multipicklist field: %s %s (use =, !=, includes or excludes)", col.key(), op))
	}
	if lit.Kind != soql.LitString {
		return nil, errInvalidField(fmt.Sprintf("value of filter criterion for field '%s' must be of type string and should be enclosed in quotes", col.key()))
	}
	want := valueSet(lit.Str)
	return func(v any) bool {
		s, _ := v.(string)
		got := valueSet(s)
		same := len(got) == len(want)
		for k := range want {
			same = same && got[k]
		}
		return same == (op == "=")
	}, nil
}

// valueSet is a multi-select value's values, lower-cased, blanks left out.
func valueSet(s string) map[string]bool {
	set := map[string]bool{}
	for _, part := range strings.Split(s, ";") {
		if part = strings.TrimSpace(part); part != "" {
			set[strings.ToLower(part)] = true
		}
	}
	return set
}

// comparison builds the test of one field value against a literal.
func comparison(col *column, op string, lit soql.Literal, now time.Time) (func(any) bool, *apiError) {
	f := col.field
	name := col.key()
	typeErr := func(want string) (func(any) bool, *apiError) {
		return nil, errInvalidField(fmt.Sprintf("value of filter criterion for field '%s' must be of type %s", name, want))
	}
	if lit.Kind == soql.LitNull {
		switch op {
		case "=":
			return func(v any) bool { return v == nil }, nil
		case "!=":
			return func(v any) bool { return v != nil }, nil
		}
		return nil, errMalformedQuery(fmt.Sprintf("null can only be compared with = or != (field %s)", name))
	}
	if f.Type == "multipicklist" {
		return multiEquals(col, op, lit)
	}
	if op == "LIKE" {
		if !f.isText() || lit.Kind != soql.LitString {
			return nil, errInvalidField(fmt.Sprintf("invalid operator on field '%s': LIKE needs a text field and a quoted pattern", name))
		}
		match := likeMatcher(lit.Pattern)
		return func(v any) bool { s, ok := v.(string); return ok && match(s) }, nil
	}
	var cmp func(any) (int, bool)
	switch {
	case f.isText():
		if lit.Kind != soql.LitString {
			return typeErr("string and should be enclosed in quotes")
		}
		if lit.LikeOnly {
			return nil, errMalformedQuery(fmt.Sprintf("invalid escape in %s: \\_ and \\%% are valid only in a LIKE pattern (field %s)", lit.Text, name))
		}
		want := lit.Str
		if f.Type == "id" || f.Type == "reference" {
			if id, ok := NormalizeID(want); ok {
				want = id
			}
		}
		lw := strings.ToLower(want)
		cmp = func(v any) (int, bool) {
			s, ok := v.(string)
			if !ok {
				return 0, false
			}
			return strings.Compare(strings.ToLower(s), lw), true
		}
	case f.isNumber():
		if lit.Kind != soql.LitNumber {
			return typeErr("number and should not be enclosed in quotes")
		}
		cmp = func(v any) (int, bool) {
			n, ok := v.(float64)
			if !ok {
				return 0, false
			}
			switch {
			case n < lit.Num:
				return -1, true
			case n > lit.Num:
				return 1, true
			}
			return 0, true
		}
	case f.Type == "boolean":
		if lit.Kind != soql.LitBool || (op != "=" && op != "!=") {
			return typeErr("boolean and should not be enclosed in quotes")
		}
		return func(v any) bool { b, ok := v.(bool); return ok && (b == lit.Bool) == (op == "=") }, nil
	case f.Type == "date" || f.Type == "datetime":
		var from, to time.Time
		switch {
		case lit.Kind == soql.LitDateRange:
			from, to = lit.DateRange(now)
		case f.Type == "date" && lit.Kind == soql.LitDate:
			from, to = lit.Time, lit.Time.AddDate(0, 0, 1)
		case f.Type == "datetime" && lit.Kind == soql.LitDateTime:
			from, to = lit.Time, lit.Time.Add(time.Millisecond)
		default:
			return typeErr(f.Type + " and should not be enclosed in quotes")
		}
		parse := func(v any) (time.Time, bool) {
			s, ok := v.(string)
			if !ok {
				return time.Time{}, false
			}
			if f.Type == "date" {
				t, err := time.Parse("2006-01-02", s)
				return t, err == nil
			}
			t, err := parseWireTime(s)
			return t, err == nil
		}
		return func(v any) bool {
			t, ok := parse(v)
			if !ok {
				return op == "!=" && v == nil
			}
			switch op {
			case "=":
				return !t.Before(from) && t.Before(to)
			case "!=":
				return t.Before(from) || !t.Before(to)
			case "<":
				return t.Before(from)
			case "<=":
				return t.Before(to)
			case ">":
				return !t.Before(to)
			case ">=":
				return !t.Before(from)
			}
			return false
		}, nil
	default:
		return nil, errInvalidField(fmt.Sprintf("field '%s' can not be filtered in a query call", name))
	}
	return func(v any) bool {
		c, ok := cmp(v)
		if !ok {
			return op == "!=" && v == nil
		}
		switch op {
		case "=":
			return c == 0
		case "!=":
			return c != 0
		case "<":
			return c < 0
		case "<=":
			return c <= 0
		case ">":
			return c > 0
		case ">=":
			return c >= 0
		}
		return false
	}, nil
}

// likeMatcher compiles a LIKE pattern: % any run, _ one character, \% \_ and \\ literal; case-insensitive.
func likeMatcher(pattern string) func(string) bool {
	type part struct {
		lit  rune
		kind byte // 'l' literal, '%' any run, '_' one
	}
	var parts []part
	rs := []rune(strings.ToLower(pattern))
	for i := 0; i < len(rs); i++ {
		switch {
		case rs[i] == '\\' && i+1 < len(rs) && (rs[i+1] == '%' || rs[i+1] == '_' || rs[i+1] == '\\'):
			parts = append(parts, part{lit: rs[i+1], kind: 'l'})
			i++
		case rs[i] == '%':
			parts = append(parts, part{kind: '%'})
		case rs[i] == '_':
			parts = append(parts, part{kind: '_'})
		default:
			parts = append(parts, part{lit: rs[i], kind: 'l'})
		}
	}
	return func(s string) bool {
		text := []rune(strings.ToLower(s))
		// iterative wildcard matching with backtracking on the last %
		pi, ti, star, mark := 0, 0, -1, 0
		for ti < len(text) {
			switch {
			case pi < len(parts) && (parts[pi].kind == '_' || (parts[pi].kind == 'l' && parts[pi].lit == text[ti])):
				pi++
				ti++
			case pi < len(parts) && parts[pi].kind == '%':
				star, mark = pi, ti
				pi++
			case star >= 0:
				pi = star + 1
				mark++
				ti = mark
			default:
				return false
			}
		}
		for pi < len(parts) && parts[pi].kind == '%' {
			pi++
		}
		return pi == len(parts)
	}
}

// queryResult is the JSON of a query page.
type queryResult struct {
	TotalSize      int    `json:"totalSize"`
	Done           bool   `json:"done"`
	NextRecordsURL string `json:"nextRecordsUrl,omitempty"`
	Records        []any  `json:"records"`
}

// runQuery parses, checks and evaluates SOQL and returns the first page.
func (o *Org) runQuery(v *reader, u User, src string, all bool, version string, batch int) (*queryResult, *apiError) {
	q, err := soql.Parse(src)
	if err != nil {
		return nil, errMalformedQuery(fmt.Sprintf("\n%s\n^\nERROR %s", shortQuery(src), err.Error()))
	}
	if strings.EqualFold(q.Object, userRecordAccess) {
		return o.runAccessQuery(v, u, q, version)
	}
	profile := o.Profile()
	now := o.now()
	c, aerr := o.compile(v, u, q, profile, now)
	if aerr != nil {
		return nil, aerr
	}
	var rows []*rec
	for _, id := range v.idsOf(c.obj.Name) {
		r := v.get(id)
		if r == nil || (r.Deleted && !all) || !canRead(o.accessOf(u, r)) {
			continue
		}
		if c.where != nil && !c.where(r) {
			continue
		}
		rows = append(rows, r)
	}
	if len(c.order) > 0 {
		o.sortRows(v, u, rows, c.order)
	}
	if q.Offset > 0 {
		if q.Offset >= len(rows) {
			rows = nil
		} else {
			rows = rows[q.Offset:]
		}
	}
	if q.Limit >= 0 && q.Limit < len(rows) {
		rows = rows[:q.Limit]
	}
	if q.Count {
		return &queryResult{TotalSize: len(rows), Done: true, Records: []any{}}, nil
	}
	cur := &cursor{user: u.ID, c: c, rows: rows, batch: batch}
	return o.page(v, u, cur, 0, version), nil
}

func shortQuery(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

func (o *Org) sortRows(v *reader, u User, rows []*rec, keys []orderKey) {
	type keyed struct {
		r    *rec
		vals []any
	}
	ks := make([]keyed, len(rows))
	for i, r := range rows {
		vals := make([]any, len(keys))
		for j, k := range keys {
			vals[j] = o.value(v, u, r, k.col)
			if s, ok := vals[j].(string); ok {
				vals[j] = strings.ToLower(s)
			}
		}
		ks[i] = keyed{r, vals}
	}
	sort.SliceStable(ks, func(a, b int) bool {
		for j, k := range keys {
			va, vb := ks[a].vals[j], ks[b].vals[j]
			if va == nil || vb == nil {
				if va == nil && vb == nil {
					continue
				}
				return (va == nil) == k.nullsFirst
			}
			c := compareValues(va, vb)
			if c == 0 {
				continue
			}
			if k.desc {
				return c > 0
			}
			return c < 0
		}
		return false
	})
	for i := range ks {
		rows[i] = ks[i].r
	}
}

func compareValues(a, b any) int {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	}
	return 0
}

// page renders rows[start:start+batch] of a cursor and registers the cursor for the rest.
func (o *Org) page(v *reader, u User, cur *cursor, start int, version string) *queryResult {
	batch := cur.batch
	if batch <= 0 {
		batch = 2000
	}
	end := start + batch
	if end > len(cur.rows) {
		end = len(cur.rows)
	}
	res := &queryResult{TotalSize: len(cur.rows), Done: end >= len(cur.rows), Records: make([]any, 0, end-start)}
	keys := ownFieldKeys(cur.c.cols)
	for _, r := range cur.rows[start:end] {
		if keys != nil {
			res.Records = append(res.Records, projectOwn(r, keys, cur.c.cols, version))
			continue
		}
		res.Records = append(res.Records, o.project(v, u, r, cur.c.cols, version))
	}
	if !res.Done {
		loc := o.cursors.put(cur)
		res.NextRecordsURL = fmt.Sprintf("/services/data/v%s/query/%s-%d", version, loc, end)
	}
	return res
}

// ownFieldKeys is the key list of project when every column is one of the record's own
// fields, each named once: "attributes", then the field names. It is nil otherwise.
func ownFieldKeys(cols []*column) []string {
	keys := make([]string, 1, len(cols)+1)
	keys[0] = "attributes"
	for _, c := range cols {
		if c.rel != nil || slices.Contains(keys, c.field.Name) {
			return nil
		}
		keys = append(keys, c.field.Name)
	}
	return slices.Clip(keys)
}

// projectOwn is project for columns whose keys ownFieldKeys gave; the records rendered share
// the key list.
func projectOwn(r *rec, keys []string, cols []*column, version string) *orderedMap {
	vals := make([]any, len(keys))
	vals[0] = attributes(r, version)
	for i, c := range cols {
		vals[i+1] = r.F[c.field.Name]
	}
	return &orderedMap{keys: keys, vals: vals}
}

// project renders the selected fields of a record, attributes first, in select order.
func (o *Org) project(v *reader, u User, r *rec, cols []*column, version string) *orderedMap {
	out := newOrderedMap(len(cols) + 1)
	out.set("attributes", attributes(r, version))
	for _, c := range cols {
		if c.rel == nil {
			out.set(c.field.Name, r.F[c.field.Name])
			continue
		}
		var nested *orderedMap
		if existing, ok := out.get(c.rel.RelationshipName); ok {
			nested, _ = existing.(*orderedMap)
			if nested == nil {
				continue // parent is null
			}
		} else {
			p := o.parent(v, u, r, c)
			if p == nil {
				out.set(c.rel.RelationshipName, nil)
				continue
			}
			nested = newOrderedMap(2)
			nested.set("attributes", attributes(p, version))
			out.set(c.rel.RelationshipName, nested)
		}
		nested.set(c.path[1], o.value(v, u, r, c))
	}
	return out
}

func attributes(r *rec, version string) *recordAttrs {
	return &recordAttrs{typ: r.Object.Name, id: r.ID, version: version}
}

// recordAttrs is the "attributes" object of a returned record:
// {"type":…,"url":"/services/data/v{version}/sobjects/{type}/{id}"}.
type recordAttrs struct{ typ, id, version string }

func (a *recordAttrs) appendJSON(b []byte) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, a.typ)
	// The pieces are ASCII (a checked version, a schema name, an id), so escaping them one by
	// one is escaping the whole URL.
	b = append(b, `,"url":"/services/data/v`...)
	b = appendEscaped(b, a.version)
	b = append(b, "/sobjects/"...)
	b = appendEscaped(b, a.typ)
	b = append(b, '/')
	b = appendEscaped(b, a.id)
	return append(b, `"}`...)
}

// MarshalJSON writes the two keys in order.
func (a *recordAttrs) MarshalJSON() ([]byte, error) { return a.appendJSON(nil), nil }

// orderedMap is a JSON object that keeps its keys in insertion order. Records have few keys,
// so they are found by a scan rather than a hash map.
type orderedMap struct {
	keys []string
	vals []any
}

func newOrderedMap(n int) *orderedMap {
	return &orderedMap{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

func (m *orderedMap) set(k string, v any) {
	for i, have := range m.keys {
		if have == k {
			m.vals[i] = v
			return
		}
	}
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, v)
}

func (m *orderedMap) get(k string) (any, bool) {
	for i, have := range m.keys {
		if have == k {
			return m.vals[i], true
		}
	}
	return nil, false
}

// MarshalJSON writes the keys in order.
func (m *orderedMap) MarshalJSON() ([]byte, error) { return m.appendJSON(nil), nil }

// cursor is the rest of a query result, kept for queryMore.
type cursor struct {
	user    string
	c       *compiled
	rows    []*rec
	batch   int
	touched time.Time
}

type cursorStore struct {
	mu   sync.Mutex
	seq  int64
	byID map[string]*cursor
	fifo []string
}

const maxCursors = 1000

func newCursorStore() *cursorStore { return &cursorStore{byID: map[string]*cursor{}} }

func (s *cursorStore) put(c *cursor) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, existing := range s.byID {
		if existing == c {
			return id
		}
	}
	s.seq++
	id := ID("01g", s.seq)
	s.byID[id] = c
	s.fifo = append(s.fifo, id)
	for len(s.fifo) > maxCursors {
		delete(s.byID, s.fifo[0])
		s.fifo = s.fifo[1:]
	}
	return id
}

func (s *cursorStore) get(id string) *cursor {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byID[id]
}

func (s *cursorStore) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID = map[string]*cursor{}
	s.fifo = nil
}
