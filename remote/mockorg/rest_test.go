package mockorg

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestVersionsListNeedsNoTokenAndStartsAt50(t *testing.T) {
	e := newEnv(t, Options{})
	for _, p := range []string{"/services/data", "/services/data/"} {
		var vs []map[string]string
		e.do("", "GET", p, nil).want(t, 200).json(t, &vs)
		if len(vs) < 13 || vs[0]["version"] != "50.0" || vs[0]["url"] != "/services/data/v50.0" {
			t.Fatalf("%s: %v", p, vs)
		}
	}
}

func TestAPICallsNeedAValidBearerToken(t *testing.T) {
	e := newEnv(t, Options{})
	for _, tok := range []string{"", "garbage", "00D!nope"} {
		r := e.do(tok, "GET", v+"/sobjects", nil).want(t, 401)
		if r.code(t) != "INVALID_SESSION_ID" || !strings.Contains(string(r.Body), "Session expired or invalid") {
			t.Fatalf("body %s", r.Body)
		}
	}
}

func TestOldAPIVersionsAndUnknownPathsAre404(t *testing.T) {
	e := newEnv(t, Options{})
	for _, p := range []string{"/services/data/v49.0/sobjects", "/services/data/vX/sobjects", v + "/nothing", v + "/sobjects/Account/describe/extra/more", "/elsewhere"} {
		if r := e.do(e.alex, "GET", p, nil).want(t, 404); r.code(t) != "NOT_FOUND" {
			t.Fatalf("%s: %s", p, r.Body)
		}
	}
	e.do(e.alex, "GET", "/services/data/v50.0/sobjects", nil).want(t, 200)
	e.do(e.alex, "GET", "/services/data/v99.0/sobjects", nil).want(t, 200)
}

func TestWrongMethodIs405(t *testing.T) {
	e := newEnv(t, Options{})
	for _, tc := range []struct{ method, path string }{
		{"PUT", v + "/sobjects/Account"}, {"DELETE", v + "/query?q=x"}, {"POST", v + "/sobjects/Account/describe"}, {"GET", v + "/composite"},
	} {
		if r := e.do(e.alex, tc.method, tc.path, nil).want(t, 405); r.code(t) != "METHOD_NOT_ALLOWED" {
			t.Fatalf("%v: %s", tc, r.Body)
		}
	}
}

