package mockorg

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func fieldByName(t *testing.T, d map[string]any, name string) map[string]any {
	t.Helper()
	for _, f := range d["fields"].([]any) {
		m := f.(map[string]any)
		if m["name"] == name {
			return m
		}
	}
	t.Fatalf("describe of %v has no field %s", d["name"], name)
	return nil
}

func picklistValues(f map[string]any) []string {
	var out []string
	for _, p := range f["picklistValues"].([]any) {
		out = append(out, p.(map[string]any)["value"].(string))
	}
	return out
}

func TestDescribeGlobalListsTheCustomObjectAsCustomAndCreateable(t *testing.T) {
	for _, profile := range []Profile{ProfileDemo, ProfileReal} {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, Options{Size: 60, Profile: profile})
			var g struct {
				Sobjects []map[string]any `json:"sobjects"`
			}
			e.do(e.alex, "GET", v+"/sobjects", nil).want(t, 200).json(t, &g)
			found := map[string]map[string]any{}
			for _, s := range g.Sobjects {
				found[s["name"].(string)] = s
			}
			sv := found["Site_Visit__c"]
			if sv == nil {
				t.Fatal("describe global has no Site_Visit__c")
			}
			for key, want := range map[string]any{"custom": true, "createable": true, "queryable": true, "keyPrefix": "a01", "label": "Site Visit", "labelPlural": "Site Visits"} {
				if sv[key] != want {
					t.Errorf("Site_Visit__c %s = %v, want %v", key, sv[key], want)
				}
			}
			if found["Account"]["custom"] != false {
				t.Errorf("Account custom = %v", found["Account"]["custom"])
			}
			if rt := found["RecordType"]; rt == nil || rt["createable"] != false || rt["queryable"] != true {
				t.Errorf("RecordType entry = %v", rt)
			}
		})
	}
}

func TestDescribeSiteVisitFieldsAndOfflineKeyOnlyInDemoProfile(t *testing.T) {
	for _, profile := range []Profile{ProfileDemo, ProfileReal} {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, Options{Size: 60, Profile: profile})
			d := e.do(e.alex, "GET", v+"/sobjects/Site_Visit__c/describe", nil).want(t, 200).obj(t)
			if d["custom"] != true || d["keyPrefix"] != "a01" {
				t.Fatalf("custom=%v keyPrefix=%v", d["custom"], d["keyPrefix"])
			}
			name := fieldByName(t, d, "Name")
			if name["nameField"] != true || name["length"] != 80.0 || name["type"] != "string" || name["nillable"] != false {
				t.Errorf("Name = %v", name)
			}
			acc := fieldByName(t, d, "Account__c")
			if acc["type"] != "reference" || acc["relationshipName"] != "Account__r" || acc["custom"] != true {
				t.Errorf("Account__c = %v", acc)
			}
			if to := acc["referenceTo"].([]any); len(to) != 1 || to[0] != "Account" {
				t.Errorf("Account__c referenceTo = %v", to)
			}
			date := fieldByName(t, d, "Visit_Date__c")
			if date["type"] != "date" || date["nillable"] != false || date["defaultedOnCreate"] != false || date["createable"] != true {
				t.Errorf("Visit_Date__c is not a required date: %v", date)
			}
			out := fieldByName(t, d, "Outcome__c")
			if out["type"] != "picklist" || out["restrictedPicklist"] != true || fmt.Sprint(picklistValues(out)) != "[Scheduled Completed Cancelled]" {
				t.Errorf("Outcome__c = %v", out)
			}
			if f := fieldByName(t, d, "Notes__c"); f["type"] != "textarea" || f["length"] != 32768.0 {
				t.Errorf("Notes__c = %v", f)
			}
			if f := fieldByName(t, d, "Rating__c"); f["type"] != "double" {
				t.Errorf("Rating__c = %v", f)
			}
			hasKey := false
			for _, f := range d["fields"].([]any) {
				if f.(map[string]any)["name"] == "Offline_Key__c" {
					hasKey = true
				}
			}
			if hasKey != (profile == ProfileDemo) {
				t.Errorf("Offline_Key__c present = %v in the %s profile", hasKey, profile)
			}
		})
	}
}

