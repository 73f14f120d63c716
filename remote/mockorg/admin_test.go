package mockorg

import (
	"strings"
	"testing"
)

func TestAdminAPINeedsAnAdminToken(t *testing.T) {
	e := newEnv(t, Options{})
	e.do("", "GET", "/mockorg/v1/users", nil).want(t, 401)
	if c := e.do(e.alex, "GET", "/mockorg/v1/users", nil).want(t, 403).code(t); c != "INSUFFICIENT_ACCESS" {
		t.Fatalf("rep: %s", c)
	}
	var users []User
	e.do(e.admin, "GET", "/mockorg/v1/users", nil).want(t, 200).json(t, &users)
	if len(users) != 3 || users[0].Username != "alex@demo.example" || !users[2].Admin || len(users[0].ID) != 18 {
		t.Fatalf("users %+v", users)
	}
	e.do(e.admin, "GET", "/mockorg/v1/nothing", nil).want(t, 404)
	e.do(e.admin, "PUT", "/mockorg/v1/rules", nil).want(t, 405)
	e.do(e.admin, "POST", "/mockorg/v1/share", map[string]any{"recordId": "bad", "username": "alex@demo.example", "access": "read"}).want(t, 400)
	e.do(e.admin, "POST", "/mockorg/v1/share", map[string]any{"recordId": ID("001", 5), "username": "nobody", "access": "read"}).want(t, 400)
	e.do(e.admin, "POST", "/mockorg/v1/share", map[string]any{"recordId": ID("001", 5), "username": "alex@demo.example", "access": "owner"}).want(t, 400)
	e.do(e.admin, "POST", "/mockorg/v1/expire", map[string]any{"username": "nobody"}).want(t, 400)
	if c := e.do(e.admin, "POST", "/mockorg/v1/rules", "{not json").want(t, 400).code(t); c != "JSON_PARSER_ERROR" {
		t.Fatalf("bad JSON: %s", c)
	}
}

func TestAdminRulesListIncludesDefaults(t *testing.T) {
	e := newEnv(t, Options{})
	var rules []Rule
	e.do(e.admin, "GET", "/mockorg/v1/rules", nil).want(t, 200).json(t, &rules)
	if len(rules) != 2 || rules[0].Object != "Opportunity" || rules[1].Kind != KindRequireIf {
		t.Fatalf("rules %+v", rules)
	}
	e.do(e.admin, "DELETE", "/mockorg/v1/rules/"+rules[0].ID, nil).want(t, 204)
	e.do(e.alex, "POST", v+"/sobjects/Opportunity", map[string]any{"Name": "neg", "StageName": "Prospecting", "CloseDate": "2024-01-01", "Amount": -1}).want(t, 201)
}

func TestAdminProfileSwitchAndReset(t *testing.T) {
	e := newEnv(t, Options{})
	if got := e.do(e.admin, "GET", "/mockorg/v1/profile", nil).want(t, 200).obj(t); got["profile"] != "demo" {
		t.Fatalf("profile %v", got)
	}
	e.do(e.admin, "POST", "/mockorg/v1/profile", map[string]any{"profile": "real"}).want(t, 200)
	if e.org.Profile() != ProfileReal {
		t.Fatal("profile not switched")
	}
	e.do(e.admin, "POST", "/mockorg/v1/profile", map[string]any{"profile": "strict"}).want(t, 400)
	e.do(e.admin, "POST", "/mockorg/v1/profile", map[string]any{"profile": "demo"}).want(t, 200)

	before := e.query(e.admin, "SELECT Id, Name FROM Account ORDER BY Id")
	e.do(e.alex, "POST", v+"/sobjects/Account", map[string]any{"Name": "Temporary"}).want(t, 201)
	e.do(e.admin, "PATCH", v+"/sobjects/Account/"+before[0]["Id"].(string), map[string]any{"Name": "Changed"}).want(t, 204)
	e.do(e.admin, "POST", "/mockorg/v1/rules", map[string]any{"object": "Account", "kind": "required", "field": "Phone"}).want(t, 201)
	e.do(e.admin, "POST", "/mockorg/v1/reset", nil).want(t, 204)
	after := e.query(e.admin, "SELECT Id, Name FROM Account ORDER BY Id")
	if len(after) != len(before) || after[0]["Name"] != before[0]["Name"] {
		t.Fatalf("reset: %d vs %d records, %v vs %v", len(after), len(before), after[0]["Name"], before[0]["Name"])
	}
	if len(e.org.Rules()) != 2 {
		t.Fatalf("rules after reset %v", e.org.Rules())
	}
	e.do(e.alex, "GET", v+"/limits", nil).want(t, 200) // tokens survive a reset
	var s map[string]any
	e.do(e.admin, "POST", "/mockorg/v1/settings", map[string]any{"deleteLogRetentionSeconds": 60}).want(t, 200).json(t, &s)
	if s["deleteLogRetentionSeconds"] != 60.0 {
		t.Fatalf("settings %v", s)
	}
	e.do(e.admin, "POST", "/mockorg/v1/settings", map[string]any{"dailyLimit": -1}).want(t, 400)
	if !strings.Contains(string(e.do(e.admin, "GET", "/mockorg/v1/limits", nil).want(t, 200).Body), "dailyLimit") {
		t.Fatal("limits view")
	}
}

// GET /mockorg/v1/ lists the admin operations, each of which answers as listed (none is
// NOT_FOUND), so a shell user can find them.
func TestAdminIndexListsOperationsThatExist(t *testing.T) {
	e := newEnv(t, Options{})
	e.do(e.alex, "GET", "/mockorg/v1/", nil).want(t, 403)
	var ops []map[string]string
	e.do(e.admin, "GET", "/mockorg/v1/", nil).want(t, 200).json(t, &ops)
	if len(ops) < 8 {
		t.Fatalf("index %+v", ops)
	}
	for _, op := range ops {
		path := strings.Replace(op["path"], "{id}", "nope", 1)
		if op["does"] == "" || op["method"] == "" {
			t.Errorf("%s: says nothing of what it does or how to call it", path)
		}
		if strings.Contains(op["method"], "GET") {
			e.do(e.admin, "GET", path, nil).want(t, 200)
			continue
		}
		// Answered with a method the operation does not take: 405, not 404.
		if got := e.do(e.admin, "PUT", path, nil); got.Status == 404 {
			t.Errorf("%s listed but not there", path)
		}
	}
}