func TestResponsesAreJSONWithCharsetAndLimitInfo(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.do(e.alex, "GET", v+"/sobjects/Account/describe", nil).want(t, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if li := r.Header.Get("Sforce-Limit-Info"); !strings.HasPrefix(li, "api-usage=") || !strings.HasSuffix(li, "/15000") {
		t.Fatalf("Sforce-Limit-Info %q", li)
	}
	r = e.do(e.alex, "GET", v+"/sobjects/Nope/describe", nil).want(t, 404)
	if r.Header.Get("Sforce-Limit-Info") == "" || r.Header.Get("Content-Type") != jsonType {
		t.Fatalf("error reply headers %v", r.Header)
	}
}

func TestDescribeGlobalListsTheObjects(t *testing.T) {
	e := newEnv(t, Options{})
	var g struct {
		Encoding string           `json:"encoding"`
		Max      int              `json:"maxBatchSize"`
		SObjects []map[string]any `json:"sobjects"`
	}
	e.do(e.alex, "GET", v+"/sobjects/", nil).want(t, 200).json(t, &g)
	prefixes := map[string]string{}
	for _, s := range g.SObjects {
		prefixes[s["name"].(string)] = s["keyPrefix"].(string)
	}
	want := map[string]string{"Account": "001", "Contact": "003", "Opportunity": "006", "Lead": "00Q", "Task": "00T", "Case": "500", "User": "005"}
	for k, p := range want {
		if prefixes[k] != p {
			t.Errorf("%s prefix %q, want %q", k, prefixes[k], p)
		}
	}
	e.do(e.alex, "GET", v+"/sobjects/Account", nil).want(t, 200)
}

func describeFields(t *testing.T, e *env, obj string) map[string]map[string]any {
	t.Helper()
	var d struct {
		Fields   []map[string]any `json:"fields"`
		Children []map[string]any `json:"childRelationships"`
	}
	e.do(e.alex, "GET", v+"/sobjects/"+obj+"/describe/", nil).want(t, 200).json(t, &d)
	out := map[string]map[string]any{}
	for _, f := range d.Fields {
		out[f["name"].(string)] = f
	}
	return out
}

func TestDescribeGivesWhatAnEditFormNeeds(t *testing.T) {
	e := newEnv(t, Options{})
	acc := describeFields(t, e, "Account")
	if f := acc["Name"]; f["nameField"] != true || f["nillable"] != false || f["createable"] != true || f["length"] != 255.0 {
		t.Errorf("Account.Name %v", f)
	}
	if f := acc["OwnerId"]; f["defaultedOnCreate"] != true || f["relationshipName"] != "Owner" {
		t.Errorf("OwnerId %v", f)
	}
	if f := acc["Offline_Key__c"]; f["externalId"] != true || f["unique"] != true || f["length"] != 36.0 || f["updateable"] != true {
		t.Errorf("Offline_Key__c %v", f)
	}
	if f := acc["SystemModstamp"]; f["createable"] != false || f["updateable"] != false || f["type"] != "datetime" {
		t.Errorf("SystemModstamp %v", f)
	}
	con := describeFields(t, e, "Contact")
	if f := con["Name"]; f["updateable"] != false || f["nameField"] != true {
		t.Errorf("Contact.Name %v", f)
	}
	if f := con["AccountId"]; f["type"] != "reference" || f["referenceTo"].([]any)[0] != "Account" {
		t.Errorf("Contact.AccountId %v", f)
	}
	opp := describeFields(t, e, "Opportunity")
	if f := opp["StageName"]; len(f["picklistValues"].([]any)) != 10 || f["restrictedPicklist"] != true {
		t.Errorf("StageName %v", f)
	}
	if cs := describeFields(t, e, "Case"); cs["CaseNumber"]["nameField"] != true || cs["CaseNumber"]["createable"] != false {
		t.Errorf("CaseNumber %v", cs["CaseNumber"])
	}
	if task := describeFields(t, e, "Task"); task["Subject"]["type"] != "combobox" || task["Status"]["defaultedOnCreate"] != true {
		t.Errorf("Task %v", task["Subject"])
	}
	lead := describeFields(t, e, "Lead")
	if f := lead["Status"]; f["nillable"] != false || f["defaultedOnCreate"] != true {
		t.Errorf("Lead.Status %v", f)
	}
}

func TestCreateRetrieveUpdateDelete(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.do(e.alex, "POST", v+"/sobjects/Account/", map[string]any{"Name": "Cobalt", "Industry": "Energy", "attributes": map[string]any{"type": "Account"}}).want(t, 201)
	res := r.obj(t)
	id := res["id"].(string)
	if res["success"] != true || len(res["errors"].([]any)) != 0 || !strings.HasPrefix(id, "001") || len(id) != 18 {
		t.Fatalf("create reply %s", r.Body)
	}
	if loc := r.Header.Get("Location"); loc != v+"/sobjects/Account/"+id {
		t.Fatalf("Location %q", loc)
	}
	got := e.do(e.alex, "GET", v+"/sobjects/Account/"+id, nil).want(t, 200).obj(t)
	if got["Name"] != "Cobalt" || got["OwnerId"] != e.org.users[0].ID || got["CreatedDate"] != "2024-03-04T10:00:00.000+0000" || got["IsDeleted"] != false {
		t.Fatalf("retrieve %v", got)
	}
	if a := got["attributes"].(map[string]any); a["type"] != "Account" || a["url"] != v+"/sobjects/Account/"+id {
		t.Fatalf("attributes %v", a)
	}
	some := e.do(e.alex, "GET", v+"/sobjects/Account/"+id+"?fields=Name,Industry", nil).want(t, 200).obj(t)
	if len(some) != 4 || some["Industry"] != "Energy" || some["Id"] != id {
		t.Fatalf("fields= %v", some)
	}
	e.clk.Advance(2 * time.Second)
	r = e.do(e.alex, "PATCH", v+"/sobjects/Account/"+id, map[string]any{"Name": "Cobalt Two"}).want(t, 204)
	if len(r.Body) != 0 {
		t.Fatalf("PATCH body %q", r.Body)
	}
	got = e.do(e.alex, "GET", v+"/sobjects/Account/"+id[:15], nil).want(t, 200).obj(t)
	if got["Name"] != "Cobalt Two" || got["LastModifiedDate"] != "2024-03-04T10:00:02.000+0000" || got["SystemModstamp"] != "2024-03-04T10:00:02.000+0000" {
		t.Fatalf("after update %v", got)
	}
	r = e.do(e.alex, "DELETE", v+"/sobjects/Account/"+id, nil).want(t, 204)
	if len(r.Body) != 0 {
		t.Fatalf("DELETE body %q", r.Body)
	}
	if c := e.do(e.alex, "PATCH", v+"/sobjects/Account/"+id, map[string]any{"Name": "z"}).want(t, 404).code(t); c != "ENTITY_IS_DELETED" {
		t.Fatalf("PATCH deleted: %s", c)
	}
	if c := e.do(e.alex, "DELETE", v+"/sobjects/Account/"+id, nil).want(t, 404).code(t); c != "ENTITY_IS_DELETED" {
		t.Fatalf("DELETE deleted: %s", c)
	}
	if c := e.do(e.alex, "GET", v+"/sobjects/Account/"+ID("001", 999999), nil).want(t, 404).code(t); c != "NOT_FOUND" {
		t.Fatalf("missing: %s", c)
	}
	if len(e.query(e.alex, "SELECT Id FROM Account WHERE Id = '"+id+"'")) != 0 {
		t.Fatal("query sees a deleted record")
	}
	var all struct {
		Records []map[string]any `json:"records"`
	}
	e.do(e.alex, "GET", v+"/queryAll/?q="+urlQueryEscape("SELECT Id, IsDeleted FROM Account WHERE Id = '"+id+"'"), nil).want(t, 200).json(t, &all)
	if len(all.Records) != 1 || all.Records[0]["IsDeleted"] != true {
		t.Fatalf("queryAll %v", all.Records)
	}
}

func TestSystemAndDerivedFieldsAreMaintained(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.do(e.alex, "POST", v+"/sobjects/Contact", map[string]any{"FirstName": "Ada", "LastName": "Lovelace"}).want(t, 201).obj(t)["id"].(string)
	if got := e.do(e.alex, "GET", v+"/sobjects/Contact/"+id, nil).obj(t); got["Name"] != "Ada Lovelace" {
		t.Fatalf("Contact.Name %v", got["Name"])
	}
	oid := e.do(e.alex, "POST", v+"/sobjects/Opportunity", map[string]any{"Name": "Deal", "StageName": "Closed Won", "CloseDate": "2024-05-01"}).want(t, 201).obj(t)["id"].(string)
	got := e.do(e.alex, "GET", v+"/sobjects/Opportunity/"+oid, nil).obj(t)
	if got["IsClosed"] != true || got["IsWon"] != true || got["Probability"] != 100.0 {
		t.Fatalf("opportunity %v", got)
	}
	cid := e.do(e.alex, "POST", v+"/sobjects/Case", map[string]any{"Subject": "Broken"}).want(t, 201).obj(t)["id"].(string)
	got = e.do(e.alex, "GET", v+"/sobjects/Case/"+cid, nil).obj(t)
	if cn, _ := got["CaseNumber"].(string); len(cn) != 8 || got["Status"] != "New" || got["Priority"] != "Medium" {
		t.Fatalf("case %v", got)
	}
	tid := e.do(e.alex, "POST", v+"/sobjects/Task", map[string]any{"Subject": "Call", "Priority": "High", "Status": "Completed"}).want(t, 201).obj(t)["id"].(string)
	got = e.do(e.alex, "GET", v+"/sobjects/Task/"+tid, nil).obj(t)
	if got["IsClosed"] != true || got["IsHighPriority"] != true {
		t.Fatalf("task %v", got)
	}
}

func TestWriteRulesAnswerWithTheRealErrorCodes(t *testing.T) {
	e := newEnv(t, Options{})
	accID := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.users[0].ID+"'")
	samOnly := e.firstID(e.sam, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.users[1].ID+"' ORDER BY Name")
	_ = e.org.Share(samOnly, "alex@demo.example", "none")
	for _, tc := range []struct {
		name, obj string
		body      map[string]any
		code      string
		field     string
	}{
		{"required", "Contact", map[string]any{"FirstName": "x"}, "REQUIRED_FIELD_MISSING", "LastName"},
		{"required on defaulted set to null", "Lead", map[string]any{"LastName": "x", "Company": "c", "Status": nil}, "REQUIRED_FIELD_MISSING", "Status"},
		{"too long", "Account", map[string]any{"Name": strings.Repeat("n", 256)}, "STRING_TOO_LONG", "Name"},
		{"restricted picklist", "Account", map[string]any{"Name": "a", "Rating": "Lukewarm"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Rating"},
		{"email", "Contact", map[string]any{"LastName": "a", "Email": "not-an-email"}, "INVALID_EMAIL_ADDRESS", "Email"},
		{"unknown field", "Account", map[string]any{"Name": "a", "Nope__c": 1}, "INVALID_FIELD", ""},
		{"id in create", "Account", map[string]any{"Name": "a", "Id": accID}, "INVALID_FIELD", ""},
		{"read-only field", "Account", map[string]any{"Name": "a", "CreatedDate": "2024-01-01T00:00:00Z"}, "INVALID_FIELD_FOR_INSERT_UPDATE", "CreatedDate"},
		{"compound name", "Contact", map[string]any{"LastName": "a", "Name": "b"}, "INVALID_FIELD_FOR_INSERT_UPDATE", "Name"},
		{"malformed lookup", "Contact", map[string]any{"LastName": "a", "AccountId": "xyz"}, "MALFORMED_ID", "AccountId"},
		{"missing lookup", "Contact", map[string]any{"LastName": "a", "AccountId": ID("001", 999999)}, "INVALID_CROSS_REFERENCE_KEY", "AccountId"},
		{"lookup of wrong type", "Contact", map[string]any{"LastName": "a", "AccountId": e.org.users[0].ID}, "INVALID_CROSS_REFERENCE_KEY", "AccountId"},
		{"invisible lookup", "Contact", map[string]any{"LastName": "a", "AccountId": samOnly}, "INVALID_CROSS_REFERENCE_KEY", "AccountId"},
		{"validation rule", "Opportunity", map[string]any{"Name": "o", "StageName": "Prospecting", "CloseDate": "2024-01-01", "Amount": -5}, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Amount"},
		{"closed case needs description", "Case", map[string]any{"Status": "Closed"}, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Description"},
		{"wrong JSON type", "Account", map[string]any{"Name": "a", "AnnualRevenue": "lots"}, "JSON_PARSER_ERROR", ""},
		{"bad date", "Opportunity", map[string]any{"Name": "o", "StageName": "Prospecting", "CloseDate": "soon"}, "JSON_PARSER_ERROR", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(e.alex, "POST", v+"/sobjects/"+tc.obj, tc.body).want(t, 400)
			var items []errItem
			r.json(t, &items)
			if items[0].ErrorCode != tc.code {
				t.Fatalf("code %s, want %s: %s", items[0].ErrorCode, tc.code, r.Body)
			}
			if tc.field != "" && (len(items[0].Fields) == 0 || items[0].Fields[0] != tc.field) {
				t.Fatalf("fields %v, want %s", items[0].Fields, tc.field)
			}
		})
	}
}

func TestAnInternationalisedEmailAddressIsTaken(t *testing.T) {
	e := newEnv(t, Options{})
	for _, addr := range []string{"josé@empresa.es", "a@bücher.de", "ユーザー@例え.jp"} {
		e.do(e.alex, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "Intl", "Email": addr}).want(t, 201)
	}
	for _, addr := range []string{"josé", "a@b", "a b@c.de"} {
		e.do(e.alex, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "Intl", "Email": addr}).want(t, 400)
	}
}

func TestAccessModel(t *testing.T) {
	e := newEnv(t, Options{})
	alexID, samID := e.org.users[0].ID, e.org.users[1].ID
	samAcc := e.do(e.sam, "POST", v+"/sobjects/Account", map[string]any{"Name": "Sam's own"}).want(t, 201).obj(t)["id"].(string)
	path := v + "/sobjects/Account/" + samAcc
	if c := e.do(e.alex, "GET", path, nil).want(t, 404).code(t); c != "NOT_FOUND" {
		t.Fatalf("invisible GET: %s", c)
	}
	if c := e.do(e.alex, "PATCH", path, map[string]any{"Name": "x"}).want(t, 404).code(t); c != "NOT_FOUND" {
		t.Fatalf("invisible PATCH: %s", c)
	}
	e.do(e.admin, "POST", "/mockorg/v1/share", map[string]any{"recordId": samAcc, "username": "alex@demo.example", "access": "read"}).want(t, 204)
	e.do(e.alex, "GET", path, nil).want(t, 200)
	if c := e.do(e.alex, "PATCH", path, map[string]any{"Name": "x"}).want(t, 400).code(t); c != "INSUFFICIENT_ACCESS_OR_READONLY" {
		t.Fatalf("read-only PATCH: %s", c)
	}
	e.do(e.admin, "POST", "/mockorg/v1/share", map[string]any{"recordId": samAcc, "username": "alex@demo.example", "access": "edit"}).want(t, 204)
	e.do(e.alex, "PATCH", path, map[string]any{"Name": "Edited by Alex"}).want(t, 204)
	if c := e.do(e.alex, "PATCH", path, map[string]any{"OwnerId": alexID}).want(t, 400).code(t); c != "INSUFFICIENT_ACCESS_OR_READONLY" {
		t.Fatalf("sharee changing owner: %s", c)
	}
	if c := e.do(e.alex, "DELETE", path, nil).want(t, 400).code(t); c != "INSUFFICIENT_ACCESS_OR_READONLY" {
		t.Fatalf("sharee delete: %s", c)
	}
	e.do(e.sam, "PATCH", path, map[string]any{"OwnerId": alexID}).want(t, 204)
	if got := e.do(e.alex, "GET", path, nil).want(t, 200).obj(t); got["OwnerId"] != alexID {
		t.Fatalf("owner %v", got["OwnerId"])
	}
	if c := e.do(e.sam, "GET", path, nil).want(t, 404).code(t); c != "NOT_FOUND" {
		t.Fatalf("old owner after transfer: %s", c)
	}
	e.do(e.admin, "GET", path, nil).want(t, 200)
	e.do(e.admin, "PATCH", path, map[string]any{"OwnerId": samID}).want(t, 204)
	e.do(e.admin, "POST", "/mockorg/v1/share", map[string]any{"recordId": samAcc, "username": "alex@demo.example", "access": "none"}).want(t, 204)
	e.do(e.alex, "GET", path, nil).want(t, 404)
	// admin sees everything; reps see their own plus shared
	all := len(e.query(e.admin, "SELECT Id FROM Account"))
	mine := len(e.query(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+alexID+"'"))
	visible := len(e.query(e.alex, "SELECT Id FROM Account"))
	if !(mine < visible && visible < all) {
		t.Fatalf("own %d, visible %d, all %d", mine, visible, all)
	}
}

func TestSeedSharesSomeOfSamsRecordsWithAlex(t *testing.T) {
	e := newEnv(t, Options{})
	samID := e.org.users[1].ID
	shared := e.query(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+samID+"'")
	if len(shared) == 0 {
		t.Fatal("no shared accounts")
	}
	read, edit := 0, 0
	for _, r := range shared {
		switch e.org.shares[r["Id"].(string)][e.org.users[0].ID] {
		case "read":
			read++
		case "edit":
			edit++
		}
	}
	if read == 0 || edit == 0 {
		t.Fatalf("read %d edit %d", read, edit)
	}
}

func TestConditionalRequestsAtOneSecondResolution(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.do(e.alex, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "Cond"}).want(t, 201).obj(t)["id"].(string)
	path := v + "/sobjects/Contact/" + id
	created := e.clk.Now()
	httpDate := func(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

	e.clk.Advance(300 * time.Millisecond) // same second: the org can't tell
	e.do(e.sam, "GET", path, nil)         // no access, no change
	e.do(e.alex, "PATCH", path, map[string]any{"Title": "one"}, "If-Unmodified-Since", httpDate(created)).want(t, 204)
	e.do(e.alex, "PATCH", path, map[string]any{"Title": "two"}, "If-Unmodified-Since", httpDate(created)).want(t, 204)

	e.clk.Advance(time.Second) // next second: a change after the base is seen
	e.do(e.admin, "PATCH", path, map[string]any{"Title": "admin"}).want(t, 204)
	r := e.do(e.alex, "PATCH", path, map[string]any{"Title": "three"}, "If-Unmodified-Since", httpDate(created)).want(t, 412)
	if r.code(t) != "PRECONDITION_FAILED" {
		t.Fatalf("412 body %s", r.Body)
	}
	if got := e.do(e.alex, "GET", path, nil).obj(t); got["Title"] != "admin" {
		t.Fatalf("412 must not apply the change: %v", got["Title"])
	}
	e.do(e.alex, "GET", path, nil, "If-Modified-Since", httpDate(e.clk.Now())).want(t, 304)
	e.do(e.alex, "GET", path, nil, "If-Modified-Since", httpDate(created)).want(t, 200)
	e.do(e.alex, "GET", path, nil, "If-Unmodified-Since", httpDate(created)).want(t, 412)
	if c := e.do(e.alex, "PATCH", path, map[string]any{"Title": "x"}, "If-Unmodified-Since", "yesterday").want(t, 400).code(t); c != "INVALID_HEADER_TYPE" {
		t.Fatalf("bad date: %s", c)
	}
	// DELETE ignores preconditions
	e.do(e.alex, "DELETE", path, nil, "If-Unmodified-Since", httpDate(created), "If-Match", `"nope"`).want(t, 204)

	e.org.SetProfile(ProfileReal)
	id2 := e.do(e.alex, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "Real"}).want(t, 201).obj(t)["id"].(string)
	base := e.clk.Now()
	e.clk.Advance(2 * time.Second)
	e.do(e.alex, "PATCH", v+"/sobjects/Contact/"+id2, map[string]any{"Title": "t"}).want(t, 204)
	if r := e.do(e.alex, "PATCH", v+"/sobjects/Contact/"+id2, map[string]any{"Title": "u"}, "If-Unmodified-Since", httpDate(base)).want(t, 412); len(r.Body) != 0 {
		t.Fatalf("real profile 412 body %q", r.Body)
	}
}