func TestDescribeCustomFieldsOnStandardObjectsAndChildRelationship(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	acc := e.do(e.alex, "GET", v+"/sobjects/Account/describe", nil).want(t, 200).obj(t)
	region := fieldByName(t, acc, "Region__c")
	if region["custom"] != true || fmt.Sprint(picklistValues(region)) != "[EMEA AMER APAC]" {
		t.Errorf("Region__c = %v", region)
	}
	rel := false
	for _, c := range acc["childRelationships"].([]any) {
		m := c.(map[string]any)
		if m["childSObject"] == "Site_Visit__c" && m["field"] == "Account__c" && m["relationshipName"] == "Site_Visits__r" {
			rel = true
		}
	}
	if !rel {
		t.Errorf("Account has no Site_Visits__r child relationship: %v", acc["childRelationships"])
	}
	con := e.do(e.alex, "GET", v+"/sobjects/Contact/describe", nil).want(t, 200).obj(t)
	if f := fieldByName(t, con, "Preferred_Channel__c"); f["type"] != "picklist" || f["custom"] != true {
		t.Errorf("Preferred_Channel__c = %v", f)
	}
}

func TestDescribeRecordTypeInfosAndRecordTypeIdField(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	for _, obj := range []string{"Opportunity", "Case"} {
		t.Run(obj, func(t *testing.T) {
			d := e.do(e.alex, "GET", v+"/sobjects/"+obj+"/describe", nil).want(t, 200).obj(t)
			infos := d["recordTypeInfos"].([]any)
			if len(infos) != 3 {
				t.Fatalf("recordTypeInfos = %v, want two record types and the master", infos)
			}
			defaults, masters := 0, 0
			for _, i := range infos {
				m := i.(map[string]any)
				if m["defaultRecordTypeMapping"] == true {
					defaults++
				}
				if m["master"] == true {
					masters++
					if m["recordTypeId"] != MasterRecordTypeID || m["defaultRecordTypeMapping"] != true {
						t.Errorf("master = %v", m)
					}
				} else {
					id := m["recordTypeId"].(string)
					rt := e.do(e.alex, "GET", v+"/sobjects/RecordType/"+id, nil).want(t, 200).obj(t)
					if rt["SobjectType"] != obj || rt["Name"] != m["name"] {
						t.Errorf("record type %s = %v", id, rt)
					}
				}
			}
			if defaults != 1 || masters != 1 {
				t.Errorf("defaults=%d masters=%d", defaults, masters)
			}
			f := fieldByName(t, d, "RecordTypeId")
			if f["type"] != "reference" || f["createable"] != true || f["defaultedOnCreate"] != true || f["relationshipName"] != "RecordType" {
				t.Errorf("RecordTypeId = %v", f)
			}
		})
	}
	acc := e.do(e.alex, "GET", v+"/sobjects/Account/describe", nil).want(t, 200).obj(t)
	if infos := acc["recordTypeInfos"].([]any); len(infos) != 1 {
		t.Errorf("Account recordTypeInfos = %v, want only the master", infos)
	}
}

func TestDescribeDependentPicklistBitmapsMatchTheDependencies(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	d := e.do(e.alex, "GET", v+"/sobjects/Case/describe", nil).want(t, 200).obj(t)
	reason := fieldByName(t, d, "Reason")
	if reason["dependentPicklist"] != true || reason["controllerName"] != "Type" {
		t.Fatalf("Reason dependentPicklist=%v controllerName=%v", reason["dependentPicklist"], reason["controllerName"])
	}
	if typ := fieldByName(t, d, "Type"); typ["dependentPicklist"] != false || typ["controllerName"] != nil {
		t.Errorf("Type = %v", typ)
	}
	types := picklistValues(fieldByName(t, d, "Type"))
	for _, p := range reason["picklistValues"].([]any) {
		m := p.(map[string]any)
		bitmap, _ := m["validFor"].(string)
		if bitmap == "" {
			t.Fatalf("%v has no validFor", m["value"])
		}
		for i, ctl := range types {
			want := false
			for _, a := range reasonValidFor[m["value"].(string)] {
				want = want || a == ctl
			}
			if got := ValidForAllows(bitmap, i); got != want {
				t.Errorf("%v valid for %s = %v, want %v (bitmap %s)", m["value"], ctl, got, want, bitmap)
			}
		}
	}
	for _, p := range fieldByName(t, d, "Status")["picklistValues"].([]any) {
		if vf := p.(map[string]any)["validFor"]; vf != nil {
			t.Errorf("independent picklist value has validFor %v", vf)
		}
	}
}

