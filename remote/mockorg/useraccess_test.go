package mockorg

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

const accessSelect = "SELECT RecordId, HasReadAccess, HasEditAccess, HasDeleteAccess, HasTransferAccess, HasAllAccess, MaxAccessLevel FROM UserRecordAccess"

// accessQ builds a UserRecordAccess query about userID and the record ids.
func accessQ(userID string, ids ...string) string {
	return fmt.Sprintf("%s WHERE UserId = '%s' AND RecordId IN ('%s')", accessSelect, userID, strings.Join(ids, "','"))
}

// accessEnv is an org with named records for access questions.
type accessEnv struct {
	*env
	alexID, samID, adminID string
	own                    string   // an Account alex owns
	sams                   []string // Accounts sam owns, no share to alex unless a test adds one
}

func newAccessEnv(t *testing.T) *accessEnv {
	t.Helper()
	e := newEnv(t, Options{})
	a := &accessEnv{env: e}
	for _, u := range e.org.Users() {
		switch u.Username {
		case "alex@demo.example":
			a.alexID = u.ID
		case "sam@demo.example":
			a.samID = u.ID
		case "admin@demo.example":
			a.adminID = u.ID
		}
	}
	a.own = e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+a.alexID+"' ORDER BY Id LIMIT 1")
	for _, r := range e.query(e.admin, "SELECT Id FROM Account WHERE OwnerId = '"+a.samID+"' ORDER BY Id LIMIT 4") {
		id := r["Id"].(string)
		if err := e.org.Share(id, "alex@demo.example", "none"); err != nil {
			t.Fatal(err)
		}
		a.sams = append(a.sams, id)
	}
	if len(a.sams) != 4 {
		t.Fatalf("want 4 of sam's accounts, have %d", len(a.sams))
	}
	return a
}

// rows runs an access query with a token and returns the records by RecordId, and in order.
func (a *accessEnv) rows(token, q string) (map[string]map[string]any, []string) {
	a.t.Helper()
	byID := map[string]map[string]any{}
	var order []string
	for _, r := range a.query(token, q) {
		id := r["RecordId"].(string)
		byID[id] = r
		order = append(order, id)
	}
	return byID, order
}

