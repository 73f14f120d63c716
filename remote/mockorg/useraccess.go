package mockorg

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/offline-edit/offline-edit/remote/mockorg/soql"
)

// UserRecordAccess is the query-only object that tells what one user may do with each of a
// set of records. It has no rows of its own and no sObject resource: a query filters on one
// UserId and on the record ids asked, and the org answers from its sharing model (accessOf).

// userRecordAccess is the object's API name.
const userRecordAccess = "UserRecordAccess"

// MaxAccessRecordIDs is the number of record ids a UserRecordAccess query may ask about.
const MaxAccessRecordIDs = 200

// accessFieldNames are the fields of UserRecordAccess, in describe order.
var accessFieldNames = []string{
	"Id", "RecordId", "UserId", "HasReadAccess", "HasEditAccess", "HasDeleteAccess",
	"HasTransferAccess", "HasAllAccess", "MaxAccessLevel",
}

// maxAccessLevels are the MaxAccessLevel picklist values in their defined order, which is also
// how ORDER BY sorts them.
var maxAccessLevels = []string{"None", "Read", "Edit", "Delete", "Transfer", "All"}

// accessRequired is the rule every UserRecordAccess WHERE must follow; refusals start with it.
const accessRequired = "UserRecordAccess query requires a UserId filter and a RecordId filter (= or IN, at most 200 ids), joined by AND"

func errAccessQuery(detail string) *apiError {
	return errMalformedQuery(accessRequired + ": " + detail)
}

// accessField returns the canonical name of a UserRecordAccess field, or "" when there is none.
func accessField(p soql.Path) string {
	if len(p) == 2 && strings.EqualFold(p[0], userRecordAccess) {
		p = p[1:]
	}
	if len(p) != 1 {
		return ""
	}
	for _, name := range accessFieldNames {
		if strings.EqualFold(name, p[0]) {
			return name
		}
	}
	return ""
}

func errNoAccessField(p soql.Path) *apiError {
	if len(p) == 2 && !strings.EqualFold(p[0], userRecordAccess) {
		return errInvalidField(fmt.Sprintf("Didn't understand relationship '%s' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.", p[0]))
	}
	return errInvalidField(fmt.Sprintf("No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", p[len(p)-1], userRecordAccess))
}

// isAccessFlag reports whether a field is one of the Has…Access booleans.
func isAccessFlag(name string) bool {
	return strings.HasPrefix(name, "Has") && strings.HasSuffix(name, "Access")
}

// accessQuery is a checked UserRecordAccess query.
type accessQuery struct {
	fields    []string // selected, canonical names, in select order
	userID    string   // 18-character
	recordIDs []string // 18-character, distinct, in the order asked
	// flag and flagValue are the optional Has…Access = true/false filter ("" when absent).
	flag      string
	flagValue bool
	order     []accessOrder
}

type accessOrder struct {
	field string
	desc  bool
}