func TestValidForBitmapEncoding(t *testing.T) {
	ctl := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}
	tests := []struct {
		allowed []string
		want    string
	}{
		{[]string{"a"}, "gAAA"},                // 0x80 0x00 0x00
		{[]string{"h"}, "AQAA"},                // 0x01
		{[]string{"i"}, "AIAA"},                // second byte, top bit
		{[]string{"a", "b", "i"}, "wIAA"},      // 0xC0 0x80
		{nil, "AAAA"},                          // allowed for nothing
		{[]string{"nope"}, "AAAA"},             // unknown controller values are ignored
		{[]string{"a", "c", "e", "g"}, "qgAA"}, // 0xAA
	}
	for _, tc := range tests {
		if got := validFor(ctl, tc.allowed); got != tc.want {
			t.Errorf("validFor(%v) = %s, want %s", tc.allowed, got, tc.want)
		}
	}
	for _, bad := range []string{"", "!!", "gAAA"} {
		if ValidForAllows(bad, 100) || ValidForAllows(bad, -1) {
			t.Errorf("ValidForAllows(%q) out of range said yes", bad)
		}
	}
}

func TestSiteVisitsAreSeededPerAccountWithSharingLikeTheirAccount(t *testing.T) {
	e := newEnv(t, Options{Size: 120})
	adminVisits := e.query(e.admin, "SELECT Id, OwnerId, Account__c, Account__r.OwnerId FROM Site_Visit__c")
	if len(adminVisits) < 10 {
		t.Fatalf("only %d site visits seeded", len(adminVisits))
	}
	users := map[string]string{}
	for _, u := range e.org.Users() {
		users[u.ID] = u.Username
	}
	for _, r := range adminVisits {
		acc := r["Account__r"].(map[string]any)
		if r["OwnerId"] != acc["OwnerId"] {
			t.Errorf("visit %v owned by %v, its account by %v", r["Id"], r["OwnerId"], acc["OwnerId"])
		}
		if users[r["OwnerId"].(string)] == "admin@demo.example" {
			t.Errorf("visit %v belongs to the admin", r["Id"])
		}
	}
	// Alex sees a visit exactly when Alex sees its account.
	alexAccounts := map[string]bool{}
	for _, r := range e.query(e.alex, "SELECT Id FROM Account") {
		alexAccounts[r["Id"].(string)] = true
	}
	alexVisits := e.query(e.alex, "SELECT Id, Account__c FROM Site_Visit__c")
	seen := map[string]bool{}
	for _, r := range alexVisits {
		seen[r["Id"].(string)] = true
		if !alexAccounts[r["Account__c"].(string)] {
			t.Errorf("alex sees visit %v of an account alex cannot see", r["Id"])
		}
	}
	for _, r := range adminVisits {
		if alexAccounts[r["Account__c"].(string)] && !seen[r["Id"].(string)] {
			t.Errorf("alex sees account %v but not its visit %v", r["Account__c"], r["Id"])
		}
	}
	if len(alexVisits) == 0 || len(alexVisits) == len(adminVisits) {
		t.Errorf("alex sees %d of %d visits", len(alexVisits), len(adminVisits))
	}
}