func TestETagOnAccountOnly(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.do(e.alex, "POST", v+"/sobjects/Account", map[string]any{"Name": "Tagged"}).want(t, 201).obj(t)["id"].(string)
	path := v + "/sobjects/Account/" + id
	etag := e.do(e.alex, "GET", path, nil).want(t, 200).Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) {
		t.Fatalf("ETag %q", etag)
	}
	e.do(e.alex, "GET", path, nil, "If-None-Match", etag).want(t, 304)
	e.do(e.alex, "PATCH", path, map[string]any{"Name": "x"}, "If-None-Match", etag).want(t, 412)
	e.do(e.alex, "PATCH", path, map[string]any{"Name": "Tagged 2"}, "If-Match", `"other", `+etag).want(t, 204)
	etag2 := e.do(e.alex, "GET", path, nil).Header.Get("ETag")
	if etag2 == etag {
		t.Fatal("ETag did not change on write")
	}
	e.do(e.alex, "PATCH", path, map[string]any{"Name": "stale"}, "If-Match", etag).want(t, 412)
	e.do(e.alex, "GET", path, nil, "If-Match", etag).want(t, 412)
	cid := e.do(e.alex, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "NoTag"}).want(t, 201).obj(t)["id"].(string)
	if r := e.do(e.alex, "GET", v+"/sobjects/Contact/"+cid, nil).want(t, 200); r.Header.Get("ETag") != "" {
		t.Fatal("Contact must not carry an ETag")
	}
	e.do(e.alex, "PATCH", v+"/sobjects/Contact/"+cid, map[string]any{"Title": "x"}, "If-Match", `"whatever"`).want(t, 204)
}