// checkAccessQuery validates a parsed UserRecordAccess query.
func checkAccessQuery(q *soql.Query) (*accessQuery, *apiError) {
	if q.Count {
		return nil, errMalformedQuery("COUNT() is not supported on UserRecordAccess: select RecordId and the access fields")
	}
	aq := &accessQuery{}
	for _, p := range q.Fields {
		name := accessField(p)
		if name == "" {
			return nil, errNoAccessField(p)
		}
		if slices.Contains(aq.fields, name) {
			return nil, errMalformedQuery("duplicate field selected: " + name)
		}
		aq.fields = append(aq.fields, name)
	}
	if q.Where == nil {
		return nil, errAccessQuery("the query has no WHERE")
	}
	var conds []*soql.Cmp
	if aerr := conjuncts(q.Where, &conds); aerr != nil {
		return nil, aerr
	}
	haveUser, haveRecords := false, false
	var asked int
	for _, c := range conds {
		name := accessField(c.Field)
		if name == "" {
			return nil, errNoAccessField(c.Field)
		}
		switch {
		case name == "UserId":
			if haveUser {
				return nil, errAccessQuery("UserId is filtered more than once")
			}
			if c.Op != "=" || c.Value.Kind != soql.LitString {
				return nil, errAccessQuery("UserId must be compared with = and one quoted user id")
			}
			id, aerr := accessID(c.Value)
			if aerr != nil {
				return nil, aerr
			}
			aq.userID, haveUser = id, true
		case name == "RecordId":
			if haveRecords {
				return nil, errAccessQuery("RecordId is filtered more than once")
			}
			var lits []soql.Literal
			switch {
			case c.Op == "=" && c.Value.Kind == soql.LitString:
				lits = []soql.Literal{c.Value}
			case c.Op == "IN":
				lits = c.List
			default:
				return nil, errAccessQuery("RecordId must be compared with = or IN and quoted record ids")
			}
			asked = len(lits)
			if asked > MaxAccessRecordIDs {
				// The real org refuses the query as a whole; MALFORMED_QUERY is the code it
				// gives for queries on this object that break its filter rules.
				return nil, errAccessQuery(fmt.Sprintf("%d record ids asked, at most %d are allowed", asked, MaxAccessRecordIDs))
			}
			for _, lit := range lits {
				if lit.Kind != soql.LitString {
					return nil, errAccessQuery("RecordId must be compared with = or IN and quoted record ids")
				}
				id, aerr := accessID(lit)
				if aerr != nil {
					return nil, aerr
				}
				if !slices.Contains(aq.recordIDs, id) {
					aq.recordIDs = append(aq.recordIDs, id)
				}
			}
			haveRecords = true
		case isAccessFlag(name):
			// The real org also takes one access field filter, when only RecordId is selected.
			if aq.flag != "" {
				return nil, errAccessQuery("at most one access field (" + name + ") may be filtered")
			}
			if c.Op != "=" || c.Value.Kind != soql.LitBool {
				return nil, errAccessQuery(name + " must be compared with = true or = false")
			}
			aq.flag, aq.flagValue = name, c.Value.Bool
		default:
			return nil, errAccessQuery(name + " can not be filtered")
		}
	}
	switch {
	case !haveUser:
		return nil, errAccessQuery("the UserId filter is missing")
	case !haveRecords:
		return nil, errAccessQuery("the RecordId filter is missing")
	case aq.flag != "" && !slices.Equal(aq.fields, []string{"RecordId"}):
		return nil, errAccessQuery("a query that filters on " + aq.flag + " must select RecordId only")
	}
	for _, item := range q.OrderBy {
		name := accessField(item.Field)
		if name == "" {
			return nil, errNoAccessField(item.Field)
		}
		if !slices.Contains(aq.fields, name) {
			return nil, errMalformedQuery("UserRecordAccess can only be ordered by a selected field, and " + name + " is not selected")
		}
		aq.order = append(aq.order, accessOrder{field: name, desc: item.Desc})
	}
	return aq, nil
}

// conjuncts flattens a WHERE made of comparisons joined by AND; OR and NOT are refused.
func conjuncts(e soql.Expr, out *[]*soql.Cmp) *apiError {
	switch x := e.(type) {
	case *soql.And:
		if aerr := conjuncts(x.Left, out); aerr != nil {
			return aerr
		}
		return conjuncts(x.Right, out)
	case *soql.Cmp:
		*out = append(*out, x)
		return nil
	case *soql.Or:
		return errAccessQuery("OR is not allowed")
	case *soql.Not:
		return errAccessQuery("NOT is not allowed")
	}
	return errAccessQuery("unsupported condition")
}

// accessID reads a quoted id of a UserId or RecordId filter as an 18-character id.
func accessID(lit soql.Literal) (string, *apiError) {
	id, ok := NormalizeID(lit.Str)
	if !ok || lit.LikeOnly {
		return "", newErr(http.StatusBadRequest, "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: "+lit.Str)
	}
	return id, nil
}