func TestSeedKeepsStandardRecordsWhenCustomisationsAreAdded(t *testing.T) {
	// Site visits are seeded after everything else, so every standard record keeps an id below
	// the first visit's, and records carry their custom values.
	e := newEnv(t, Options{Size: 120})
	first := e.query(e.admin, "SELECT Id FROM Site_Visit__c ORDER BY Id LIMIT 1")[0]["Id"].(string)
	last := e.query(e.admin, "SELECT Id FROM Lead ORDER BY Id DESC LIMIT 1")[0]["Id"].(string)
	if first[5:15] <= last[5:15] {
		t.Errorf("first visit %s is not after the last lead %s", first, last)
	}
	for _, r := range e.query(e.admin, "SELECT Id, Region__c, BillingCountry FROM Account") {
		if r["Region__c"] != regionOf(fmt.Sprint(r["BillingCountry"])) {
			t.Errorf("account %v region %v for %v", r["Id"], r["Region__c"], r["BillingCountry"])
		}
	}
	for _, obj := range []string{"Opportunity", "Case"} {
		rts := map[string]bool{}
		for _, rt := range recordTypesOf(obj) {
			rts[rt.id()] = true
		}
		recs := e.query(e.admin, "SELECT Id, RecordTypeId, RecordType.Name FROM "+obj)
		used := map[string]bool{}
		for _, r := range recs {
			id, _ := r["RecordTypeId"].(string)
			if !rts[id] {
				t.Errorf("%s %v has record type %q", obj, r["Id"], id)
			}
			used[id] = true
			if rt, _ := r["RecordType"].(map[string]any); rt == nil || rt["Name"] == nil {
				t.Errorf("%s %v RecordType.Name = %v", obj, r["Id"], r["RecordType"])
			}
		}
		if len(used) != 2 {
			t.Errorf("%s records use %d record types", obj, len(used))
		}
	}
}

func TestSiteVisitCRUDOverHTTP(t *testing.T) {
	for _, profile := range []Profile{ProfileDemo, ProfileReal} {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, Options{Size: 60, Profile: profile})
			acc := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.Users()[0].ID+"' ORDER BY Name LIMIT 1")
			res := e.do(e.alex, "POST", v+"/sobjects/Site_Visit__c", map[string]any{
				"Name": "Kick-off", "Account__c": acc, "Visit_Date__c": "2024-03-10", "Outcome__c": "Scheduled",
				"Notes__c": "Line one\nLine two", "Rating__c": 4.5,
			}).want(t, http.StatusCreated).obj(t)
			id := res["id"].(string)
			if id[:3] != "a01" || len(id) != 18 {
				t.Fatalf("id %q", id)
			}
			got := e.do(e.alex, "GET", v+"/sobjects/Site_Visit__c/"+id, nil).want(t, 200).obj(t)
			for k, want := range map[string]any{"Name": "Kick-off", "Account__c": acc, "Visit_Date__c": "2024-03-10", "Outcome__c": "Scheduled", "Notes__c": "Line one\nLine two", "Rating__c": 4.5} {
				if got[k] != want {
					t.Errorf("%s = %v, want %v", k, got[k], want)
				}
			}
			if attrs := got["attributes"].(map[string]any); attrs["type"] != "Site_Visit__c" {
				t.Errorf("attributes = %v", attrs)
			}
			e.clk.Advance(2e9)
			e.do(e.alex, "PATCH", v+"/sobjects/Site_Visit__c/"+id, map[string]any{"Outcome__c": "Completed", "Rating__c": 5}).want(t, http.StatusNoContent)
			got = e.do(e.alex, "GET", v+"/sobjects/Site_Visit__c/"+id+"?fields=Outcome__c,Rating__c", nil).want(t, 200).obj(t)
			if got["Outcome__c"] != "Completed" || got["Rating__c"] != 5.0 {
				t.Errorf("after update %v", got)
			}
			// Sam cannot see Alex's visit.
			e.do(e.sam, "GET", v+"/sobjects/Site_Visit__c/"+id, nil).want(t, http.StatusNotFound)
			e.do(e.alex, "DELETE", v+"/sobjects/Site_Visit__c/"+id, nil).want(t, http.StatusNoContent)
			if c := e.do(e.alex, "PATCH", v+"/sobjects/Site_Visit__c/"+id, map[string]any{"Name": "x"}).want(t, http.StatusNotFound).code(t); c != "ENTITY_IS_DELETED" {
				t.Errorf("update of a deleted visit: %s", c)
			}
		})
	}
}