func TestUpsertByOfflineKey(t *testing.T) {
	e := newEnv(t, Options{})
	key := "6f1c6ad8-7a43-4c4f-9a39-3d2c0d1e0a11"
	path := v + "/sobjects/Contact/Offline_Key__c/" + key
	r := e.do(e.alex, "PATCH", path, map[string]any{"LastName": "Once"}).want(t, 201)
	res := r.obj(t)
	if res["created"] != true || res["success"] != true {
		t.Fatalf("first upsert %s", r.Body)
	}
	id := res["id"].(string)
	r = e.do(e.alex, "PATCH", path, map[string]any{"LastName": "Once", "Title": "again"}).want(t, 200)
	if res := r.obj(t); res["created"] != false || res["id"] != id {
		t.Fatalf("second upsert %s", r.Body)
	}
	if n := len(e.query(e.alex, "SELECT Id FROM Contact WHERE Offline_Key__c = '"+key+"'")); n != 1 {
		t.Fatalf("%d records with the key", n)
	}
	if got := e.do(e.alex, "GET", path, nil).want(t, 200).obj(t); got["Id"] != id || got["Title"] != "again" {
		t.Fatalf("get by key %v", got)
	}
	if c := e.do(e.alex, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "Dup", "Offline_Key__c": key}).want(t, 400).code(t); c != "DUPLICATE_VALUE" {
		t.Fatalf("duplicate key: %s", c)
	}
	if c := e.do(e.alex, "PATCH", v+"/sobjects/Contact/LastName/x", map[string]any{"LastName": "x"}).want(t, 404).code(t); c != "NOT_FOUND" {
		t.Fatalf("non-external field: %s", c)
	}
	e.do(e.alex, "DELETE", v+"/sobjects/Contact/"+id, nil).want(t, 204)
	if c := e.do(e.alex, "PATCH", path, map[string]any{"LastName": "Again"}).want(t, 404).code(t); c != "ENTITY_IS_DELETED" {
		t.Fatalf("upsert onto a deleted record: %s", c)
	}
	e.org.SetProfile(ProfileReal)
	if c := e.do(e.alex, "PATCH", v+"/sobjects/Contact/Offline_Key__c/abc", map[string]any{"LastName": "x"}).want(t, 404).code(t); c != "NOT_FOUND" {
		t.Fatalf("real profile upsert: %s", c)
	}
	if c := e.do(e.alex, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "x", "Offline_Key__c": "k"}).want(t, 400).code(t); c != "INVALID_FIELD" {
		t.Fatalf("real profile field: %s", c)
	}
	if _, found := describeFields(t, e, "Contact")["Offline_Key__c"]; found {
		t.Fatal("real profile describe lists Offline_Key__c")
	}
	if c := e.do(e.alex, "GET", v+"/query?q="+urlQueryEscape("SELECT Offline_Key__c FROM Contact"), nil).want(t, 400).code(t); c != "INVALID_FIELD" {
		t.Fatalf("real profile query: %s", c)
	}
}

