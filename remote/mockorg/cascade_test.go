package mockorg

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"
)

func TestDeletingAnAccountTakesItsContactsOpportunitiesCasesAndTasksWithIt(t *testing.T) {
	e := newEnv(t, Options{})
	acct := e.do(e.admin, "POST", v+"/sobjects/Account", map[string]any{"Name": "Cascade Co"}).want(t, 201).obj(t)["id"].(string)
	contact := e.do(e.admin, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "Child", "AccountId": acct}).want(t, 201).obj(t)["id"].(string)
	opp := e.do(e.admin, "POST", v+"/sobjects/Opportunity", map[string]any{"Name": "Deal", "AccountId": acct, "StageName": "Prospecting", "CloseDate": "2027-01-01"}).want(t, 201).obj(t)["id"].(string)
	kase := e.do(e.admin, "POST", v+"/sobjects/Case", map[string]any{"Subject": "Broken", "AccountId": acct}).want(t, 201).obj(t)["id"].(string)
	taskOnContact := e.do(e.admin, "POST", v+"/sobjects/Task", map[string]any{"Subject": "Call", "WhoId": contact}).want(t, 201).obj(t)["id"].(string)
	taskOnOpp := e.do(e.admin, "POST", v+"/sobjects/Task", map[string]any{"Subject": "Send quote", "WhatId": opp}).want(t, 201).obj(t)["id"].(string)
	other := e.do(e.admin, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "Elsewhere"}).want(t, 201).obj(t)["id"].(string)
	otherAcct := e.do(e.admin, "POST", v+"/sobjects/Account", map[string]any{"Name": "Bystander Co"}).want(t, 201).obj(t)["id"].(string)
	otherChild := e.do(e.admin, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "Bystander", "AccountId": otherAcct}).want(t, 201).obj(t)["id"].(string)
	otherTask := e.do(e.admin, "POST", v+"/sobjects/Task", map[string]any{"Subject": "Unrelated", "WhatId": otherAcct}).want(t, 201).obj(t)["id"].(string)
	start := e.org.now().Add(-time.Minute)

	e.do(e.admin, "DELETE", v+"/sobjects/Account/"+acct, nil).want(t, 204)

	for _, gone := range []struct{ object, id string }{
		{"Contact", contact}, {"Opportunity", opp}, {"Case", kase}, {"Task", taskOnContact}, {"Task", taskOnOpp},
	} {
		r := e.do(e.admin, "PATCH", v+"/sobjects/"+gone.object+"/"+gone.id, map[string]any{"Description": "x"})
		if r.Status != 404 {
			t.Errorf("%s %s after its account was deleted: PATCH gave %d %s, want 404", gone.object, gone.id, r.Status, r.Body)
		}
	}
	for _, kept := range []struct{ object, id string }{
		{"Contact", other}, {"Account", otherAcct}, {"Contact", otherChild}, {"Task", otherTask},
	} { // another account's records, and a contact without one, stay
		e.do(e.admin, "GET", v+"/sobjects/"+kept.object+"/"+kept.id, nil).want(t, 200)
	}

	// The org's delete log shows the children, so devices drop them at their next refresh.
	e.clk.Advance(2 * time.Minute) // getDeleted covers whole minutes that have passed
	r := e.do(e.admin, "GET", v+"/sobjects/Contact/deleted/?start="+url.QueryEscape(start.Format(time.RFC3339))+
		"&end="+url.QueryEscape(e.org.now().Format(time.RFC3339)), nil).want(t, 200)
	var del struct {
		DeletedRecords []struct{ ID string } `json:"deletedRecords"`
	}
	if err := json.Unmarshal(r.Body, &del); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range del.DeletedRecords {
		found = found || d.ID == contact
	}
	if !found {
		t.Errorf("the cascaded Contact is not in getDeleted: %s", r.Body)
	}
}

func TestDescribeSaysWhichChildrenGoWithTheParent(t *testing.T) {
	e := newEnv(t, Options{})
	var d struct {
		ChildRelationships []struct {
			ChildSObject  string `json:"childSObject"`
			Field         string `json:"field"`
			CascadeDelete bool   `json:"cascadeDelete"`
		} `json:"childRelationships"`
	}
	if err := json.Unmarshal(e.do(e.admin, "GET", v+"/sobjects/Account/describe", nil).want(t, 200).Body, &d); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"Contact.AccountId": true, "Opportunity.AccountId": true, "Case.AccountId": true, "Task.WhatId": true}
	for _, c := range d.ChildRelationships {
		k := c.ChildSObject + "." + c.Field
		if c.CascadeDelete != want[k] {
			t.Errorf("Account child %s: cascadeDelete %v, want %v", k, c.CascadeDelete, want[k])
		}
	}
}

func TestACascadeSeesRecordsWrittenEarlierInTheSameRequest(t *testing.T) {
	e := newEnv(t, Options{})
	for _, allOrNone := range []bool{false, true} {
		acct := e.do(e.admin, "POST", v+"/sobjects/Account", map[string]any{"Name": "Same Request Co"}).want(t, 201).obj(t)["id"].(string)
		r := e.do(e.admin, "POST", v+"/composite", map[string]any{"allOrNone": allOrNone, "compositeRequest": []any{
			map[string]any{"method": "POST", "url": v + "/sobjects/Contact", "referenceId": "kid", "body": map[string]any{"LastName": "Made Then Gone", "AccountId": acct}},
			map[string]any{"method": "DELETE", "url": v + "/sobjects/Account/" + acct, "referenceId": "parent"},
		}}).want(t, 200)
		var reply struct {
			CompositeResponse []struct {
				Body           json.RawMessage `json:"body"`
				HTTPStatusCode int             `json:"httpStatusCode"`
			} `json:"compositeResponse"`
		}
		r.json(t, &reply)
		if len(reply.CompositeResponse) != 2 {
			t.Fatalf("reply %s", r.Body)
		}
		var kid struct{ ID string }
		_ = json.Unmarshal(reply.CompositeResponse[0].Body, &kid)
		if kid.ID == "" || reply.CompositeResponse[1].HTTPStatusCode != 204 {
			t.Fatalf("allOrNone=%v: %s", allOrNone, r.Body)
		}
		if g := e.do(e.admin, "GET", v+"/sobjects/Contact/"+kid.ID, nil); g.Status != 404 {
			t.Fatalf("a contact created in the request that deleted its account: GET %d %s, want 404", g.Status, g.Body)
		}
	}
}