func TestSiteVisitWritesAreValidated(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	acc := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.Users()[0].ID+"' LIMIT 1")
	contact := e.firstID(e.alex, "SELECT Id FROM Contact LIMIT 1")
	ok := map[string]any{"Name": "Visit", "Account__c": acc, "Visit_Date__c": "2024-03-10"}
	with := func(k string, val any) map[string]any {
		m := map[string]any{}
		for kk, vv := range ok {
			m[kk] = vv
		}
		if val == nil {
			delete(m, k)
		} else {
			m[k] = val
		}
		return m
	}
	tests := []struct {
		name  string
		body  map[string]any
		code  string
		field string
	}{
		{"visit date is required", with("Visit_Date__c", nil), "REQUIRED_FIELD_MISSING", "Visit_Date__c"},
		{"name is required", with("Name", nil), "REQUIRED_FIELD_MISSING", "Name"},
		{"outcome is restricted", with("Outcome__c", "Maybe"), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Outcome__c"},
		{"name is at most 80 characters", with("Name", fmt.Sprintf("%081d", 0)), "STRING_TOO_LONG", "Name"},
		{"account must be an account", with("Account__c", contact), "INVALID_CROSS_REFERENCE_KEY", "Account__c"},
		{"unknown custom field", with("Colour__c", "red"), "INVALID_FIELD", "Colour__c"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(e.alex, "POST", v+"/sobjects/Site_Visit__c", tc.body).want(t, http.StatusBadRequest)
			var items []struct {
				ErrorCode string   `json:"errorCode"`
				Fields    []string `json:"fields"`
			}
			r.json(t, &items)
			if len(items) == 0 || items[0].ErrorCode != tc.code || len(items[0].Fields) == 0 || items[0].Fields[0] != tc.field {
				t.Errorf("got %s, want %s on %s", r.Body, tc.code, tc.field)
			}
		})
	}
	e.do(e.alex, "POST", v+"/sobjects/Site_Visit__c", ok).want(t, http.StatusCreated)
}

func TestSiteVisitUpsertByOfflineKeyIsExactlyOnce(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	acc := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.Users()[0].ID+"' LIMIT 1")
	body := map[string]any{"Name": "Once", "Account__c": acc, "Visit_Date__c": "2024-03-10"}
	first := e.do(e.alex, "PATCH", v+"/sobjects/Site_Visit__c/Offline_Key__c/k-1", body).want(t, http.StatusCreated).obj(t)
	second := e.do(e.alex, "PATCH", v+"/sobjects/Site_Visit__c/Offline_Key__c/k-1", body).want(t, http.StatusOK).obj(t)
	if first["id"] != second["id"] {
		t.Errorf("upsert created twice: %v %v", first["id"], second["id"])
	}
	if n := len(e.query(e.alex, "SELECT Id FROM Site_Visit__c WHERE Name = 'Once'")); n != 1 {
		t.Errorf("%d visits named Once", n)
	}
}