func TestDuplicateRuleCanBeOverriddenWithTheHeader(t *testing.T) {
	e := newEnv(t, Options{})
	e.do(e.admin, "POST", "/mockorg/v1/rules", map[string]any{"object": "Contact", "kind": "duplicate", "field": "Email", "message": "Use one of these records?"}).want(t, 201)
	e.do(e.alex, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "A", "Email": "dup@x.example"}).want(t, 201)
	r := e.do(e.alex, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "B", "Email": "DUP@x.example"}).want(t, 400)
	if r.code(t) != "DUPLICATES_DETECTED" || !strings.Contains(string(r.Body), `"duplicateResut":{"allowSave":true`) {
		t.Fatalf("duplicate body %s", r.Body)
	}
	e.do(e.alex, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "B", "Email": "dup@x.example"}, "Sforce-Duplicate-Rule-Header", "allowSave=true").want(t, 201)
}

func TestRuntimeRuleKinds(t *testing.T) {
	e := newEnv(t, Options{})
	var kinds []string
	e.do(e.admin, "GET", "/mockorg/v1/rulekinds", nil).want(t, 200).json(t, &kinds)
	if len(kinds) != 7 {
		t.Fatalf("kinds %v", kinds)
	}
	for _, tc := range []struct {
		rule      map[string]any
		bad, good map[string]any
	}{
		{map[string]any{"object": "Account", "kind": "required", "field": "Phone", "message": "Phone please"}, map[string]any{"Name": "a"}, map[string]any{"Name": "a", "Phone": "1"}},
		{map[string]any{"object": "Account", "kind": "min", "field": "NumberOfEmployees", "value": "10"}, map[string]any{"Name": "a", "NumberOfEmployees": 3}, map[string]any{"Name": "a", "NumberOfEmployees": 10}},
		{map[string]any{"object": "Account", "kind": "max_length", "field": "AccountNumber", "value": "3"}, map[string]any{"Name": "a", "AccountNumber": "1234"}, map[string]any{"Name": "a", "AccountNumber": "123"}},
		{map[string]any{"object": "Account", "kind": "forbid_value", "field": "Rating", "value": "Cold"}, map[string]any{"Name": "a", "Rating": "Cold"}, map[string]any{"Name": "a", "Rating": "Hot"}},
		{map[string]any{"object": "Account", "kind": "require_if", "field": "Website", "otherField": "Type", "value": "Customer - Direct"}, map[string]any{"Name": "a", "Type": "Customer - Direct"}, map[string]any{"Name": "a", "Type": "Customer - Direct", "Website": "https://x.example"}},
	} {
		var created map[string]string
		e.do(e.admin, "POST", "/mockorg/v1/rules", tc.rule).want(t, 201).json(t, &created)
		r := e.do(e.alex, "POST", v+"/sobjects/Account", tc.bad).want(t, 400)
		var items []errItem
		r.json(t, &items)
		if items[0].ErrorCode != "FIELD_CUSTOM_VALIDATION_EXCEPTION" || !strings.EqualFold(items[0].Fields[0], tc.rule["field"].(string)) || items[0].Message == "" {
			t.Fatalf("%v: %s", tc.rule, r.Body)
		}
		e.do(e.alex, "POST", v+"/sobjects/Account", tc.good).want(t, 201)
		e.do(e.admin, "DELETE", "/mockorg/v1/rules/"+created["id"], nil).want(t, 204)
		e.do(e.alex, "POST", v+"/sobjects/Account", tc.bad).want(t, 201)
	}
	for _, bad := range []map[string]any{
		{"object": "Nope", "kind": "required", "field": "Name"},
		{"object": "Account", "kind": "sometimes", "field": "Name"},
		{"object": "Account", "kind": "required", "field": "Nope"},
		{"object": "Account", "kind": "min", "field": "Name", "value": "1"},
		{"object": "Account", "kind": "min", "field": "AnnualRevenue", "value": "lots"},
		{"object": "Account", "kind": "require_if", "field": "Phone", "otherField": "Nope"},
		{"object": "Account", "kind": "flow_error", "field": "Rating"},
	} {
		e.do(e.admin, "POST", "/mockorg/v1/rules", bad).want(t, 400)
	}
	e.do(e.admin, "DELETE", "/mockorg/v1/rules/rule-999", nil).want(t, 404)
}