// accessRow is the access of one user to one record.
type accessRow struct {
	recordID string
	level    string // accessNone, accessRead, accessEdit or accessAll
}

// value returns a field of the row as it goes on the wire.
func (a accessRow) value(field, userID string) any {
	switch field {
	case "Id", "RecordId":
		return a.recordID
	case "UserId":
		return userID
	case "HasReadAccess":
		return canRead(a.level)
	case "HasEditAccess":
		return canEdit(a.level)
	case "HasDeleteAccess", "HasTransferAccess", "HasAllAccess":
		return a.level == accessAll
	case "MaxAccessLevel":
		return a.maxLevel()
	}
	return nil
}

func (a accessRow) maxLevel() string {
	switch a.level {
	case accessAll:
		return "All"
	case accessEdit:
		return "Edit"
	case accessRead:
		return "Read"
	}
	return "None"
}

// sortKey is a comparable form of a field: MaxAccessLevel by its picklist position, booleans
// false before true, ids as text.
func (a accessRow) sortKey(field, userID string) any {
	switch v := a.value(field, userID).(type) {
	case bool:
		if v {
			return 1.0
		}
		return 0.0
	case string:
		if field == "MaxAccessLevel" {
			return float64(slices.Index(maxAccessLevels, v))
		}
		return strings.ToLower(v)
	}
	return nil
}

// runAccessQuery answers a UserRecordAccess query asked by u. Called with o.mu held.
func (o *Org) runAccessQuery(v *reader, u User, q *soql.Query, version string) (*queryResult, *apiError) {
	aq, aerr := checkAccessQuery(q)
	if aerr != nil {
		return nil, aerr
	}
	if aq.userID != u.ID && !u.Admin {
		// A real org answers about another user only to one with "View All Data".
		return nil, newErr(http.StatusForbidden, "INSUFFICIENT_ACCESS",
			fmt.Sprintf("insufficient access rights: only a user with View All Data (an administrator) may query UserRecordAccess for another user; query with UserId = '%s' for your own access", u.ID))
	}
	target, known := o.userByID(aq.userID)
	rows := make([]accessRow, 0, len(aq.recordIDs))
	for _, id := range aq.recordIDs {
		if !known {
			break // an unknown user has access to nothing, and no row says so
		}
		r := v.get(id)
		if r == nil || r.Deleted {
			continue
		}
		if target.ID != u.ID && !canRead(o.accessOf(u, r)) {
			continue // the asker's own sharing hides records it cannot read
		}
		row := accessRow{recordID: r.ID, level: o.accessOf(target, r)}
		if aq.flag != "" && row.value(aq.flag, aq.userID) != aq.flagValue {
			continue
		}
		rows = append(rows, row)
	}
	if len(aq.order) > 0 {
		sort.SliceStable(rows, func(i, j int) bool {
			for _, k := range aq.order {
				c := compareValues(rows[i].sortKey(k.field, aq.userID), rows[j].sortKey(k.field, aq.userID))
				if c == 0 {
					continue
				}
				return (c < 0) != k.desc
			}
			return false
		})
	}
	if q.Offset > 0 {
		rows = rows[min(q.Offset, len(rows)):]
	}
	if q.Limit >= 0 && q.Limit < len(rows) {
		rows = rows[:q.Limit]
	}
	// At most 200 rows: always one page, whatever the batch size asked.
	res := &queryResult{TotalSize: len(rows), Done: true, Records: make([]any, 0, len(rows))}
	for _, row := range rows {
		m := newOrderedMap(len(aq.fields) + 1)
		m.set("attributes", &recordAttrs{typ: userRecordAccess, id: row.recordID, version: version})
		for _, f := range aq.fields {
			m.set(f, row.value(f, aq.userID))
		}
		res.Records = append(res.Records, m)
	}
	return res, nil
}