func TestSOQLOnCustomFieldsAndCustomRelationship(t *testing.T) {
	e := newEnv(t, Options{Size: 120})
	recs := e.query(e.alex, "SELECT Id, Name, Account__r.Name, Outcome__c, Visit_Date__c FROM Site_Visit__c WHERE Outcome__c IN ('Scheduled','Completed') ORDER BY Visit_Date__c DESC, Name LIMIT 5")
	if len(recs) == 0 {
		t.Fatal("no visits")
	}
	prev := "9999-12-31"
	for _, r := range recs {
		acc, _ := r["Account__r"].(map[string]any)
		if acc == nil || acc["Name"] == nil || acc["attributes"].(map[string]any)["type"] != "Account" {
			t.Errorf("Account__r = %v", r["Account__r"])
		}
		if o := r["Outcome__c"]; o != "Scheduled" && o != "Completed" {
			t.Errorf("Outcome__c = %v", o)
		}
		if d := r["Visit_Date__c"].(string); d > prev {
			t.Errorf("not sorted: %s after %s", d, prev)
		} else {
			prev = d
		}
	}
	emea := e.query(e.alex, "SELECT Id, Region__c FROM Account WHERE Region__c = 'EMEA'")
	all := e.query(e.alex, "SELECT Id FROM Account")
	if len(emea) == 0 || len(emea) == len(all) {
		t.Errorf("%d of %d accounts in EMEA", len(emea), len(all))
	}
	byAccount := e.query(e.alex, "SELECT Id FROM Site_Visit__c WHERE Account__r.Region__c = 'EMEA'")
	for _, r := range byAccount {
		got := e.do(e.alex, "GET", v+"/sobjects/Site_Visit__c/"+r["Id"].(string)+"?fields=Account__c", nil).want(t, 200).obj(t)
		a := e.do(e.alex, "GET", v+"/sobjects/Account/"+got["Account__c"].(string)+"?fields=Region__c", nil).want(t, 200).obj(t)
		if a["Region__c"] != "EMEA" {
			t.Errorf("visit %v of a %v account", r["Id"], a["Region__c"])
		}
	}
	for _, bad := range []string{
		"SELECT Id, Account__c.Name FROM Site_Visit__c",
		"SELECT Id, Account__r.Nope__c FROM Site_Visit__c",
		"SELECT Id, Nope__c FROM Site_Visit__c",
	} {
		if c := e.do(e.alex, "GET", v+"/query?q="+urlQueryEscape(bad), nil).want(t, 400).code(t); c != "INVALID_FIELD" {
			t.Errorf("%s: %s", bad, c)
		}
	}
	if c := e.do(e.alex, "GET", v+"/query?q="+urlQueryEscape("SELECT Id FROM Nope__c"), nil).want(t, 400).code(t); c != "INVALID_TYPE" {
		t.Errorf("unknown custom object: %s", c)
	}
}

func TestRecordTypeIdIsValidatedOnWrite(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	acc := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.Users()[0].ID+"' LIMIT 1")
	oppRT, caseRT := recordTypesOf("Opportunity")[1].id(), recordTypesOf("Case")[0].id()
	opp := func(rt any) map[string]any {
		m := map[string]any{"Name": "RT deal", "StageName": "Prospecting", "CloseDate": "2024-05-01", "AccountId": acc}
		if rt != nil {
			m["RecordTypeId"] = rt
		}
		return m
	}
	tests := []struct {
		name   string
		rt     any
		status int
		code   string
		stored any
	}{
		{"an object's own record type is kept", oppRT, 201, "", oppRT},
		{"no record type means the master one", nil, 201, "", nil},
		{"the master record type id is stored as null", MasterRecordTypeID, 201, "", nil},
		{"another object's record type is refused", caseRT, 400, "INVALID_CROSS_REFERENCE_KEY", nil},
		{"a record type that does not exist is refused", ID("012", 999), 400, "INVALID_CROSS_REFERENCE_KEY", nil},
		{"a record that is not a record type is refused", acc, 400, "INVALID_CROSS_REFERENCE_KEY", nil},
		{"a malformed id is refused", "012xyz", 400, "MALFORMED_ID", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(e.alex, "POST", v+"/sobjects/Opportunity", opp(tc.rt)).want(t, tc.status)
			if tc.status != 201 {
				if c := r.code(t); c != tc.code {
					t.Errorf("code %s, want %s: %s", c, tc.code, r.Body)
				}
				return
			}
			id := r.obj(t)["id"].(string)
			got := e.do(e.alex, "GET", v+"/sobjects/Opportunity/"+id+"?fields=RecordTypeId", nil).want(t, 200).obj(t)
			if got["RecordTypeId"] != tc.stored {
				t.Errorf("RecordTypeId = %v, want %v", got["RecordTypeId"], tc.stored)
			}
		})
	}
	id := e.firstID(e.alex, "SELECT Id FROM Case WHERE OwnerId = '"+e.org.Users()[0].ID+"' LIMIT 1")
	if c := e.do(e.alex, "PATCH", v+"/sobjects/Case/"+id, map[string]any{"RecordTypeId": oppRT}).want(t, 400).code(t); c != "INVALID_CROSS_REFERENCE_KEY" {
		t.Errorf("update with another object's record type: %s", c)
	}
	e.do(e.alex, "PATCH", v+"/sobjects/Case/"+id, map[string]any{"RecordTypeId": recordTypesOf("Case")[1].id()}).want(t, 204)
	// Record types are read-only to everyone.
	if r := e.do(e.admin, "PATCH", v+"/sobjects/RecordType/"+oppRT, map[string]any{"Name": "x"}); r.Status < 400 {
		t.Errorf("a record type was updated: %d", r.Status)
	}
	if r := e.do(e.admin, "DELETE", v+"/sobjects/RecordType/"+oppRT, nil); r.Status < 400 {
		t.Errorf("a record type was deleted: %d", r.Status)
	}
}

