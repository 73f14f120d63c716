package mockorg

import (
	"net/http"
	"strings"
	"testing"
)

func TestUserIsDescribedAsReadOnlyWithKeyPrefix005(t *testing.T) {
	e := newEnv(t, Options{})
	var global struct {
		SObjects []map[string]any `json:"sobjects"`
	}
	e.do(e.alex, "GET", v+"/sobjects", nil).want(t, 200).json(t, &global)
	var entry map[string]any
	for _, s := range global.SObjects {
		if s["name"] == "User" {
			entry = s
		}
	}
	if entry == nil {
		t.Fatal("describe global does not list User")
	}
	if entry["keyPrefix"] != "005" || entry["queryable"] != true || entry["createable"] != false || entry["deletable"] != false {
		t.Errorf("User global entry = %v", entry)
	}
	d := e.do(e.alex, "GET", v+"/sobjects/User/describe", nil).want(t, 200).obj(t)
	fields := map[string]map[string]any{}
	for _, f := range d["fields"].([]any) {
		m := f.(map[string]any)
		fields[m["name"].(string)] = m
	}
	for _, name := range []string{"Id", "Username", "Name", "FirstName", "LastName", "Email", "IsActive", "Title"} {
		f, present := fields[name]
		if !present {
			t.Errorf("describe User lacks %s", name)
			continue
		}
		if f["createable"] != false || f["updateable"] != false {
			t.Errorf("User.%s createable=%v updateable=%v, want both false", name, f["createable"], f["updateable"])
		}
	}
	if fields["Name"]["nameField"] != true {
		t.Error("User.Name is not the name field")
	}
}

func TestEveryUserCanReadEveryUser(t *testing.T) {
	e := newEnv(t, Options{})
	users := e.org.Users()
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = "'" + u.ID + "'"
	}
	for _, tok := range []string{e.alex, e.sam, e.admin} {
		recs := e.query(tok, "SELECT Id, Name, Username FROM User WHERE Id IN ("+strings.Join(ids, ", ")+")")
		if len(recs) != len(users) {
			t.Fatalf("query found %d users, want %d: %v", len(recs), len(users), recs)
		}
		got := map[string]string{}
		for _, r := range recs {
			got[r["Id"].(string)] = r["Name"].(string)
		}
		for _, u := range users {
			if got[u.ID] != u.Name {
				t.Errorf("user %s: Name %q, want %q", u.ID, got[u.ID], u.Name)
			}
		}
		all := e.query(tok, "SELECT Id, Name, Username FROM User")
		if len(all) != len(users) {
			t.Errorf("unfiltered query found %d users, want %d", len(all), len(users))
		}
	}
	sam := users[1]
	r := e.do(e.alex, "GET", v+"/sobjects/User/"+sam.ID, nil).want(t, 200).obj(t)
	if r["Name"] != sam.Name || r["Username"] != sam.Username || r["FirstName"] != "Sam" || r["LastName"] != "Chen" || r["IsActive"] != true {
		t.Errorf("retrieve sam = %v", r)
	}
	if r["Title"] != "Sales Manager" {
		t.Errorf("retrieve Title = %v, want Sales Manager", r["Title"])
	}
}

func TestUserCannotBeWrittenThroughTheAPI(t *testing.T) {
	e := newEnv(t, Options{})
	sam := e.org.Users()[1]
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"create", "POST", v + "/sobjects/User", map[string]any{"LastName": "New", "Username": "new@demo.example"}, http.StatusBadRequest, "INSUFFICIENT_ACCESS_OR_READONLY"},
		{"update", "PATCH", v + "/sobjects/User/" + sam.ID, map[string]any{"Title": "Boss"}, http.StatusBadRequest, "INSUFFICIENT_ACCESS_OR_READONLY"},
		{"delete", "DELETE", v + "/sobjects/User/" + sam.ID, nil, http.StatusBadRequest, "INVALID_TYPE_FOR_OPERATION"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, tok := range []string{e.alex, e.admin} {
				r := e.do(tok, c.method, c.path, c.body)
				if r.Status != c.status || r.code(t) != c.code {
					t.Errorf("%s %s: status %d %s, want %d %s", c.method, c.path, r.Status, r.Body, c.status, c.code)
				}
			}
		})
	}
	if got := e.do(e.alex, "GET", v+"/sobjects/User/"+sam.ID, nil).want(t, 200).obj(t); got["Title"] != "Sales Manager" || got["Name"] != sam.Name {
		t.Errorf("user changed after refused writes: %v", got)
	}
}