// A flow that fails answers as Salesforce does: CANNOT_EXECUTE_FLOW_TRIGGER with a long message
// naming no field, and only once the validation and duplicate rules have passed (they run first).
func TestAFailingFlowRefusesTheSaveAfterTheRules(t *testing.T) {
	e := newEnv(t, Options{})
	e.do(e.admin, "POST", "/mockorg/v1/rules", map[string]any{"object": "Account", "kind": "flow_error", "field": "Rating", "value": "Cold"}).want(t, 201)
	id := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.users[0].ID+"'")
	for _, write := range []func() reply{
		func() reply {
			return e.do(e.alex, "PATCH", v+"/sobjects/Account/"+id, map[string]any{"Rating": "Cold"})
		},
		func() reply {
			return e.do(e.alex, "POST", v+"/sobjects/Account", map[string]any{"Name": "Flow", "Rating": "Cold"})
		},
	} {
		r := write().want(t, 400)
		var items []errItem
		r.json(t, &items)
		if len(items) != 1 || items[0].ErrorCode != "CANNOT_EXECUTE_FLOW_TRIGGER" || len(items[0].Fields) != 0 ||
			!strings.Contains(items[0].Message, "process failed") || !strings.Contains(items[0].Message, "Rating is Cold") {
			t.Fatalf("flow failure: %s", r.Body)
		}
	}
	// A validation rule that fails as well is what the user hears of: the flow never ran.
	e.do(e.admin, "POST", "/mockorg/v1/rules", map[string]any{"object": "Account", "kind": "forbid_value", "field": "Rating", "value": "Cold"}).want(t, 201)
	if c := e.do(e.alex, "PATCH", v+"/sobjects/Account/"+id, map[string]any{"Rating": "Cold"}).want(t, 400).code(t); c != "FIELD_CUSTOM_VALIDATION_EXCEPTION" {
		t.Fatalf("with a validation rule failing too: %s", c)
	}
	e.do(e.alex, "PATCH", v+"/sobjects/Account/"+id, map[string]any{"Rating": "Warm"}).want(t, 204)
}

