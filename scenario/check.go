package scenario

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// soqlString quotes s as a SOQL string literal.
func soqlString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return "'" + r.Replace(s) + "'"
}

// nameOf is the value of a record's name field in fields (a contact's name is composed).
func nameOf(d *remote.Describe, f remote.Fields) string {
	if d.Name == "Contact" {
		first, _ := f["FirstName"].(string)
		last, _ := f["LastName"].(string)
		return strings.TrimSpace(first + " " + last)
	}
	s, _ := f[d.NameField()].(string)
	return s
}

// findByName lists the ids of records named name: on the org (as the admin) and on my device
// (records created offline that the org does not have yet).
func (e *Env) findByName(ctx context.Context, object, name string) ([]string, error) {
	d, err := e.Describe(ctx, object)
	if err != nil {
		return nil, err
	}
	admin, err := e.Client(ctx, "admin")
	if err != nil {
		return nil, err
	}
	res, err := admin.Query(ctx, fmt.Sprintf("SELECT Id FROM %s WHERE %s = %s", object, d.NameField(), soqlString(name)), 0)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ids []string
	for _, r := range res.Records {
		if id := r.ID(); id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if e.engine != nil {
		page, err := e.engine.List(ctx, pending.ListQuery{Object: object, Filter: name, Limit: 50})
		if err == nil {
			for _, row := range page.Rows {
				if row.Name == name && pending.IsLocalID(row.ID) && !seen[row.ID] {
					seen[row.ID] = true
					ids = append(ids, row.ID)
				}
			}
		}
	}
	return ids, nil
}

// resolve finds the object and id of a record reference now.
func (s *Stepper) resolve(ctx context.Context, r RecordRef) (string, string, error) {
	env := s.env
	switch {
	case r.Ref != "":
		st, ok := s.refs[r.Ref]
		if !ok {
			return "", "", fmt.Errorf("record %s was not created (its create step failed or did not run)", r.Ref)
		}
		if pending.IsLocalID(st.id) {
			if id := env.serverID(ctx, st); id != "" {
				st.id = id
			}
		}
		return st.object, st.id, nil
	case r.ID != "":
		return r.Object, r.ID, nil
	}
	ids, err := env.findByName(ctx, r.Object, r.Name)
	if err != nil {
		return "", "", err
	}
	switch len(ids) {
	case 0:
		return "", "", fmt.Errorf("no %s named %q: %w", r.Object, r.Name, pending.ErrNotFound)
	case 1:
		return r.Object, ids[0], nil
	}
	return "", "", fmt.Errorf("%d records of %s are named %q; name the record by id or by the ref of its create step", len(ids), r.Object, r.Name)
}

// cachedNamed counts the records of object on this device whose name is name (any case).
func cachedNamed(ctx context.Context, eng *pending.Engine, object, name string) (int, error) {
	const page = 500
	n := 0
	for offset := 0; ; offset += page {
		p, err := eng.List(ctx, pending.ListQuery{Object: object, Filter: name, Offset: offset, Limit: page})
		if err != nil {
			return 0, err
		}
		for _, r := range p.Rows {
			if strings.EqualFold(r.Name, name) {
				n++
			}
		}
		if len(p.Rows) < page {
			return n, nil
		}
	}
}

func sameConflicts(want, got remote.Fields) bool {
	if len(want) != len(got) {
		return false
	}
	for f, w := range want {
		g, ok := got[f]
		if !ok || !sameValue(w, g) {
			return false
		}
	}
	return true
}

func showConflicts(f remote.Fields) string {
	if len(f) == 0 {
		return "no conflict"
	}
	return showFields(f)
}

// resolveFields replaces {ref: NAME} values by the current id of the record.
func (s *Stepper) resolveFields(ctx context.Context, f remote.Fields) (remote.Fields, error) {
	if f == nil {
		return nil, nil
	}
	out := make(remote.Fields, len(f))
	for k, v := range f {
		if r, ok := v.(RefTo); ok {
			_, id, err := s.resolve(ctx, RecordRef{Ref: r.Ref})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			v = id
		}
		if u, ok := v.(UserTo); ok {
			id, err := s.env.UserID(ctx, u.User)
			if err != nil {
				return nil, fmt.Errorf("%s: the id of %s: %w", k, u.User, err)
			}
			v = id
		}
		out[k] = v
	}
	return out, nil
}

// serverID is the org's id of a record I created offline, once it has synced ("" before).
func (e *Env) serverID(ctx context.Context, st *recordState) string {
	var id string
	_ = e.db.View(ctx, func(tx *cache.Tx) error {
		var err error
		id, err = tx.ServerID(ctx, st.id)
		return err
	})
	if id != "" {
		return id
	}
	if st.entryID == "" {
		return ""
	}
	// The id map may have been cleaned: look the record up by its offline key.
	d, err := e.Describe(ctx, st.object)
	if err != nil {
		return ""
	}
	if _, ok := d.Field("Offline_Key__c"); !ok {
		return ""
	}
	admin, err := e.Client(ctx, "admin")
	if err != nil {
		return ""
	}
	res, err := admin.Query(ctx, fmt.Sprintf("SELECT Id FROM %s WHERE Offline_Key__c = %s", st.object, soqlString(st.entryID)), 0)
	if err != nil || len(res.Records) != 1 {
		return ""
	}
	return res.Records[0].ID()
}

func sashName(s pending.Sash) string {
	switch s {
	case pending.SashGreen:
		return "green"
	case pending.SashOrange:
		return "orange"
	case pending.SashRed:
		return "red"
	}
	return "none"
}

// sameValue compares a value from a scenario with one from the org or the cache: numbers by
// value, "" the same as null (the org stores an empty text as null), a date and time as the
// instant it is (2026-01-05T09:00:00Z is the org's 2026-01-05T09:00:00.000+0000), and the
// values of a multi-select picklist in any order ([Training, Hardware] is the org's
// "Hardware;Training").
func sameValue(want, found any) bool {
	if isBlank(want) && isBlank(found) {
		return true
	}
	wf, wok := number(want)
	ff, fok := number(found)
	if wok && fok {
		return wf == ff || math.Abs(wf-ff) < 1e-9*math.Max(1, math.Abs(wf))
	}
	if ws, ok := want.(string); ok {
		if fs, ok := found.(string); ok {
			if ws == fs {
				return true
			}
			// A date written 2026-01-02 matches a datetime on that day at midnight.
			if len(ws) == 10 && strings.HasPrefix(fs, ws+"T00:00:00") {
				return true
			}
			if wt, err := remote.ParseTime(ws); err == nil {
				ft, err := remote.ParseTime(fs)
				return err == nil && wt.Truncate(time.Millisecond).Equal(ft.Truncate(time.Millisecond))
			}
			return sameChoices(ws, fs)
		}
		return false
	}
	return want == found
}

// sameChoices reports whether two multi-select picklist values ("A;B") choose the same values,
// each once, in any order.
func sameChoices(a, b string) bool {
	if !strings.Contains(a, ";") || !strings.Contains(b, ";") {
		return false
	}
	as, bs := strings.Split(a, ";"), strings.Split(b, ";")
	if len(as) != len(bs) {
		return false
	}
	slices.Sort(as)
	slices.Sort(bs)
	return slices.Equal(as, bs) && len(slices.Compact(as)) == len(bs)
}

func isBlank(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

func (x *exec) expect(ctx context.Context) error {
	e := x.st.Expect
	env := x.s.env
	eng := env.engine
	if e.Pending != nil || e.Attention != nil {
		total, attention, err := eng.Counts(ctx)
		if err != nil {
			return err
		}
		if e.Pending != nil && *e.Pending != total {
			x.fail("pending changes", strconv.Itoa(*e.Pending), strconv.Itoa(total))
		}
		if e.Attention != nil && *e.Attention != attention {
			x.fail("changes needing attention", strconv.Itoa(*e.Attention), strconv.Itoa(attention))
		}
	}
	if c := e.Count; c != nil {
		n, err := env.count(ctx, c.Object, c.Where)
		if err != nil {
			return err
		}
		if n != c.Is {
			q := c.Object
			if c.Where != "" {
				q += " WHERE " + c.Where
			}
			x.fail("records on the org ("+q+")", strconv.Itoa(c.Is), strconv.Itoa(n))
		}
	}
	if c := e.Cached; c != nil {
		n, err := cachedNamed(ctx, eng, c.Object, c.Name)
		if err != nil {
			return err
		}
		if n != c.Is {
			x.fail(fmt.Sprintf("%s records named %q on this device", c.Object, c.Name), strconv.Itoa(c.Is), strconv.Itoa(n))
		}
	}
	if e.Record.IsZero() {
		return nil
	}
	object, id, err := x.s.resolve(ctx, e.Record)
	if err != nil {
		return err
	}
	rec := e.Record.String()
	wantCache, err := x.s.resolveFields(ctx, e.Cache)
	if err != nil {
		return err
	}
	wantOrg, err := x.s.resolveFields(ctx, e.Org)
	if err != nil {
		return err
	}
	rv, rerr := eng.Record(ctx, object, id)
	if rerr != nil && !errors.Is(rerr, pending.ErrNotFound) {
		return rerr
	}
	var en *pending.Entry
	if rerr == nil {
		en = rv.Entry
	}
	if en == nil {
		if found, err := x.entryOf(ctx, object, id); err == nil {
			en = &found
		}
	}
	status, code, message := "none", "", ""
	if en != nil {
		status, code, message = string(en.Status), en.Code, en.Message
	}
	if e.Sash != "" {
		found := "none"
		if en != nil {
			found = sashName(en.Status.Sash())
		}
		if found != e.Sash {
			shown := found
			if status != found {
				shown += " (" + status + ")"
			}
			x.fail(rec+" sash", e.Sash, withMessage(shown, message))
		}
	}
	if e.Status != "" && e.Status != status {
		x.fail(rec+" status", e.Status, withMessage(status, message))
	}
	if e.Code != "" && e.Code != code {
		found := code
		if found == "" {
			found = "no error code"
		}
		x.fail(rec+" error code", e.Code, withMessage(found, message))
	}
	if e.Access != "" {
		found := "the record is not on this device"
		if rerr == nil {
			found = accessName(rv.Access)
		}
		if found != e.Access {
			x.fail(rec+" access", e.Access, found)
		}
	}
	if e.Attempts != nil {
		found := 0
		if en != nil {
			found = en.Attempts
		}
		if found != *e.Attempts {
			x.fail(rec+" attempts", strconv.Itoa(*e.Attempts), withMessage(strconv.Itoa(found), message))
		}
	}
	if e.Message != "" && !strings.Contains(strings.ToLower(message), strings.ToLower(e.Message)) {
		x.fail(rec+" message", "a message containing "+strconv.Quote(e.Message), strconv.Quote(message))
	}
	for _, f := range sortedKeys(wantCache) {
		if rerr != nil {
			x.fail(rec+" "+f+" in the cache", showValue(wantCache[f]), "the record is not on this device")
			continue
		}
		got := lookup(rv.Fields, f)
		if !sameValue(wantCache[f], got) {
			w, g := showPair(wantCache[f], got)
			w, g = x.s.env.nameUsers(ctx, w, wantCache[f]), x.s.env.nameUsers(ctx, g, got)
			x.fail(rec+" "+f+" in the cache", w, g)
		}
	}
	if len(e.Conflicts) > 0 {
		want, err := x.s.resolveFields(ctx, e.Conflicts)
		if err != nil {
			return err
		}
		got := remote.Fields{}
		if en != nil {
			for _, c := range en.Conflicts {
				got[c.Field] = c.Theirs
				if v, ok := rv.Server[c.Field]; ok {
					got[c.Field] = v // theirs as the device knows it now: a later sync brings newer values
				}
			}
		}
		if w, g := showConflicts(want), showConflicts(got); !sameConflicts(want, got) {
			x.fail(rec+" conflicts (field: theirs)", w, withMessage(g, message))
		}
	}
	if len(wantOrg) > 0 || e.OrgExists != nil {
		server, exists, err := env.orgRecord(ctx, object, id, sortedKeys(wantOrg))
		if err != nil {
			return err
		}
		if e.OrgExists != nil && *e.OrgExists != exists {
			x.fail(rec+" on the org", existence(*e.OrgExists), existence(exists))
		}
		for _, f := range sortedKeys(wantOrg) {
			if !exists {
				x.fail(rec+" "+f+" on the org", showValue(wantOrg[f]), "the record is not on the org")
				continue
			}
			got := lookup(server, f)
			if !sameValue(wantOrg[f], got) {
				w, g := showPair(wantOrg[f], got)
				w, g = x.s.env.nameUsers(ctx, w, wantOrg[f]), x.s.env.nameUsers(ctx, g, got)
				x.fail(rec+" "+f+" on the org", w, g)
			}
		}
	}
	return nil
}

func withMessage(s, message string) string {
	if message == "" {
		return s
	}
	return s + ": " + message
}

func existence(b bool) string {
	if b {
		return "present"
	}
	return "absent (deleted or never created)"
}

func lookup(f remote.Fields, name string) any {
	if v, ok := f[name]; ok {
		return v
	}
	for k, v := range f {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

func sortedKeys(f remote.Fields) []string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// orgRecord reads a record on the org as the admin; exists is false when it is deleted or was
// never there.
func (e *Env) orgRecord(ctx context.Context, object, id string, fields []string) (remote.Fields, bool, error) {
	if pending.IsLocalID(id) {
		return nil, false, nil
	}
	admin, err := e.Client(ctx, "admin")
	if err != nil {
		return nil, false, err
	}
	sel := append([]string{"Id"}, fields...)
	res, err := admin.Query(ctx, fmt.Sprintf("SELECT %s FROM %s WHERE Id = %s", strings.Join(sel, ", "), object, soqlString(id)), 0)
	if err != nil {
		return nil, false, err
	}
	if len(res.Records) == 0 {
		return nil, false, nil
	}
	return res.Records[0].Fields, true, nil
}

// count is the number of records on the org (read as the admin) matching where.
func (e *Env) count(ctx context.Context, object, where string) (int, error) {
	admin, err := e.Client(ctx, "admin")
	if err != nil {
		return 0, err
	}
	q := "SELECT COUNT() FROM " + object
	if strings.TrimSpace(where) != "" {
		q += " WHERE " + where
	}
	res, err := admin.Query(ctx, q, 0)
	if err != nil {
		return 0, err
	}
	return res.TotalSize, nil
}

// Validate checks a parsed scenario against the env's org before anything runs: objects and
// fields exist, values fit the fields' types, rules name real fields, count queries are
// accepted by the org, and records named by object and name or id exist (or are created by an
// earlier step). Problems are *ParseError values naming the line.
//
// Every problem is reported, not only the first (at most maxParseErrors): the first error
// carries the others in More, in the order of the file.
func Validate(ctx context.Context, sc *Scenario, env *Env) error {
	v := &validator{sc: sc, env: env, created: map[string]bool{}, refObjects: map[string]string{}}
	for _, st := range sc.Steps {
		if st.Kind == KindCreate && st.Ref != "" {
			v.refObjects[st.Ref] = st.Object
		}
	}
	var all problems
	for _, o := range sc.Objects {
		all.add(v.describeErr(ctx, sc.ObjectsLine, o))
	}
	for _, st := range sc.Steps {
		if len(all) >= maxParseErrors {
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		all.add(v.step(ctx, st))
		if n := len(all); n > 0 && all[n-1].unanswered() {
			break // the org stopped answering: the later steps would only say so again
		}
	}
	return all.err()
}

// problems gathers the problems of a file, or of one of its lines, in order.
type problems []*ParseError

// add appends the problems err holds (a *ParseError and those in its More).
func (ps *problems) add(err error) {
	if err == nil {
		return
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		pe = &ParseError{Msg: err.Error()}
	}
	first := *pe
	first.More = nil
	if !slices.ContainsFunc(*ps, func(p *ParseError) bool { return p.Line == first.Line && p.Msg == first.Msg }) {
		*ps = append(*ps, &first) // once: two checks of a line may meet the same problem
	}
	for _, m := range pe.More {
		ps.add(m)
	}
}

// err is nil when there is no problem, else the first problem with the others in its More.
func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	first := *ps[0]
	first.More = ps[1:min(len(ps), maxParseErrors)]
	return &first
}

// describeErr is describe for a check that needs only the error.
func (v *validator) describeErr(ctx context.Context, line int, object string) error {
	_, err := v.describe(ctx, line, object)
	return err
}

type validator struct {
	// refusing: the step being checked expects the org or the device to refuse it
	// (expect_error): a value either would refuse is what it means to try.
	refusing bool
	sc       *Scenario
	env      *Env
	created  map[string]bool // object + "\x00" + name of records created by earlier steps
	// refObjects is the object of each record a create step names with a ref.
	refObjects map[string]string
}

// orgErrf is errf for a problem the org's answer (or its silence, err) makes.
func (v *validator) orgErrf(line int, err error, format string, args ...any) error {
	pe := v.errf(line, format, args...).(*ParseError)
	pe.orgErr = err
	return pe
}

// unanswered reports whether a problem is the org's failure to answer (the network, a timeout),
// which every later check would meet again: not a problem of the file.
func (pe *ParseError) unanswered() bool {
	if pe.orgErr == nil {
		return false
	}
	_, answered := remote.AsError(pe.orgErr)
	return !answered
}

func (v *validator) errf(line int, format string, args ...any) error {
	return &ParseError{File: v.sc.File, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (v *validator) describe(ctx context.Context, line int, object string) (*remote.Describe, error) {
	d, err := v.env.Describe(ctx, object)
	if err != nil {
		if apiErr, ok := remote.AsError(err); ok && apiErr.Status == 404 {
			return nil, v.errf(line, "the org has no object %s", object)
		}
		return nil, v.orgErrf(line, err, "read the describe of %s: %v", object, err)
	}
	return d, nil
}

// writable refuses, before the run, a field a create or an edit step cannot write: one the
// org sets itself (LastModifiedDate, a formula) would stop the run at that step, after the
// steps before it ran.
func (v *validator) writable(ctx context.Context, object string, f remote.Fields, create bool, line int) error {
	d, err := v.env.Describe(ctx, object)
	if err != nil || d == nil || v.refusing {
		return nil // said by fields, or meant
	}
	var ps problems
	for _, name := range sortedKeys(f) {
		fd, ok := d.Field(name)
		if !ok || create && fd.Createable || !create && fd.Updateable {
			continue
		}
		what := "an edit"
		if create {
			what = "a create"
		}
		ps.add(v.errf(line, "%s.%s is set by the org, not by %s: leave it out (an expectation can check it)", d.Name, fd.Name, what))
	}
	return ps.err()
}

func (v *validator) fields(ctx context.Context, line int, object string, f remote.Fields) error {
	d, err := v.describe(ctx, line, object)
	if err != nil {
		return err
	}
	var ps problems
	for _, name := range sortedKeys(f) {
		if err := v.fieldValue(line, d, name, f[name]); err != nil {
			ps.add(err)
			continue
		}
		if u, ok := f[name].(UserTo); ok {
			// A username the org does not know would stop the run part-way, after earlier steps.
			if _, err := v.env.UserID(ctx, u.User); err != nil {
				ps.add(v.orgErrf(line, err, "%s.%s: no user %s on the org (%v)", d.Name, name, u.User, err))
			}
		}
	}
	return ps.err()
}

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// looksLikeID reports whether s can be a record id: 15 or 18 letters and digits (or a local id).
func looksLikeID(s string) bool { return idPattern.MatchString(s) }

func (v *validator) fieldValue(line int, d *remote.Describe, name string, val any) error {
	fd, ok := d.Field(name)
	if !ok {
		return v.errf(line, "%s has no field %s", d.Name, name)
	}
	if val == nil {
		return nil
	}
	if v.sc.lists[listed{line, name}] && fd.Type != "multipicklist" {
		return v.errf(line, "%s.%s is a %s field: a list of values ([A, B]) is only for a multi-select picklist; give one value (in quotes for text with a ';' in it), not [%s]", d.Name, fd.Name, fd.Type, strings.ReplaceAll(fmt.Sprint(val), ";", ", "))
	}
	if r, ok := val.(RefTo); ok {
		if fd.Type != "reference" {
			return v.errf(line, "%s.%s is a %s field, not a lookup: {ref: ...} does not fit", d.Name, fd.Name, fd.Type)
		}
		if o := v.refObjects[r.Ref]; o != "" && len(fd.ReferenceTo) > 0 && !slices.ContainsFunc(fd.ReferenceTo, func(t string) bool { return strings.EqualFold(t, o) }) {
			return v.errf(line, "%s.%s points at %s, but %s is a %s", d.Name, fd.Name, strings.Join(fd.ReferenceTo, " or "), r.Ref, o)
		}
		return nil
	}
	if _, ok := val.(UserTo); ok {
		if fd.Type != "reference" || !slices.Contains(fd.ReferenceTo, "User") {
			return v.errf(line, "%s.%s does not point at a user: {user: ...} does not fit", d.Name, fd.Name)
		}
		return nil
	}
	if s, ok := val.(string); ok && fd.Type == "reference" && s != "" && !looksLikeID(s) { // "" clears it, as null does
		hint := "{ref: NAME} for a record a create step made"
		if slices.Contains(fd.ReferenceTo, "User") {
			hint = "{user: sam} (me, sam, admin or a username)"
		}
		return v.errf(line, "%s.%s is a lookup: give a record id or %s, not %s", d.Name, fd.Name, hint, showValue(val))
	}
	switch fd.Type {
	case "boolean":
		if _, ok := val.(bool); !ok {
			return v.errf(line, "%s.%s is a checkbox: give true or false, not %s", d.Name, fd.Name, showValue(val))
		}
	case "currency", "double", "int", "percent":
		n, ok := val.(float64)
		if !ok {
			return v.errf(line, "%s.%s is a number (%s): give a number, not %s", d.Name, fd.Name, fd.Type, showValue(val))
		}
		if fd.Type == "int" && n != math.Trunc(n) {
			return v.errf(line, "%s.%s is a whole number: give %v or %v, not %v", d.Name, fd.Name, math.Floor(n), math.Ceil(n), n)
		}
	case "date":
		s, ok := val.(string)
		if _, err := time.Parse(time.DateOnly, s); !ok || !datePattern.MatchString(s) || err != nil {
			if p := remote.CalendarProblem(s); ok && p != "" {
				return v.errf(line, "%s.%s: %s is no date: %s", d.Name, fd.Name, showValue(val), p)
			}
			return v.errf(line, "%s.%s is a date: give YYYY-MM-DD (such as 2025-03-31), not %s", d.Name, fd.Name, showValue(val))
		}
	case "datetime":
		s, ok := val.(string)
		if _, err := remote.ParseTime(s); !ok || err != nil {
			if p := remote.CalendarProblem(s); ok && p != "" {
				return v.errf(line, "%s.%s: %s is no date and time: %s", d.Name, fd.Name, showValue(val), p)
			}
			return v.errf(line, "%s.%s is a date and time: give YYYY-MM-DDThh:mm:ssZ (such as 2026-01-05T09:00:00Z, or with an offset: 2026-01-05T10:00:00+01:00), not %s", d.Name, fd.Name, showValue(val))
		}
	case "picklist":
		s, ok := val.(string)
		if !ok {
			return v.errf(line, "%s.%s is a picklist: give one of its values as text (in quotes if it looks like a number), not %s", d.Name, fd.Name, showValue(val))
		}
		if fd.RestrictedPicklist && !v.refusing && s != "" && !slices.ContainsFunc(fd.PicklistValues, func(p remote.PicklistValue) bool { return p.Value == s }) {
			return v.errf(line, "%s.%s takes only its picklist's values, not %s: %s", d.Name, fd.Name, showValue(s), picklistHint(fd, s))
		}
	case "multipicklist":
		s, ok := val.(string)
		if !ok {
			return v.errf(line, "%s.%s is a multi-select picklist: give its values as a list ([A, B]) or as text (\"A;B\"), not %s", d.Name, fd.Name, showValue(val))
		}
		if !fd.RestrictedPicklist {
			return nil
		}
		var ps problems
		for _, c := range strings.Split(s, ";") {
			if c == "" || slices.ContainsFunc(fd.PicklistValues, func(p remote.PicklistValue) bool { return p.Active && p.Value == c }) {
				continue
			}
			ps.add(v.errf(line, "%s.%s takes only its picklist's values, not %s: %s", d.Name, fd.Name, showValue(c), picklistHint(fd, c)))
		}
		return ps.err()
	default:
		if _, ok := val.(string); !ok {
			return v.errf(line, "%s.%s is a %s field: give text (in quotes if it looks like a number), not %s", d.Name, fd.Name, fd.Type, showValue(val))
		}
	}
	return nil
}

// picklistHint names the value c was likely meant to be (another case, spaces around it), or
// the values the field takes.
func picklistHint(fd remote.Field, c string) string {
	var names []string
	for _, p := range fd.PicklistValues {
		if !p.Active {
			continue
		}
		if strings.EqualFold(p.Value, strings.TrimSpace(c)) {
			return "did you mean " + showValue(p.Value) + "?"
		}
		names = append(names, p.Value)
	}
	return "it takes " + strings.Join(names, ", ")
}

func (v *validator) record(ctx context.Context, line int, r RecordRef) error {
	if r.Ref != "" {
		return nil
	}
	if _, err := v.describe(ctx, line, r.Object); err != nil {
		return err
	}
	if r.ID != "" {
		_, exists, err := v.env.orgRecord(ctx, r.Object, r.ID, nil)
		if err != nil {
			return v.orgErrf(line, err, "look up %s %s: %v", r.Object, r.ID, err)
		}
		if !exists {
			return v.errf(line, "no %s with id %s on the org", r.Object, r.ID)
		}
		return nil
	}
	if v.created[r.Object+"\x00"+r.Name] {
		return nil
	}
	ids, err := v.env.findByName(ctx, r.Object, r.Name)
	if err != nil {
		return v.orgErrf(line, err, "look up %s %q: %v", r.Object, r.Name, err)
	}
	switch len(ids) {
	case 0:
		return v.errf(line, "no %s named %q on the org, and no earlier step creates one", r.Object, r.Name)
	case 1:
		return nil
	}
	return v.errf(line, "%d records of %s are named %q; name it by id, or create it with a ref", len(ids), r.Object, r.Name)
}

func (v *validator) step(ctx context.Context, st Step) error {
	line := st.Line
	v.refusing = st.ExpectError != ""
	defer func() { v.refusing = false }()
	var ps problems
	if st.As != "" && st.As != Me {
		// A username the org does not know would stop the run part-way, after earlier steps.
		if _, err := v.env.UserID(ctx, st.As); err != nil {
			ps.add(v.orgErrf(line, err, "as: no user %s on the org (%v)", st.As, err))
		}
	}
	switch st.Kind {
	case KindCreate:
		ps.add(v.fields(ctx, line, st.Object, st.Fields))
		ps.add(v.writable(ctx, st.Object, st.Fields, true, line))
		// Named as created even when a value is wrong: later steps that name it are not wrong too.
		if d, _ := v.env.Describe(ctx, st.Object); d != nil {
			if name := nameOf(d, st.Fields); name != "" {
				v.created[st.Object+"\x00"+name] = true
			}
		}
	case KindEdit, KindFix:
		ps.add(v.record(ctx, line, st.Record))
		ps.add(v.fields(ctx, line, st.Record.Object, st.Fields))
		ps.add(v.writable(ctx, st.Record.Object, st.Fields, false, line))
	case KindDelete, KindShare, KindUnshare, KindLock, KindUnlock, KindDismiss, KindDiscard, KindRetry, KindCheck:
		ps.add(v.record(ctx, line, st.Record))
	case KindResolve:
		ps.add(v.record(ctx, line, st.Record))
		d, err := v.describe(ctx, line, st.Record.Object)
		if err != nil {
			if st.Record.Ref != "" { // record() checks the object of a record named by object only
				ps.add(err)
			}
			break
		}
		for _, f := range sortedChoiceKeys(st.Choices) {
			c := st.Choices[f]
			if c.Take == "value" {
				ps.add(v.fieldValue(line, d, f, c.Value))
			} else if _, ok := d.Field(f); !ok {
				ps.add(v.errf(line, "%s has no field %s", d.Name, f))
			}
		}
	case KindAddRule:
		d, err := v.describe(ctx, line, st.Rule.Object)
		if err != nil {
			ps.add(err)
			break
		}
		for _, f := range []string{st.Rule.Field, st.Rule.OtherField} {
			if _, ok := d.Field(f); f != "" && !ok {
				ps.add(v.errf(line, "%s has no field %s", d.Name, f))
			}
		}
	case KindExpect:
		e := st.Expect
		if !e.Record.IsZero() {
			ps.add(v.record(ctx, line, e.Record))
			if _, err := v.describe(ctx, line, e.Record.Object); err != nil {
				if e.Record.Ref != "" { // record() checks the object of a record named by object only
					ps.add(err)
				}
			} else {
				ps.add(v.fields(ctx, line, e.Record.Object, e.Cache))
				ps.add(v.fields(ctx, line, e.Record.Object, e.Org))
				ps.add(v.fields(ctx, line, e.Record.Object, e.Conflicts))
			}
		}
		if c := e.Cached; c != nil {
			ps.add(v.describeErr(ctx, line, c.Object))
		}
		if c := e.Count; c != nil {
			if err := v.describeErr(ctx, line, c.Object); err != nil {
				ps.add(err)
			} else if _, err := v.env.count(ctx, c.Object, c.Where); err != nil {
				ps.add(v.orgErrf(line, err, "the org refuses the count query: %v", err))
			}
		}
	}
	return ps.err()
}

// nameUsers adds the scenario name of a user to a shown value that is that user's id (a
// failed owner check shows "005…" on both sides otherwise).
func (e *Env) nameUsers(ctx context.Context, shown string, v any) string {
	id, ok := v.(string)
	if !ok || !strings.HasPrefix(id, "005") {
		return shown
	}
	for _, user := range []string{Me, "sam", "admin"} {
		if uid, err := e.UserID(ctx, user); err == nil && uid == id {
			name := user
			if user == Me {
				name = "me"
			}
			return shown + " (" + name + ")"
		}
	}
	return shown
}

// accessName is the scenario word for what the device lets the user do with a record.
func accessName(a pending.Access) string {
	switch a {
	case pending.AccessRead:
		return "read"
	case pending.AccessEdit:
		return "edit"
	}
	return "full"
}