func TestDependentPicklistCombinationsAreValidated(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	tests := []struct {
		name       string
		typ        any
		reason     any
		wantStatus int
	}{
		{"reason valid for its type", "Mechanical", "Breakdown", 201},
		{"reason valid for other type", "Other", "Feedback", 201},
		{"type alone", "Electrical", nil, 201},
		{"neither", nil, nil, 201},
		{"reason not valid for the type", "Mechanical", "Feedback", 400},
		{"reason without a type", nil, "Installation", 400},
		{"reason that is no value at all", "Mechanical", "Bogus", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"Subject": "Dependent", "Origin": "Web"}
			if tc.typ != nil {
				body["Type"] = tc.typ
			}
			if tc.reason != nil {
				body["Reason"] = tc.reason
			}
			r := e.do(e.alex, "POST", v+"/sobjects/Case", body).want(t, tc.wantStatus)
			if tc.wantStatus == 400 {
				var items []struct {
					ErrorCode, Message string
					Fields             []string
				}
				r.json(t, &items)
				if items[0].ErrorCode != "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" || fmt.Sprint(items[0].Fields) != "[Reason]" {
					t.Errorf("got %s", r.Body)
				}
			}
		})
	}
	// Changing the controller so the stored dependent value no longer fits is refused too.
	id := e.do(e.alex, "POST", v+"/sobjects/Case", map[string]any{"Subject": "x", "Type": "Mechanical", "Reason": "Installation"}).want(t, 201).obj(t)["id"].(string)
	if c := e.do(e.alex, "PATCH", v+"/sobjects/Case/"+id, map[string]any{"Type": "Electronic"}).want(t, 400).code(t); c != "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" {
		t.Errorf("controller change: %s", c)
	}
	e.do(e.alex, "PATCH", v+"/sobjects/Case/"+id, map[string]any{"Type": "Electronic", "Reason": "Performance"}).want(t, 204)
	e.do(e.alex, "PATCH", v+"/sobjects/Case/"+id, map[string]any{"Subject": "unrelated"}).want(t, 204)
}

func TestCustomisationsSurviveAReopenFromFile(t *testing.T) {
	path := t.TempDir() + "/org.db"
	e := newEnv(t, Options{Size: 60, DBPath: path})
	acc := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.Users()[0].ID+"' LIMIT 1")
	id := e.do(e.alex, "POST", v+"/sobjects/Site_Visit__c", map[string]any{"Name": "Persisted", "Account__c": acc, "Visit_Date__c": "2024-03-10"}).want(t, 201).obj(t)["id"].(string)
	n := len(e.query(e.admin, "SELECT Id FROM Site_Visit__c"))
	e.org.Close()
	e2 := newEnv(t, Options{Size: 60, DBPath: path})
	got := e2.do(e2.alex, "GET", v+"/sobjects/Site_Visit__c/"+id, nil).want(t, 200).obj(t)
	if got["Name"] != "Persisted" {
		t.Errorf("after reopen %v", got)
	}
	if m := len(e2.query(e2.admin, "SELECT Id FROM Site_Visit__c")); m != n {
		t.Errorf("%d visits after reopen, %d before", m, n)
	}
	if rts := e2.query(e2.alex, "SELECT Id, Name, SobjectType FROM RecordType"); len(rts) != len(recordTypes) {
		t.Errorf("record types after reopen: %v", rts)
	}
}