func TestUpdateValidationOnlyChecksRequiredFieldsThatAreTouched(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.firstID(e.alex, "SELECT Id FROM Contact WHERE OwnerId = '"+e.org.users[0].ID+"'")
	e.do(e.alex, "PATCH", v+"/sobjects/Contact/"+id, map[string]any{"Title": "New title"}).want(t, 204)
	if c := e.do(e.alex, "PATCH", v+"/sobjects/Contact/"+id, map[string]any{"LastName": ""}).want(t, 400).code(t); c != "REQUIRED_FIELD_MISSING" {
		t.Fatalf("blanking LastName: %s", c)
	}
	if c := e.do(e.alex, "PATCH", v+"/sobjects/Contact/"+id, map[string]any{"SystemModstamp": "2024-01-01T00:00:00Z"}).want(t, 400).code(t); c != "INVALID_FIELD_FOR_INSERT_UPDATE" {
		t.Fatalf("system field: %s", c)
	}
	if c := e.do(e.alex, "PATCH", v+"/sobjects/Contact/00300000000000", map[string]any{"Title": "x"}).want(t, 404).code(t); c != "NOT_FOUND" {
		t.Fatalf("short id: %s", c)
	}
	if c := e.do(e.alex, "PATCH", v+"/sobjects/Contact/003Dm0000000001AAA", map[string]any{"Title": "x"}).want(t, 400).code(t); c != "MALFORMED_ID" {
		t.Fatalf("bad checksum: %s", c)
	}
}