func TestUserRecordAccessAnswersFromTheSharingModel(t *testing.T) {
	a := newAccessEnv(t)
	readShared, editShared, invisible := a.sams[0], a.sams[1], a.sams[2]
	if err := a.org.Share(readShared, "alex@demo.example", "read"); err != nil {
		t.Fatal(err)
	}
	if err := a.org.Share(editShared, "alex@demo.example", "edit"); err != nil {
		t.Fatal(err)
	}
	type want struct {
		level                          string
		read, edit, del, transfer, all bool
	}
	allAccess := want{"All", true, true, true, true, true}
	tests := []struct {
		name   string
		token  string
		userID string
		record string
		want   want
	}{
		{"owner gets All", a.alex, a.alexID, a.own, allAccess},
		{"a read share gets Read and no edit", a.alex, a.alexID, readShared, want{level: "Read", read: true}},
		{"an edit share gets Edit and no delete", a.alex, a.alexID, editShared, want{level: "Edit", read: true, edit: true}},
		{"an invisible record gets None", a.alex, a.alexID, invisible, want{level: "None"}},
		{"a Public object gives Read", a.alex, a.alexID, a.samID, want{level: "Read", read: true}},
		{"an admin has All on another's record", a.admin, a.adminID, invisible, allAccess},
		{"an admin asks about another user's read share", a.admin, a.alexID, readShared, want{level: "Read", read: true}},
		{"an admin asks about another user's invisible record", a.admin, a.alexID, invisible, want{level: "None"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a.t = t
			byID, _ := a.rows(tc.token, accessQ(tc.userID, tc.record))
			r, found := byID[tc.record]
			if !found || len(byID) != 1 {
				t.Fatalf("rows %v, want one for %s", byID, tc.record)
			}
			got := want{
				level: r["MaxAccessLevel"].(string), read: r["HasReadAccess"].(bool), edit: r["HasEditAccess"].(bool),
				del: r["HasDeleteAccess"].(bool), transfer: r["HasTransferAccess"].(bool), all: r["HasAllAccess"].(bool),
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestUserRecordAccessLeavesOutDeletedAndMissingRecords(t *testing.T) {
	a := newAccessEnv(t)
	gone := a.firstID(a.alex, "SELECT Id FROM Lead WHERE OwnerId = '"+a.alexID+"' ORDER BY Id LIMIT 1")
	a.do(a.alex, "DELETE", v+"/sobjects/Lead/"+gone, nil).want(t, 204)
	never := ID("001", 987654)
	byID, order := a.rows(a.alex, accessQ(a.alexID, gone, a.own, never, a.sams[0]))
	if len(order) != 2 || order[0] != a.own || order[1] != a.sams[0] {
		t.Fatalf("rows %v, want %s then %s", order, a.own, a.sams[0])
	}
	if _, found := byID[gone]; found {
		t.Fatal("a record in the recycle bin has a row")
	}
	// queryAll does not bring recycle-bin records back either.
	r := a.do(a.alex, "GET", v+"/queryAll?q="+urlQueryEscape(accessQ(a.alexID, gone)), nil).want(t, 200).obj(t)
	if r["totalSize"].(float64) != 0 {
		t.Fatalf("queryAll: %v", r)
	}
}

func TestUserRecordAccessRefusesQueriesOutsideItsRules(t *testing.T) {
	a := newAccessEnv(t)
	var many []string
	for i := range MaxAccessRecordIDs + 1 {
		many = append(many, ID("001", int64(i+1)))
	}
	user := "UserId = '" + a.alexID + "'"
	rec := "RecordId = '" + a.own + "'"
	tests := []struct {
		name     string
		token    string
		q        string
		status   int
		code     string
		mentions string
	}{
		{"201 ids", a.alex, accessQ(a.alexID, many...), 400, "MALFORMED_QUERY", "at most 200"},
		{"missing UserId", a.alex, accessSelect + " WHERE " + rec, 400, "MALFORMED_QUERY", "UserId filter is missing"},
		{"missing RecordId", a.alex, accessSelect + " WHERE " + user, 400, "MALFORMED_QUERY", "RecordId filter is missing"},
		{"no WHERE", a.alex, accessSelect, 400, "MALFORMED_QUERY", "requires a UserId filter and a RecordId filter"},
		{"OR between the filters", a.alex, accessSelect + " WHERE " + user + " OR " + rec, 400, "MALFORMED_QUERY", "OR"},
		{"NOT around a filter", a.alex, accessSelect + " WHERE " + user + " AND NOT " + rec, 400, "MALFORMED_QUERY", "NOT"},
		{"RecordId NOT IN", a.alex, accessSelect + " WHERE " + user + " AND RecordId NOT IN ('" + a.own + "')", 400, "MALFORMED_QUERY", "= or IN"},
		{"RecordId !=", a.alex, accessSelect + " WHERE " + user + " AND RecordId != '" + a.own + "'", 400, "MALFORMED_QUERY", "= or IN"},
		{"UserId twice", a.alex, accessSelect + " WHERE " + user + " AND " + user + " AND " + rec, 400, "MALFORMED_QUERY", "more than once"},
		{"UserId IN", a.alex, accessSelect + " WHERE UserId IN ('" + a.alexID + "') AND " + rec, 400, "MALFORMED_QUERY", "UserId must be compared with ="},
		{"a filter on MaxAccessLevel", a.alex, accessSelect + " WHERE " + user + " AND " + rec + " AND MaxAccessLevel = 'All'", 400, "MALFORMED_QUERY", "can not be filtered"},
		{"an access filter with more than RecordId selected", a.alex, accessSelect + " WHERE " + user + " AND " + rec + " AND HasEditAccess = true", 400, "MALFORMED_QUERY", "select RecordId only"},
		{"unknown field selected", a.alex, "SELECT RecordId, Name FROM UserRecordAccess WHERE " + user + " AND " + rec, 400, "INVALID_FIELD", "'Name'"},
		{"parent field selected", a.alex, "SELECT Record.Name FROM UserRecordAccess WHERE " + user + " AND " + rec, 400, "INVALID_FIELD", "'Record'"},
		{"unknown field filtered", a.alex, "SELECT RecordId FROM UserRecordAccess WHERE " + user + " AND " + rec + " AND Name = 'x'", 400, "INVALID_FIELD", "'Name'"},
		{"COUNT()", a.alex, "SELECT COUNT() FROM UserRecordAccess WHERE " + user + " AND " + rec, 400, "MALFORMED_QUERY", "COUNT()"},
		{"duplicate field", a.alex, "SELECT RecordId, recordid FROM UserRecordAccess WHERE " + user + " AND " + rec, 400, "MALFORMED_QUERY", "duplicate"},
		{"ORDER BY a field not selected", a.alex, "SELECT RecordId FROM UserRecordAccess WHERE " + user + " AND " + rec + " ORDER BY MaxAccessLevel", 400, "MALFORMED_QUERY", "not selected"},
		{"malformed record id", a.alex, accessSelect + " WHERE " + user + " AND RecordId = 'local-1'", 400, "INVALID_QUERY_FILTER_OPERATOR", "local-1"},
		{"malformed user id", a.alex, accessSelect + " WHERE UserId = '005' AND " + rec, 400, "INVALID_QUERY_FILTER_OPERATOR", "005"},
		{"another user asked by a non-admin", a.alex, accessQ(a.samID, a.own), 403, "INSUFFICIENT_ACCESS", "View All Data"},
		{"an unknown user asked by a non-admin", a.alex, accessQ(ID("005", 99999), a.own), 403, "INSUFFICIENT_ACCESS", "View All Data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do(tc.token, "GET", v+"/query?q="+urlQueryEscape(tc.q), nil)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if got := r.code(t); got != tc.code {
				t.Fatalf("code %s, want %s: %s", got, tc.code, r.Body)
			}
			if !strings.Contains(string(r.Body), tc.mentions) {
				t.Fatalf("message does not say %q: %s", tc.mentions, r.Body)
			}
		})
	}
}

func TestUserRecordAccessForAnotherUserIsAnsweredForAnAdmin(t *testing.T) {
	a := newAccessEnv(t)
	if err := a.org.Share(a.sams[0], "alex@demo.example", "edit"); err != nil {
		t.Fatal(err)
	}
	ids := []string{a.own, a.sams[0], a.sams[1]}
	mine, order := a.rows(a.alex, accessQ(a.alexID, ids...))
	theirs, adminOrder := a.rows(a.admin, accessQ(a.alexID, ids...))
	if len(order) != 3 || fmt.Sprint(order) != fmt.Sprint(adminOrder) {
		t.Fatalf("alex sees %v, the admin %v", order, adminOrder)
	}
	for _, id := range ids {
		if fmt.Sprint(mine[id]) != fmt.Sprint(theirs[id]) {
			t.Fatalf("%s: alex %v, admin %v", id, mine[id], theirs[id])
		}
	}
	if got := theirs[a.sams[0]]["MaxAccessLevel"]; got != "Edit" {
		t.Fatalf("admin about alex on an edit share: %v", got)
	}
}

func TestUserRecordAccessAboutAnUnknownUserHasNoRows(t *testing.T) {
	a := newAccessEnv(t)
	r := a.do(a.admin, "GET", v+"/query?q="+urlQueryEscape(accessQ(ID("005", 99999), a.own)), nil).want(t, 200).obj(t)
	if r["totalSize"].(float64) != 0 || len(r["records"].([]any)) != 0 || r["done"] != true {
		t.Fatalf("unknown user: %v", r)
	}
}

func TestUserRecordAccessSeesAShareChangedThroughTheAdminAPI(t *testing.T) {
	a := newAccessEnv(t)
	rec := a.sams[3]
	level := func() string {
		byID, _ := a.rows(a.alex, accessQ(a.alexID, rec))
		return byID[rec]["MaxAccessLevel"].(string)
	}
	for _, step := range []struct{ access, want string }{
		{"read", "Read"}, {"edit", "Edit"}, {"none", "None"}, {"edit", "Edit"},
	} {
		a.do(a.admin, "POST", "/mockorg/v1/share", map[string]any{"recordId": rec, "username": "alex@demo.example", "access": step.access}).want(t, 204)
		if got := level(); got != step.want {
			t.Fatalf("after share %s: %s, want %s", step.access, got, step.want)
		}
	}
}

func TestUserRecordAccessKeepsTheAskedOrderUnlessOrderedBy(t *testing.T) {
	a := newAccessEnv(t)
	if err := a.org.Share(a.sams[1], "alex@demo.example", "read"); err != nil {
		t.Fatal(err)
	}
	if err := a.org.Share(a.sams[2], "alex@demo.example", "edit"); err != nil {
		t.Fatal(err)
	}
	asked := []string{a.sams[0], a.sams[1], a.own, a.sams[2]}
	_, order := a.rows(a.alex, accessQ(a.alexID, asked...))
	if fmt.Sprint(order) != fmt.Sprint(asked) {
		t.Fatalf("order %v, want the asked %v", order, asked)
	}
	_, order = a.rows(a.alex, accessQ(a.alexID, asked...)+" ORDER BY MaxAccessLevel DESC")
	want := []string{a.own, a.sams[2], a.sams[1], a.sams[0]} // All, Edit, Read, None
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Fatalf("ORDER BY MaxAccessLevel DESC: %v, want %v", order, want)
	}
	_, order = a.rows(a.alex, accessQ(a.alexID, asked...)+" ORDER BY HasEditAccess, RecordId DESC LIMIT 3")
	noEdit := []string{a.sams[0], a.sams[1]}
	if noEdit[0] < noEdit[1] {
		noEdit[0], noEdit[1] = noEdit[1], noEdit[0]
	}
	if len(order) != 3 || order[0] != noEdit[0] || order[1] != noEdit[1] {
		t.Fatalf("ORDER BY HasEditAccess, RecordId DESC LIMIT 3: %v", order)
	}
}

func TestUserRecordAccessTakesShortIdsOnceEach(t *testing.T) {
	a := newAccessEnv(t)
	q := fmt.Sprintf("SELECT RecordId, UserId, Id FROM UserRecordAccess WHERE RecordId = '%s' AND UserId = '%s'", a.own[:15], a.alexID[:15])
	byID, order := a.rows(a.alex, q)
	if len(order) != 1 || byID[a.own]["UserId"] != a.alexID || byID[a.own]["Id"] != a.own {
		t.Fatalf("15-character ids: %v", byID)
	}
	_, order = a.rows(a.alex, accessQ(a.alexID, a.own, a.own[:15], a.sams[0], a.own))
	if len(order) != 2 {
		t.Fatalf("repeated ids give %v, want one row each", order)
	}
}

func TestUserRecordAccessFiltersOnOneAccessField(t *testing.T) {
	a := newAccessEnv(t)
	if err := a.org.Share(a.sams[0], "alex@demo.example", "edit"); err != nil {
		t.Fatal(err)
	}
	if err := a.org.Share(a.sams[1], "alex@demo.example", "read"); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("SELECT RecordId FROM UserRecordAccess WHERE UserId = '%s' AND RecordId IN ('%s','%s','%s','%s')", a.alexID, a.own, a.sams[0], a.sams[1], a.sams[2])
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{"HasEditAccess = true", []string{a.own, a.sams[0]}},
		{"HasReadAccess = false", []string{a.sams[2]}},
		{"HasDeleteAccess = true", []string{a.own}},
	} {
		_, order := a.rows(a.alex, base+" AND "+tc.filter)
		if fmt.Sprint(order) != fmt.Sprint(tc.want) {
			t.Fatalf("%s: %v, want %v", tc.filter, order, tc.want)
		}
	}
}

func TestUserRecordAccessWireShapeThroughTheRESTEndpoint(t *testing.T) {
	a := newAccessEnv(t)
	if err := a.org.Share(a.sams[0], "alex@demo.example", "read"); err != nil {
		t.Fatal(err)
	}
	q := fmt.Sprintf("SELECT RecordId, HasEditAccess, HasDeleteAccess, MaxAccessLevel FROM UserRecordAccess WHERE UserId = '%s' AND RecordId IN ('%s','%s')", a.alexID, a.own, a.sams[0])
	r := a.do(a.alex, "GET", v+"/query?q="+urlQueryEscape(q), nil).want(t, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	want := fmt.Sprintf(`{"totalSize":2,"done":true,"records":[`+
		`{"attributes":{"type":"UserRecordAccess","url":"/services/data/v62.0/sobjects/UserRecordAccess/%s"},"RecordId":"%s","HasEditAccess":true,"HasDeleteAccess":true,"MaxAccessLevel":"All"},`+
		`{"attributes":{"type":"UserRecordAccess","url":"/services/data/v62.0/sobjects/UserRecordAccess/%s"},"RecordId":"%s","HasEditAccess":false,"HasDeleteAccess":false,"MaxAccessLevel":"Read"}]}`,
		a.own, a.own, a.sams[0], a.sams[0])
	var gotV, wantV any
	r.json(t, &gotV)
	if err := json.Unmarshal([]byte(want), &wantV); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(gotV) != fmt.Sprint(wantV) {
		t.Fatalf("reply\n%s\nwant\n%s", r.Body, want)
	}
	// Keys come in select order, attributes first, as for every other object.
	if !strings.Contains(string(r.Body), `"attributes":{"type":"UserRecordAccess","url":`) ||
		strings.Index(string(r.Body), `"RecordId"`) > strings.Index(string(r.Body), `"MaxAccessLevel"`) {
		t.Fatalf("key order: %s", r.Body)
	}
}

func TestUserRecordAccessAnswersInsideComposite(t *testing.T) {
	a := newAccessEnv(t)
	var res compositeReply
	a.do(a.alex, "POST", v+"/composite", map[string]any{
		"compositeRequest": []any{
			map[string]any{"method": "POST", "url": v + "/sobjects/Account", "referenceId": "acc", "body": map[string]any{"Name": "Fresh"}},
			map[string]any{"method": "GET", "url": v + "/query?q=" + urlQueryEscape(accessQ(a.alexID, a.sams[0])), "referenceId": "other"},
			map[string]any{"method": "GET", "url": v + "/query?q=" + urlQueryEscape(accessQ(a.samID, a.own)), "referenceId": "refused"},
		},
	}).want(t, 200).json(t, &res)
	if len(res.CompositeResponse) != 3 {
		t.Fatalf("subresponses %+v", res.CompositeResponse)
	}
	if sr := res.CompositeResponse[1]; sr.HTTPStatusCode != 200 {
		t.Fatalf("query subrequest: %d %v", sr.HTTPStatusCode, sr.Body)
	}
	recs := res.CompositeResponse[1].Body.(map[string]any)["records"].([]any)
	if len(recs) != 1 || recs[0].(map[string]any)["MaxAccessLevel"] != "None" {
		t.Fatalf("records %v", recs)
	}
	if sr := res.CompositeResponse[2]; sr.HTTPStatusCode != 403 || errCodeOf(sr.Body) != "INSUFFICIENT_ACCESS" {
		t.Fatalf("another user's access inside composite: %d %v", sr.HTTPStatusCode, sr.Body)
	}
}

func TestUserRecordAccessHasNoSObjectResource(t *testing.T) {
	a := newAccessEnv(t)
	for _, p := range []string{
		"/sobjects/UserRecordAccess",
		"/sobjects/UserRecordAccess/describe",
		"/sobjects/UserRecordAccess/" + a.own,
	} {
		r := a.do(a.alex, "GET", v+p, nil).want(t, 404)
		if code := r.code(t); code != "NOT_FOUND" {
			t.Fatalf("%s: %s", p, code)
		}
	}
	a.do(a.alex, "POST", v+"/sobjects/UserRecordAccess", map[string]any{"RecordId": a.own}).want(t, 404)
}

func BenchmarkUserRecordAccess200Ids(b *testing.B) {
	e := newEnv(b, Options{Size: 2000, DailyLimit: 1 << 30})
	alexID := e.org.users[0].ID
	var ids []string
	for _, r := range e.query(e.admin, "SELECT Id FROM Contact ORDER BY Id LIMIT 200") {
		ids = append(ids, r["Id"].(string))
	}
	path := v + "/query?q=" + urlQueryEscape(accessQ(alexID, ids...))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.do(e.alex, "GET", path, nil).want(b, 200)
	}
}