func TestCompositeCreatesAnAccountAndItsSiteVisitWithAReference(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	body := map[string]any{"allOrNone": true, "compositeRequest": []any{
		map[string]any{"method": "POST", "url": v + "/sobjects/Account", "referenceId": "acc", "body": map[string]any{"Name": "Composite Parent", "Region__c": "APAC"}},
		map[string]any{"method": "POST", "url": v + "/sobjects/Site_Visit__c", "referenceId": "visit", "body": map[string]any{"Name": "Composite Visit", "Account__c": "@{acc.id}", "Visit_Date__c": "2024-03-20"}},
	}}
	var res struct {
		CompositeResponse []struct {
			Body           map[string]any `json:"body"`
			HTTPStatusCode int            `json:"httpStatusCode"`
			ReferenceID    string         `json:"referenceId"`
		} `json:"compositeResponse"`
	}
	e.do(e.alex, "POST", v+"/composite", body).want(t, 200).json(t, &res)
	if len(res.CompositeResponse) != 2 || res.CompositeResponse[1].HTTPStatusCode != 201 {
		t.Fatalf("composite: %+v", res)
	}
	accID, visitID := res.CompositeResponse[0].Body["id"].(string), res.CompositeResponse[1].Body["id"].(string)
	recs := e.query(e.alex, "SELECT Id, Account__r.Name, Account__r.Region__c FROM Site_Visit__c WHERE Account__c = '"+accID+"'")
	if len(recs) != 1 || recs[0]["Id"] != visitID {
		t.Fatalf("visits of the new account: %v", recs)
	}
	if acc := recs[0]["Account__r"].(map[string]any); acc["Name"] != "Composite Parent" || acc["Region__c"] != "APAC" {
		t.Errorf("Account__r = %v", acc)
	}
}

func BenchmarkDescribeCaseWithDependentPicklist(b *testing.B) {
	e := newEnv(b, Options{Size: 60})
	b.ReportAllocs()
	for b.Loop() {
		e.do(e.alex, "GET", v+"/sobjects/Case/describe", nil).want(b, 200)
	}
}

// A dependent multi-select is checked value by value: each value chosen must suit the
// controlling value, as an org checks it.
func TestADependentMultiSelectIsCheckedValueByValue(t *testing.T) {
	region := pick("Region__c", "Region", "AMER", "EMEA")
	lines := multiPick("Lines__c", "Lines", "Hardware", "Software")
	lines.Controller = "Region__c"
	lines.ValidFor = map[string][]string{"Hardware": {"AMER"}, "Software": {"AMER", "EMEA"}}
	obj := &objectDef{Name: "Thing__c", Label: "Thing", Fields: []*fieldDef{region, lines}}
	o := &Org{}
	for _, tc := range []struct {
		region, lines string
		ok            bool
	}{
		{"AMER", "Hardware;Software", true},
		{"EMEA", "Software", true},
		{"EMEA", "Hardware;Software", false},
		{"EMEA", "Software;Hardware", false},
		{"", "Software", false},
	} {
		r := &rec{Object: obj, F: map[string]any{"Region__c": tc.region, "Lines__c": tc.lines}}
		err := o.checkCustom(r, map[string]any{"Lines__c": tc.lines})
		if (err == nil) != tc.ok {
			t.Errorf("Region %q, Lines %q: error %v; want allowed %v", tc.region, tc.lines, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "Hardware") && tc.region == "EMEA" {
			t.Errorf("the refusal does not name the value that does not suit: %v", err)
		}
	}
}