func TestGetUpdatedAndGetDeleted(t *testing.T) {
	e := newEnv(t, Options{})
	start := e.clk.Now()
	e.clk.Advance(90 * time.Second)
	id := e.do(e.alex, "POST", v+"/sobjects/Lead", map[string]any{"LastName": "New", "Company": "Co"}).want(t, 201).obj(t)["id"].(string)
	gone := e.firstID(e.alex, "SELECT Id FROM Lead WHERE OwnerId = '"+e.org.users[0].ID+"' AND Id != '"+id+"'")
	e.do(e.alex, "DELETE", v+"/sobjects/Lead/"+gone, nil).want(t, 204)
	e.clk.Advance(3 * time.Minute)
	for _, f := range []func(time.Time) string{
		func(t time.Time) string { return urlQueryEscape(t.Format("2006-01-02T15:04:05+00:00")) },
		func(t time.Time) string { return t.Format("2006-01-02T15:04:05Z") },
		func(t time.Time) string {
			return strings.ReplaceAll(strings.ReplaceAll(t.Format("2006-01-02T15:04:05+00:00"), ":", "%3A"), "+", "%2B")
		},
		func(t time.Time) string { return t.Format("2006-01-02T15:04:05+00:00") }, // raw '+' arrives as a space
	} {
		q := "?start=" + f(start) + "&end=" + f(e.clk.Now())
		var up struct {
			IDs    []string `json:"ids"`
			Latest string   `json:"latestDateCovered"`
		}
		e.do(e.alex, "GET", v+"/sobjects/Lead/updated/"+q, nil).want(t, 200).json(t, &up)
		if len(up.IDs) != 1 || up.IDs[0] != id || up.Latest != "2024-03-04T10:04:00.000+0000" {
			t.Fatalf("updated %s: %+v", q, up)
		}
		var del struct {
			Deleted  []map[string]string `json:"deletedRecords"`
			Earliest string              `json:"earliestDateAvailable"`
		}
		e.do(e.alex, "GET", v+"/sobjects/Lead/deleted?"+q[1:], nil).want(t, 200).json(t, &del)
		if len(del.Deleted) != 1 || del.Deleted[0]["id"] != gone || del.Deleted[0]["deletedDate"] != "2024-03-04T10:01:30.000+0000" {
			t.Fatalf("deleted %s: %+v", q, del)
		}
	}
	old := start.Add(-31 * 24 * time.Hour).Format("2006-01-02T15:04:05Z")
	if c := e.do(e.alex, "GET", v+"/sobjects/Lead/updated?start="+old+"&end="+start.Format("2006-01-02T15:04:05Z"), nil).want(t, 400).code(t); c != "INVALID_REPLICATION_DATE" {
		t.Fatalf("30-day window: %s", c)
	}
	e.do(e.alex, "GET", v+"/sobjects/Lead/updated?start=yesterday&end=today", nil).want(t, 400)
	e.do(e.alex, "GET", v+"/sobjects/Lead/updated", nil).want(t, 400)

	// the real profile keeps a short delete log: an old start is answered with a later earliestDateAvailable
	e.org.SetProfile(ProfileReal)
	e.org.SetDeleteLogRetention(time.Minute)
	var del struct {
		Deleted  []map[string]string `json:"deletedRecords"`
		Earliest string              `json:"earliestDateAvailable"`
	}
	e.do(e.alex, "GET", v+"/sobjects/Lead/deleted?start="+start.Format("2006-01-02T15:04:05Z")+"&end="+e.clk.Now().Format("2006-01-02T15:04:05Z"), nil).want(t, 200).json(t, &del)
	earliest, _ := parseWireTime(del.Earliest)
	if !earliest.After(start) || len(del.Deleted) != 0 {
		t.Fatalf("short delete log: %+v", del)
	}
}

func TestDailyLimitAndLimitsResource(t *testing.T) {
	e := newEnv(t, Options{DailyLimit: 3})
	var lim map[string]map[string]int
	e.do(e.alex, "GET", v+"/limits/", nil).want(t, 200).json(t, &lim)
	if lim["DailyApiRequests"]["Max"] != 3 || lim["DailyApiRequests"]["Remaining"] != 2 {
		t.Fatalf("limits %v", lim)
	}
	e.do(e.alex, "GET", v+"/sobjects", nil).want(t, 200)
	r := e.do(e.alex, "GET", v+"/sobjects", nil).want(t, 200)
	if r.Header.Get("Sforce-Limit-Info") != "api-usage=3/3" {
		t.Fatalf("limit info %q", r.Header.Get("Sforce-Limit-Info"))
	}
	if c := e.do(e.alex, "GET", v+"/sobjects", nil).want(t, 403).code(t); c != "REQUEST_LIMIT_EXCEEDED" {
		t.Fatalf("code %s", c)
	}
	e.do(e.admin, "POST", "/mockorg/v1/limits", map[string]any{"dailyLimit": 10}).want(t, 200)
	e.do(e.alex, "GET", v+"/sobjects", nil).want(t, 200)
	e.clk.Advance(24 * time.Hour)
	if r := e.do(e.alex, "GET", v+"/sobjects", nil).want(t, 200); r.Header.Get("Sforce-Limit-Info") != "api-usage=1/10" {
		t.Fatalf("new day %q", r.Header.Get("Sforce-Limit-Info"))
	}
}

func TestHeadAndRealProfileRecordShape(t *testing.T) {
	e := newEnv(t, Options{Profile: ProfileReal})
	id := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.users[0].ID+"'")
	r := e.do(e.alex, "HEAD", v+"/sobjects/Account/"+id, nil).want(t, 200)
	if r.Header.Get("ETag") == "" || len(r.Body) != 0 {
		t.Fatalf("HEAD headers %v body %q", r.Header, r.Body)
	}
	got := e.do(e.alex, "GET", v+"/sobjects/Account/"+id, nil).want(t, 200).obj(t)
	if _, has := got["Offline_Key__c"]; has {
		t.Fatal("real profile record carries Offline_Key__c")
	}
	if e.org.Profile() != ProfileReal {
		t.Fatal("Options.Profile ignored")
	}
}

func TestSharingARecordWithItsOwnerIsRefusedAsChangingNothing(t *testing.T) {
	e := newEnv(t, Options{})
	own := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.users[0].ID+"'")
	for _, access := range []string{"none", "read", "edit"} {
		err := e.org.Share(own, "alex@demo.example", access)
		if err == nil || !strings.Contains(err.Error(), "owns this record") {
			t.Errorf("share %s with its owner: %v", access, err)
		}
	}
	samOnly := e.firstID(e.sam, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.users[1].ID+"' ORDER BY Name")
	if err := e.org.Share(samOnly, "alex@demo.example", "edit"); err != nil {
		t.Errorf("share with another user: %v", err)
	}
}
